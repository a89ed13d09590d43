"""A real `ecsbot playground` process and Debian's Chromium, for browser tests and screenshots.

Playwright drives the system's Chromium (`apt-get install chromium`); no browser is ever
downloaded. The playground runs as `make run` would start it, on a free port and its own
SQLite file.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Browser, Playwright

from tests.waiting import SHUTDOWN_SECONDS, STARTUP_SECONDS

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PLAYGROUND = [sys.executable, "-c", "from bot.cli import main; main()", "playground"]
ADDRESS = re.compile(r"http://127\.0\.0\.1:\d+/")
# Variables of the developer's own setup the playground must not see.
PRIVATE_PREFIXES = ("SLACK_", "DATABASE_URL", "REDIS_", "KNOWLEDGE_DIR", "PORT", "USER_HASH")


@dataclass
class RunningPlayground:
    """A started `ecsbot playground`: its page, database and log."""

    url: str
    database_url: str
    log: Path
    process: subprocess.Popen[bytes]

    def output(self) -> str:
        """What the process printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")


def playground_env(database_url: str) -> dict[str, str]:
    """The caller's environment without private settings, on `database_url`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(PRIVATE_PREFIXES)}
    return {**env, "DATABASE_URL": database_url}


def _wait_for_address(log: Path, process: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS  # a deadline: under load each poll is slower
    while time.monotonic() < deadline:
        if found := ADDRESS.search(log.read_text(encoding="utf-8", errors="replace")):
            return found.group(0)
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"ecsbot playground never printed its address:\n{log.read_text()}")


@contextmanager
def playground_process(directory: Path) -> Iterator[RunningPlayground]:
    """`ecsbot playground --port 0` in `directory`, until the block ends (then SIGTERM)."""
    database_url = f"sqlite:///{directory / 'playground.db'}"
    log = directory / "playground.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*PLAYGROUND, "--port", "0"],
            cwd=directory,
            env=playground_env(database_url),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        url = _wait_for_address(log, process)
        yield RunningPlayground(url, database_url, log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=SHUTDOWN_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless, with its background traffic switched off."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
