"""Shared helpers for the Playwright browser tests (marked `browser`).

They drive Debian's Chromium (/usr/bin/chromium, or RELASI_CHROMIUM) through Playwright's
`executable_path`: no browser is ever downloaded. The tests run against pytest-django's
`live_server`, so every test uses a transactional database; the default roles that a data
migration creates are restored with `ensure_default_roles` before personas are made.

Use from a test module:

    from relasi.core.tests.browser import browser_fixtures
    chromium, page = browser_fixtures()
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API keeps an event loop in the main thread; the ORM calls the tests make
# between browser steps are still plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1366, "height": 850}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000


def chromium_path() -> str | None:
    path = os.environ.get("RELASI_CHROMIUM", "/usr/bin/chromium")
    if Path(path).exists():
        return path
    return shutil.which("chromium")


def launch(playwright: Any) -> Any:
    path = chromium_path()
    if path is None:
        pytest.skip("Debian's chromium is not installed")
    return playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)


_SHARED: dict[str, Any] = {}


def shared_browser() -> Any:
    """The one Chromium of this test process (started on first use, closed at exit)."""
    if "browser" not in _SHARED:
        import atexit

        from playwright.sync_api import expect, sync_playwright

        expect.set_options(timeout=TIMEOUT_MS)  # two shared cores: be patient
        playwright = sync_playwright().start()
        _SHARED["playwright"] = playwright
        _SHARED["browser"] = launch(playwright)

        def close() -> None:
            _SHARED.pop("browser").close()
            _SHARED.pop("playwright").stop()

        atexit.register(close)
    return _SHARED["browser"]


def browser_fixtures() -> tuple[Any, Any]:
    """Return the (`chromium`, `page`) fixtures; assign them to module-level names."""

    @pytest.fixture(scope="session")
    def chromium() -> Iterator[Any]:
        # Every test module calls browser_fixtures(), so pytest sees one session fixture per
        # module; a second sync_playwright() in the same session fails ("Sync API inside the
        # asyncio loop"). All of them share one Playwright and one browser, closed at exit.
        yield shared_browser()

    @pytest.fixture
    def page(chromium: Any) -> Iterator[Any]:
        context = chromium.new_context(viewport=DESKTOP, locale="en-GB")
        context.set_default_timeout(TIMEOUT_MS)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        context.close()
        assert not errors, f"JavaScript errors in the page: {errors}"

    return chromium, page


def personas() -> Any:
    """The standard personas, in a transactional database (roles re-created first)."""
    from relasi.accounts.models import Role
    from relasi.accounts.roles import ensure_default_roles
    from relasi.core.testing import make_personas

    ensure_default_roles(Role)
    return make_personas()


def log_in(page: Any, base_url: str, username: str, next_path: str = "") -> None:
    from relasi.core.testing import PASSWORD

    response = page.goto(
        f"{base_url}/accounts/login/" + (f"?next={next_path}" if next_path else "")
    )
    assert response is not None and response.ok, (
        f"sign-in page answered {response and response.status}"
    )
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("#login-button")


def horizontal_overflow(page: Any) -> list[str]:
    """What makes the page itself scroll sideways (empty when it does not). Inner scroll
    containers such as .table-responsive, and hidden off-canvas panels, are fine."""
    page.wait_for_load_state("load")  # measure with the style sheets applied
    return list(
        page.evaluate(
            """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width + 1) return [];
  return Array.from(document.querySelectorAll("body *"))
    .filter((el) => el.getBoundingClientRect().right > width + 1
      && !el.closest(".table-responsive, .offcanvas, .offcanvas-lg, .offcanvas-xxl, .modal")
      && el.offsetParent !== null)
    .slice(0, 8)
    .map((el) => `${el.tagName.toLowerCase()}.${el.className} (right edge at `
      + `${Math.round(el.getBoundingClientRect().right)}px): ${el.textContent.trim().slice(0, 40)}`)
    .concat([`document is ${document.documentElement.scrollWidth}px wide`]);
}"""
        )
    )
