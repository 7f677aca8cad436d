"""Take headless-Chromium screenshots of pages of a running Agora, to look at them.

    python scripts/screenshots.py BASE_URL OUT_DIR USERNAME PASSWORD PATH [PATH ...]

Logs in as USERNAME (or stays anonymous if USERNAME is "-"), then saves one PNG per
PATH (full page) into OUT_DIR. Add "@mobile" to a path for a 390 px wide viewport.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main(base: str, out: str, username: str, password: str, *paths: str) -> None:
    Path(out).mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for path in paths:
            mobile = path.endswith("@mobile")
            path = path.removesuffix("@mobile")
            context = browser.new_context(viewport={"width": 390 if mobile else 1280, "height": 900})
            page = context.new_page()
            if username != "-":
                page.goto(base + "/accounts/login/")
                page.fill("#id_username", username)
                page.fill("#id_password", password)
                page.click("button[type=submit]")
                page.wait_for_load_state()
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            name = (path.strip("/").replace("/", "_").replace("?", "_") or "root") + (
                "-mobile" if mobile else ""
            )
            page.screenshot(path=f"{out}/{username}-{name}.png", full_page=True)
            print(f"{out}/{username}-{name}.png")
            context.close()
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
