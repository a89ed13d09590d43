"""What the logs keep (issue 11 §5): a refused request is one short line without its body;
no misleading warning at start; auth.test once at start-up, whatever arrives at once."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import pytest

from bot.answering import Answerer, Recommender
from bot.cli.serve import build_app
from bot.slack import create_app
from bot.slack.standin import BOT_TOKEN, SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.oauth import oauth_settings
from tests.slack.serving import serving, storage_for

SECRET_BODY_PARTS = [
    "verification-token-unused",  # the legacy verification token
    "alice",  # the user's name
    payloads.USER_ID,
    "fargate",  # the question
    "/response/",  # the still-valid response_url
]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("reason", "headers"),
    [
        ("no signature", lambda body: {"Content-Type": "application/x-www-form-urlencoded"}),
        ("wrong signature", lambda body: payloads.signed_headers(body, secret="not-the-secret")),
        (
            "stale timestamp",
            lambda body: payloads.signed_headers(body, timestamp=int(time.time()) - 600),
        ),
    ],
)
async def test_a_refused_request_is_one_line_without_its_body(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture, reason: str, headers: object
) -> None:
    """A slash command that fails the signature or timestamp check: 401 and one line with
    the reason, the size and the content type; nothing of what the body carries."""
    body = payloads.slash_command("how is fargate billed?", bot.api.response_url())
    with caplog.at_level(logging.DEBUG):
        response = await bot.post(body, headers=headers(body))  # type: ignore[operator]
    assert response.status == 401
    [line] = [r for r in caplog.records if r.name.startswith(("bot.", "slack_bolt"))]
    size = len(body.encode())
    assert line.getMessage() == (
        f"Refused a request: {reason} ({size} bytes, 'application/x-www-form-urlencoded')"
    )
    assert line.levelno == logging.INFO
    for part in SECRET_BODY_PARTS:
        assert part not in caplog.text


@pytest.mark.asyncio
@pytest.mark.parametrize("mode", ["bot token", "OAuth"])
async def test_building_the_app_logs_no_misleading_warning(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    tmp_path: Path,
    mode: str,
) -> None:
    """With SLACK_BOT_TOKEN in the environment, as in production, building the app as
    `ecsbot serve` does warns of nothing (it used to say the token "will be unused")."""
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    if mode == "bot token":
        settings = bot_settings(slack_api, database_url=f"sqlite:///{tmp_path / 'ecsbot.db'}")
    else:
        settings = oauth_settings(slack_api, tmp_path)
        monkeypatch.delenv("SLACK_BOT_TOKEN")  # OAuth deployments have none
    async with storage_for(settings) as storage:
        with caplog.at_level(logging.INFO):
            app = build_app(settings, slack_answerer, storage)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert str(app.client.base_url) == slack_api.api_url  # Bolt's own client, tuned
    assert app.client.token == (BOT_TOKEN if mode == "bot token" else None)


@pytest.mark.asyncio
async def test_a_burst_at_start_up_calls_auth_test_once(bot: BotUnderTest) -> None:
    """auth.test runs once as the server starts; 50 requests arriving at once reuse it."""
    assert bot.api.auth_tests == 1
    events = [bot.event(payloads.im_message(f"what is fargate? {n}")) for n in range(50)]
    assert {r.status for r in await asyncio.gather(*events)} == {200}
    await bot.api.wait_for("chat.postMessage", 50)
    assert bot.api.auth_tests == 1


@pytest.mark.asyncio
async def test_auth_test_failing_at_start_up_is_retried_on_the_first_request(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    slack_recommender: Recommender,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Slack failing as the bot starts: one WARNING, serving starts anyway, and the first
    request authorizes as usual."""
    slack_api.fail_next("auth.test", 200, error="fatal_error")  # ok: false, not retried
    app = create_app(bot_settings(slack_api), slack_answerer, recommender=slack_recommender)
    with caplog.at_level(logging.WARNING):
        async with serving(app, slack_api) as bot:
            await bot.event(payloads.im_message("what is fargate?"))
            [answer] = await slack_api.wait_for("chat.postMessage")
    assert answer.body["text"].startswith("What AWS Fargate is")
    assert slack_api.auth_tests == 1
    [warning] = [r.getMessage() for r in caplog.records if r.name == "bot.slack.app"]
    assert warning.startswith("auth.test failed at start-up")
