"""Headless Chromium through Playwright, using the system's Chromium (no browser download)."""

import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        from tests.conftest import _missing

        _missing("needs Debian's chromium package (apt-get install chromium)")
    return path


class CspWatchingBrowser:
    """The Playwright browser, noting every Content-Security-Policy refusal that any page
    it opens reports: a page that needs an inline script or a foreign origin fails the
    test that opened it, whatever else the test checks."""

    def __init__(self, browser) -> None:
        self._browser = browser
        self.csp_violations: list[str] = []

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def _note(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(f"{message.location.get('url')}: {message.text}")

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.on("console", self._note)
        return page

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.on("console", self._note)
        return context


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        watched = CspWatchingBrowser(instance)
        try:
            yield watched
        finally:
            instance.close()
        assert not watched.csp_violations, "\n".join(watched.csp_violations)


SCREENSHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def save_screenshot(page, name: str) -> Path:
    """The page as a person would review it: ``var/screenshots/NAME.png``, full height."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def signed_in_page(browser, base_url: str, email: str, password: str, width: int = 1280):
    """A new page signed in to the portal through its sign-in form, as a person does."""
    page = browser.new_page(viewport={"width": width, "height": 1000})
    page.goto(base_url + "/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", password)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/portal/**")
    return page
