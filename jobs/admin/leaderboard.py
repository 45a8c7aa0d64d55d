"""Public leaderboard entries, with an unlist action through the leaderboard service (it
writes the owner's audit row and clears the cached board)."""

from django.contrib import admin, messages

from accounts import audit
from asthub_site.errors import HubError
from jobs.admin.display import ServiceOwnedAdmin
from jobs.leaderboard.services import set_leaderboard_listing
from jobs.models import LeaderboardEntry


@admin.register(LeaderboardEntry)
class LeaderboardEntryAdmin(ServiceOwnedAdmin):
    list_display = ["id", "job", "owner_email", "display_name", "dataset", "listed_at"]
    list_filter = ["job__dataset"]
    search_fields = ["=job__id", "display_name", "job__owner__email"]
    list_select_related = ["job__owner"]
    fields = ["job", "owner_email", "display_name", "listed_at"]
    readonly_fields = fields
    actions = ["unlist"]

    @admin.display(description="Owner", ordering="job__owner__email")
    def owner_email(self, entry):
        return entry.job.owner.email

    @admin.display(description="Data set", ordering="job__dataset")
    def dataset(self, entry):
        return entry.job.dataset

    def has_unlist_permission(self, request):
        return request.user.has_perm("jobs.delete_leaderboardentry")

    @admin.action(description="Unlist selected entries", permissions=["unlist"])
    def unlist(self, request, queryset):
        unlisted = 0
        for entry in queryset.select_related("job__owner"):
            owner, job = entry.job.owner, entry.job
            try:
                set_leaderboard_listing(user=owner, job_id=job.pk, listed=False)
            except HubError as refused:
                self.message_user(request, f"Job {job.pk}: {refused.message}", messages.WARNING)
                continue
            # The service names the owner as actor; this row names the operator.
            audit.record(
                user=owner,
                actor=request.user,
                action="leaderboard.unlisted_by_operator",
                target=job,
                detail={"display_name": entry.display_name},
            )
            unlisted += 1
        self.message_user(request, f"Unlisted {unlisted} leaderboard entries.", messages.SUCCESS)
