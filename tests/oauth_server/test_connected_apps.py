"""Connected apps on REST and in the portal: listed with scopes and last use, revocable,
and nobody else's."""

from oauth2_provider.models import AccessToken

from accounts.models import AppConnection
from accounts.oauth_server.authentication import authenticate_oauth_access
from mcp_gateway.auth import _lookup as mcp_lookup
from tests.oauth_server import flow


def test_rest_lists_each_connection_with_its_scopes_and_last_use(
    alice, anonymous, browser_of, api_as
):
    _, tokens = flow.connect(anonymous, browser_of(alice), scopes=["jobs:read", "billing:read"])
    api = api_as(alice)
    [app] = api.get("/api/v1/connected-apps").json()
    assert app["name"] == "Test Assistant"
    assert app["scopes"] == ["jobs:read", "billing:read"]
    assert app["redirect_hosts"] == ["127.0.0.1:33418"]
    assert app["last_used_at"] is None
    authenticate_oauth_access(tokens["access_token"])
    [app] = api.get("/api/v1/connected-apps").json()
    assert app["last_used_at"] is not None


def test_disconnecting_ends_every_token_of_the_app(alice, anonymous, browser_of, api_as):
    authorization, tokens = flow.connect(anonymous, browser_of(alice))
    [app] = api_as(alice).get("/api/v1/connected-apps").json()
    assert api_as(alice).delete(f"/api/v1/connected-apps/{app['id']}").status_code == 204
    assert mcp_lookup(tokens["access_token"]) is None
    refreshed = flow.refresh(anonymous, authorization.client_id, tokens["refresh_token"])
    assert refreshed.status_code == 400
    assert api_as(alice).get("/api/v1/connected-apps").json() == []


def test_another_tenants_connection_does_not_exist_for_you(
    alice, bob, anonymous, browser_of, api_as
):
    _, tokens = flow.connect(anonymous, browser_of(alice))
    connection = AppConnection.objects.get(owner=alice)
    bobs = api_as(bob)
    assert bobs.get("/api/v1/connected-apps").json() == []
    assert bobs.delete(f"/api/v1/connected-apps/{connection.pk}").status_code == 404
    revoke_page = browser_of(bob).post(f"/portal/apps/{connection.pk}/revoke/")
    assert revoke_page.status_code == 302
    assert AccessToken.objects.filter(user=alice).exists()
    assert mcp_lookup(tokens["access_token"]).subject == str(alice.pk)


def test_the_portal_lists_and_disconnects_apps(alice, anonymous, browser_of):
    flow.connect(anonymous, browser_of(alice))
    browser = browser_of(alice)
    page = browser.get("/portal/apps/").content.decode()
    assert "Test Assistant" in page and "jobs:write" in page
    connection = AppConnection.objects.get(owner=alice)
    browser.post(f"/portal/apps/{connection.pk}/revoke/")
    assert "No connected apps" in browser.get("/portal/apps/").content.decode()


def test_an_oauth_token_is_refused_on_rest_with_the_reason(alice, anonymous, browser_of):
    from rest_framework.test import APIClient

    _, tokens = flow.connect(anonymous, browser_of(alice))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    response = api.get("/api/v1/me")
    assert response.status_code == 401
    assert "MCP endpoint (/mcp) only" in response.json()["error"]["message"]
