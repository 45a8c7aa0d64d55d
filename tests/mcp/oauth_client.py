"""The MCP SDK's own OAuth client (`OAuthClientProvider`) against a live hub, with a
person in headless Chromium: the hub's login or sign-up page, then its consent page.

The client's loopback callback (RFC 8252) is intercepted in the browser, so no listener
is needed: the code, state and issuer are read off the URL the hub redirected to."""

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

from mcp.client.auth import OAuthClientProvider, TokenStorage
from mcp.shared.auth import (
    AuthorizationCodeResult,
    OAuthClientInformationFull,
    OAuthClientMetadata,
    OAuthToken,
)

from tests.browser import CHROMIUM_ARGS, chromium_path

CALLBACK = "http://127.0.0.1:33419/callback"


class MemoryStorage(TokenStorage):
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


Person = Callable[[object], Awaitable[None]]  # drives the page from login to consent


@dataclass
class BrowserPerson:
    """One browser context (one person's cookies) that answers authorization requests."""

    page: object
    act: Person
    redirects: list[str] = field(default_factory=list)
    _callback: asyncio.Future | None = None

    async def redirect_handler(self, authorization_url: str) -> None:
        self.redirects.append(authorization_url)
        self._callback = asyncio.get_running_loop().create_future()
        await self.page.goto(authorization_url)
        await self.act(self.page)

    async def callback_handler(self) -> AuthorizationCodeResult:
        url = await asyncio.wait_for(self._callback, timeout=60)
        query = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
        if "error" in query:
            raise RuntimeError(f"authorization refused: {query}")
        return AuthorizationCodeResult(
            code=query["code"], state=query.get("state"), iss=query.get("iss")
        )

    async def _on_callback(self, route) -> None:
        if self._callback is not None and not self._callback.done():
            self._callback.set_result(route.request.url)
        await route.fulfill(status=200, body="Connected; you can close this window.")


async def person_in(browser, act: Person) -> BrowserPerson:
    context = await browser.new_context()
    page = await context.new_page()
    person = BrowserPerson(page=page, act=act)
    await page.route(f"{CALLBACK}*", person._on_callback)
    return person


async def launch(playwright):
    return await playwright.chromium.launch(
        executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
    )


def provider_for(base_url: str, person: BrowserPerson, name: str) -> OAuthClientProvider:
    metadata = OAuthClientMetadata(
        client_name=name,
        redirect_uris=[CALLBACK],
        grant_types=["authorization_code", "refresh_token"],
        response_types=["code"],
        token_endpoint_auth_method="none",
    )
    return OAuthClientProvider(
        server_url=f"{base_url}/mcp",
        client_metadata=metadata,
        storage=MemoryStorage(),
        redirect_handler=person.redirect_handler,
        callback_handler=person.callback_handler,
    )
