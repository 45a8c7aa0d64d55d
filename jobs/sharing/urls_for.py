"""Where a share link can be opened: the hub's public page and the read API."""

from django.conf import settings


def share_urls(raw: str) -> dict[str, str]:
    base = settings.PUBLIC_BASE_URL
    return {"page_url": f"{base}/share/{raw}/", "api_url": f"{base}/api/v1/shared/{raw}/"}
