"""Reads for billing: what a user's plan allows and what they have used."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from accounts.models import ApiToken
from billing.effective_plan import effective_plan
from billing.models import JobSlots, Subscription
from billing.payments.config import billing_configured, billing_page_url
from billing.payments.sync import grace_period
from billing.plans import Limit
from billing.quotas import BYTES_PER_GB, month_start, next_month_start


@dataclass(frozen=True)
class UsageLine:
    name: str
    label: str
    limit: Limit
    used: int | float | None
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
class Billing:
    """The account's subscription as billing knows it."""

    configured: bool
    status: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    grace_ends_at: datetime | None
    subscribed: bool

    def as_dict(self) -> dict:
        return {
            "configured": self.configured,
            "status": self.status,
            "current_period_end": _iso(self.current_period_end),
            "cancel_at_period_end": self.cancel_at_period_end,
            "grace_ends_at": _iso(self.grace_ends_at),
            "subscribed": self.subscribed,
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def billing_of(user) -> Billing:
    account = Subscription.objects.filter(user=user).first()
    if account is None:
        return Billing(billing_configured(), "active", None, False, None, False)
    grace_ends = (
        account.past_due_since + grace_period()
        if account.status == "past_due" and account.past_due_since
        else None
    )
    return Billing(
        configured=billing_configured(),
        status=account.status,
        current_period_end=account.current_period_end,
        cancel_at_period_end=account.cancel_at_period_end,
        grace_ends_at=grace_ends,
        subscribed=bool(account.stripe_subscription_id),
    )


@dataclass(frozen=True)
class Usage:
    plan: str
    plan_title: str
    period_start: date
    resets_at: datetime
    lines: list[UsageLine]
    hardware: list[str] | str
    priority_queue: bool
    storage_bytes: int
    billing: Billing

    @property
    def upgrade_url(self) -> str | None:
        """Where to upgrade: the billing page, on a hub that bills and a Free account."""
        return billing_page_url() if self.billing.configured and self.plan == "free" else None

    def as_dict(self) -> dict:
        return {
            "plan": self.plan,
            "plan_title": self.plan_title,
            "period_start": self.period_start.isoformat(),
            "resets_at": self.resets_at.isoformat(),
            "limits": {line.name: line.as_dict() for line in self.lines},
            "hardware": self.hardware,
            "priority_queue": self.priority_queue,
            "storage_bytes": self.storage_bytes,
            "billing": self.billing.as_dict(),
            "upgrade_url": self.upgrade_url,
        }


def usage_for(user) -> Usage:
    plan = effective_plan(user)
    this_month = month_start()
    slots = JobSlots.objects.filter(user=user).first()
    jobs_used = slots.jobs_this_period if slots and slots.period_start >= this_month else 0
    running = slots.running_jobs if slots else 0
    stored = slots.artifact_bytes if slots else 0
    tokens = ApiToken.objects.for_user(user).active().count()
    resets_at = datetime.combine(next_month_start(), time.min, tzinfo=UTC)
    lines = [
        UsageLine("monthly_jobs", "Training jobs this month", plan.monthly_jobs, jobs_used),
        UsageLine("concurrent_jobs", "Jobs running at once", plan.concurrent_jobs, running),
        UsageLine("max_runtime_hours", "Runtime per job", plan.max_runtime_hours, None, "hours"),
        UsageLine(
            "artifact_storage_gb",
            "Artifact storage",
            plan.artifact_storage_gb,
            round(stored / BYTES_PER_GB, 3),
            "GB",
        ),
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
        storage_bytes=stored,
        billing=billing_of(user),
    )
