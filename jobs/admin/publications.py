"""Where runs went: publications to the Hub and their model cards. The publishing
services own every field (status, revision, files), so both are read-only here."""

from django.contrib import admin

from jobs.admin.display import ServiceOwnedAdmin, owner_link, pretty_json
from jobs.models import ModelCard, Publication


@admin.register(Publication)
class PublicationAdmin(ServiceOwnedAdmin):
    list_display = ["id", "owner_email", "job", "source_platform", "target_platform"]
    list_display += ["target_ref", "private", "automatic", "status", "created_at", "finished_at"]
    list_filter = ["status", "target_platform", "source_platform", "automatic", "private"]
    search_fields = ["=id", "owner__email", "=job__id", "target_ref", "published_ref"]
    list_select_related = ["owner", "job"]
    date_hierarchy = "created_at"
    fields = ["id", "owner", "job", "source_platform", "source_ref", "target_platform"]
    fields += ["target_ref", "private", "automatic", "status", "failure_reason", "attempts"]
    fields += ["url", "published_ref", "revision", "files_json", "created_at", "finished_at"]
    readonly_fields = fields

    @admin.display(description="Owner", ordering="owner__email")
    def owner_email(self, publication):
        return owner_link(self, publication.owner)

    @admin.display(description="Files")
    def files_json(self, publication):
        return pretty_json(publication.files)


@admin.register(ModelCard)
class ModelCardAdmin(ServiceOwnedAdmin):
    list_display = ["id", "job", "owner_email", "template", "created_at"]
    list_filter = ["template"]
    search_fields = ["=job__id", "job__owner__email"]
    list_select_related = ["job__owner"]
    fields = ["job", "template", "markdown", "badges", "plots", "created_at"]
    readonly_fields = fields

    @admin.display(description="Owner", ordering="job__owner__email")
    def owner_email(self, card):
        return card.job.owner.email
