"""Check a Kaggle credential against Kaggle before the hub stores it.

An access token is introspected (`security.OAuthService/IntrospectToken`); a legacy
username + key signs a `DiagnosticsService/Hello`, which answers with the account name.
Either way the hub keeps the name Kaggle reports, never the one the user typed.
"""

from kagglesdk.security.types.oauth_service import IntrospectTokenRequest

from asthub_site.errors import InvalidInput, PermissionDenied
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.kaggle.client import api_base, calling, kaggle_client, session_of

REFUSED = (
    "Kaggle did not accept this {what}. Copy it again from kaggle.com → Settings → API "
    "(a token starts with KGAT_; a legacy key goes with your Kaggle username)."
)


def verify_kaggle_credential(secret: dict[str, str]) -> str:
    """The Kaggle username this secret belongs to; InvalidInput if Kaggle refuses it."""
    what = "API token" if secret.get("token") else "username and key"
    try:
        with kaggle_client(secret) as client, calling("checking the credential"):
            if secret.get("token"):
                username = _introspect(client, secret["token"])
            else:
                username = _hello(client)
    except (InvalidInput, PermissionDenied) as error:
        raise InvalidInput(REFUSED.format(what=what), fields={"token": ["refused"]}) from error
    except PlatformBusy as error:
        raise PlatformUnavailable(
            f"Kaggle could not check the credential just now ({error}); nothing was "
            "stored. Try again in a minute."
        ) from error
    if not username:
        raise InvalidInput(REFUSED.format(what=what), fields={"token": ["refused"]})
    return username


def _introspect(client, token: str) -> str:
    request = IntrospectTokenRequest()
    request.token = token
    answer = client.security.oauth_client.introspect_token(request)
    return answer.username if answer.active else ""


def _hello(client) -> str:
    # kagglesdk 0.1.37 has no class for DiagnosticsService; same route, same session.
    response = session_of(client).post(f"{api_base()}/v1/api.v1.DiagnosticsService/Hello", json={})
    response.raise_for_status()
    body = response.json()
    return str(body.get("userName") or "") if isinstance(body, dict) else ""
