"""Reads for billing: what a user's plan allows and what they have used."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from accounts.models import ApiToken
from billing.effective_plan import effective_plan
from billing.models import JobSlots
from billing.plans import Limit
from billing.quotas import month_start, next_month_start


@dataclass(frozen=True)
class UsageLine:
    name: str
    label: str
    limit: Limit
    used: int | None
    unit: str = ""

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "label": self.label,
            "limit": self.limit.as_json(),
            "unlimited": self.limit.unlimited,
            "used": self.used,
            "unit": self.unit,
        }


@dataclass(frozen=True)
class Usage:
    plan: str
    plan_title: str
    period_start: date
    resets_at: datetime
    lines: list[UsageLine]
    hardware: list[str] | str
    priority_queue: bool

    def as_dict(self) -> dict:
        return {
            "plan": self.plan,
            "plan_title": self.plan_title,
            "period_start": self.period_start.isoformat(),
            "resets_at": self.resets_at.isoformat(),
            "limits": {line.name: line.as_dict() for line in self.lines},
            "hardware": self.hardware,
            "priority_queue": self.priority_queue,
        }


def usage_for(user) -> Usage:
    plan = effective_plan(user)
    this_month = month_start()
    slots = JobSlots.objects.filter(user=user).first()
    jobs_used = slots.jobs_this_period if slots and slots.period_start >= this_month else 0
    running = slots.running_jobs if slots else 0
    tokens = ApiToken.objects.for_user(user).active().count()
    resets_at = datetime.combine(next_month_start(), time.min, tzinfo=UTC)
    lines = [
        UsageLine("monthly_jobs", "Training jobs this month", plan.monthly_jobs, jobs_used),
        UsageLine("concurrent_jobs", "Jobs running at once", plan.concurrent_jobs, running),
        UsageLine("max_runtime_hours", "Runtime per job", plan.max_runtime_hours, None, "hours"),
        UsageLine("artifact_storage_gb", "Artifact storage", plan.artifact_storage_gb, None, "GB"),
        UsageLine("api_tokens", "Active API tokens", plan.api_tokens, tokens),
        UsageLine(
            "api_requests_per_minute",
            "API requests a minute",
            plan.api_requests_per_minute,
            None,
        ),
    ]
    hardware = plan.hardware if isinstance(plan.hardware, str) else sorted(plan.hardware)
    return Usage(
        plan=plan.name,
        plan_title=plan.title,
        period_start=this_month,
        resets_at=resets_at,
        lines=lines,
        hardware=hardware,
        priority_queue=plan.priority_queue,
    )
