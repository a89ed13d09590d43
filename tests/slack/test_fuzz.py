"""Property: whatever a person types, in a DM, a mention or the slash command, the real app
(on real storage) answers it or gives the rate-limit note, and no exception escapes."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.answering import Answerer
from bot.slack.listeners.common import SLOW_DOWN, SORRY
from bot.slack.standin import BOT_USER_ID, Call, SlackStandIn
from tests.slack import payloads
from tests.slack.checks import assert_no_ping, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, bot_settings, command_reply
from tests.slack.serving import served_with_storage
from tests.waiting import BACKGROUND_SECONDS

SLACK_MARKUP = [
    "<!channel>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0TEAM|@team>",
    f"<@{BOT_USER_ID}>",
    "<@U0MALLORY|mallory>",
    "<#C0GENERAL|general>",
    "<https://example.com|click *here*>",
    "<mailto:a@example.com>",
    "```code```",
    "`x`",
    "> quoted",
    "&amp; &lt; &gt;",
    ":tada::skin-tone-2:",
    "*bold* _it_ ~gone~",
    "\x00",
    "\x1b[31m",
    "\u202e",
    "\r\n\t",
    "fargate",
    "ECS vs EC2?",
    "help",
]
texts = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(SLACK_MARKUP), st.text(max_size=12)), max_size=40).map(
        "".join
    ),
    # Huge, yet within the 1 MB body limit even percent-encoded (up to 9 bytes a character).
    st.builds(
        lambda part, times: part * times,
        st.text(min_size=1, max_size=50),
        st.integers(min_value=500, max_value=1200),
    ),
)
# Two people, so that past RATE_LIMIT_PER_MINUTE (20) questions the note path is fuzzed too.
users = st.sampled_from(["U0FUZZANN", "U0FUZZBOB"])


@pytest_asyncio.fixture
async def fuzzed(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> AsyncIterator[BotUnderTest]:
    """The app as `ecsbot serve` builds it, on SQLite, shared by every example."""
    settings = bot_settings(slack_api, database_url=f"sqlite:///{tmp_path / 'fuzz.db'}")
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, _):
        yield bot


def check_reply(call: Call) -> None:
    """A reply is an answer (or the note), within Slack's limits, pinging nobody."""
    assert call.body["text"] not in ("", SORRY)
    if call.blocks:
        assert_valid_blocks(call.blocks)
    assert_no_ping(call.body)


@pytest.mark.asyncio
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=texts, user=users)
async def test_any_text_is_answered_and_no_exception_escapes(
    fuzzed: BotUnderTest, caplog: pytest.LogCaptureFixture, text: str, user: str
) -> None:
    """A DM, a mention and a slash command with `text` each get exactly one reply: the
    answer, or past the limit the note (in the DM, ephemeral in a channel)."""
    assume(text.strip().lower() != "recommend")  # the slash command's dialog, tested elsewhere
    api = fuzzed.api
    seen = {m: len(api.of(m)) for m in ("chat.postMessage", "chat.postEphemeral", "response_url")}

    with caplog.at_level(logging.ERROR):
        dm = payloads.im_message(text, user=user)
        mention = payloads.app_mention(f"<@{BOT_USER_ID}> {text}", ts=payloads.new_ts(), user=user)
        command = payloads.slash_command(text, api.response_url("fuzz"), user_id=user)
        assert (await fuzzed.event(dm)).status == 200
        assert (await fuzzed.event(mention)).status == 200
        private = await command_reply(await fuzzed.post(command), api, seen["response_url"])
        replies = await replies_since(api, seen, 2)
    assert caplog.records == [], [r.getMessage() for r in caplog.records]
    for call in [*replies, private]:
        check_reply(call)
        if call.method == "chat.postEphemeral":
            assert call.body["text"] == SLOW_DOWN
    caplog.clear()


async def replies_since(api: SlackStandIn, seen: dict[str, int], count: int) -> list[Call]:
    """The `count` messages posted since `seen`, public or ephemeral (the rate-limit note)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + BACKGROUND_SECONDS
    while loop.time() < deadline:
        new = [
            call
            for method in ("chat.postMessage", "chat.postEphemeral")
            for call in api.of(method)[seen[method] :]
        ]
        if len(new) >= count:
            assert len(new) == count, [c.method for c in new]
            return new
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} replies")
