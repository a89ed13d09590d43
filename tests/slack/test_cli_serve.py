"""`ecsbot serve` and `ecsbot run` at startup: configuration errors and the choice of mode.

The runners are stubbed; tests/slack/test_cli_serve_app.py covers what really gets served.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import bot.cli.serve as serve_module
from bot.cli import main
from bot.slack import Cleanup
from bot.slack.standin import BOT_TOKEN
from tests.ports import free_port
from tests.slack.payloads import SIGNING_SECRET


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch, slack_kb_dir: Path) -> list[tuple[str, Any]]:
    """Which runner `serve` started, instead of really serving; storage is closed at once."""
    calls: list[tuple[str, Any]] = []
    monkeypatch.setenv("KNOWLEDGE_DIR", str(slack_kb_dir))
    monkeypatch.setattr(serve_module, "configure_logging", lambda *args, **kwargs: None)

    def run_http(app: Any, *, host: str, port: int, cleanup: Cleanup) -> None:
        asyncio.run(cleanup())
        calls.append(("http", port))

    def run_socket_mode(app: Any, token: str, *, cleanup: Cleanup) -> None:
        asyncio.run(cleanup())
        calls.append(("socket", token))

    monkeypatch.setattr(serve_module, "run_http", run_http)
    monkeypatch.setattr(serve_module, "run_socket_mode", run_socket_mode)
    monkeypatch.setattr(serve_module, "settle_heap", lambda: calls.append(("settled", None)))
    return calls


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"SLACK_BOT_TOKEN": BOT_TOKEN}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_SIGNING_SECRET": SIGNING_SECRET}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_APP_TOKEN": "xoxb-wrong"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": " "}, "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "shh"}, "SLACK_SIGNING_SECRET"),
        (
            {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "shh", "SLACK_APP_TOKEN": "xapp-1"},
            "SLACK_APP_TOKEN",
        ),
    ],
)
def test_serve_with_bad_configuration_exits_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    started: list[tuple[str, Any]],
    env: dict[str, str],
    variable: str,
) -> None:
    """Missing or malformed configuration: one line naming the variable, exit code 2."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith(f"configuration error: {variable}: ")
    assert BOT_TOKEN not in result.output + result.stderr
    assert started == []


def test_serve_with_broken_recommendation_config_lists_the_problem(
    monkeypatch: pytest.MonkeyPatch,
    started: list[tuple[str, Any]],
    slack_kb_dir: Path,
    tmp_path: Path,
) -> None:
    """A broken recommendation.yaml stops `serve` with the problem named, not a traceback."""
    broken = tmp_path / "kb"
    shutil.copytree(slack_kb_dir, broken)
    (broken / "recommendation.yaml").write_text("facets: [\n", encoding="utf-8")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(broken))
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 2
    assert "recommendation.yaml" in result.stderr
    assert "YAML syntax error" in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert started == []


def test_serve_reads_dotenv(
    started: list[tuple[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Settings come from a .env file in the working directory too."""
    env_file = f"SLACK_BOT_TOKEN={BOT_TOKEN}\nSLACK_SIGNING_SECRET={SIGNING_SECRET}\nPORT=3999\n"
    (tmp_path / ".env").write_text(env_file, encoding="utf-8")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.stderr
    assert started == [("settled", None), ("http", 3999)]


def test_unreachable_database_at_startup_is_one_line_with_the_password_masked(
    monkeypatch: pytest.MonkeyPatch, started: list[tuple[str, Any]]
) -> None:
    """`ecsbot serve` cannot migrate a database that is not there: one line, exit code 1."""
    url = f"postgresql+psycopg://bot:pw-not-real-123@127.0.0.1:{free_port()}/ecsbot"
    for name, value in {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": url,
    }.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("Error: database postgresql+psycopg://bot:***@127.0.0.1:")
    assert "pw-not-real-123" not in result.output + result.stderr
    assert started == []


def test_app_token_switches_to_socket_mode(
    monkeypatch: pytest.MonkeyPatch, started: list[tuple[str, Any]]
) -> None:
    """With SLACK_APP_TOKEN, serve connects over Socket Mode; no signing secret needed."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-test-1-fake")
    result = CliRunner().invoke(main, ["serve"])
    assert result.exit_code == 0, result.stderr
    assert started == [("settled", None), ("socket", "xapp-test-1-fake")]


def test_run_serves_slack_when_configured(
    monkeypatch: pytest.MonkeyPatch, started: list[tuple[str, Any]]
) -> None:
    """`ecsbot run` (what `make run` starts) serves Slack when credentials are there."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
    result = CliRunner().invoke(main, ["run"])
    assert result.exit_code == 0, result.stderr
    assert started == [("settled", None), ("http", 3000)]
