"""A fake of Hugging Face's OAuth / OpenID Connect provider, speaking the real protocol to
the real Authlib client: discovery, authorize (an HTML consent page with an "Authorize"
button, or auto-approve), token (authorization code with PKCE S256, refresh_token grant
with rotation, client authentication), userinfo, JWKS (RS256 ID tokens) and revocation.

Routing is table-driven (`OAUTH_ROUTES`) over small request/response records, so the
Hub fake (tests/fakes/huggingface.py) can mount these handlers beside its own:

    response = provider.dispatch(FakeRequest(method, path, query, headers, body, base_url))
    if response is not None: ...write it...

`FakeOAuthServer` serves a provider on its own for the OAuth tests.

Switchable faults per endpoint name ("discovery", "authorize", "token", "userinfo",
"revoke", "jwks"): `provider.fail("token", status=500, times=1)`, `status=429` (with
Retry-After), `status=401`, and `provider.slow("token", seconds)`.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

ALL_SCOPES = [
    "openid",
    "profile",
    "email",
    "read-repos",
    "write-repos",
    "manage-repos",
    "inference-api",
    "jobs",
]


@dataclass
class FakeRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    base_url: str

    def form(self) -> dict[str, str]:
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}

    def arg(self, name: str) -> str:
        return (self.query.get(name) or [""])[-1]


@dataclass
class FakeResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data, **headers: str) -> FakeResponse:
        headers = {"Content-Type": "application/json", **headers}
        return cls(status, json.dumps(data).encode(), headers)

    @classmethod
    def html(cls, status: int, text: str) -> FakeResponse:
        return cls(status, text.encode(), {"Content-Type": "text/html; charset=utf-8"})

    @classmethod
    def redirect(cls, location: str) -> FakeResponse:
        return cls(302, b"", {"Location": location})


@dataclass
class HFUser:
    sub: str
    preferred_username: str
    name: str = ""
    email: str = ""
    email_verified: bool = True


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    scope: str
    sub: str
    nonce: str
    challenge: str
    challenge_method: str
    expires_at: float


@dataclass
class _Token:
    sub: str
    scope: str
    client_id: str
    expires_at: float


class FakeHFOAuth:
    """The provider's state: registered app, people, grants and tokens, faults."""

    def __init__(
        self,
        *,
        client_id: str = "hub-client-id",
        client_secret: str = "hub-client-secret",  # noqa: S107 (the fake's own app)
        access_ttl: int = 8 * 3600,
        advertise_revocation: bool = True,
        auto_approve: bool = False,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.access_ttl = access_ttl
        self.advertise_revocation = advertise_revocation
        self.auto_approve = auto_approve
        self.issuer = ""  # set by the server that mounts the provider
        self.users: dict[str, HFUser] = {}
        self.signed_in: str | None = None  # who is logged in at the provider's site
        self.grants: dict[str, _Grant] = {}
        self.access_tokens: dict[str, _Token] = {}
        self.refresh_tokens: dict[str, _Token] = {}
        self.revoked: list[str] = []
        self.calls: list[tuple[str, str]] = []  # (endpoint, grant type or method)
        self._faults: dict[str, list[int]] = {}
        self._slow: dict[str, float] = {}
        self._lock = threading.Lock()
        self._key = RSAKey.generate_key(2048, parameters={"kid": "fake-hf-1", "use": "sig"})

    # -- test controls ---------------------------------------------------------------

    def add_user(self, preferred_username: str, **fields) -> HFUser:
        sub = fields.pop("sub", None) or secrets.token_hex(12)
        user = HFUser(sub=sub, preferred_username=preferred_username, **fields)
        self.users[sub] = user
        return user

    def sign_in(self, user: HFUser) -> None:
        self.signed_in = user.sub

    def fail(self, endpoint: str, *, status: int, times: int = 1) -> None:
        with self._lock:
            self._faults.setdefault(endpoint, []).extend([status] * times)

    def slow(self, endpoint: str, seconds: float) -> None:
        self._slow[endpoint] = seconds

    def expire_access_tokens(self) -> None:
        with self._lock:
            for token in self.access_tokens.values():
                token.expires_at = time.time() - 1

    def count(self, endpoint: str, detail: str | None = None) -> int:
        return sum(1 for name, what in self.calls if name == endpoint and detail in (None, what))

    def token_is_valid(self, access_token: str) -> bool:
        token = self.access_tokens.get(access_token)
        return token is not None and token.expires_at > time.time()

    # -- dispatch --------------------------------------------------------------------

    def dispatch(self, request: FakeRequest) -> FakeResponse | None:
        """Answer a request meant for the OAuth provider, or None if it is not one."""
        for method, pattern, name in OAUTH_ROUTES:
            if request.method == method and pattern.match(request.path):
                endpoint = name.split("_")[0]
                fault = self._fault_for(endpoint)
                if fault is not None:
                    return fault
                delay = self._slow.get(endpoint)
                if delay:
                    time.sleep(delay)
                return getattr(self, name)(request)
        return None

    def _fault_for(self, endpoint: str) -> FakeResponse | None:
        with self._lock:
            queue = self._faults.get(endpoint)
            status = queue.pop(0) if queue else None
        if status is None:
            return None
        self.calls.append((endpoint, f"fault {status}"))
        if status == 429:
            body = {"error": "rate_limited", "error_description": "Slow down"}
            return FakeResponse.json(429, body, **{"Retry-After": "7"})
        if status == 401:
            return FakeResponse.json(401, {"error": "invalid_client"})
        return FakeResponse(status, b"upstream trouble", {"Content-Type": "text/plain"})

    # -- endpoints -------------------------------------------------------------------

    def discovery(self, request: FakeRequest) -> FakeResponse:
        self.calls.append(("discovery", "GET"))
        base = self.issuer or request.base_url
        metadata = {
            "issuer": base,
            "authorization_endpoint": f"{base}/oauth/authorize",
            "token_endpoint": f"{base}/oauth/token",
            "userinfo_endpoint": f"{base}/oauth/userinfo",
            "jwks_uri": f"{base}/oauth/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ALL_SCOPES,
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
        if self.advertise_revocation:
            metadata["revocation_endpoint"] = f"{base}/oauth/revoke"
        return FakeResponse.json(200, metadata)

    def jwks(self, request: FakeRequest) -> FakeResponse:
        self.calls.append(("jwks", "GET"))
        return FakeResponse.json(200, {"keys": [self._key.as_dict(private=False)]})

    def _authorize_params(self, params: dict[str, str]) -> str | None:
        """An error message for a bad authorization request, or None."""
        if params.get("client_id") != self.client_id:
            return "Unknown client_id."
        if params.get("response_type") != "code":
            return "response_type must be code."
        if not params.get("redirect_uri", "").startswith(("http://", "https://")):
            return "redirect_uri is missing."
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "PKCE with S256 is required."
        unknown = set(params.get("scope", "").split()) - set(ALL_SCOPES)
        if unknown:
            return f"Unknown scopes: {' '.join(sorted(unknown))}."
        return None

    def authorize(self, request: FakeRequest) -> FakeResponse:
        self.calls.append(("authorize", "GET"))
        params = {name: request.arg(name) for name in request.query}
        problem = self._authorize_params(params)
        if problem:
            return FakeResponse.html(400, f"<h1>Bad request</h1><p>{html.escape(problem)}</p>")
        if self.signed_in is None:
            return FakeResponse.html(401, "<h1>Log in to Hugging Face first</h1>")
        if self.auto_approve:
            return self._approve(params)
        user = self.users[self.signed_in]
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
            for k, v in params.items()
        )
        page = (
            "<!doctype html><title>Authorize application</title>"
            f"<h1>Authorize access to your account {html.escape(user.preferred_username)}</h1>"
            f"<p>Scopes: {html.escape(params.get('scope', ''))}</p>"
            f'<form method="post" action="/oauth/authorize">{hidden}'
            '<button type="submit" name="decision" value="allow">Authorize</button> '
            '<button type="submit" name="decision" value="deny">Cancel</button></form>'
        )
        return FakeResponse.html(200, page)

    def authorize_decision(self, request: FakeRequest) -> FakeResponse:
        self.calls.append(("authorize", "POST"))
        params = request.form()
        decision = params.pop("decision", "")
        problem = self._authorize_params(params)
        if problem or self.signed_in is None:
            return FakeResponse.html(400, "<h1>Bad request</h1>")
        if decision != "allow":
            query = {"error": "access_denied", "state": params.get("state", "")}
            return FakeResponse.redirect(f"{params['redirect_uri']}?{urlencode(query)}")
        return self._approve(params)

    def _approve(self, params: dict[str, str]) -> FakeResponse:
        code = secrets.token_urlsafe(24)
        self.grants[code] = _Grant(
            client_id=params["client_id"],
            redirect_uri=params["redirect_uri"],
            scope=params.get("scope", ""),
            sub=self.signed_in or "",
            nonce=params.get("nonce", ""),
            challenge=params["code_challenge"],
            challenge_method=params["code_challenge_method"],
            expires_at=time.time() + 60,
        )
        query = {"code": code, "state": params.get("state", "")}
        return FakeResponse.redirect(f"{params['redirect_uri']}?{urlencode(query)}")

    def _client_of(self, request: FakeRequest, form: dict[str, str]) -> str | None:
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            raw = base64.b64decode(header[6:]).decode()
            client_id, _, secret = raw.partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        if client_id == self.client_id and secrets.compare_digest(secret, self.client_secret):
            return client_id
        return None

    def _issue(self, *, sub: str, scope: str, client_id: str, nonce: str = "") -> dict:
        now = time.time()
        access = "hf_oauth_" + secrets.token_urlsafe(24)
        refresh = "hf_refresh_" + secrets.token_urlsafe(24)
        record = _Token(sub=sub, scope=scope, client_id=client_id, expires_at=now + self.access_ttl)
        self.access_tokens[access] = record
        self.refresh_tokens[refresh] = _Token(sub, scope, client_id, expires_at=now + 30 * 86400)
        answer = {
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": self.access_ttl,
            "refresh_token": refresh,
            "scope": scope,
        }
        if "openid" in scope.split():
            user = self.users[sub]
            claims = {
                "iss": self.issuer,
                "sub": sub,
                "aud": client_id,
                "iat": int(now),
                "exp": int(now) + 3600,
                "preferred_username": user.preferred_username,
                "name": user.name or user.preferred_username,
            }
            if nonce:
                claims["nonce"] = nonce
            answer["id_token"] = jwt.encode({"alg": "RS256", "kid": "fake-hf-1"}, claims, self._key)
        return answer

    def token(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        grant_type = form.get("grant_type", "")
        self.calls.append(("token", grant_type))
        client_id = self._client_of(request, form)
        if client_id is None:
            return FakeResponse.json(401, {"error": "invalid_client"})
        with self._lock:
            if grant_type == "authorization_code":
                return self._code_grant(form, client_id)
            if grant_type == "refresh_token":
                return self._refresh_grant(form, client_id)
        return FakeResponse.json(400, {"error": "unsupported_grant_type"})

    def _code_grant(self, form: dict[str, str], client_id: str) -> FakeResponse:
        grant = self.grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.expires_at < time.time() or grant.client_id != client_id:
            return _invalid_grant("bad code")
        if form.get("redirect_uri") != grant.redirect_uri:
            return _invalid_grant("redirect_uri differs from the authorization request")
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if not verifier or not secrets.compare_digest(expected, grant.challenge):
            return _invalid_grant("PKCE verification failed")
        answer = self._issue(
            sub=grant.sub, scope=grant.scope, client_id=client_id, nonce=grant.nonce
        )
        return FakeResponse.json(200, answer, **{"Cache-Control": "no-store"})

    def _refresh_grant(self, form: dict[str, str], client_id: str) -> FakeResponse:
        # Rotation: a refresh token works once; the answer carries its successor.
        old = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
        if old is None or old.client_id != client_id:
            return _invalid_grant("refresh token is not valid")
        answer = self._issue(sub=old.sub, scope=old.scope, client_id=client_id)
        answer.pop("id_token", None)
        return FakeResponse.json(200, answer, **{"Cache-Control": "no-store"})

    def userinfo(self, request: FakeRequest) -> FakeResponse:
        self.calls.append(("userinfo", request.method))
        header = request.headers.get("authorization", "")
        token = self.access_tokens.get(header[7:] if header.lower().startswith("bearer ") else "")
        if token is None or token.expires_at < time.time():
            challenge = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return FakeResponse.json(401, {"error": "invalid_token"}, **challenge)
        user = self.users[token.sub]
        info = {
            "sub": user.sub,
            "name": user.name or user.preferred_username,
            "preferred_username": user.preferred_username,
            "profile": f"{self.issuer}/{user.preferred_username}",
            "picture": f"{self.issuer}/avatars/{user.sub}.png",
        }
        if "email" in token.scope.split() and user.email:
            info["email"] = user.email
            info["email_verified"] = user.email_verified
        return FakeResponse.json(200, info)

    def revoke(self, request: FakeRequest) -> FakeResponse:
        form = request.form()
        self.calls.append(("revoke", form.get("token_type_hint", "")))
        if self._client_of(request, form) is None:
            return FakeResponse.json(401, {"error": "invalid_client"})
        token = form.get("token", "")
        with self._lock:
            refresh = self.refresh_tokens.pop(token, None)
            self.access_tokens.pop(token, None)
            if refresh is not None:
                # Revoking a grant's refresh token ends its access tokens too (RFC 7009 §2.1).
                for key in [k for k, v in self.access_tokens.items() if v.sub == refresh.sub]:
                    del self.access_tokens[key]
            self.revoked.append(token)
        return FakeResponse(200)


OAUTH_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    ("GET", re.compile(r"^/\.well-known/openid-configuration$"), "discovery"),
    ("GET", re.compile(r"^/oauth/jwks$"), "jwks"),
    ("GET", re.compile(r"^/oauth/authorize$"), "authorize"),
    ("POST", re.compile(r"^/oauth/authorize$"), "authorize_decision"),
    ("POST", re.compile(r"^/oauth/token$"), "token"),
    ("GET", re.compile(r"^/oauth/userinfo$"), "userinfo"),
    ("POST", re.compile(r"^/oauth/userinfo$"), "userinfo"),
    ("POST", re.compile(r"^/oauth/revoke$"), "revoke"),
]


def _invalid_grant(description: str) -> FakeResponse:
    return FakeResponse.json(400, {"error": "invalid_grant", "error_description": description})


def handler_for(
    dispatch: Callable[[FakeRequest], FakeResponse | None], base_url: Callable[[], str]
):
    """A BaseHTTPRequestHandler class that serves `dispatch` (404 when it answers None)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = FakeRequest(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
                base_url=base_url(),
            )
            response = dispatch(request) or FakeResponse.json(404, {"error": "not found"})
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            self.wfile.write(response.body)

        do_GET = do_POST = _serve

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    return Handler


class FakeOAuthServer:
    """Serves one FakeHFOAuth on 127.0.0.1 at a free port, in a thread."""

    def __init__(self, provider: FakeHFOAuth) -> None:
        self.provider = provider
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        provider.issuer = self.base_url
        self._server = ThreadingHTTPServer(
            ("127.0.0.1", port), handler_for(provider.dispatch, lambda: self.base_url)
        )
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakeOAuthServer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
