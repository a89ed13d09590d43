"""`ecsbot playground`, and `ecsbot run` choosing it when Slack is not configured."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import bot.cli.playground as playground_module
from bot.cli import main
from bot.playground import PlaygroundServer, local_settings
from bot.settings import Settings
from bot.slack import Services


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What `serve_playground` was started with, instead of serving."""
    calls: list[dict[str, Any]] = []

    async def serve_playground(
        server: PlaygroundServer, services: Services, *, port: int, ready: Any
    ) -> None:
        calls.append({"server": server, "services": services, "port": port})
        ready(f"http://127.0.0.1:{port}/")

    monkeypatch.setattr(playground_module, "serve_playground", serve_playground)
    monkeypatch.setattr(playground_module, "configure_logging", lambda *args: None)
    return calls


def test_run_starts_the_playground_without_slack(
    served: list[dict[str, Any]], tmp_path: Path
) -> None:
    """`ecsbot run` (what `make run` starts) with no Slack credentials starts the playground on
    PORT (3000), with generated local credentials, the local database and no Redis."""
    result = CliRunner().invoke(main, ["run"], env={"REDIS_URL": "redis://127.0.0.1:1/0"})
    assert result.exit_code == 0, result.output
    assert "Slack is not configured" in result.stderr
    assert "Playground: open http://127.0.0.1:3000/ in your browser" in result.stdout
    [call] = served
    settings = call["server"].settings
    assert call["port"] == 3000
    assert settings.slack_bot_token.get_secret_value().startswith("xoxb-playground-")
    assert len(settings.slack_signing_secret.get_secret_value()) == 64
    assert settings.redis_url is None
    # The real database's recorder (batched by `ecsbot serve`'s wiring), not the null one.
    assert call["services"].recorder.__class__.__name__ in {"Recorder", "BatchingRecorder"}
    assert (tmp_path / "data" / "ecsbot.db").exists()


def test_each_run_generates_new_credentials() -> None:
    """No fixed secret ships with the playground, and none of the person's Slack settings is
    used: two runs sign with different secrets and tokens."""
    mine = Settings(slack_bot_token="xoxb-real-one", slack_app_token="xapp-real-one")
    first, second = local_settings(mine), local_settings(mine)
    assert first.slack_app_token is None and first.slack_client_secret is None
    assert first.slack_signing_secret is not None and second.slack_signing_secret is not None
    assert first.slack_bot_token is not None and second.slack_bot_token is not None
    assert (
        first.slack_signing_secret.get_secret_value()
        != second.slack_signing_secret.get_secret_value()
    )
    tokens = {s.get_secret_value() for s in (first.slack_bot_token, second.slack_bot_token)}
    assert len(tokens) == 2 and "xoxb-real-one" not in tokens


def test_a_port_in_use_is_one_clear_line() -> None:
    """`--port` on a port something else holds: one line naming it, exit code 1."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = CliRunner().invoke(main, ["playground", "--port", str(port)])
    assert result.exit_code == 1
    assert f"port {port} is in use: try PORT={port + 1} (make run" in result.stderr
    assert f"or --port {port + 1}" in result.stderr
    assert "Traceback" not in result.output


def test_the_playground_lets_one_person_ask_fast_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Slack's default of 20 questions a minute per user would stop a demo; a limit set in the
    environment is still honoured."""
    monkeypatch.delenv("RATE_LIMIT_PER_MINUTE", raising=False)
    assert local_settings(Settings(_env_file=None)).rate_limit_per_minute == 600
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "5")
    assert local_settings(Settings(_env_file=None)).rate_limit_per_minute == 5
