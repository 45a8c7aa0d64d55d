"""A new user in a real browser: sign up, add a credential, make a token, log out."""

import re

import pytest

from tests.browser import browser, save_screenshot  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.mcp.conftest import hub  # noqa: F401 (the session's shared hub)

pytestmark = pytest.mark.slow


def test_new_user_signs_up_connects_a_platform_and_creates_a_token(
    hub,  # noqa: F811
    browser,  # noqa: F811
    fake_hf,  # noqa: F811
):
    fake_hf.add_user("newcomer", token="hf_BrowserSecretToken5678")
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(hub["base_url"] + "/")
    page.click("text=Create a free account")
    page.fill("#id_email", "newcomer@example.com")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_password_again", PASSWORD)
    page.click("button:has-text('Sign up')")
    page.wait_for_url("**/portal/")
    assert "Free plan" in page.content()

    page.click("nav >> text=Credentials")
    page.select_option("#id_provider", "huggingface")
    page.fill("#id_label", "hub")
    page.fill("#id_token", "hf_BrowserSecretToken5678")
    page.click("button:has-text('Add credential')")
    assert "…5678" in page.content()
    assert "hf_BrowserSecretToken5678" not in page.content()

    page.click("nav >> text=API tokens")
    page.fill("#id_name", "my laptop")
    page.click("button:has-text('Create token')")
    raw = page.inner_text("#new-token").strip()
    assert re.fullmatch(r"asthub_[\w-]{40,}", raw)
    save_screenshot(page, "tokens")
    page.goto(hub["base_url"] + "/portal/tokens/")
    assert raw not in page.content()

    # The API docs render (Swagger UI's own script, no inline one) under the same CSP.
    page.goto(hub["base_url"] + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "AST Training Hub API" in page.inner_text(".swagger-ui .info .title")
    page.goto(hub["base_url"] + "/portal/jobs/")
    page.goto(hub["base_url"] + "/admin/login/")
    page.goto(hub["base_url"] + "/portal/")

    page.click("summary")
    page.click("button:has-text('Log out')")
    page.wait_for_url("**/login/")
    page.goto(hub["base_url"] + "/portal/")
    assert "/login/" in page.url
