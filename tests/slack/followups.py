"""Helpers for the follow-up tests: asking in a thread, reading the topic of a reply, and
waiting until the bot has remembered a turn (it does so after replying)."""

from __future__ import annotations

import asyncio

from bot.ports import ConversationMemory
from bot.slack.standin import BOT_USER_ID, Call
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest
from tests.waiting import BACKGROUND_SECONDS

MENTION = f"<@{BOT_USER_ID}>"
GPU_QUESTION = "does fargate support gpus?"


def answered_topic(call: Call) -> str | None:
    """The topic a posted reply answers (its feedback row is `answer_actions:<topic>`)."""
    for block in call.blocks or []:
        block_id = str(block.get("block_id", ""))
        if block_id.startswith("answer_actions:"):
            return block_id.split(":", 1)[1]
    return None


async def mention(
    bot: BotUnderTest, text: str, *, ts: str | None = None, thread_ts: str | None = None
) -> Call:
    """Mention the bot with `text` (in `thread_ts`, else at top level) and return its reply."""
    before = len(bot.api.of("chat.postMessage"))
    event = payloads.app_mention(
        f"{MENTION} {text}", ts=ts or payloads.new_ts(), thread_ts=thread_ts
    )
    await bot.event(event)
    return (await bot.api.wait_for("chat.postMessage", before + 1))[before]


async def remembered(
    memory: ConversationMemory,
    conversation: str,
    topic_id: str,
    timeout: float = BACKGROUND_SECONDS,
) -> None:
    """Wait until `conversation`'s last turn is about `topic_id`; fail after `timeout`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (turn := await memory.recall(conversation)) is None or turn.topic_id != topic_id:
        assert loop.time() < deadline, f"{conversation} never remembered {topic_id}: {turn}"
        await asyncio.sleep(0.02)
