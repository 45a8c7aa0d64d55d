"""The dashboard's recent runs. A template tag, so that the account pages (accounts/) show
jobs without importing the jobs app: jobs already imports accounts, and the dependency
stays one way."""

from django import template

from jobs import selectors
from jobs.run_table import NOT_SHOWN, row_figures

register = template.Library()

RECENT_RUNS = 8


@register.inclusion_tag("jobs/recent_runs.html")
def recent_runs(user, limit: int = RECENT_RUNS) -> dict:
    """The user's newest runs (theirs only: the query starts from the user)."""
    jobs = selectors.jobs_for(user).defer(*NOT_SHOWN).order_by("-created_at", "-id")[: limit + 1]
    rows = [(job, row_figures(job)) for job in jobs]
    return {"rows": rows[:limit], "more": len(rows) > limit}
