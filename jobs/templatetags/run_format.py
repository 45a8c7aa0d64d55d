"""Template filters for run figures a person reads at a glance."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def duration_short(value: timedelta | None) -> str:
    """A run's wall time as "42 s", "3 min 05 s" or "1 h 12 min"."""
    if not isinstance(value, timedelta):
        return "—"
    seconds = max(int(value.total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@register.filter
def when(moment) -> str:
    """How long ago, as a list of recent things says it: "just now", "5 minutes ago"."""
    if moment is None:
        return "—"
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"
