"""Take the README screenshots from a running, seeded Relasi with Debian's Chromium.

    make run                                   # in another terminal (seeded demo)
    .venv/bin/python scripts/screenshots.py    # writes docs/screenshots/*.png

Options: --url (default http://127.0.0.1:8000), --user (default manajer.jkt), --credentials
(default var/demo-credentials.txt, whose `password:` line is used), --lang (en or id)."""

import argparse
import re
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--user", default="manajer.jkt")
    parser.add_argument("--credentials", default=str(ROOT / "var" / "demo-credentials.txt"))
    parser.add_argument("--lang", default="en")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    opts = parser.parse_args()
    text = Path(opts.credentials).read_text()
    match = re.search(r"password:\s*(\S+)", text)
    if not match:
        raise SystemExit(f"no 'password:' line in {opts.credentials}")
    password = match.group(1)
    out = Path(opts.out)
    out.mkdir(parents=True, exist_ok=True)
    base = opts.url.rstrip("/")

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=opts.chromium, headless=True, args=ARGS)
        locale = "id-ID" if opts.lang == "id" else "en-GB"

        def session(viewport: dict[str, int], scale: float = 1) -> object:
            ctx = browser.new_context(viewport=viewport, device_scale_factor=scale, locale=locale)
            page = ctx.new_page()
            page.goto(f"{base}/accounts/login/")
            page.fill("input[name=username]", opts.user)
            page.fill("input[name=password]", password)
            with page.expect_navigation():
                page.click("#login-button")
            # The user's preferred language wins at sign-in; switch to the one asked for.
            if page.locator("html").get_attribute("lang") != opts.lang:
                page.click("#lang-menu")
                with page.expect_navigation():
                    page.click(f"button[name=language][value={opts.lang}]")
            return page

        desktop = session({"width": 1440, "height": 900})
        desktop.goto(f"{base}/customers/people/")
        desktop.wait_for_load_state("networkidle")
        desktop.screenshot(path=out / "people-list.png")
        print("people-list.png")

        first = desktop.locator("table.table-records tbody a").first
        first.click()
        desktop.wait_for_load_state("networkidle")
        desktop.screenshot(path=out / "customer-360.png", full_page=True)
        print("customer-360.png")

        phone = session({"width": 375, "height": 812}, scale=2)
        phone.goto(f"{base}/customers/people/")
        phone.wait_for_load_state("networkidle")
        phone.screenshot(path=out / "people-list-phone.png")
        print("people-list-phone.png")
        browser.close()


if __name__ == "__main__":
    main()
