"""Bad input: malformed bodies, wrong content types, oversized requests, unknown actions and
huge messages get a 4xx or a friendly reply, and the next request is served as usual."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.slack.listeners.common import SORRY
from tests.slack import payloads
from tests.slack.checks import assert_no_ping, assert_valid_blocks
from tests.slack.conftest import BotUnderTest

MB = 1024 * 1024
HUGE = "how is fargate billed? " + "a fairly long question about ecs and ec2 " * 2500  # ~100 kB


def signed(body: str | bytes, content_type: str | None) -> dict[str, str]:
    """Correctly signed headers for `body`, with `content_type` (or none at all)."""
    headers = payloads.signed_headers(body, form=False)
    del headers["Content-Type"]
    return headers if content_type is None else {**headers, "Content-Type": content_type}


def _event(text: str) -> str:
    return payloads.event_callback(payloads.im_message(text))


BAD: dict[str, tuple[str | bytes, str | None, int]] = {
    "malformed JSON": ('{"type": "event_callback", "event": {', "application/json", 400),
    "JSON that is not an object": ("[1, 2, 3]", "application/json", 400),
    "JSON string": ('"event_callback"', "application/json", 400),
    "payload that is not JSON": ("payload=%7Bnot+json", "application/x-www-form-urlencoded", 400),
    "not UTF-8": (b'{"type": "\xff\xfe"}', "application/json", 400),
    "plain text": (_event("what is fargate?"), "text/plain", 415),
    "multipart": ("--x\r\n\r\nhi\r\n--x--", "multipart/form-data; boundary=x", 415),
    "no content type": (_event("what is fargate?"), None, 415),
    "XML": ("<xml/>", "application/xml", 415),
    "unknown form fields": ("foo=bar&baz=1", "application/x-www-form-urlencoded", 404),
}


async def assert_still_serving(bot: BotUnderTest, already: int = 0) -> None:
    """The next ordinary question is answered."""
    assert (await bot.event(payloads.im_message("what is fargate?"))).status == 200
    calls = await bot.api.wait_for("chat.postMessage", already + 1)
    assert calls[-1].body["text"].startswith("What AWS Fargate is")


@pytest.mark.asyncio
@pytest.mark.parametrize("case", list(BAD))
async def test_bad_body_gets_a_4xx_and_the_next_request_is_served(
    bot: BotUnderTest, case: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A body Slack would never send is refused with a 4xx, not a 500, and acts on nothing."""
    body, content_type, status = BAD[case]
    data = body.encode() if isinstance(body, str) else body
    with caplog.at_level(logging.WARNING):
        async with bot.client.post(
            "/slack/events", data=data, headers=signed(body, content_type)
        ) as resp:
            assert resp.status == status
        await assert_still_serving(bot)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.asyncio
async def test_unsigned_garbage_is_refused_without_an_error(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """Malformed JSON without a signature: 401 before anything else reads it."""
    headers = {"Content-Type": "application/json"}
    with caplog.at_level(logging.WARNING):
        assert (await bot.post("{{{", form=False, headers=headers)).status == 401
        await assert_still_serving(bot)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.asyncio
async def test_body_over_one_megabyte_is_413_and_the_next_request_is_served(
    bot: BotUnderTest,
) -> None:
    """An oversized body is refused and the server carries on."""
    body = _event("x" * (MB + 1))
    async with bot.client.post(
        "/slack/events", data=io.BytesIO(body.encode()), headers=signed(body, "application/json")
    ) as resp:
        assert resp.status == 413
    await assert_still_serving(bot)


@pytest.mark.asyncio
@pytest.mark.parametrize("action_id", ["no_such_action", "answer_topic:x", "feedback:maybe"])
async def test_unknown_action_id_is_404_and_the_next_request_is_served(
    bot: BotUnderTest, action_id: str
) -> None:
    """A click on a button this version does not know is refused (Bolt's 404), harmlessly."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    response = await bot.click(
        action_id, "cost", container=container, response_url=bot.api.response_url()
    )
    assert response.status == 404
    await assert_still_serving(bot)
    assert bot.api.of("response_url") == []


@pytest.mark.asyncio
async def test_a_100_kb_message_gets_a_normal_answer_everywhere(bot: BotUnderTest) -> None:
    """A ~100 kB question is read in part and answered in a DM, a mention and the slash
    command, within Block Kit's limits; nothing is lost and no apology is needed."""
    assert len(HUGE) > 100_000
    await bot.event(payloads.im_message(HUGE))
    mention = f"<@{payloads.BOT_USER_ID}> {HUGE} <!channel>"
    await bot.event(payloads.app_mention(mention, ts=payloads.new_ts()))
    private = (await bot.command(HUGE)).reply()
    posts = await bot.api.wait_for("chat.postMessage", 2)
    for call in [*posts, private]:
        assert call.body["text"] != SORRY
        assert call.body["text"].startswith("How ECS and EC2 are priced")
        assert_valid_blocks(call.blocks)
        assert_no_ping(call.body)
        assert "first 1,000 and last 3,000 characters" in json.dumps(call.blocks)
    await assert_still_serving(bot, already=2)
