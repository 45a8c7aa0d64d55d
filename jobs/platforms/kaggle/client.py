"""The one place that builds a Kaggle client: one per user per call, never process-wide.

`kagglesdk` has no setting for its host and no request timeout, and it reads
`KAGGLE_API_TOKEN`/`~/.kaggle` whenever it is handed no token (the hub refuses to start
with those present). Here each client gets the hub's `KAGGLE_API_BASE`, a timeout on
every request, and Kaggle's HTTP errors become the hub's errors: a refused credential or
request is the user's to fix (InvalidInput, PermissionDenied, NotFound); 429, 5xx and
timeouts are `PlatformBusy`, honouring Retry-After, so callers back off and try again.
"""

import contextlib
import email.utils
import time
from collections.abc import Iterator

import requests
from django.conf import settings
from kagglesdk import KaggleClient, KaggleEnv
from requests.adapters import HTTPAdapter

from asthub_site.errors import (
    Conflict,
    HubError,
    InvalidInput,
    MissingCredential,
    NotFound,
    PermissionDenied,
)
from jobs.platforms.base import PlatformBusy

USER_AGENT = "asthub (kagglesdk)"


class KaggleUnreachable(PlatformBusy):
    """No answer in time (or no connection): asking again at once would only hold the
    poller's thread longer, so it is left to the poller's backoff."""


class _TimeoutAdapter(HTTPAdapter):
    """kagglesdk sends without a timeout; a hung answer must not hold a poller thread."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.timeout = timeout

    def send(self, request, **kwargs):
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


def api_base() -> str:
    return settings.KAGGLE_API_BASE.rstrip("/")


def timeout_seconds() -> float:
    return float(settings.PLATFORM_HTTP_TIMEOUT_SECONDS)


def _new_client(credential: dict) -> KaggleClient:
    token = (credential or {}).get("token")
    username, key = (credential or {}).get("username"), (credential or {}).get("key")
    if token:
        return KaggleClient(env=KaggleEnv.PROD, api_token=token, user_agent=USER_AGENT)
    if username and key:
        return KaggleClient(
            env=KaggleEnv.PROD, username=username, password=key, user_agent=USER_AGENT
        )
    # Never build a client without the user's own secret: kagglesdk would fall back to
    # whatever credential the process can find.
    raise MissingCredential("No Kaggle credential is connected.")


@contextlib.contextmanager
def kaggle_client(credential: dict) -> Iterator[KaggleClient]:
    """A client for this user and this call only; its session is closed afterwards."""
    client = _new_client(credential)
    http = client.http_client()
    http._endpoint = api_base()
    http._init_session()
    adapter = _TimeoutAdapter(timeout_seconds())
    http._session.mount("http://", adapter)
    http._session.mount("https://", adapter)
    try:
        yield client
    finally:
        http._session.close()


def session_of(client: KaggleClient) -> requests.Session:
    """The client's own session (its auth, its timeout) for the few plain-HTTP routes."""
    return client.http_client()._session


def retry_after(response: requests.Response | None) -> float | None:
    if response is None:
        return None
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _status_and_message(error: requests.HTTPError) -> tuple[int, str]:
    response = error.response
    status = response.status_code if response is not None else 0
    message = ""
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            # Kaggle may answer 200 with {"code": N, "message": ...} for an error.
            code = body.get("code")
            if isinstance(code, int) and code >= 400:
                status = code
            message = str(body.get("message") or "")
    return status, (message or str(error))[:300]


def translate(error: Exception, action: str) -> Exception:
    """The hub's error for a failed Kaggle call made while `action` (e.g. "checking the
    kernel's status")."""
    if isinstance(error, HubError | PlatformBusy):
        return error
    if isinstance(error, requests.HTTPError):
        status, message = _status_and_message(error)
        if status == 429 or status >= 500 or status == 0:
            return PlatformBusy(
                f"Kaggle is busy ({status or 'no answer'}) while {action}: {message}",
                retry_after=retry_after(error.response),
            )
        if status == 401:
            return InvalidInput(
                f"Kaggle refused the credential while {action} (401). Check the Kaggle "
                "credential under Credentials; it may have been revoked."
            )
        if status == 403:
            return PermissionDenied(f"Kaggle refused {action} (403): {message}")
        if status == 404:
            return NotFound(f"Kaggle found nothing while {action} (404): {message}")
        if status == 409:
            return Conflict(f"Kaggle refused {action} (409): {message}")
        return InvalidInput(f"Kaggle refused {action} ({status}): {message}")
    if isinstance(error, requests.Timeout | requests.ConnectionError):
        return KaggleUnreachable(f"Kaggle did not answer while {action}: {type(error).__name__}")
    return error


@contextlib.contextmanager
def calling(action: str) -> Iterator[None]:
    """Wrap Kaggle calls so that their failures come out as the hub's errors."""
    try:
        yield
    except (requests.RequestException, HubError, PlatformBusy) as error:
        translated = translate(error, action)
        if translated is error:
            raise
        raise translated from error


def retrying(call, action: str, *, attempts: int = 3, max_wait: float = 5.0):
    """Make one Kaggle call, waiting out a short 429/5xx a few times (its Retry-After, else
    a growing pause). A longer Retry-After, a platform still busy after `attempts`, or no
    answer at all raises PlatformBusy for the caller to back off: a poll never sleeps
    for minutes."""
    waited = 0.0
    for attempt in range(1, attempts + 1):
        try:
            with calling(action):
                return call()
        except PlatformBusy as busy:
            delay = busy.retry_after if busy.retry_after is not None else 0.25 * 2**attempt
            if attempt == attempts or waited + delay > max_wait:
                raise
            if isinstance(busy, KaggleUnreachable):
                raise
            time.sleep(delay)
            waited += delay
    raise AssertionError("unreachable")
