"""Connect Hugging Face in a real headless Chromium: the hub (uvicorn, workers) talks to
the fake provider through Authlib; the person clicks Authorize on the provider's page and
lands back with the connection shown, masked. Then signs in with Hugging Face."""

import pytest

from tests.browser import browser  # noqa: F401  (fixture)
from tests.conftest import PASSWORD
from tests.fakes.huggingface_oauth import FakeHFOAuth, FakeOAuthServer
from tests.hf_oauth.conftest import CLIENT_ID, CLIENT_SECRET
from tests.live_hub import running_hub

pytestmark = pytest.mark.slow


def test_connect_and_sign_in_with_hugging_face_in_a_browser(tmp_path, browser):  # noqa: F811
    provider = FakeHFOAuth(client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    provider.sign_in(provider.add_user("alice-hf", name="Alice"))
    with (
        FakeOAuthServer(provider),
        running_hub(
            tmp_path,
            HF_OAUTH_ISSUER=provider.issuer,
            HF_OAUTH_CLIENT_ID=CLIENT_ID,
            HF_OAUTH_CLIENT_SECRET=CLIENT_SECRET,
        ) as hub,
    ):
        page = browser.new_page()
        page.goto(hub["base_url"] + "/signup/")
        page.fill("#id_email", "alice@example.com")
        page.fill("#id_password", PASSWORD)
        page.fill("#id_password_again", PASSWORD)
        page.click("button:has-text('Sign up')")
        page.wait_for_url("**/portal/")

        page.click("nav >> text=Credentials")
        page.click("#hf-connect-button")
        page.wait_for_url(provider.issuer + "/oauth/authorize?**")
        assert "Authorize access to your account alice-hf" in page.content()
        page.click("button:has-text('Authorize')")
        page.wait_for_url("**/portal/credentials/")
        html = page.content()
        assert "Connected the Hugging Face account alice-hf" in html
        (access,) = provider.access_tokens
        assert f"…{access[-4:]}" in html and access not in html
        assert "Disconnect" in html
        page.screenshot(path=str(tmp_path / "connected.png"), full_page=True)

        page.click("summary")
        page.click("button:has-text('Log out')")
        page.wait_for_url("**/login/")
        page.click("#hf-sign-in")
        page.wait_for_url(provider.issuer + "/oauth/authorize?**")
        page.click("button:has-text('Authorize')")
        page.wait_for_url("**/portal/")
        assert "Signed in with Hugging Face as alice-hf" in page.content()
        assert "alice@example.com" in page.content()  # the account menu: the same person
        assert provider.count("token", "authorization_code") == 2
