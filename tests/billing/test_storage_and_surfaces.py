"""Artifact storage counted at write and enforced before a start; plan refusals carry
the upgrade link to REST, the portal, the CLI and MCP; the CLI upgrades and manages."""

import pytest

from asthub_client.cli import EXIT_OK, EXIT_QUOTA, main
from billing.models import JobSlots, PlanOverride
from billing.quotas import BYTES_PER_GB
from jobs.artifacts import store_artifacts
from jobs.models import Publication, TrainingJob
from tests.sharing.conftest import HUB_URL
from tests.sharing.factories import stored_job

pytestmark = pytest.mark.django_db

QUICK = {"dataset": "digits", "model": "mlp", "epochs": 1}


def stored_bytes(user) -> int:
    return JobSlots.objects.get(user=user).artifact_bytes


def fill_storage(user, *, gb: int = 1, leave_bytes: int = 0) -> None:
    PlanOverride.objects.create(user=user, artifact_storage_gb=gb)
    JobSlots.objects.filter(user=user).update(artifact_bytes=gb * BYTES_PER_GB - leave_bytes)


def test_artifacts_are_counted_when_written_and_a_rewrite_counts_the_difference(
    alice, api_as, tmp_path
):
    job = stored_job(alice)
    (tmp_path / "model.safetensors").write_bytes(b"w" * 3000)
    (tmp_path / "metrics.json").write_bytes(b"{}" * 100)
    (tmp_path / "checkpoint.pt").write_bytes(b"c" * 9999)  # engine state, not kept
    store_artifacts(job, tmp_path)
    assert stored_bytes(alice) == 3200
    (tmp_path / "model.safetensors").write_bytes(b"w" * 1000)
    store_artifacts(job, tmp_path)  # finishing twice stores the same keys again
    assert stored_bytes(alice) == 1200
    line = api_as(alice).get("/api/v1/usage").json()["limits"]["artifact_storage_gb"]
    assert line["used"] == 0.0 and line["limit"] == 5 and line["unit"] == "GB"
    assert api_as(alice).get("/api/v1/usage").json()["storage_bytes"] == 1200


def test_a_run_that_would_pass_the_storage_limit_is_refused_before_it_starts(alice, api_as):
    fill_storage(alice, leave_bytes=1_000_000)
    response = api_as(alice).post("/api/v1/jobs/", QUICK, format="json")
    assert response.status_code == 403, response.content
    error = response.json()["error"]
    assert error["code"] == "quota_exceeded"
    assert "stores 1 GB of artifacts" in error["message"] and "upgrade_url" not in error
    assert not TrainingJob.objects.exists()
    assert JobSlots.objects.get(user=alice).jobs_this_period == 0


def test_the_estimate_follows_the_models_size(alice, api_as):
    fill_storage(alice, leave_bytes=50_000_000)  # room for an MLP, not for ResNet-50's 100 MB
    check = api_as(alice).post("/api/v1/jobs/check", {**QUICK, "model": "resnet50"}, format="json")
    assert check.status_code == 403 and "0.10 GB" in check.json()["error"]["message"]
    assert api_as(alice).post("/api/v1/jobs/check", QUICK, format="json").status_code == 200


def test_a_copy_kept_on_the_hub_is_refused_when_storage_is_full(alice, api_as, hf_hub):
    from accounts.services import CredentialInput, add_credential

    add_credential(
        user=alice,
        data=CredentialInput(provider="huggingface", label="hf", token=hf_hub.add_user("alice")),
    )
    fill_storage(alice)
    response = api_as(alice).post(
        "/api/v1/models/sync",
        {"to_platform": "local", "from_platform": "huggingface", "source_ref": "alice/model"},
        format="json",
    )
    assert response.status_code == 403
    assert "a copy kept on this hub" in response.json()["error"]["message"]
    assert not Publication.objects.exists()


def test_plan_refusals_carry_the_upgrade_link_when_the_hub_bills(alice, api_as, billing_on):
    fill_storage(alice)
    error = api_as(alice).post("/api/v1/jobs/", QUICK, format="json").json()["error"]
    assert error["upgrade_url"].endswith("/portal/billing/")
    usage = api_as(alice).get("/api/v1/usage").json()
    assert usage["upgrade_url"].endswith("/portal/billing/")
    assert usage["billing"] == {
        "configured": True,
        "status": "active",
        "current_period_end": None,
        "cancel_at_period_end": False,
        "grace_ends_at": None,
        "subscribed": False,
    }


def test_the_portal_shows_upgrade_where_a_limit_refuses(alice, client, billing_on):
    client.force_login(alice)
    for number in range(3):  # Free allows three active tokens
        client.post("/portal/tokens/", {"name": f"t{number}", "scopes": ["jobs:read"]})
    page = client.post("/portal/tokens/", {"name": "fourth", "scopes": ["jobs:read"]})
    html = page.content.decode()
    assert "allows 3 active API tokens" in html
    assert 'href="http://' in html and "/portal/billing/" in html and "Upgrade to Pro" in html
    dashboard = client.get("/portal/").content.decode()
    assert 'id="upgrade"' in dashboard


def test_the_portal_billing_page_on_a_hub_without_stripe(alice, client):
    client.force_login(alice)
    html = client.get("/portal/billing/").content.decode()
    assert "Billing is not configured on this hub" in html
    assert 'id="upgrade"' not in client.get("/portal/").content.decode()
    response = client.post("/portal/billing/checkout/", follow=True)
    assert "Billing is not configured" in response.content.decode()


def test_mcp_tool_errors_name_the_upgrade_link(alice, billing_on):
    from billing.quotas import over_limit
    from mcp_gateway.calls import tool_error_text
    from mcp_gateway.schemas import UsageOut

    text = tool_error_text(over_limit("Your Free plan allows 10 training jobs a month."))
    assert "[quota_exceeded] Upgrade: http" in text and text.endswith("/portal/billing/")
    from billing.selectors import usage_for

    assert UsageOut(**usage_for(alice).as_dict()).upgrade_url.endswith("/portal/billing/")


def test_cli_upgrade_and_billing_print_stripes_pages(
    alice, token_for, hub_transport, billing_on, capsys
):
    import httpx

    from tests.billing.conftest import WEBHOOK_PATH

    base = ["--url", HUB_URL, "--token", token_for(alice)]
    assert main([*base, "usage"], transport=hub_transport) == EXIT_OK
    assert "Upgrade to Pro: asthub upgrade" in capsys.readouterr().out
    assert main([*base, "upgrade", "--no-browser"], transport=hub_transport) == EXIT_OK
    checkout_url = capsys.readouterr().out.strip()
    assert checkout_url.startswith(billing_on.base_url + "/c/pay/cs_")
    billing_on.complete_checkout(checkout_url.rsplit("/", 1)[-1])
    # Stripe's webhooks, through the same in-process transport as the CLI (a Django test
    # client here would reconnect the per-request connection closing the transport stops).
    with httpx.Client(transport=hub_transport, base_url=HUB_URL) as stripe_side:
        for event_id in list(billing_on.pending_events):
            body = billing_on.payload(event_id)
            answer = stripe_side.post(
                WEBHOOK_PATH,
                content=body,
                headers={
                    "Stripe-Signature": billing_on.sign(body),
                    "Content-Type": "application/json",
                },
            )
            assert answer.status_code == 200, answer.text
    assert main([*base, "billing", "--no-browser"], transport=hub_transport) == EXIT_OK
    assert capsys.readouterr().out.strip().startswith(billing_on.base_url + "/p/session/")
    assert main([*base, "upgrade", "--no-browser"], transport=hub_transport) != EXIT_OK
    assert "already on Pro" in capsys.readouterr().err


def test_cli_shows_the_way_to_upgrade_when_a_limit_refuses(
    alice, token_for, hub_transport, billing_on, capsys
):
    fill_storage(alice)
    base = ["--url", HUB_URL, "--token", token_for(alice)]
    args = [*base, "start", "--dataset", "digits", "--model", "mlp", "--epochs", "1"]
    assert main(args, transport=hub_transport) == EXIT_QUOTA
    err = capsys.readouterr().err
    assert "stores 1 GB of artifacts" in err and "asthub upgrade" in err


def test_the_admin_shows_each_subscription_and_links_it_in_stripe(
    alice, operator, client, subscribe
):
    subscription_id = subscribe(alice)
    client.force_login(operator)
    listing = client.get("/admin/billing/subscription/").content.decode()
    assert f"https://dashboard.stripe.com/test/subscriptions/{subscription_id}" in listing
    assert "active" in listing
    events = client.get("/admin/billing/stripeevent/").content.decode()
    assert "checkout.session.completed" in events and "plan free → pro" in events


def test_a_sweep_whose_runs_together_pass_the_storage_limit_is_refused(alice, api_as):
    fill_storage(alice, leave_bytes=150_000_000)  # one ResNet-50 (~0.10 GB) fits, two do not
    body = {"spec": {**QUICK, "model": "resnet50"}, "grid": {"seed": [1, 2]}}
    response = api_as(alice).post("/api/v1/sweeps/", body, format="json")
    assert response.status_code == 403, response.content
    assert "this sweep's 2 runs" in response.json()["error"]["message"]
    assert not TrainingJob.objects.exists()
