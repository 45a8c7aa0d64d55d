"""Plan limits: monthly jobs, concurrency, refunds, month rollover, overrides."""

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import override_settings

from asthub_site.errors import QuotaExceeded
from billing import quotas
from billing.effective_plan import effective_plan
from billing.models import JobSlots, PlanOverride
from billing.services import change_plan

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 24)
DECEMBER = date(2026, 12, 2)


def _finish_all(user):
    JobSlots.objects.filter(user=user).update(running_jobs=0)


def test_free_user_cannot_start_eleventh_job_in_a_month(alice):
    for _ in range(10):
        quotas.reserve_job_slot(user=alice, today=NOVEMBER)
        _finish_all(alice)
    with pytest.raises(QuotaExceeded, match="10 training jobs a month.*resets on 2026-12-01"):
        quotas.reserve_job_slot(user=alice, today=NOVEMBER)
    assert JobSlots.objects.get(user=alice).jobs_this_period == 10


def test_monthly_count_restarts_in_a_new_month(alice):
    for _ in range(10):
        quotas.reserve_job_slot(user=alice, today=NOVEMBER)
        _finish_all(alice)
    reservation = quotas.reserve_job_slot(user=alice, today=DECEMBER)
    slots = JobSlots.objects.get(user=alice)
    assert reservation.period_start == date(2026, 12, 1)
    assert (slots.period_start, slots.jobs_this_period) == (date(2026, 12, 1), 1)


def test_free_user_runs_one_job_at_a_time(alice):
    quotas.reserve_job_slot(user=alice, today=NOVEMBER)
    with pytest.raises(QuotaExceeded, match="1 job\\(s\\) at a time"):
        quotas.reserve_job_slot(user=alice, today=NOVEMBER)
    quotas.release_running_slot(user_id=alice.pk)
    quotas.reserve_job_slot(user=alice, today=NOVEMBER)


def test_refund_gives_back_month_and_concurrency_once(alice):
    reservation = quotas.reserve_job_slot(user=alice, today=NOVEMBER)
    quotas.refund_monthly_job(user_id=alice.pk, period_start=reservation.period_start)
    quotas.release_running_slot(user_id=alice.pk)
    slots = JobSlots.objects.get(user=alice)
    assert (slots.jobs_this_period, slots.running_jobs) == (0, 0)
    quotas.refund_monthly_job(user_id=alice.pk, period_start=reservation.period_start)
    quotas.release_running_slot(user_id=alice.pk)  # never below zero
    slots.refresh_from_db()
    assert (slots.jobs_this_period, slots.running_jobs) == (0, 0)


def test_refund_after_the_month_rolled_over_leaves_the_new_month_alone(alice):
    reservation = quotas.reserve_job_slot(user=alice, today=NOVEMBER)
    quotas.release_running_slot(user_id=alice.pk)
    quotas.reserve_job_slot(user=alice, today=DECEMBER)
    quotas.refund_monthly_job(user_id=alice.pk, period_start=reservation.period_start)
    assert JobSlots.objects.get(user=alice).jobs_this_period == 1


def test_reservation_rolls_back_with_the_job_transaction(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        quotas.reserve_job_slot(user=alice)
        raise RuntimeError("storing the job failed")
    assert JobSlots.objects.get(user=alice).jobs_this_period == 0


def test_pro_plan_has_unlimited_monthly_jobs_and_five_concurrent(alice):
    change_plan(user=alice, plan="pro")
    plan = effective_plan(alice)
    assert plan.monthly_jobs.unlimited and plan.monthly_jobs.as_json() is None
    JobSlots.objects.filter(user=alice).update(jobs_this_period=10_000)
    for _ in range(5):
        quotas.reserve_job_slot(user=alice)
    with pytest.raises(QuotaExceeded, match="5 job"):
        quotas.reserve_job_slot(user=alice)


def test_override_lifts_or_changes_a_single_limit(alice):
    PlanOverride.objects.create(user=alice, unlimited_concurrent_jobs=True, monthly_jobs=2)
    quotas.reserve_job_slot(user=alice)
    quotas.reserve_job_slot(user=alice)
    with pytest.raises(QuotaExceeded, match="allows 2 training jobs"):
        quotas.reserve_job_slot(user=alice)
    assert effective_plan(alice).max_runtime_hours.amount == 2  # untouched limits stay


@override_settings(ENTERPRISE_LIMITS={"concurrent_jobs": 20})
def test_enterprise_limits_come_from_settings_and_default_to_unlimited(alice):
    change_plan(user=alice, plan="enterprise")
    plan = effective_plan(alice)
    assert plan.concurrent_jobs.amount == 20 and not plan.concurrent_jobs.unlimited
    assert plan.monthly_jobs.unlimited and plan.max_runtime_hours.unlimited


def test_free_plan_hardware_is_cpu_and_t4_class(alice):
    quotas.check_hardware(user=alice, hardware="t4-small")
    with pytest.raises(QuotaExceeded, match="a100-large"):
        quotas.check_hardware(user=alice, hardware="a100-large")
    change_plan(user=alice, plan="pro")
    quotas.check_hardware(user=alice, hardware="a100-large")


def test_plan_change_is_audited(alice):
    change_plan(user=alice, plan="pro", reason="upgrade")
    event = alice.audit_events.get(action="plan.changed")
    assert event.detail == {"from": "free", "to": "pro", "reason": "upgrade"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forty_simultaneous_reservations_against_ten_leave_exactly_ten(alice):
    """Real threads, each with its own PostgreSQL connection, released together."""
    PlanOverride.objects.create(user=alice, unlimited_concurrent_jobs=True)
    outcomes = race_reservations(alice, attempts=40)
    assert outcomes.count("reserved") == 10
    assert outcomes.count("refused") == 30
    assert JobSlots.objects.get(user=alice).jobs_this_period == 10


def race_reservations(user, attempts: int) -> list[str]:
    from django.db import connections

    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            connection.ensure_connection()
            barrier.wait()
            with transaction.atomic():
                quotas.reserve_job_slot(user=user)
            result = "reserved"
        except QuotaExceeded:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes
