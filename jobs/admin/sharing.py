"""Share links: who shared which jobs, and a revoke that goes through the sharing service.
Only the masked form ever shows (as in the portal); the digest stays out of every page."""

from django.contrib import admin, messages
from django.db.models import Count

from accounts import audit
from asthub_site.errors import HubError
from jobs.admin.display import ServiceOwnedAdmin, owner_link
from jobs.models import ShareToken
from jobs.sharing.services import revoke_share_token


@admin.register(ShareToken)
class ShareTokenAdmin(ServiceOwnedAdmin):
    list_display = ["id", "owner_email", "label", "masked", "job_count", "created_at"]
    list_display += ["last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["=id", "owner__email", "label", "last_four"]
    list_select_related = ["owner"]
    fields = ["id", "owner", "label", "masked", "job_ids", "created_at", "last_used_at"]
    fields += ["revoked_at"]
    readonly_fields = fields
    actions = ["revoke_links"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_jobs=Count("jobs"))

    @admin.display(description="Owner", ordering="owner__email")
    def owner_email(self, share):
        return owner_link(self, share.owner)

    @admin.display(description="Link")
    def masked(self, share):
        return share.masked

    @admin.display(description="Jobs", ordering="number_of_jobs")
    def job_count(self, share):
        return share.number_of_jobs

    @admin.display(description="Jobs")
    def job_ids(self, share):
        return ", ".join(str(pk) for pk in share.jobs.values_list("pk", flat=True)) or "—"

    def has_revoke_permission(self, request):
        return request.user.has_perm("jobs.change_sharetoken")

    @admin.action(description="Revoke selected share links", permissions=["revoke"])
    def revoke_links(self, request, queryset):
        revoked = 0
        for share in queryset.filter(revoked_at__isnull=True).select_related("owner"):
            try:
                revoke_share_token(user=share.owner, share_id=share.pk)
            except HubError as refused:  # revoked by its owner since the page loaded
                self.message_user(request, f"Link {share.pk}: {refused.message}", messages.WARNING)
                continue
            # The service names the owner as actor; this row names the operator.
            audit.record(
                user=share.owner,
                actor=request.user,
                action="share.revoked_by_operator",
                target=share,
                detail={"label": share.label},
            )
            revoked += 1
        self.message_user(request, f"Revoked {revoked} share link(s).", messages.SUCCESS)
