"""Hostile and malformed requests (issue 16): never a 5xx, never a traceback, unsigned always
401 with one short log line; wrong shapes get a 4xx; every event type gets 200."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import pytest
from sqlalchemy import select

from bot.answering import Answerer
from bot.slack.standin import TEAM_ID, SlackStandIn
from bot.storage.models import ProcessedEvent, Question
from tests.slack import payloads
from tests.slack.checks import assert_no_traceback
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.serving import served_with_storage
from tests.slack.test_bad_input import assert_still_serving

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
DEEP = "[" * 1000 + "]" * 1000


def envelope(event: Any, **extra: Any) -> str:
    """An event_callback around anything at all."""
    return json.dumps(
        {"type": "event_callback", "team_id": TEAM_ID, "event_id": "Ev0X", "event": event, **extra}
    )


def interaction(payload: dict[str, Any]) -> str:
    """An interaction as Slack posts it: a form with the JSON in `payload`."""
    return urlencode({"payload": json.dumps(payload)})


def button(**changes: Any) -> str:
    """A real button click's payload with `changes` made to its top level."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    body = payloads.button_click("answer_topic:0", "cost", container=container)
    payload = json.loads(parse_qs(body)["payload"][0])
    return interaction({**payload, **changes})


def mention_without(field: str) -> str:
    """An app_mention lacking `field`."""
    event = payloads.app_mention("<@UBOTTEST> how is fargate billed?", ts=payloads.new_ts())
    del event[field]
    return payloads.event_callback(event)


HOME_WITHOUT_USER = {k: v for k, v in payloads.app_home_opened().items() if k != "user"}

# name: (body, content type, status for a correctly signed request)
SHAPES: dict[str, tuple[str, str, int]] = {
    "JSON 1,000 levels deep": (DEEP, JSON, 400),
    "payload= 1,000 levels deep": (f"payload={quote(DEEP)}", FORM, 400),
    "an event 1,000 levels deep": (
        envelope({"type": "message", "blocks": "@"}).replace('"@"', DEEP),
        JSON,
        400,
    ),
    "an event 100 levels deep": (
        envelope({"type": "message", "blocks": "@"}).replace('"@"', "[" * 100 + "]" * 100),
        JSON,
        400,
    ),
    "charset=bogus": (
        payloads.event_callback(payloads.im_message("what is fargate?")),
        f"{JSON}; charset=bogus",
        200,
    ),
    "event is a string": (envelope("x"), JSON, 400),
    "event is a list": (envelope([{"type": "app_mention"}]), JSON, 400),
    "no event_id": (
        json.dumps({"type": "event_callback", "event": {"type": "reaction_added"}}),
        JSON,
        400,
    ),
    "actions is empty": (button(actions=[]), FORM, 400),
    "an action is a string": (button(actions=["answer_topic:0"]), FORM, 400),
    "action_id is a list": (button(actions=[{"action_id": ["a"], "value": "cost"}]), FORM, 400),
    "user without id": (button(user={"name": "alice"}), FORM, 400),
    "user is a string": (button(user="U0ALICE"), FORM, 400),
    "a lone surrogate in a user id": (
        payloads.event_callback(payloads.im_message("hi", user="U0\ud800")),
        JSON,
        400,
    ),
    "app_mention without ts": (mention_without("ts"), JSON, 400),
    "app_mention without channel": (mention_without("channel"), JSON, 400),
    "app_mention with a numeric text": (
        envelope({**payloads.app_mention("x", ts="1.2"), "text": 42}),
        JSON,
        400,
    ),
    "app_home_opened without user": (payloads.event_callback(HOME_WITHOUT_USER), JSON, 400),
    "authorizations is a string": (
        envelope(payloads.im_message("hi"), authorizations="x"),
        JSON,
        400,
    ),
    "view_submission without view": (
        interaction({"type": "view_submission", "user": {"id": "U1"}}),
        FORM,
        400,
    ),
    "command without user_id": (urlencode({"command": "/ecs-vs-ec2", "text": "hi"}), FORM, 400),
    "type is a number": (json.dumps({"type": 7}), JSON, 404),
    "a shortcut (never configured)": (
        interaction({"type": "shortcut", "callback_id": 1}),
        FORM,
        404,
    ),
    "an unknown form": (urlencode({"foo": "bar"}), FORM, 404),
}


@pytest.mark.asyncio
@pytest.mark.parametrize("case", list(SHAPES))
async def test_hostile_body_signed_gets_a_4xx_and_unsigned_a_401(
    bot: BotUnderTest, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Signed, the request gets its 4xx (or, well-formed, 200); unsigned, 401 and one short
    log line naming the reason, size and content type, never a word of the body. No
    traceback either way, and the next question is answered."""
    body, content_type, status = SHAPES[case]
    signed = {**payloads.signed_headers(body), "Content-Type": content_type}
    unsigned = {"Content-Type": content_type}
    with caplog.at_level(logging.DEBUG):
        assert (await bot.post(body, headers=signed)).status == status
        caplog.clear()
        assert (await bot.post(body, headers=unsigned)).status == 401
        [line] = [r for r in caplog.records if r.name == "bot.slack.server"]
        size = len(body.encode())
        assert (
            line.getMessage() == f"Refused a request: no signature ({size} bytes, {content_type!r})"
        )
        await assert_still_serving(bot, already=1 if status == 200 else 0)
    assert_no_traceback(caplog.records)


UNHANDLED = [
    {
        "type": "reaction_added",
        "user": "U0ALICE",
        "reaction": "thumbsup",
        "item": {"type": "message", "channel": "C0GENERAL", "ts": "1.2"},
        "event_ts": "1.3",
    },
    {"type": "member_joined_channel", "user": "U0ALICE", "channel": "C0GENERAL", "event_ts": "1.3"},
    {
        "type": "file_shared",
        "file_id": "F0000001",
        "user_id": "U0ALICE",
        "file": {"id": "F0000001"},
        "event_ts": "1.3",
    },
    {"type": "team_join", "user": {"id": "U0NEW"}, "event_ts": "1.3"},
]


@pytest.mark.asyncio
@pytest.mark.parametrize("event", UNHANDLED, ids=[e["type"] for e in UNHANDLED])
async def test_events_the_bot_does_not_act_on_get_200_and_a_debug_line(
    bot: BotUnderTest, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Slack counts any other answer as a failed delivery: 200, nothing posted, DEBUG only."""
    with caplog.at_level(logging.DEBUG):
        assert (await bot.event(event)).status == 200
        await assert_still_serving(bot)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert f"Acknowledged a {event['type']} event the bot does not act on" in caplog.messages
    assert [c.method for c in bot.api.calls] == ["chat.postMessage"]


def surrogate_cases() -> dict[str, tuple[dict[str, Any], str]]:
    """A DM with a lone surrogate in its text or its event id (JSON can carry them, UTF-8
    cannot), and the event id it is delivered under. (In a user id it is a 400: a Slack id
    is upper-case letters and digits.)"""
    out_of_scope = "\ud800 what is the weather in Paris?"
    return {
        "question text": (payloads.im_message(out_of_scope), "Ev0SURROGATE1"),
        "event id": (payloads.im_message("what is the weather today?"), "Ev0\udfff"),
    }


@pytest.mark.asyncio
@pytest.mark.parametrize("case", list(surrogate_cases()))
async def test_a_lone_surrogate_is_answered_and_stored(
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    tmp_path: Path,
    case: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The edge replaces the lone surrogate: the question is answered, recorded in the
    database (and its event id claimed there), and nothing fails to encode."""
    event, event_id = surrogate_cases()[case]
    settings = bot_settings(slack_api, database_url=f"sqlite:///{tmp_path / 'ecsbot.db'}")
    with caplog.at_level(logging.INFO):
        async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
            assert (await bot.event(event, event_id=event_id)).status == 200
            [answer] = await slack_api.wait_for("chat.postMessage")
    # Leaving the server waited for the question's record, written after the answer.
    with storage.engine.connect() as connection:
        samples = connection.execute(select(Question.sample)).scalars().all()
        keys = connection.execute(select(ProcessedEvent.key)).scalars().all()
    assert answer.body["text"].startswith("I don't cover that")
    assert len(samples) == 1 and "\ud800" not in samples[0]
    assert f"event:{event_id}".replace("\udfff", "\ufffd") in keys
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert_no_traceback(caplog.records)


@pytest.mark.asyncio
@pytest.mark.parametrize("response_url", [None, "", "not a url", "javascript:alert(1)"])
async def test_a_command_without_a_usable_response_url_is_answered_in_the_ack(
    bot: BotUnderTest, response_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    """No response_url to answer through: the answer comes in the ack itself, privately."""
    fields = dict(parse_qs(payloads.slash_command("how is fargate billed?", "x")))
    form = {k: v[0] for k, v in fields.items() if k != "response_url"}
    if response_url is not None:
        form["response_url"] = response_url
    with caplog.at_level(logging.INFO):
        response = await bot.post(urlencode(form))
    assert response.status == 200
    ack = json.loads(response.text)
    assert ack["response_type"] == "ephemeral"
    assert ack["text"].startswith("How ECS and EC2 are priced")
    assert ack["blocks"][0]["type"] == "header"
    assert bot.api.calls == []
    assert_no_traceback(caplog.records)
