"""Playground fixtures: the in-process servers for fast tests, a real process and Chromium for
the browser tests.

Browser tests (marked `browser`, all in test_browser.py) share one Chromium and one
`ecsbot playground` process; each test gets a fresh page that fails the test on a console error, an
uncaught exception, or any request that leaves the playground's own address.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.sync_api import Browser, Page, Route, sync_playwright

from bot.answering import Answerer, Recommender, load_recommender
from bot.playground import PlaygroundServer, local_settings
from bot.settings import Settings
from bot.slack import Services
from tests.playground.serving import CHROMIUM, RunningPlayground, launch_chromium
from tests.playground.serving import playground_process as start_playground

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"  # gitignored


@pytest.fixture(scope="session")
def playground_recommender() -> Recommender:
    """The shipped "Help me choose" config, keyed like a playground run."""
    return load_recommender(local_settings(Settings()))


@pytest_asyncio.fixture
async def server(
    answerer: Answerer, playground_recommender: Recommender
) -> AsyncIterator[PlaygroundServer]:
    """The playground's three servers in this process, on free ports, recording nothing."""
    server = PlaygroundServer(local_settings(Settings()))
    services = Services(answerer=answerer, recommender=playground_recommender)
    await server.start(services, port=0)
    yield server
    await server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium for the module (skipped without it, except in CI). Module scope:
    Playwright's sync API holds an event loop while it runs, which async tests elsewhere must
    not meet; the browser tests all live in one module, so this is one browser per session."""
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; .ci/run installs it")
        pytest.skip(reason)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlayground]:
    """A real `ecsbot playground` process on a free port and its own SQLite file."""
    with start_playground(tmp_path_factory.mktemp("playground")) as running:
        yield running
    log = running.output()
    assert running.process.returncode == 0, log
    assert "Traceback" not in log, log


@dataclass
class Watch:
    """What a page did that it must not: leave 127.0.0.1, log an error, throw."""

    origin: str
    outside: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def route(self, route: Route) -> None:
        """Let requests to the playground through; stop and note any other."""
        if route.request.url.startswith(self.origin):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.fixture
def page(browser: Browser, playground: RunningPlayground) -> Iterator[Page]:
    """A fresh page on the playground; fails the test on console errors, page errors and
    requests that leave the playground's address."""
    watch = Watch(origin=playground.url)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.route("**/*", watch.route)
    page = context.new_page()
    page.on(
        "request", lambda r: None if r.url.startswith(watch.origin) else watch.outside.append(r.url)
    )
    page.on("console", lambda m: watch.problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: watch.problems.append(str(error)))
    page.goto(playground.url)
    page.locator("body[data-connected]").wait_for(state="attached")  # the snapshot is shown
    yield page
    context.close()
    assert watch.outside == [], f"requests left 127.0.0.1: {watch.outside}"
    assert watch.problems == [], f"console errors: {watch.problems}"


@pytest.fixture
def artifacts() -> Path:
    """A gitignored folder for screenshots the tests leave behind."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
