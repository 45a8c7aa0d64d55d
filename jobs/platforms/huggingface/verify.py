"""Check a pasted Hugging Face access token with whoami before it is stored."""

from asthub_site.errors import InvalidInput
from jobs.platforms.base import PlatformBusy, PlatformUnavailable
from jobs.platforms.huggingface.client import hub_api, hub_errors


def verify(secret: dict[str, str]) -> str:
    """The Hub's user name for this token; InvalidInput when the Hub refuses it."""
    api = hub_api(secret.get("token", ""))
    try:
        with hub_errors("checking the token"):
            answer = api.whoami()
    except PlatformBusy as busy:
        # Adding a credential is interactive: say so now rather than retry behind the
        # user's back.
        raise PlatformUnavailable(f"{busy} Try adding the token again in a minute.") from None
    name = answer.get("name") if isinstance(answer, dict) else None
    if not name:
        raise InvalidInput("Hugging Face did not say whose token this is.")
    return name
