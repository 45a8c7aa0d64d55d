"""Free → Pro → Free in a real headless Chromium, against the real hub (uvicorn, worker,
beat) and the local Stripe: Upgrade → Stripe's Checkout page → back on the hub with Pro's
limits in force; Manage billing → Cancel in Stripe's portal → Pro until the period ends,
then Free. Webhooks travel over HTTP, signed, from the fake to the hub."""

import time

import pytest

from tests.billing.conftest import SECRET_KEY, WEBHOOK_PATH, WEBHOOK_SECRET
from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.fakes.stripe import FakeStripe, FakeStripeServer
from tests.live_hub import running_hub

pytestmark = pytest.mark.slow


def create_token(page, base_url: str, name: str) -> str:
    page.goto(base_url + "/portal/tokens/")
    page.fill("#id_name", name)
    page.click("button:has-text('Create token')")
    return page.content()


def reload_until(page, text: str, timeout: float = 20) -> str:
    """The page after Stripe's webhook reached the hub (it travels on its own)."""
    deadline = time.monotonic() + timeout
    while True:
        page.reload()
        html = page.content()
        if text in html or time.monotonic() > deadline:
            return html
        time.sleep(0.3)


def test_upgrade_pay_and_cancel_in_a_browser(tmp_path, browser):  # noqa: F811
    fake = FakeStripe(api_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    with FakeStripeServer(fake):
        price = fake.add_price(product_name="AST Training Hub Pro", unit_amount=2900)
        with running_hub(
            tmp_path,
            STRIPE_SECRET_KEY=SECRET_KEY,
            STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
            STRIPE_PRICE_PRO=price,
            STRIPE_API_BASE=fake.base_url,
        ) as hub:
            base = hub["base_url"]
            fake.webhook_url = base + WEBHOOK_PATH
            page = browser.new_page()
            page.goto(base + "/signup/")
            page.fill("#id_email", "payer@example.com")
            page.fill("#id_password", PASSWORD)
            page.fill("#id_password_again", PASSWORD)
            page.click("button:has-text('Sign up')")
            page.wait_for_url("**/portal/")
            for number in range(3):  # Free allows three active tokens
                create_token(page, base, f"free-{number}")
            refused = create_token(page, base, "one-too-many")
            assert "allows 3 active API tokens" in refused and "Upgrade to Pro" in refused

            page.goto(base + "/portal/")
            page.click("#upgrade")
            page.wait_for_url(fake.base_url + "/c/pay/**")
            assert "Subscribe to AST Training Hub Pro" in page.content()
            page.fill("#cardNumber", "4242424242424242")
            page.click("button:has-text('Subscribe')")
            page.wait_for_url("**/portal/billing/")
            html = page.content()
            assert "this account is on Pro now" in html and "Renews on" in html
            assert "Your new token" in create_token(page, base, "pro-fourth")  # Pro's limit holds
            page.goto(base + "/portal/")
            assert page.inner_text("#limit-concurrent_jobs").split()[-1] == "5"
            fake.wait_for_deliveries(3)
            assert {d["status"] for d in fake.deliveries} == {200}

            page.goto(base + "/portal/billing/")
            page.click("#manage-billing")
            page.wait_for_url(fake.base_url + "/p/session/**")
            page.click("button:has-text('Cancel plan')")
            # The click posts a form: wait for the page it answers, not the one it left.
            page.get_by_text("Cancels on").first.wait_for()
            assert "Cancels on" in page.content()
            page.click("text=Return to")
            page.wait_for_url("**/portal/billing/")
            html = reload_until(page, "Cancelled: Pro stays until")
            assert "Cancelled: Pro stays until" in html

            (subscription_id,) = fake.subscriptions
            fake.end_period(subscription_id)  # Stripe ends it: customer.subscription.deleted
            html = reload_until(page, "Free plan")
            assert "Free plan" in html and 'id="upgrade"' in html
            page.goto(base + "/portal/")
            assert page.inner_text("#limit-concurrent_jobs").split()[-1] == "1"
            tokens = create_token(page, base, "after-downgrade")
            assert "allows 3 active API tokens" in tokens  # existing four stay; no fifth
            assert {d["status"] for d in fake.deliveries} == {200}
            page.screenshot(path=str(tmp_path / "free-again.png"), full_page=True)
