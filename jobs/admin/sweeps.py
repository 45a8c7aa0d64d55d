"""Sweeps: the grid an owner asked for and how many jobs it became. Read-only; the jobs
themselves are cancelled from the job list, which the job count links to."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from jobs.admin.display import ServiceOwnedAdmin, owner_link, pretty_json
from jobs.models import Sweep


@admin.register(Sweep)
class SweepAdmin(ServiceOwnedAdmin):
    list_display = ["id", "owner_email", "name", "job_count", "created_at"]
    search_fields = ["=id", "name", "owner__email"]
    list_select_related = ["owner"]
    date_hierarchy = "created_at"
    fields = ["id", "owner", "name", "job_count", "spec_json", "grid_json", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_jobs=Count("jobs"))

    @admin.display(description="Owner", ordering="owner__email")
    def owner_email(self, sweep):
        return owner_link(self, sweep.owner)

    @admin.display(description="Jobs", ordering="number_of_jobs")
    def job_count(self, sweep):
        jobs = reverse("admin:jobs_trainingjob_changelist")
        return format_html(
            '<a href="{}?sweep__id__exact={}">{}</a>', jobs, sweep.pk, sweep.number_of_jobs
        )

    @admin.display(description="Spec")
    def spec_json(self, sweep):
        return pretty_json(sweep.spec)

    @admin.display(description="Grid")
    def grid_json(self, sweep):
        return pretty_json(sweep.grid)
