"""Help me choose in threads and DMs, end to end: one question per message, updated in place."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.answering import Answerer, Recommender, dialog_key
from bot.blocks import (
    ACTION_DIALOG_BACK,
    ACTION_DIALOG_CANCEL,
    ACTION_DIALOG_RESTART,
    ACTION_DIALOG_SIZE,
    ACTION_DIALOG_SKIP,
    ACTION_HELP_ME_CHOOSE,
    CANCELLED_TEXT,
    CHOOSE_CALLOUT,
    EXPIRED_TEXT,
    START_OVER_VALUE,
)
from bot.recommend import DEFAULT_MAX_AGE, Answers, encode_state, new_dialog
from bot.slack import create_app, create_web_app
from bot.slack.listeners.common import SORRY
from bot.slack.standin import Call, SlackStandIn
from tests.slack import payloads
from tests.slack.checks import action_ids, assert_no_ping, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, bot_settings

ANSWERS = {
    "containerized": "yes",
    "host_control": "no",
    "gpu": "no",
    "ops_team": "none",
    "traffic": "spiky",
    "priority": "simplicity",
}
SIZE = "medium"  # a preset in the shipped recommendation.yaml
ROOT = "1700000000.000100"
DIALOG = "1700000000.000200"  # the ts of the message holding the dialog
IN_THREAD = payloads.message_container(payloads.CHANNEL_ID, DIALOG, thread_ts=ROOT)


def buttons(call: Call) -> dict[str, dict[str, Any]]:
    """Every button the call posted, by action id."""
    found = {}
    for block in call.blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found[element["action_id"]] = element
    return found


def progress(call: Call) -> str:
    """The "N of 7" a question message shows."""
    return call.blocks[0]["elements"][0]["text"].split(" · ")[-1]


async def start_in_thread(bot: BotUnderTest) -> Call:
    """Click "Help me choose" under an answer in a channel thread; the first question."""
    answer = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), thread_ts=ROOT)
    await bot.click(ACTION_HELP_ME_CHOOSE, "start", container=answer)
    [call] = await bot.api.wait_for("chat.postMessage")
    return call


async def click(bot: BotUnderTest, shown: Call, action_id: str, **kwargs: Any) -> Call:
    """Click a button of the dialog message `shown`; the chat.update that follows."""
    done = len(bot.api.of("chat.update"))
    value = buttons(shown)[action_id]["value"]
    await bot.click(action_id, value, container=kwargs.pop("container", IN_THREAD), **kwargs)
    return (await bot.api.wait_for("chat.update", done + 1))[-1]


async def answer_every_facet(bot: BotUnderTest) -> Call:
    """Start in the thread and answer the six facets; the size step that follows."""
    shown = await start_in_thread(bot)
    for value in ANSWERS.values():
        shown = await click(bot, shown, f"recommend_answer:{value}")
    return shown


def sized(recommender: Recommender, size: str) -> Answers:
    """ANSWERS plus the vCPU, memory and count of the preset `size`."""
    preset = recommender.config.sizing.size(size)
    assert preset is not None
    return Answers.model_validate(ANSWERS | preset.sizing())


def text_of(call: Call) -> str:
    """Every text a message's blocks show, joined."""
    return json.dumps(call.blocks, ensure_ascii=False)


@pytest.mark.asyncio
async def test_whole_dialog_by_button_clicks(
    bot: BotUnderTest, slack_recommender: Recommender
) -> None:
    """Six answers and a size, one step at a time in the thread, then the result with its cost."""
    shown = await start_in_thread(bot)
    assert (shown.body["channel"], shown.body["thread_ts"]) == (payloads.CHANNEL_ID, ROOT)
    assert shown.body["text"].startswith("Help me choose, 1 of 7: ")
    clicks = [f"recommend_answer:{value}" for value in ANSWERS.values()]
    for number, action_id in enumerate([*clicks, f"{ACTION_DIALOG_SIZE}:{SIZE}"], start=1):
        assert progress(shown) == f"{number} of 7"
        assert_valid_blocks(shown.blocks)
        assert_no_ping(shown.body)
        shown = await click(bot, shown, action_id)
        assert (shown.body["channel"], shown.body["ts"]) == (payloads.CHANNEL_ID, DIALOG)
    expected = slack_recommender.recommend(sized(slack_recommender, SIZE))
    assert expected.monthly_cost is not None
    assert shown.body["text"].startswith(f"Recommendation: {expected.title}")
    assert shown.blocks[0]["text"]["text"] == f"Recommendation: {expected.label}"
    text = text_of(shown)
    assert "Monthly cost in USD (4 x 1 vCPU / 2 GB, 730 h)" in text
    assert f"snapshot of {expected.monthly_cost.snapshot}" in text and "Prices change" in text
    assert_valid_blocks(shown.blocks)
    assert len(bot.api.of("chat.postMessage")) == 1  # every step replaced the question


@pytest.mark.asyncio
async def test_size_step_offers_the_presets(
    bot: BotUnderTest, slack_recommender: Recommender
) -> None:
    """After the six facets the last step asks for a size: a button per preset, Skip and Back."""
    shown = await answer_every_facet(bot)
    sizing = slack_recommender.config.sizing
    assert progress(shown) == "7 of 7"
    assert shown.body["text"] == f"Help me choose, 7 of 7: {sizing.question}"
    presets = [f"{ACTION_DIALOG_SIZE}:{s.value}" for s in sizing.sizes]
    nav = [ACTION_DIALOG_SKIP, ACTION_DIALOG_BACK, ACTION_DIALOG_RESTART, ACTION_DIALOG_CANCEL]
    assert list(buttons(shown)) == [*presets, *nav]
    assert_valid_blocks(shown.blocks)


@pytest.mark.asyncio
async def test_skipping_the_size_gives_a_result_without_cost(
    bot: BotUnderTest, slack_recommender: Recommender
) -> None:
    """Skip on the size step gives the recommendation for the six answers, with no cost section."""
    shown = await click(bot, await answer_every_facet(bot), ACTION_DIALOG_SKIP)
    expected = slack_recommender.recommend(Answers.model_validate(ANSWERS))
    assert shown.body["text"].startswith(f"Recommendation: {expected.title}")
    assert "Monthly cost" not in text_of(shown)
    assert_valid_blocks(shown.blocks)


@pytest.mark.asyncio
async def test_back_from_the_size_step_shows_the_last_facet(bot: BotUnderTest) -> None:
    """Back on the size step returns to the last question with its answer highlighted."""
    shown = await click(bot, await answer_every_facet(bot), ACTION_DIALOG_BACK)
    assert progress(shown) == "6 of 7"
    assert buttons(shown)[f"recommend_answer:{ANSWERS['priority']}"].get("style") == "primary"
    shown = await click(bot, shown, f"recommend_answer:{ANSWERS['priority']}")
    assert progress(shown) == "7 of 7"


@pytest.mark.asyncio
async def test_back_skip_and_start_over(bot: BotUnderTest) -> None:
    """Back shows the earlier answer highlighted, Skip moves on, Start over clears everything."""
    shown = await click(bot, await start_in_thread(bot), "recommend_answer:planning")
    assert progress(shown) == "2 of 7"
    shown = await click(bot, shown, ACTION_DIALOG_BACK)
    assert progress(shown) == "1 of 7"
    assert buttons(shown)["recommend_answer:planning"].get("style") == "primary"
    shown = await click(bot, shown, ACTION_DIALOG_SKIP)
    assert progress(shown) == "2 of 7"
    shown = await click(bot, shown, ACTION_DIALOG_BACK)
    assert "style" not in buttons(shown)["recommend_answer:planning"]  # skipping cleared it
    shown = await click(bot, await click(bot, shown, "recommend_answer:yes"), ACTION_DIALOG_RESTART)
    assert progress(shown) == "1 of 7"
    assert ACTION_DIALOG_BACK not in buttons(shown)
    assert not [b for b in buttons(shown).values() if b.get("style")]


@pytest.mark.asyncio
async def test_cancel_then_start_again_in_the_same_message(bot: BotUnderTest) -> None:
    """Cancel replaces the question; its "Help me choose" restarts the dialog in that message."""
    shown = await click(bot, await start_in_thread(bot), ACTION_DIALOG_CANCEL)
    assert shown.body["text"] == CANCELLED_TEXT
    assert buttons(shown)[ACTION_HELP_ME_CHOOSE]["value"] == START_OVER_VALUE
    shown = await click(bot, shown, ACTION_HELP_ME_CHOOSE)
    assert (shown.body["ts"], progress(shown)) == (DIALOG, "1 of 7")
    assert len(bot.api.of("chat.postMessage")) == 1


@asynccontextmanager
async def running(
    app_client: TestClient[Any, Any], api: SlackStandIn
) -> AsyncIterator[BotUnderTest]:
    """A bot served by `app_client`, stopped on exit."""
    async with app_client:
        yield BotUnderTest(app_client, api)


@pytest.mark.asyncio
async def test_dialog_survives_a_restart(
    slack_api: SlackStandIn, slack_answerer: Answerer, slack_recommender: Recommender
) -> None:
    """Half a dialog on one process; a new process from the same settings finishes it."""
    settings = bot_settings(slack_api)

    def serve() -> TestClient[Any, Any]:
        app = create_app(settings, slack_answerer)  # loads config and key from settings
        return TestClient(TestServer(create_web_app(app), host="127.0.0.1"))

    values = list(ANSWERS.values())
    async with running(serve(), slack_api) as first:
        shown = await start_in_thread(first)
        for value in values[:3]:
            shown = await click(first, shown, f"recommend_answer:{value}")
    async with running(serve(), slack_api) as second:
        shown = await click(second, shown, f"recommend_answer:{values[3]}")
        assert progress(shown) == "5 of 7"
        for value in values[4:]:
            shown = await click(second, shown, f"recommend_answer:{value}")
        shown = await click(second, shown, f"{ACTION_DIALOG_SIZE}:{SIZE}")
    expected = slack_recommender.recommend(sized(slack_recommender, SIZE))
    assert shown.body["text"].startswith(f"Recommendation: {expected.title}")


def _tampered(token: str) -> str:
    kind, body, signature = token.split(".")
    middle = len(body) // 2
    flipped = "A" if body[middle] != "A" else "B"
    return f"{kind}.{body[:middle]}{flipped}{body[middle + 1 :]}.{signature}"


def _stale(key: bytes) -> str:
    return encode_state(new_dialog(now=time.time() - DEFAULT_MAX_AGE - 60), key)


@pytest.mark.parametrize(
    "make_value",
    [
        pytest.param(lambda token, key: _tampered(token), id="tampered"),
        pytest.param(lambda token, key: _stale(key), id="stale"),
        pytest.param(lambda token, key: encode_state(new_dialog(), b"other key"), id="other-key"),
        pytest.param(lambda token, key: "garbage", id="garbage"),
        pytest.param(lambda token, key: "", id="empty"),
    ],
)
@pytest.mark.asyncio
async def test_bad_state_asks_to_start_over(
    bot: BotUnderTest, slack_api: SlackStandIn, make_value: Any
) -> None:
    """A tampered, stale or unreadable state: "let's start over" in the message, no crash."""
    shown = await start_in_thread(bot)
    token = buttons(shown)["recommend_answer:yes"]["value"]
    value = make_value(token, dialog_key(bot_settings(slack_api)))
    response = await bot.click("recommend_answer:yes", value, container=IN_THREAD)
    assert response.status == 200
    [update] = await bot.api.wait_for("chat.update")
    assert update.body["text"] == EXPIRED_TEXT
    assert buttons(update)[ACTION_HELP_ME_CHOOSE]["value"] == START_OVER_VALUE
    assert_valid_blocks(update.blocks)


@pytest.mark.parametrize(
    "action_id",
    [f"{ACTION_DIALOG_SIZE}:huge", f"{ACTION_DIALOG_SIZE}:Medium", "recommend_answer:yes"],
    ids=["unknown-size", "wrong-case", "answer-on-size-step"],
)
@pytest.mark.asyncio
async def test_size_that_is_not_offered_asks_to_start_over(
    bot: BotUnderTest, action_id: str
) -> None:
    """A forged size button on the size step (a genuine state): "let's start over", no crash."""
    token = buttons(await answer_every_facet(bot))[ACTION_DIALOG_SKIP]["value"]
    done = len(bot.api.of("chat.update"))
    response = await bot.click(action_id, token, container=IN_THREAD)
    assert response.status == 200
    update = (await bot.api.wait_for("chat.update", done + 1))[-1]
    assert update.body["text"] == EXPIRED_TEXT
    assert buttons(update)[ACTION_HELP_ME_CHOOSE]["value"] == START_OVER_VALUE


@pytest.mark.asyncio
async def test_size_click_on_a_facet_question_asks_to_start_over(bot: BotUnderTest) -> None:
    """A size action id sent with the state of a facet question is refused, not applied."""
    token = buttons(await start_in_thread(bot))[ACTION_DIALOG_SKIP]["value"]
    await bot.click(f"{ACTION_DIALOG_SIZE}:{SIZE}", token, container=IN_THREAD)
    [update] = await bot.api.wait_for("chat.update")
    assert update.body["text"] == EXPIRED_TEXT


@pytest.mark.parametrize("same_payload", [True, False], ids=["same-delivery", "double-click"])
@pytest.mark.asyncio
async def test_double_click_moves_the_dialog_once(bot: BotUnderTest, same_payload: bool) -> None:
    """Two clicks on the same question (one delivery twice, or two clicks) update it once."""
    token = buttons(await start_in_thread(bot))["recommend_answer:yes"]["value"]
    action_ts = payloads.new_ts() if same_payload else None
    clicks = [
        bot.click("recommend_answer:yes", token, container=IN_THREAD, action_ts=action_ts)
        for _ in range(2)
    ]
    assert [r.status for r in await asyncio.gather(*clicks)] == [200, 200]
    [update] = await bot.api.wait_for("chat.update")
    await asyncio.sleep(0.3)  # time for a second update, were there one
    assert bot.api.of("chat.update") == [update]
    assert progress(update) == "2 of 7"


@pytest.mark.asyncio
async def test_dialog_starts_in_the_dm_from_an_answer_there(bot: BotUnderTest) -> None:
    """ "Help me choose" under an answer in the DM asks the first question in the DM."""
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await bot.click(ACTION_HELP_ME_CHOOSE, "start", container=container)
    [call] = await bot.api.wait_for("chat.postMessage")
    assert call.body["channel"] == payloads.DM_CHANNEL_ID and "thread_ts" not in call.body
    assert progress(call) == "1 of 7"


@pytest.mark.asyncio
async def test_which_should_i_choose_offers_the_dialog_up_front(bot: BotUnderTest) -> None:
    """The answer to "which should I choose?" offers the dialog under the answer; it starts it."""
    ts = payloads.new_ts()
    await bot.event(
        payloads.app_mention(f"<@{payloads.BOT_USER_ID}> which should I choose?", ts=ts)
    )
    [answer] = await bot.api.wait_for("chat.postMessage")
    assert_valid_blocks(answer.blocks)
    callout = answer.blocks[2]
    assert callout["text"]["text"] == CHOOSE_CALLOUT
    assert callout["accessory"]["action_id"] == ACTION_HELP_ME_CHOOSE
    assert action_ids(answer.blocks).count(ACTION_HELP_ME_CHOOSE) == 1
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), thread_ts=ts)
    await bot.click(ACTION_HELP_ME_CHOOSE, callout["accessory"]["value"], container=container)
    [_, question] = await bot.api.wait_for("chat.postMessage", 2)
    assert (question.body["thread_ts"], progress(question)) == (ts, "1 of 7")


@pytest.mark.asyncio
async def test_channel_the_bot_is_not_in_gets_the_form(bot: BotUnderTest) -> None:
    """Where the bot cannot post the dialog, the click opens the form instead."""
    bot.api.fail_next("chat.postMessage", 200, error="not_in_channel")
    trigger_id = payloads.new_trigger_id()
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    await bot.click(ACTION_HELP_ME_CHOOSE, "start", container=container, trigger_id=trigger_id)
    [opened] = await bot.api.wait_for("views.open")
    assert opened.body["trigger_id"] == trigger_id


@pytest.mark.asyncio
async def test_failed_update_is_apologised_for_in_the_thread(bot: BotUnderTest) -> None:
    """If Slack refuses the update, the user hears a friendly sorry in the thread."""
    shown = await start_in_thread(bot)
    bot.api.fail_next("chat.update", 200, error="message_not_found")
    await bot.click(
        "recommend_answer:yes", buttons(shown)["recommend_answer:yes"]["value"], container=IN_THREAD
    )
    [_, sorry] = await bot.api.wait_for("chat.postMessage", 2)
    assert (sorry.body["text"], sorry.body["thread_ts"]) == (SORRY, ROOT)
