"""What `ecsbot serve` really serves: the OAuth install routes, a live /healthz, masked logs."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner
from slack_bolt.async_app import AsyncApp

import bot.cli.serve as serve_module
from bot.cli import main
from bot.logs import RedactSecrets
from bot.slack import Cleanup, create_web_app
from bot.slack.standin import BOT_TOKEN
from tests.ports import free_port
from tests.slack.payloads import SIGNING_SECRET
from tests.waiting import SHUTDOWN_SECONDS, STARTUP_SECONDS


def test_client_id_and_secret_serve_the_oauth_install(
    monkeypatch: pytest.MonkeyPatch, slack_kb_dir: Path
) -> None:
    """With SLACK_CLIENT_ID and SLACK_CLIENT_SECRET (no bot token), serve installs via OAuth
    on the bot's database: /slack/install and /slack/oauth_redirect."""
    served: list[AsyncApp] = []

    def run_http(app: AsyncApp, *, host: str, port: int, cleanup: Cleanup) -> None:
        asyncio.run(cleanup())
        served.append(app)

    monkeypatch.setattr(serve_module, "configure_logging", lambda *args, **kwargs: None)
    monkeypatch.setattr(serve_module, "run_http", run_http)
    for name, value in {
        "KNOWLEDGE_DIR": str(slack_kb_dir),
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "shh-not-real",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.stderr
    [app] = served
    assert app.oauth_flow is not None
    assert (app.oauth_flow.install_path, app.oauth_flow.redirect_uri_path) == (
        "/slack/install",
        "/slack/oauth_redirect",
    )
    assert app.client.token is None
    routes = {r.resource.canonical for r in create_web_app(app).router.routes() if r.resource}
    assert {"/slack/install", "/slack/oauth_redirect", "/slack/events"} <= routes


def test_tokens_are_masked_in_logs() -> None:
    """Whatever logs a Slack token, the log line carries it masked."""
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token %s", (BOT_TOKEN,), None)
    assert RedactSecrets().filter(record)
    assert record.getMessage() == "token xoxb-[redacted]"


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=1) as resp:
        return resp.status, resp.read()


def test_serve_really_serves_healthz(slack_kb_dir: Path) -> None:
    """`ecsbot serve` starts an HTTP server: /healthz answers 200 and SIGTERM stops it."""
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "PORT": str(port),
        "KNOWLEDGE_DIR": str(slack_kb_dir),
    }
    command = [sys.executable, "-c", "from bot.cli import main; main()", "serve"]
    with subprocess.Popen(
        [*command, "--host", "127.0.0.1"], env=env, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                try:
                    assert _get(f"http://127.0.0.1:{port}/healthz") == (200, b'{"status": "ok"}')
                    break
                except OSError:
                    assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                    assert time.monotonic() < deadline, "ecsbot serve did not come up"
                    time.sleep(0.1)
        finally:
            proc.terminate()
            _, stderr = proc.communicate(timeout=SHUTDOWN_SECONDS)
    assert BOT_TOKEN not in stderr and SIGNING_SECRET not in stderr
    assert "will be unused" not in stderr  # the app is built without a misleading warning
    assert "Database sqlite:///./data/ecsbot.db at revision " in stderr  # migrated at startup
    assert "Closed the database and Redis connections" in stderr  # and closed on SIGTERM
    assert proc.returncode == 0
