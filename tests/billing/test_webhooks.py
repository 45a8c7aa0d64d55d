"""Stripe's webhooks move the plan: signed the way Stripe signs, applied once per event
id, safe against events out of order, and never a 500 whatever the body."""

import json
import time
from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from billing.models import StripeEvent, Subscription
from billing.payments.lapse import end_lapsed_subscriptions
from billing.selectors import usage_for

pytestmark = pytest.mark.django_db


def plan_of(user) -> str:
    return Subscription.objects.get(user=user).plan


def plan_changes(user) -> int:
    return AuditEvent.objects.filter(user=user, action="plan.changed").count()


def test_checkout_completed_moves_the_account_to_pro_with_pro_limits(alice, subscribe):
    subscription_id = subscribe(alice)
    account = Subscription.objects.get(user=alice)
    assert (account.plan, account.status) == ("pro", "active")
    assert account.stripe_subscription_id == subscription_id
    assert account.current_period_end is not None  # read from the subscription's item
    usage = usage_for(alice).as_dict()
    assert usage["limits"]["concurrent_jobs"]["limit"] == 5
    assert usage["limits"]["monthly_jobs"]["unlimited"] is True
    assert usage["upgrade_url"] is None
    assert plan_changes(alice) == 1


def test_the_same_event_twice_changes_the_account_once(alice, subscribe, webhooks, billing_on):
    subscribe(alice)
    first = next(iter(billing_on.events))
    again = webhooks.deliver(first)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert plan_changes(alice) == 1
    assert StripeEvent.objects.filter(event_id=first).count() == 1


def test_every_event_replayed_leaves_the_state_as_it_was(alice, subscribe, webhooks, billing_on):
    subscribe(alice)
    before = Subscription.objects.filter(user=alice).values().get()
    audit_rows = AuditEvent.objects.filter(user=alice).count()
    answers = [webhooks.deliver(event_id) for event_id in billing_on.events]
    assert {a.json()["replayed"] for a in answers} == {True}
    after = Subscription.objects.filter(user=alice).values().get()
    assert after == before
    assert AuditEvent.objects.filter(user=alice).count() == audit_rows


@pytest.mark.parametrize(
    "signature",
    [
        None,
        "",
        "garbage",
        "t=1,v1=00",
        "v1=" + "0" * 64,
    ],
)
def test_a_missing_or_forged_signature_is_400_and_changes_nothing(
    alice, billing_on, api_as, webhooks, signature
):
    api_as(alice).post("/api/v1/billing/checkout")
    billing_on.complete_checkout(next(iter(billing_on.checkout_sessions)))
    for event_id in list(billing_on.pending_events):
        answer = webhooks.post(billing_on.payload(event_id), signature)
        assert answer.status_code == 400
        assert "Stripe-Signature" in answer.json()["error"]["message"]
    assert plan_of(alice) == "free"
    assert not StripeEvent.objects.exists()


def test_a_signature_with_another_secret_or_for_another_body_is_refused(
    alice, billing_on, api_as, webhooks
):
    api_as(alice).post("/api/v1/billing/checkout")
    billing_on.complete_checkout(next(iter(billing_on.checkout_sessions)))
    event_id = billing_on.pending_events[-1]
    body = billing_on.payload(event_id)
    assert webhooks.post(body, billing_on.sign(body, secret="whsec_other")).status_code == 400
    tampered = body.rstrip(b"}") + b', "livemode": true}'
    assert webhooks.post(tampered, billing_on.sign(body)).status_code == 400
    assert plan_of(alice) == "free"


def test_a_stale_signature_is_refused_as_a_replay(alice, billing_on, api_as, webhooks):
    api_as(alice).post("/api/v1/billing/checkout")
    billing_on.complete_checkout(next(iter(billing_on.checkout_sessions)))
    for event_id in list(billing_on.pending_events):
        body = billing_on.payload(event_id)
        stale = billing_on.sign(body, timestamp=int(time.time()) - 301)
        assert webhooks.post(body, stale).status_code == 400
    assert plan_of(alice) == "free" and not StripeEvent.objects.exists()


GARBAGE = [
    b"",
    b"not json",
    b"\xff\xfe\x00",
    b"[]",
    b"null",
    b"42",
    b'"evt_1"',
    b"{}",
    b'{"id": "evt_1"}',
    b'{"id": 7, "type": "invoice.paid", "created": 1, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": "yesterday", "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": 1, "data": []}',
    b'{"id": "evt_1", "type": "invoice.paid", "created": 1, "data": {"object": "in_1"}}',
    b'{"id": "evt_1", "type": ["x"], "created": 1, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "x", "created": 99999999999999999999, "data": {"object": {}}}',
    b'{"id": "evt_1", "type": "x", "created": true, "data": {"object": {}}}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 5_000 + b"1" + b"}" * 5_000,
]


@pytest.mark.parametrize("body", GARBAGE, ids=range(len(GARBAGE)))
def test_signed_garbage_is_400_never_500(alice, billing_on, webhooks, body):
    answer = webhooks.post(body, billing_on.sign(body))
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["message"]
    assert not StripeEvent.objects.exists()


@pytest.mark.parametrize("body", GARBAGE[:6], ids=range(6))
def test_unsigned_garbage_is_400(alice, billing_on, webhooks, body):
    assert webhooks.post(body, "t=1,v1=abc").status_code == 400


def test_a_signed_event_about_nothing_here_is_recorded_and_ignored(alice, billing_on, webhooks):
    body = json.dumps(
        {
            "id": "evt_unknown_sub",
            "object": "event",
            "type": "customer.subscription.updated",
            "created": int(time.time()),
            "data": {"object": {"id": "sub_elsewhere", "customer": "cus_elsewhere"}},
        }
    ).encode()
    answer = webhooks.post(body, billing_on.sign(body))
    assert answer.status_code == 200
    assert "no account" in answer.json()["outcome"]
    assert plan_of(alice) == "free"


def test_event_types_the_hub_does_not_act_on_are_acknowledged(alice, billing_on, webhooks):
    body = json.dumps(
        {"id": "evt_other", "type": "charge.refunded", "created": 1, "data": {"object": {}}}
    ).encode()
    answer = webhooks.post(body, billing_on.sign(body))
    assert answer.status_code == 200 and answer.json()["outcome"].startswith("ignored")


def test_out_of_order_subscription_updates_end_in_the_newest_state(
    alice, subscribe, billing_on, webhooks
):
    subscription_id = subscribe(alice)
    billing_on.cancel_at_period_end(subscription_id, cancel=True)  # older
    billing_on.cancel_at_period_end(subscription_id, cancel=False)  # newer: renewed
    older, newer = webhooks.pending_of("customer.subscription.updated")
    assert webhooks.deliver(newer).status_code == 200
    assert webhooks.deliver(older).status_code == 200  # arrives late
    account = Subscription.objects.get(user=alice)
    assert account.cancel_at_period_end is False and account.plan == "pro"


def test_a_late_update_after_deletion_does_not_bring_pro_back(
    alice, subscribe, billing_on, webhooks
):
    subscription_id = subscribe(alice)
    billing_on.cancel_at_period_end(subscription_id, cancel=True)
    billing_on.end_period(subscription_id)
    (updated,) = webhooks.pending_of("customer.subscription.updated")
    (deleted,) = webhooks.pending_of("customer.subscription.deleted")
    webhooks.deliver(deleted)
    assert plan_of(alice) == "free"
    webhooks.deliver(updated)  # its snapshot says active; Stripe now says canceled
    assert plan_of(alice) == "free"


def test_cancelling_keeps_pro_until_the_period_ends_then_free(
    alice, subscribe, billing_on, webhooks
):
    subscription_id = subscribe(alice)
    billing_on.cancel_at_period_end(subscription_id)
    webhooks.deliver_pending()
    account = Subscription.objects.get(user=alice)
    assert account.plan == "pro" and account.cancel_at_period_end
    billing_on.end_period(subscription_id)
    webhooks.deliver_pending()
    account.refresh_from_db()
    assert (account.plan, account.status) == ("free", "canceled")
    assert usage_for(alice).as_dict()["limits"]["concurrent_jobs"]["limit"] == 1


def test_a_lost_deletion_webhook_still_ends_pro_after_the_period(
    alice, subscribe, billing_on, webhooks
):
    subscription_id = subscribe(alice)
    billing_on.cancel_at_period_end(subscription_id)
    webhooks.deliver_pending()
    billing_on.end_period(subscription_id)
    billing_on.pending_events.clear()  # Stripe's deletion event never arrives
    account = Subscription.objects.get(user=alice)
    assert end_lapsed_subscriptions(now=account.current_period_end) == 1
    assert plan_of(alice) == "free"


def test_a_failed_payment_keeps_pro_through_the_grace_period_then_free(
    alice, subscribe, billing_on, webhooks, settings
):
    settings.BILLING_PAST_DUE_GRACE_DAYS = 3
    subscription_id = subscribe(alice)
    billing_on.fail_renewal(subscription_id)
    webhooks.deliver_pending()
    account = Subscription.objects.get(user=alice)
    assert (account.plan, account.status) == ("pro", "past_due")
    assert AuditEvent.objects.filter(user=alice, action="billing.payment_failed").count() == 1
    grace_ends = usage_for(alice).billing.grace_ends_at
    assert grace_ends == account.past_due_since + timedelta(days=3)
    assert end_lapsed_subscriptions(now=account.past_due_since) == 0
    assert end_lapsed_subscriptions(now=grace_ends) == 1
    assert plan_of(alice) == "free"


def test_paying_the_invoice_inside_the_grace_period_clears_it(
    alice, subscribe, billing_on, webhooks
):
    subscription_id = subscribe(alice)
    billing_on.fail_renewal(subscription_id)
    webhooks.deliver_pending()
    billing_on.pay_invoice(subscription_id)
    webhooks.deliver_pending()
    account = Subscription.objects.get(user=alice)
    assert (account.plan, account.status, account.past_due_since) == ("pro", "active", None)


def test_an_event_is_retried_when_stripe_cannot_be_read(alice, billing_on, api_as, webhooks):
    api_as(alice).post("/api/v1/billing/checkout")
    billing_on.complete_checkout(next(iter(billing_on.checkout_sessions)))
    first = billing_on.pending_events[0]
    # The first read and the client's two retries (a GET is retried on a 500) all fail.
    billing_on.fail("subscriptions.retrieve", status=500, times=3)
    answer = webhooks.deliver(first)
    assert answer.status_code == 503 and answer["Retry-After"] == "60"
    assert len(billing_on.calls("subscriptions.retrieve")) == 3
    assert not StripeEvent.objects.exists() and plan_of(alice) == "free"
    assert webhooks.deliver(first).status_code == 200  # Stripe's redelivery
    assert plan_of(alice) == "pro"


def test_webhooks_answer_404_on_a_hub_without_stripe(client, alice):
    answer = client.post("/billing/stripe/webhook/", data=b"{}", content_type="application/json")
    assert answer.status_code == 404
    assert client.get("/billing/stripe/webhook/").status_code == 405


def test_stripe_never_changes_an_enterprise_account(alice, subscribe, billing_on, webhooks):
    from billing.services import change_plan

    subscription_id = subscribe(alice)
    change_plan(user=alice, plan="enterprise", reason="operator")
    billing_on.cancel_now(subscription_id)
    webhooks.deliver_pending()
    account = Subscription.objects.get(user=alice)
    assert (account.plan, account.status) == ("enterprise", "canceled")


def test_an_old_subscription_ending_does_not_end_the_current_one(
    alice, subscribe, billing_on, webhooks
):
    first = subscribe(alice)
    billing_on.cancel_now(first)
    webhooks.deliver_pending()
    second = subscribe(alice)
    assert plan_of(alice) == "pro"
    old_deleted = next(
        e
        for e in billing_on.events
        if billing_on.events[e]["type"] == "customer.subscription.deleted"
    )
    assert webhooks.deliver(old_deleted).json()["replayed"] is True
    StripeEvent.objects.filter(event_id=old_deleted).delete()  # as if never seen
    assert "not the account's" in webhooks.deliver(old_deleted).json()["outcome"]
    assert Subscription.objects.get(user=alice).stripe_subscription_id == second
    assert plan_of(alice) == "pro"


FAST = {"dataset": "digits", "model": "mlp", "epochs": 1}


def test_an_upgrade_starts_the_jobs_that_waited_for_a_slot(
    alice, api_as, subscribe, django_capture_on_commit_callbacks
):
    from jobs.models import TrainingJob

    sweep = api_as(alice).post("/api/v1/sweeps/", {"spec": FAST, "grid": {"seed": [1, 2, 3]}})
    assert sweep.status_code == 201, sweep.content
    assert TrainingJob.objects.filter(owner=alice, holds_slot=False).count() == 2  # Free: one
    with django_capture_on_commit_callbacks(execute=True):
        subscribe(alice)
    assert TrainingJob.objects.filter(owner=alice, holds_slot=False).count() == 0


def test_a_downgrade_never_stops_running_jobs_and_new_starts_follow_free(
    alice, api_as, subscribe, billing_on, webhooks
):
    from billing.models import JobSlots
    from jobs.models import JobStatus, TrainingJob
    from tests.sharing.factories import stored_job

    subscription_id = subscribe(alice)
    running = [stored_job(alice, status=JobStatus.RUNNING) for _ in range(3)]
    JobSlots.objects.filter(user=alice).update(running_jobs=3)
    billing_on.cancel_now(subscription_id)
    webhooks.deliver_pending()
    assert plan_of(alice) == "free"
    statuses = set(
        TrainingJob.objects.filter(pk__in=[j.pk for j in running]).values_list("status", flat=True)
    )
    assert statuses == {JobStatus.RUNNING}
    refused = api_as(alice).post("/api/v1/jobs/", FAST, format="json")
    assert refused.status_code == 403
    assert "runs 1 job(s) at a time and 3 are running" in refused.json()["error"]["message"]
    assert refused.json()["error"]["upgrade_url"].endswith("/portal/billing/")
