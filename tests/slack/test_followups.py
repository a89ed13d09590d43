"""Follow-ups through the real Bolt app on real storage: a thread, a DM and a user's slash
commands each remember their last answer, and a bare follow-up is read in that context."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from bot.answering import Answerer, Reply, Turn, conversation_key
from bot.knowledge import KnowledgeBase
from bot.matching import Matcher
from bot.ports import ConversationMemory
from bot.slack import create_app
from bot.slack.standin import TEAM_ID, SlackStandIn
from bot.storage.conversations import Conversations, make_turn_store
from bot.storage.db import make_engine, upgrade
from bot.storage.hashing import UserHasher
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.followups import GPU_QUESTION, answered_topic, mention, remembered
from tests.slack.serving import served_with_storage, serving

pytestmark = pytest.mark.asyncio


class SpyAnswerer(Answerer):
    """The real answerer over the shipped knowledge base, noting the context of each reply."""

    def __init__(self, kb: KnowledgeBase, matcher: Matcher) -> None:
        super().__init__(kb, matcher)
        self.previous: list[Turn | None] = []

    def reply(
        self, question: str, *, shareable: bool = False, previous: Turn | None = None
    ) -> Reply:
        self.previous.append(previous)
        return super().reply(question, shareable=shareable, previous=previous)


@pytest.fixture
def spy(kb: KnowledgeBase, matcher: Matcher) -> SpyAnswerer:
    """An answerer that notes which previous turn each question came with."""
    return SpyAnswerer(kb, matcher)


@pytest_asyncio.fixture
async def served(
    slack_api: SlackStandIn, spy: SpyAnswerer, sqlite_url: str
) -> AsyncIterator[tuple[BotUnderTest, ConversationMemory]]:
    """The app as `ecsbot serve` builds it on a SQLite database, and its memory."""
    settings = bot_settings(slack_api, database_url=sqlite_url)
    async with served_with_storage(settings, spy, slack_api) as (bot, storage):
        yield bot, storage.conversations(Turn)


def thread(ts: str) -> str:
    """The conversation key of the bot's thread under the channel message `ts`."""
    return conversation_key(TEAM_ID, payloads.CHANNEL_ID, thread_ts=ts)


def slash(user: str = payloads.USER_ID) -> str:
    """The conversation key of `user`'s slash commands in the test channel."""
    return conversation_key(TEAM_ID, payloads.CHANNEL_ID, user=user)


async def test_follow_up_in_a_thread_is_read_in_context(
    served: tuple[BotUnderTest, ConversationMemory], spy: SpyAnswerer
) -> None:
    """ "does fargate support gpus?", then in its thread "what about windows?": Windows."""
    bot, memory = served
    root = payloads.new_ts()
    first = await mention(bot, GPU_QUESTION, ts=root)
    assert first.body["thread_ts"] == root and answered_topic(first) == "gpu"
    await remembered(memory, thread(root), "gpu")
    follow_up = await mention(bot, "what about windows?", thread_ts=root)
    assert follow_up.body["thread_ts"] == root
    assert spy.previous[1] is not None and spy.previous[1].topic_id == "gpu"
    assert answered_topic(follow_up) == "windows-containers"


async def test_follow_up_in_a_dm_is_read_in_context(
    served: tuple[BotUnderTest, ConversationMemory], spy: SpyAnswerer
) -> None:
    """In a DM, "and for windows?" after the GPU question is about Windows."""
    bot, memory = served
    await bot.event(payloads.im_message(GPU_QUESTION))
    [first] = await bot.api.wait_for("chat.postMessage")
    assert answered_topic(first) == "gpu"
    await remembered(memory, conversation_key(TEAM_ID, payloads.DM_CHANNEL_ID), "gpu")
    await bot.event(payloads.im_message("and for windows?"))
    _, follow_up = await bot.api.wait_for("chat.postMessage", 2)
    assert spy.previous[0] is None
    assert spy.previous[1] is not None and spy.previous[1].topic_id == "gpu"
    assert answered_topic(follow_up) == "windows-containers"


async def test_a_question_that_stands_alone_is_matched_alone(
    served: tuple[BotUnderTest, ConversationMemory], spy: SpyAnswerer
) -> None:
    """In the GPU thread, "how is fargate billed?" is answered on its own: cost, without
    even reading the thread's last turn (no previous turn could change that answer)."""
    bot, memory = served
    root = payloads.new_ts()
    await mention(bot, GPU_QUESTION, ts=root)
    await remembered(memory, thread(root), "gpu")
    reply = await mention(bot, "how is fargate billed?", thread_ts=root)
    assert answered_topic(reply) == "cost"
    assert spy.previous[-1] is None
    await mention(bot, "and on ec2?", thread_ts=root)  # a follow-up reads it
    assert spy.previous[-1] is not None and spy.previous[-1].topic_id == "cost"


async def test_each_thread_dm_and_user_has_its_own_context(
    served: tuple[BotUnderTest, ConversationMemory], spy: SpyAnswerer
) -> None:
    """After a GPU answer in a thread, a new thread and the DM start without context; of two
    users' slash commands in one channel, only the asker's own follow-up has it."""
    bot, memory = served
    root = payloads.new_ts()
    await mention(bot, GPU_QUESTION, ts=root)
    await remembered(memory, thread(root), "gpu")
    await mention(bot, "what about windows?")  # top level: a thread of its own
    await bot.event(payloads.im_message("what about windows?"))
    await bot.api.wait_for("chat.postMessage", 3)
    await bot.ask(GPU_QUESTION)
    await remembered(memory, slash(), "gpu")
    await bot.ask("what about windows?", user_id="U0BOB")
    reply = await bot.ask("what about windows?")
    assert spy.previous[1:5] == [None, None, None, None]  # thread, DM, Alice's first, Bob
    assert spy.previous[5] is not None and spy.previous[5].topic_id == "gpu"
    assert answered_topic(reply) == "windows-containers"


async def test_after_the_ttl_a_follow_up_stands_alone(
    slack_api: SlackStandIn, spy: SpyAnswerer, sqlite_url: str
) -> None:
    """Past CONVERSATION_TTL_SECONDS (a clock moved on, no waiting) the thread has no context:
    the follow-up is answered exactly as the same words in a new thread."""
    start, elapsed = datetime(2026, 11, 30, tzinfo=UTC), [0.0]
    settings = bot_settings(slack_api, database_url=sqlite_url, conversation_ttl_seconds=1800)
    engine = make_engine(sqlite_url)
    upgrade(engine)
    store = make_turn_store(settings, engine, clock=lambda: start + timedelta(seconds=elapsed[0]))
    memory = Conversations(store, Turn, UserHasher(b"test-key"))
    try:
        async with serving(create_app(settings, spy, memory=memory), slack_api) as bot:
            root = payloads.new_ts()
            await mention(bot, GPU_QUESTION, ts=root)
            await remembered(memory, thread(root), "gpu")
            elapsed[0] = 1799.0
            assert await memory.recall(thread(root)) is not None
            elapsed[0] = 1801.0
            late = await mention(bot, "what about windows?", thread_ts=root)
            fresh = await mention(bot, "what about windows?")
    finally:
        engine.dispose()
    assert spy.previous[1:] == [None, None]
    assert answered_topic(late) == answered_topic(fresh)
    assert late.body["text"] == fresh.body["text"]


class BrokenMemory:
    """A conversation memory whose store is down."""

    async def recall(self, conversation: str) -> Turn | None:
        raise RuntimeError("memory store down")

    async def remember(self, conversation: str, turn: Turn) -> None:
        raise RuntimeError("memory store down")


async def test_a_failing_memory_is_logged_and_the_answer_goes_on(
    slack_api: SlackStandIn, spy: SpyAnswerer, caplog: pytest.LogCaptureFixture
) -> None:
    """Recall and remember both fail: the DM is still answered, each failure logged once
    (a question that names no service, so the conversation is read)."""
    app = create_app(bot_settings(slack_api), spy, memory=BrokenMemory())
    with caplog.at_level(logging.ERROR):
        async with serving(app, slack_api) as bot:
            await bot.event(payloads.im_message("gpu containers for inference"))
            [reply] = await bot.api.wait_for("chat.postMessage")
    assert answered_topic(reply) == "gpu"
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len([m for m in errors if m.startswith("Failed to recall")]) == 1
    assert len([m for m in errors if m.startswith("Failed to remember")]) == 1
    assert not [m for m in errors if m.startswith("Failed to answer")]


async def test_a_clicked_answer_becomes_the_conversation_turn(
    served: tuple[BotUnderTest, ConversationMemory], spy: SpyAnswerer
) -> None:
    """After "did you mean → Windows containers" is clicked in a DM, a bare follow-up leans on
    the clicked topic, not on the question before it."""
    bot, memory = served
    dm = conversation_key(TEAM_ID, payloads.DM_CHANNEL_ID)
    await bot.event(payloads.im_message(GPU_QUESTION))
    [_answer] = await bot.api.wait_for("chat.postMessage")
    await remembered(memory, dm, "gpu")
    message_ts = payloads.new_ts()
    await bot.click(
        "answer_topic:0",
        "windows-containers",
        container=payloads.message_container(payloads.DM_CHANNEL_ID, message_ts),
        message={"type": "message", "ts": message_ts},
    )
    await bot.api.wait_for("chat.postMessage", 2)
    await remembered(memory, dm, "windows-containers")
    await bot.event(payloads.im_message("and how much does it cost?"))
    await bot.api.wait_for("chat.postMessage", 3)
    assert spy.previous[-1] is not None and spy.previous[-1].topic_id == "windows-containers"
