"""How the job admins show values that the default widgets show badly."""

import json
from datetime import datetime, timedelta

from django.contrib import admin
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html


class NoHandEdits:
    """Viewable, never added, edited or deleted by hand (services own these rows)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ServiceOwnedAdmin(NoHandEdits, admin.ModelAdmin):
    """Rows that only services write."""


def pretty_json(value) -> str:
    """JSON indented in a <pre>, escaped (configs carry user-typed names)."""
    if value in (None, {}, []):
        return "—"
    return format_html(
        '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
        json.dumps(value, indent=2, sort_keys=True, default=str),
    )


def elapsed(started: datetime | None, finished: datetime | None) -> str:
    """Run time as 1h 02m 03s; a run still going counts up to now."""
    if started is None:
        return "—"
    seconds = int(((finished or timezone.now()) - started) / timedelta(seconds=1))
    hours, rest = divmod(max(seconds, 0), 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {seconds:02d}s"
    if minutes:
        return f"{minutes}m {seconds:02d}s"
    return f"{seconds}s"


def owner_link(model_admin: admin.ModelAdmin, owner) -> str:
    """The owner's e-mail, linking to the same list filtered to their rows (the owner
    filter: a sidebar of every account would not scale)."""
    opts = model_admin.opts
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?owner__id__exact={}">{}</a>', url, owner.pk, owner.email)
