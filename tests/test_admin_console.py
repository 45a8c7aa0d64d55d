"""The admin console: users with plan and usage, masked secrets, revoke, read-only audit."""

import pytest

from accounts.models import ApiToken, AuditEvent
from accounts.services import CredentialInput, add_credential
from billing.models import PlanOverride, Subscription

pytestmark = pytest.mark.django_db

SECRET = "hf_OperatorsMustNeverSeeThis1234"


def test_users_list_shows_plan_and_usage(client, operator, alice):
    client.force_login(operator)
    page = client.get("/admin/accounts/user/").content.decode()
    assert "alice@example.com" in page and "Free" in page and "0 / 10" in page


def test_credentials_are_masked_everywhere_in_admin(client, operator, alice, hf_hub):
    hf_hub.add_user("alice-hf", token=SECRET)
    credential = add_credential(
        user=alice, data=CredentialInput(provider="huggingface", token=SECRET)
    )
    client.force_login(operator)
    listing = client.get("/admin/accounts/platformcredential/").content.decode()
    detail = client.get(f"/admin/accounts/platformcredential/{credential.pk}/change/")
    for page in (listing, detail.content.decode()):
        assert SECRET not in page and credential.ciphertext not in page
    assert "…1234" in listing


def test_revoke_action_revokes_and_audits(client, operator, alice, token_for):
    token_for(alice, name="leaked")
    token = ApiToken.objects.get(name="leaked")
    client.force_login(operator)
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="token.revoked")
    assert event.actor == operator and event.user == alice


def test_audit_log_is_read_only(client, operator, alice):
    client.force_login(operator)
    event = AuditEvent.objects.filter(user=alice).first()
    assert client.get("/admin/accounts/auditevent/").status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_plan_change_and_override_in_admin_are_audited(client, operator, alice):
    client.force_login(operator)
    subscription = Subscription.objects.get(user=alice)
    client.post(
        f"/admin/billing/subscription/{subscription.pk}/change/",
        {"plan": "pro", "status": "active"},
    )
    assert Subscription.objects.get(user=alice).plan == "pro"
    assert AuditEvent.objects.get(action="plan.changed").actor == operator
    client.post(
        "/admin/billing/planoverride/add/",
        {"user": alice.pk, "monthly_jobs": "50", "note": "workshop"},
    )
    assert PlanOverride.objects.get(user=alice).monthly_jobs == 50
    assert AuditEvent.objects.get(action="plan.override_created").detail["monthly_jobs"] == 50


def test_non_staff_cannot_open_the_admin(client, alice):
    client.force_login(alice)
    assert client.get("/admin/accounts/user/").status_code == 302
