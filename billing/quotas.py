"""Quota checks. Job slots are reserved with one conditional UPDATE so that concurrent
reservations can never overshoot a limit, whatever the database's isolation level."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from accounts.models import ApiToken
from asthub_site.errors import QuotaExceeded
from billing.effective_plan import effective_plan
from billing.models import JobSlots
from billing.payments.config import billing_configured, billing_page_url

BYTES_PER_GB = 1_000_000_000  # plans sell decimal gigabytes, as storage is sold


def over_limit(message: str) -> QuotaExceeded:
    """A plan limit refused something: the error carries the way to lift it."""
    return QuotaExceeded(message, upgrade_url=billing_page_url() if billing_configured() else "")


def month_start(today: date | None = None) -> date:
    today = today or timezone.now().date()
    return today.replace(day=1)


def next_month_start(today: date | None = None) -> date:
    first = month_start(today)
    return (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )


@dataclass(frozen=True)
class JobSlotReservation:
    """What a reservation took, so that a refund gives back exactly that."""

    user_id: int
    period_start: date
    # False when the job counted against the month but waits for a concurrency slot.
    holds_slot: bool = True


def _slots_row(user) -> None:
    _slots_row_for(user.pk)


def _slots_row_for(user_id: int) -> None:
    JobSlots.objects.get_or_create(user_id=user_id, defaults={"period_start": month_start()})


def _month_has_room(plan, month: date) -> Q:
    if plan.monthly_jobs.unlimited:
        return Q()
    # A row still counting an earlier month always has room: the UPDATE restarts it.
    return Q(period_start__lt=month) | Q(jobs_this_period__lt=plan.monthly_jobs.amount)


def _concurrency_has_room(plan) -> Q:
    if plan.concurrent_jobs.unlimited:
        return Q()
    return Q(running_jobs__lt=plan.concurrent_jobs.amount)


def reserve_job_slot(
    *, user, today: date | None = None, wait_for_slot: bool = False
) -> JobSlotReservation:
    """Take one of this month's jobs and one concurrency slot, or raise QuotaExceeded.

    With `wait_for_slot`, a job that fits the month but not the concurrency limit still
    counts against the month and waits (holds_slot=False) until `take_running_slot`
    succeeds for it. Call it inside the transaction that stores the job: if that
    transaction rolls back, the reservation goes with it.
    """
    plan = effective_plan(user)
    month = month_start(today)
    _slots_row(user)
    count_month = {
        "jobs_this_period": Case(
            When(period_start__lt=month, then=Value(1)),
            default=F("jobs_this_period") + 1,
        ),
        "period_start": month,
    }
    month_room = _month_has_room(plan, month)
    reserved = JobSlots.objects.filter(
        Q(user=user) & month_room & _concurrency_has_room(plan)
    ).update(**count_month, running_jobs=F("running_jobs") + 1)
    if reserved:
        return JobSlotReservation(user_id=user.pk, period_start=month)
    if wait_for_slot and JobSlots.objects.filter(Q(user=user) & month_room).update(**count_month):
        return JobSlotReservation(user_id=user.pk, period_start=month, holds_slot=False)
    raise _why_no_slot(user=user, plan=plan, month=month, concurrency_counts=not wait_for_slot)


def take_running_slot(*, user_id: int) -> bool:
    """Take one concurrency slot for a waiting job, if the plan has one free now."""
    from accounts.models import User

    plan = effective_plan(User.objects.get(pk=user_id))
    fits = Q(user_id=user_id) & _concurrency_has_room(plan)
    return bool(JobSlots.objects.filter(fits).update(running_jobs=F("running_jobs") + 1))


def _why_no_slot(*, user, plan, month: date, concurrency_counts: bool = True) -> QuotaExceeded:
    slots = JobSlots.objects.get(user=user)
    busy = not plan.concurrent_jobs.unlimited and slots.running_jobs >= plan.concurrent_jobs.amount
    if concurrency_counts and busy:
        return over_limit(
            f"Your {plan.title} plan runs {plan.concurrent_jobs.amount} job(s) at a time and "
            f"{slots.running_jobs} are running. Wait for one to finish or cancel one."
        )
    return over_limit(
        f"Your {plan.title} plan allows {plan.monthly_jobs.amount} training jobs a month and "
        f"you have used them all. The count resets on {next_month_start(month).isoformat()}."
    )


def refund_monthly_job(*, user_id: int, period_start: date) -> None:
    """Give back the month's count for a job whose launch never reached the platform.

    Only the month it was counted in gets it back: a refund after the month rolled over
    must not eat into the new month's count.
    """
    JobSlots.objects.filter(
        user_id=user_id, period_start=period_start, jobs_this_period__gt=0
    ).update(jobs_this_period=F("jobs_this_period") - 1)


def release_running_slot(*, user_id: int) -> None:
    """A job reached a terminal state: free its concurrency slot (never below zero)."""
    JobSlots.objects.filter(user_id=user_id, running_jobs__gt=0).update(
        running_jobs=F("running_jobs") - 1
    )


def check_token_allowance(*, user) -> None:
    """Raise QuotaExceeded if one more active API token would pass the plan's limit."""
    plan = effective_plan(user)
    if plan.api_tokens.unlimited:
        return
    with transaction.atomic():
        # Lock the user's slots row so two simultaneous creations cannot both pass.
        _slots_row(user)
        JobSlots.objects.select_for_update().filter(user=user).first()
        active = ApiToken.objects.for_user(user).active().count()
        if active >= plan.api_tokens.amount:
            raise over_limit(
                f"Your {plan.title} plan allows {plan.api_tokens.amount} active API tokens. "
                "Revoke one you no longer use, or upgrade."
            )


def check_hardware(*, user, hardware: str) -> None:
    plan = effective_plan(user)
    if not plan.allows_hardware(hardware):
        raise over_limit(
            f"Your {plan.title} plan cannot use {hardware!r} hardware; it allows CPU and "
            "T4-class GPUs. Upgrade to Pro for all hardware."
        )


def check_model(*, user, model: str, min_plan: str, size: str) -> None:
    """Large architectures (the catalog says which, and why) need a paid plan."""
    plan = effective_plan(user)
    if min_plan != "free" and not plan.large_models:
        raise over_limit(
            f"Your {plan.title} plan does not train large models; {model!r} has {size}. "
            "Pick a smaller architecture, or upgrade to Pro for large models."
        )


def max_runtime_seconds(*, user) -> int | None:
    limit = effective_plan(user).max_runtime_hours
    return None if limit.unlimited else limit.amount * 3600


def record_artifact_bytes(*, user_id: int, delta: int) -> None:
    """Count bytes written to (or, negative, freed from) the artifact store."""
    if delta:
        _slots_row_for(user_id)
        JobSlots.objects.filter(user_id=user_id).update(artifact_bytes=F("artifact_bytes") + delta)


def artifact_bytes_used(*, user) -> int:
    slots = JobSlots.objects.filter(user=user).only("artifact_bytes").first()
    return slots.artifact_bytes if slots else 0


def check_artifact_storage(*, user, adding_bytes: int, what: str) -> None:
    """Refuse, before it starts, anything that would take the store past the plan's limit.

    `adding_bytes` is what `what` (e.g. "this run") is expected to write."""
    plan = effective_plan(user)
    limit = plan.artifact_storage_gb
    if limit.unlimited:
        return
    used = artifact_bytes_used(user=user)
    if used + adding_bytes <= limit.amount * BYTES_PER_GB:
        return
    raise over_limit(
        f"Your {plan.title} plan stores {limit.amount} GB of artifacts; yours take "
        f"{used / BYTES_PER_GB:.2f} GB and {what} would add about "
        f"{adding_bytes / BYTES_PER_GB:.2f} GB. Upgrade for more storage."
    )
