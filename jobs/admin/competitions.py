"""Kaggle competition submissions: the scoring poll owns status and score, so read-only."""

from django.contrib import admin

from jobs.admin.display import ServiceOwnedAdmin, owner_link
from jobs.models import CompetitionSubmission


@admin.register(CompetitionSubmission)
class CompetitionSubmissionAdmin(ServiceOwnedAdmin):
    list_display = ["id", "owner_email", "job", "competition", "file_name", "status"]
    list_display += ["public_score", "created_at", "scored_at"]
    list_filter = ["status", "competition"]
    search_fields = ["=id", "owner__email", "=job__id", "competition", "file_name"]
    list_select_related = ["owner", "job"]
    date_hierarchy = "created_at"
    fields = ["id", "owner", "job", "competition", "file_name", "message", "status", "ref"]
    fields += ["public_score", "failure_reason", "created_at", "scored_at"]
    readonly_fields = fields

    @admin.display(description="Owner", ordering="owner__email")
    def owner_email(self, submission):
        return owner_link(self, submission.owner)
