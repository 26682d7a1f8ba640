"""Browser journeys in a real headless Chromium: Debian's `chromium` package, driven by Playwright
with `executable_path` (Playwright never downloads a browser here).

CI sets REQUIRE_BROWSER=1 so that a missing Chromium fails the run instead of skipping."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; the live server and the test's ORM
# calls are ordinary synchronous code, so Django's async-safety guard must stand aside here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# The live server is started once per session, before function-scoped settings fixtures run, and
# its middleware reads SECURE_SSL_REDIRECT when it is built: the browser talks plain HTTP to it.
settings.SECURE_SSL_REDIRECT = False

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _missing(what):
    if os.environ.get("REQUIRE_BROWSER"):
        pytest.fail(f"{what} is required for the browser tests (REQUIRE_BROWSER=1)")
    pytest.skip(f"{what} not available: install Debian's chromium (make browser-deps)")


@pytest.fixture(scope="session")
def playwright_instance():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright_instance):
    if not Path(CHROMIUM).exists():
        _missing("Chromium")
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


def _context(browser, **kwargs):
    kwargs.setdefault("viewport", {"width": 1280, "height": 900})
    return browser.new_context(**kwargs)


@pytest.fixture
def page(browser):
    context = _context(browser)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    context = _context(
        browser, viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def a11y_page(browser):
    """A page for axe-core checks. axe is injected as a script tag, which our own
    Content-Security-Policy (rightly) forbids, so this one context bypasses CSP."""
    context = _context(browser, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def new_context(browser):
    """Make extra contexts (a fresh browser profile each), e.g. with JavaScript off."""
    contexts = []

    def make(**kwargs):
        context = _context(browser, **kwargs)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def clock(monkeypatch):
    """The site's clock: real time plus ``offset``, for the live server thread and the test (one
    process: the live server is a thread of the test's). Test-only: it patches
    ``django.utils.timezone.now`` through pytest's monkeypatch, undone after the test; the site
    itself has no way to move its clock."""
    from datetime import timedelta

    from django.utils import timezone

    real_now = timezone.now

    class Clock:
        offset = timedelta(0)

        def now(self):
            return real_now() + self.offset

        def set(self, when):
            self.offset = when - real_now()

    c = Clock()
    monkeypatch.setattr(timezone, "now", c.now)
    return c


@pytest.fixture
def screenshot(request):
    """Save a full-page screenshot under test-artifacts/ (kept by CI for people to look at)."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{request.node.name}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def axe():
    """Run axe-core in a page (use the `a11y_page` fixture); return serious and critical
    violations."""
    if not AXE_JS.exists():
        _missing("axe-core (npm ci)")

    def check(page):
        page.add_script_tag(path=str(AXE_JS))
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
        return [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in {"serious", "critical"}
        ]

    return check
