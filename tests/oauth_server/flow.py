"""An OAuth client's side of the flow, driven through Django's test client: register,
authorize (the consent page, as a logged-in person), exchange, refresh, revoke."""

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from django.conf import settings

REDIRECT_URI = "http://127.0.0.1:33418/callback"


def mcp_resource() -> str:
    return f"{settings.PUBLIC_BASE_URL}/mcp"


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def register(client, *, redirect_uris=(REDIRECT_URI,), name="Test Assistant", **request_extra):
    body = {
        "client_name": name,
        "redirect_uris": list(redirect_uris),
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }
    return client.post(
        "/register", data=json.dumps(body), content_type="application/json", **request_extra
    )


@dataclass
class Authorization:
    client_id: str
    verifier: str
    challenge: str
    state: str

    def params(self, **overrides) -> dict:
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": REDIRECT_URI,
            "state": self.state,
            "code_challenge": self.challenge,
            "code_challenge_method": "S256",
            "scope": "jobs:read jobs:write models:write billing:read",
            "resource": mcp_resource(),
        }
        params.update(overrides)
        return {key: value for key, value in params.items() if value is not None}


def start(client_id: str) -> Authorization:
    verifier, challenge = pkce_pair()
    return Authorization(client_id, verifier, challenge, secrets.token_urlsafe(16))


def consent(browser, authorization: Authorization, *, scopes=None, allow=True, **overrides):
    """GET the consent page, then answer it; return the redirect's query (code, state...)."""
    page = browser.get("/authorize", authorization.params(**overrides))
    assert page.status_code == 200, page.content[:500]
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["granted_scopes"] = scopes if scopes is not None else form.initial["granted_scopes"]
    if allow:
        data["allow"] = "on"
    answer = browser.post("/authorize", data)
    assert answer.status_code == 302, answer.content[:500]
    return redirect_query(answer)


def redirect_query(response) -> dict[str, str]:
    location = urlsplit(response["Location"])
    return {key: values[0] for key, values in parse_qs(location.query).items()}


def exchange(client, authorization: Authorization, code: str, **overrides):
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": authorization.client_id,
        "code_verifier": authorization.verifier,
        "resource": mcp_resource(),
    }
    data.update(overrides)
    return client.post("/token", {k: v for k, v in data.items() if v is not None})


def refresh(client, client_id: str, refresh_token: str):
    return client.post(
        "/token",
        {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": client_id,
            "resource": mcp_resource(),
        },
    )


def revoke(client, client_id: str, token: str, hint: str = "refresh_token"):
    return client.post("/revoke", {"token": token, "token_type_hint": hint, "client_id": client_id})


def connect(anonymous, browser, **consent_overrides) -> tuple[Authorization, dict]:
    """Register, consent and exchange: the token response of a fresh connection."""
    client_id = register(anonymous).json()["client_id"]
    authorization = start(client_id)
    query = consent(browser, authorization, **consent_overrides)
    tokens = exchange(anonymous, authorization, query["code"])
    assert tokens.status_code == 200, tokens.content
    return authorization, tokens.json()
