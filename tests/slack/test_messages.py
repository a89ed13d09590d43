"""Slack as it really delivers messages (issue 11 §1-3): one answer per message however
often it arrives, the subtypes people produce, questions in rich_text, escaping once."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.answering import Answerer
from bot.cli.serve import build_app
from bot.slack import create_web_app
from bot.slack.standin import BOT_ID, BOT_USER_ID, TEAM_ID, SlackStandIn
from tests.slack import payloads
from tests.slack.checks import assert_no_ping, assert_valid_blocks
from tests.slack.conftest import (
    UNSURE_QUESTION,
    BotUnderTest,
    FakeRecorder,
    bot_settings,
    listeners_done,
)
from tests.slack.serving import storage_for

# The issue's examples, with the stand-in's workspace and bot user in place of the neutral ids.
EDITED_MENTION = """
{"type":"event_callback","team_id":"T0000000","event_id":"Ev0000000001","event":{"type":"app_mention","user":"W0000001","text":"<@UBOT> how is fargate billed","ts":"1800000100.000100","channel":"C0000001","event_ts":"1800000100.000100"}}
{"type":"event_callback","team_id":"T0000000","event_id":"Ev0000000002","event":{"type":"app_mention","user":"W0000001","text":"<@UBOT> how is fargate billed?","ts":"1800000100.000100","channel":"C0000001","event_ts":"1800000160.000200","edited":{"user":"W0000001","ts":"1800000160.000000"}}}
"""
FILE_SHARE_DM = """
{"type":"event_callback","team_id":"T0000000","event_id":"Ev0000000003","event":{"type":"message","subtype":"file_share","user":"W0000002","text":"how is fargate billed?","files":[{"id":"F0000001","name":"screenshot.png","mimetype":"image/png"}],"upload":true,"ts":"1800000200.000100","channel":"D0000002","channel_type":"im","event_ts":"1800000200.000100"}}
"""


def examples(text: str) -> list[str]:
    """The example envelopes in `text`, one per line, with our ids."""
    text = text.replace("T0000000", TEAM_ID).replace("<@UBOT>", f"<@{BOT_USER_ID}>")
    return text.strip().splitlines()


async def post_json(bot: BotUnderTest, body: str) -> int:
    """Deliver one signed JSON body; its status."""
    return (await bot.post(body, form=False)).status


async def nothing_more(api: SlackStandIn, method: str, count: int) -> None:
    """Once every listener has finished, there are exactly `count` calls to `method`."""
    await listeners_done()
    assert len(api.of(method)) == count, [c.body.get("text") for c in api.of(method)]


@pytest.mark.asyncio
async def test_an_edited_mention_is_answered_once(bot: BotUnderTest) -> None:
    """The issue's example: the edit arrives as a new app_mention (new event_id, same ts):
    the thread gets one answer, the first version's. Edits are not answered again."""
    first, edited = examples(EDITED_MENTION)
    assert await post_json(bot, first) == 200
    [answer] = await bot.api.wait_for("chat.postMessage")
    assert await post_json(bot, edited) == 200
    await nothing_more(bot.api, "chat.postMessage", 1)
    assert (answer.body["channel"], answer.body["thread_ts"]) == ("C0000001", "1800000100.000100")
    assert answer.body["text"].startswith("How ECS and EC2 are priced")


@pytest.mark.asyncio
async def test_an_edit_that_adds_the_mention_is_answered(bot: BotUnderTest) -> None:
    """A message that first did not mention the bot never reached it: the edit that adds
    the mention is the first the bot hears of it, and is answered."""
    _, edited = examples(EDITED_MENTION)
    assert await post_json(bot, edited) == 200
    [answer] = await bot.api.wait_for("chat.postMessage")
    assert answer.body["thread_ts"] == "1800000100.000100"


@pytest.mark.asyncio
async def test_one_message_under_several_event_ids_is_answered_once(bot: BotUnderTest) -> None:
    """During a Slack incident the same message comes under three event_ids: one answer."""
    message = payloads.im_message("how is fargate billed?")
    for n in range(3):
        assert (await bot.event(message, event_id=f"Ev0INCIDENT{n}")).status == 200
    await bot.api.wait_for("chat.postMessage")
    await nothing_more(bot.api, "chat.postMessage", 1)


@pytest.mark.asyncio
async def test_a_message_resent_by_the_client_is_answered_once(bot: BotUnderTest) -> None:
    """The client re-sends a message (same client_msg_id, a new ts): one answer."""
    first = payloads.im_message("how is fargate billed?", client_msg_id="c0ffee00-0001")
    again = {**first, "ts": payloads.new_ts()}
    await bot.event(first)
    await bot.event(again)
    await bot.api.wait_for("chat.postMessage")
    await nothing_more(bot.api, "chat.postMessage", 1)


@pytest.mark.asyncio
async def test_an_edit_reaching_another_replica_is_not_answered_again(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """Two replicas on one database: the mention at one, its edit at the other, one answer."""
    settings = bot_settings(slack_api, database_url=f"sqlite:///{tmp_path / 'shared.db'}")
    first, edited = examples(EDITED_MENTION)
    async with storage_for(settings) as storage:
        one, other = (build_app(settings, slack_answerer, storage) for _ in range(2))
        async with (
            TestClient(TestServer(create_web_app(one), host="127.0.0.1")) as one_client,
            TestClient(TestServer(create_web_app(other), host="127.0.0.1")) as other_client,
        ):
            assert await post_json(BotUnderTest(one_client, slack_api), first) == 200
            await slack_api.wait_for("chat.postMessage")
            assert await post_json(BotUnderTest(other_client, slack_api), edited) == 200
            await nothing_more(slack_api, "chat.postMessage", 1)


ANSWERED: dict[str, dict[str, Any]] = {
    "no subtype": {},
    "file_share (a screenshot)": {
        "subtype": "file_share",
        "files": [{"id": "F0000001", "name": "screenshot.png", "mimetype": "image/png"}],
        "upload": True,
    },
    "thread_broadcast": {"subtype": "thread_broadcast", "thread_ts": "1800000000.000001"},
    "me_message": {"subtype": "me_message"},
}
IGNORED: dict[str, dict[str, Any]] = {
    "message_changed": {
        "subtype": "message_changed",
        "message": {"text": "how is fargate billed?"},
    },
    "message_deleted": {"subtype": "message_deleted", "deleted_ts": "1.2"},
    "message_replied": {"subtype": "message_replied"},
    "channel_join": {"subtype": "channel_join"},
    "pinned_item": {"subtype": "pinned_item"},
    "bot_message": {"subtype": "bot_message", "bot_id": "B0OTHER"},
    "another bot's file_share": {"subtype": "file_share", "bot_id": "B0OTHER"},
    "another bot, no subtype": {"bot_id": "B0OTHER"},
    "our own message": {"bot_id": BOT_ID, "user": BOT_USER_ID},
    "our own user, no bot_id": {"user": BOT_USER_ID},
    "our own unfurl": {"subtype": "message_changed", "bot_id": BOT_ID, "user": BOT_USER_ID},
    "no user": {"user": None},
}


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["dm", "mention"])
@pytest.mark.parametrize("kind", [*ANSWERED, *IGNORED])
async def test_what_a_person_says_is_answered_and_nothing_else(
    bot: BotUnderTest, kind: str, where: str
) -> None:
    """People's subtypes are answered, in DMs and mentions alike; edits, deletions, joins,
    pins and every bot's messages (ours too: no reply loops) are not."""
    extra = {**ANSWERED.get(kind, {}), **IGNORED.get(kind, {})}
    if where == "dm":
        event = payloads.im_message("how is fargate billed?", **extra)
    else:
        mention = f"<@{BOT_USER_ID}> how is fargate billed?"
        event = payloads.app_mention(mention, ts=payloads.new_ts(), **extra)
    assert (await bot.event(event)).status == 200
    if kind in ANSWERED:
        [answer] = await bot.api.wait_for("chat.postMessage")
        assert answer.body["text"].startswith("How ECS and EC2 are priced")
    else:
        await nothing_more(bot.api, "chat.postMessage", 0)


@pytest.mark.asyncio
async def test_the_issue_s_screenshot_dm_is_answered(bot: BotUnderTest) -> None:
    """The issue's example: a DM with a screenshot attached gets its answer in the DM."""
    [body] = examples(FILE_SHARE_DM)
    assert await post_json(bot, body) == 200
    [answer] = await bot.api.wait_for("chat.postMessage")
    assert answer.body["channel"] == "D0000002"
    assert answer.body["text"].startswith("How ECS and EC2 are priced")


def rich_text(*elements: dict[str, Any]) -> list[dict[str, Any]]:
    """A message's blocks: one rich_text section with `elements`."""
    section = {"type": "rich_text_section", "elements": list(elements)}
    return [{"type": "rich_text", "block_id": "rt1", "elements": [section]}]


@pytest.mark.asyncio
async def test_a_question_only_in_rich_text_is_read_from_the_blocks(
    bot: BotUnderTest, recorder: FakeRecorder
) -> None:
    """`text` holds only the mention; the question is in the rich_text blocks."""
    blocks = rich_text(
        {"type": "user", "user_id": BOT_USER_ID},
        {"type": "text", "text": " how is "},
        {"type": "text", "text": "fargate", "style": {"bold": True}},
        {"type": "text", "text": " billed & metered?"},
    )
    event = payloads.app_mention(f"<@{BOT_USER_ID}>", ts=payloads.new_ts(), blocks=blocks)
    await bot.event(event)
    [answer] = await bot.api.wait_for("chat.postMessage")
    assert answer.body["text"].startswith("How ECS and EC2 are priced")
    assert (await recorder.asked())[0]["text"] == "how is fargate billed & metered?"


OUT_OF_SCOPE = "what is the weather in Paris &amp; London? I &lt;3 rain &lt;!channel&gt;"
OUT_OF_SCOPE_DECODED = "what is the weather in Paris & London? I <3 rain <!channel>"
ECHO = "Paris &amp; London? I &lt;3 rain &lt;!channel&gt;"


def echoed(call_body: dict[str, Any]) -> str:
    """Everything the reply's blocks say, as posted."""
    return json.dumps(call_body.get("blocks"))


@pytest.mark.asyncio
@pytest.mark.parametrize("where", ["dm", "mention", "slash command"])
async def test_user_text_is_decoded_on_the_way_in_and_escaped_once_on_the_way_out(
    bot: BotUnderTest, recorder: FakeRecorder, where: str
) -> None:
    """Slack sends `&amp;`, `&lt;`, `&gt;`: the matcher and the records see `&` and `<`, the
    echo in "I don't cover" shows them escaped once (never `&amp;amp;`), and pings nobody."""
    if where == "dm":
        await bot.event(payloads.im_message(OUT_OF_SCOPE))
        [reply] = await bot.api.wait_for("chat.postMessage")
    elif where == "mention":
        await bot.event(payloads.app_mention(f"<@{BOT_USER_ID}> {OUT_OF_SCOPE}", ts="1.2"))
        [reply] = await bot.api.wait_for("chat.postMessage")
    else:
        reply = await bot.ask(OUT_OF_SCOPE)
    assert ECHO in echoed(reply.body)
    assert "&amp;amp;" not in echoed(reply.body) and "&amp;lt;" not in echoed(reply.body)
    assert_valid_blocks(reply.blocks)
    assert_no_ping(reply.body)
    assert (await recorder.asked())[0]["text"] == OUT_OF_SCOPE_DECODED


@pytest.mark.asyncio
async def test_did_you_mean_echoes_the_question_escaped_once(bot: BotUnderTest) -> None:
    """The low-confidence reply quotes the question: `&` once escaped, markup harmless."""
    await bot.event(payloads.im_message(f"{UNSURE_QUESTION} &amp; &lt;@U0MALLORY&gt;"))
    [reply] = await bot.api.wait_for("chat.postMessage")
    assert f"{UNSURE_QUESTION} &amp; &lt;@U0MALLORY&gt;" in echoed(reply.body)
    assert "&amp;amp;" not in echoed(reply.body)
    assert_no_ping(reply.body)


@pytest.mark.asyncio
async def test_slack_markup_stays_harmless(bot: BotUnderTest) -> None:
    """Real markup (the user typed @channel and @someone) is echoed as text, not a ping."""
    text = "what is the weather? <!channel> <@U0MALLORY|mallory> &amp; <https://x.example|x>"
    await bot.event(payloads.im_message(text))
    [reply] = await bot.api.wait_for("chat.postMessage")
    assert_no_ping(reply.body)
    assert "&amp;amp;" not in echoed(reply.body)
