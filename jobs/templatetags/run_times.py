"""When a run started and finished, and how long it took, for the job page's header."""

from datetime import timedelta

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def wall_time(job) -> timedelta | None:
    """The run's wall time: to its end, or up to now while it runs; None before it starts."""
    started = getattr(job, "started_at", None)
    if started is None:
        return None
    return (getattr(job, "finished_at", None) or timezone.now()) - started
