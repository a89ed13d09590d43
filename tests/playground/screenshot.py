"""Save a screenshot of the playground answering a question: `make screenshot` writes
docs/playground.png with it; the browser tests save one to artifacts/.

    python -m tests.playground.screenshot docs/playground.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from tests.playground.pages import ask
from tests.playground.serving import launch_chromium, playground_process

QUESTION = "how is fargate billed?"
VIEWPORT = {"width": 1200, "height": 980}
MIN_HEIGHT, MAX_HEIGHT = 560, 1400


def answer_screenshot(page: Page, path: Path) -> None:
    """Ask QUESTION in the bot's DM and save the page, the answer in view, at `path`."""
    answer = ask(page, QUESTION)
    answer.locator(".bk-header").first.wait_for()
    page.locator("#messages").evaluate("list => { list.scrollTop = 0; }")
    box = answer.bounding_box()
    if box is not None:  # as tall as the answer needs, the message box right under it
        height = int(min(MAX_HEIGHT, max(MIN_HEIGHT, box["y"] + box["height"] + 110)))
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path))


def main(target: Path) -> None:
    """Start a fresh playground and Chromium, and write the screenshot to `target`."""
    with (
        tempfile.TemporaryDirectory() as directory,
        playground_process(Path(directory)) as running,
        sync_playwright() as playwright,
    ):
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport=VIEWPORT)  # type: ignore[arg-type]
        page.goto(running.url)
        answer_screenshot(page, target)
        browser.close()
    print(f"wrote {target}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/playground.png"))
