"""Faults while running: the database or Redis down, Slack failing; answers keep coming."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.answering import Answerer
from bot.slack import create_app
from bot.slack.listeners.actions import VOTE_NOT_SAVED
from bot.slack.listeners.common import SORRY
from bot.slack.standin import TEAM_ID, SlackStandIn
from bot.storage.models import ProcessedEvent
from tests.slack import payloads
from tests.slack.conftest import FakeRecorder, bot_settings
from tests.slack.faults import (
    DB_PASSWORD,
    REDIS_PASSWORD,
    down_database_url,
    down_redis_url,
    retry_headers,
    vote,
)
from tests.slack.serving import served_with_storage, serving
from tests.slack.test_resilience import FAST_OUTBOX


@pytest.mark.asyncio
async def test_database_down_while_running_still_answers_and_says_the_vote_was_not_saved(
    slack_api: SlackStandIn, slack_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """With the database gone after startup, questions are answered, a vote gets "not saved",
    the failed writes are logged, and the log never shows the database password."""
    settings = bot_settings(slack_api, database_url=down_database_url())
    with caplog.at_level(logging.INFO):
        serve = served_with_storage(settings, slack_answerer, slack_api, migrate=False)
        async with serve as (bot, _):
            assert (await bot.event(payloads.im_message("how is fargate billed?"))).status == 200
            [answer] = await slack_api.wait_for("chat.postMessage")
            command_answer = (await bot.command("what is fargate?")).reply()
            await vote(bot)
            [note] = await slack_api.wait_for("response_url")
    assert answer.body["text"].startswith("How ECS and EC2 are priced")
    assert command_answer.body["text"].startswith("What AWS Fargate is")
    assert (note.body["text"], note.body["response_type"]) == (VOTE_NOT_SAVED, "ephemeral")
    messages = [r.getMessage() for r in caplog.records]
    masked = "postgresql+psycopg://ecsbot:***@127.0.0.1"
    assert any(m.startswith(f"Failed to record feedback in {masked}") for m in messages)
    # Questions are written in batches; at shutdown the batch that could not be written is
    # logged as lost.
    assert any(m.startswith("Failed to record 2 question(s)") and masked in m for m in messages)
    assert "Lost 2 question record(s) at shutdown" in messages
    assert DB_PASSWORD not in caplog.text


@pytest.mark.asyncio
async def test_redis_down_dedupe_falls_back_to_the_database_with_a_warning(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """With Redis unreachable an event and its retries still get exactly one reply: the
    database claims the event id, and the log says so once, without Redis's password."""
    settings = bot_settings(
        slack_api,
        database_url=f"sqlite:///{tmp_path / 'ecsbot.db'}",
        redis_url=down_redis_url(),
    )
    message = payloads.im_message("what is fargate?")
    body = payloads.event_callback(message, event_id="Ev0NOREDIS")
    with caplog.at_level(logging.WARNING):
        async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
            for retry in (None, 1, 2):
                response = await bot.post(body, form=False, headers=retry_headers(body, retry))
                assert response.status == 200
            [answer] = await slack_api.wait_for("chat.postMessage")
            await settle_a_moment()
            assert slack_api.of("chat.postMessage") == [answer]
            with storage.engine.connect() as connection:
                keys = connection.execute(select(ProcessedEvent.key)).scalars().all()
    assert sorted(keys) == sorted(
        [
            "event:Ev0NOREDIS",
            f"message:{TEAM_ID}:{message['channel']}:{message['ts']}",
            f"message:{TEAM_ID}:client_msg_id:{message['client_msg_id']}",
        ]
    )
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    fallback = [w for w in warnings if "event dedupe falls back to the database" in w]
    assert len(fallback) == 1
    assert fallback[0].startswith("Redis at redis://:***@127.0.0.1:")
    assert REDIS_PASSWORD not in caplog.text


async def settle_a_moment() -> None:
    """Time for a second reply to arrive, were there going to be one."""
    await asyncio.sleep(0.3)


class StuckRecorder(FakeRecorder):
    """A recorder whose writes hang until `release` is set: a very slow database."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def record_question(self, *args: Any, **kwargs: Any) -> bool:
        await self.release.wait()
        return await super().record_question(*args, **kwargs)

    async def record_served(self, *args: Any, **kwargs: Any) -> bool:
        await self.release.wait()
        return await super().record_served(*args, **kwargs)


@pytest.mark.asyncio
async def test_a_slow_database_never_delays_an_answer(
    slack_api: SlackStandIn, slack_answerer: Answerer
) -> None:
    """Answers are posted before they are recorded: a hanging write holds up no reply."""
    recorder = StuckRecorder()
    app = create_app(bot_settings(slack_api), slack_answerer, recorder=recorder)
    async with serving(app, slack_api) as bot:
        await bot.event(payloads.im_message("how is fargate billed?"))
        answer = (await bot.command("what is fargate?")).reply()
        assert answer.body["text"].startswith("What AWS Fargate is")
        container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
        await bot.click("answer_topic:0", "cost", container=container)
        await slack_api.wait_for("chat.postMessage", 2)
        assert recorder.questions == recorder.served == []
        recorder.release.set()
        assert len(await recorder.asked(2)) == 2
        assert len(await recorder.answers_served(1)) == 1


FAILURES = ["429", "503", "timeout"]


def fail_once(api: SlackStandIn, failure: str, method: str = "chat.postMessage") -> None:
    """Make the next call to `method` fail with `failure`."""
    if failure == "timeout":
        api.stall_next(method, 5)
    else:
        api.fail_next(method, int(failure), **{"Retry-After": "0"})


@pytest.mark.asyncio
@pytest.mark.parametrize("failure", FAILURES)
async def test_a_failing_slack_call_is_retried(
    slack_api: SlackStandIn, slack_answerer: Answerer, failure: str
) -> None:
    """A 429, a 5xx or a timeout from the Web API is retried, and the answer arrives."""
    fail_once(slack_api, failure)
    app = create_app(bot_settings(slack_api, slack_api_timeout=1), slack_answerer)
    async with serving(app, slack_api) as bot:
        await bot.event(payloads.im_message("how is fargate billed?"))
        [answer] = await slack_api.wait_for("chat.postMessage", timeout=10)
    tag = "stalled" if failure == "timeout" else failure
    assert [c.method for c in slack_api.calls] == [f"chat.postMessage:{tag}", "chat.postMessage"]
    assert answer.body["text"].startswith("How ECS and EC2 are priced")


@pytest.mark.asyncio
async def test_slack_failing_every_way_in_turn_still_delivers_once_and_serving_goes_on(
    slack_api: SlackStandIn, slack_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """429, then 5xx, then a timeout: the outbox retries past each (looking in the DM before
    re-posting what Slack may have taken), the answer arrives once, no apology, and the next
    question is answered as usual."""
    for failure in FAILURES:
        fail_once(slack_api, failure)
    settings = bot_settings(slack_api, slack_api_timeout=1, **FAST_OUTBOX)
    app = create_app(settings, slack_answerer)
    with caplog.at_level(logging.INFO):
        async with serving(app, slack_api) as bot:
            await bot.event(payloads.im_message("how is fargate billed?"))
            [answer] = await slack_api.wait_for("chat.postMessage", timeout=15)
            await bot.event(payloads.im_message("what is fargate?"))
            _, second = await slack_api.wait_for("chat.postMessage", 2)
            async with bot.client.get("/healthz") as resp:
                assert resp.status == 200
    methods = [c.method for c in slack_api.calls]
    assert methods[:3] == [
        "chat.postMessage:429",
        "chat.postMessage:503",
        "chat.postMessage:stalled",
    ]
    assert answer.body["text"].startswith("How ECS and EC2 are priced")
    assert second.body["text"].startswith("What AWS Fargate is")
    assert SORRY not in [c.body["text"] for c in slack_api.of("chat.postMessage")]
    assert "(TimeoutError); attempt 4" in caplog.text
