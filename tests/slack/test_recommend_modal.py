"""Help me choose as a form, end to end: views.open with the trigger_id, then view_submission."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from bot.answering import Recommender, dialog_key
from bot.blocks import (
    ACTION_HELP_ME_CHOOSE,
    ACTION_MODAL_INPUT,
    BLOCK_FACET,
    BLOCK_SIZING,
    CALLBACK_RECOMMEND_MODAL,
    START_OVER_VALUE,
)
from bot.recommend import Answers, Facet, ReplyTarget, decode_reply_target, encode_reply_target
from bot.slack.listeners.recommend_modal import FORM_EXPIRED
from bot.slack.standin import Call, SlackStandIn
from tests.slack import payloads
from tests.slack.checks import SURFACE_BLOCKS, assert_valid_blocks
from tests.slack.conftest import BotUnderTest, bot_settings

FACETS = {"containerized": "yes", "gpu": "no", "ops_team": "none", "priority": "cost"}
SIZING = {"vcpu": "1", "memory_gb": "2", "count": "3"}


def form_values(facets: dict[str, str], sizing: dict[str, str]) -> dict[str, Any]:
    """view.state.values for the form with these answers (the other inputs left empty)."""
    values: dict[str, Any] = {
        f"{BLOCK_FACET}:{f.value}": {ACTION_MODAL_INPUT: {"type": "radio_buttons"}} for f in Facet
    }
    for name, value in facets.items():
        values[f"{BLOCK_FACET}:{name}"] = {ACTION_MODAL_INPUT: payloads.radio_state(value)}
    for name in ("vcpu", "memory_gb", "count", "hours_per_month"):
        state = payloads.number_state(sizing.get(name))
        values[f"{BLOCK_SIZING}:{name}"] = {ACTION_MODAL_INPUT: state}
    return values


async def open_form(bot: BotUnderTest) -> Call:
    """`/ecs-vs-ec2 recommend`; the views.open it made."""
    await bot.command("recommend")
    [opened] = await bot.api.wait_for("views.open")
    return opened


async def submit(bot: BotUnderTest, opened: Call, **kwargs: Any) -> Any:
    """Submit the opened form; Slack's view of the answer (None for a plain ack)."""
    metadata = kwargs.pop("private_metadata", opened.body["view"]["private_metadata"])
    values = kwargs.pop("values", form_values(FACETS, SIZING))
    response = await bot.submit(
        CALLBACK_RECOMMEND_MODAL, private_metadata=metadata, values=values, **kwargs
    )
    assert response.status == 200
    return json.loads(response.text) if response.text else None


@pytest.mark.asyncio
async def test_slash_recommend_opens_the_form_and_answers_privately(
    bot: BotUnderTest, slack_api: SlackStandIn, slack_recommender: Recommender
) -> None:
    """The form opens at once with the command's trigger_id; the result comes ephemerally."""
    trigger_id = payloads.new_trigger_id()
    await bot.command("recommend", trigger_id=trigger_id)
    [opened] = await bot.api.wait_for("views.open")
    assert bot.api.calls[0] is opened  # before anything else
    assert opened.body["trigger_id"] == trigger_id
    view = opened.body["view"]
    assert view["callback_id"] == CALLBACK_RECOMMEND_MODAL
    assert_valid_blocks(view["blocks"], limit=SURFACE_BLOCKS)
    target = decode_reply_target(view["private_metadata"], dialog_key(bot_settings(slack_api)))
    assert (target.user_id, target.channel_id) == (payloads.USER_ID, payloads.CHANNEL_ID)
    assert await submit(bot, opened) is None  # a plain ack closes the form
    [result] = await bot.api.wait_for("chat.postEphemeral")
    assert (result.body["channel"], result.body["user"]) == (payloads.CHANNEL_ID, payloads.USER_ID)
    expected = slack_recommender.recommend(Answers.model_validate(FACETS | SIZING))
    assert result.body["text"].startswith(f"Recommendation: {expected.title}")
    assert_valid_blocks(result.blocks)
    assert "Monthly cost" in json.dumps(result.blocks)


@pytest.mark.asyncio
async def test_bad_sizing_is_shown_in_the_form_then_fixed(bot: BotUnderTest) -> None:
    """vcpu=abc: the form stays open with the error next to the input; fixed, it is answered."""
    opened = await open_form(bot)
    answer = await submit(bot, opened, values=form_values(FACETS, {"vcpu": "abc"}))
    assert answer["response_action"] == "errors"
    assert list(answer["errors"]) == [f"{BLOCK_SIZING}:vcpu"]
    assert answer["errors"][f"{BLOCK_SIZING}:vcpu"].startswith("Enter vCPUs per task")
    assert await submit(bot, opened) is None
    await bot.api.wait_for("chat.postEphemeral")


@pytest.mark.asyncio
async def test_result_comes_as_a_dm_where_it_cannot_be_ephemeral(bot: BotUnderTest) -> None:
    """A channel the bot is not in (channel_not_found): the result comes as a DM instead."""
    opened = await open_form(bot)
    bot.api.fail_next("chat.postEphemeral", 200, error="channel_not_found")
    await submit(bot, opened)
    [dm] = await bot.api.wait_for("chat.postMessage")
    assert dm.body["channel"] == payloads.USER_ID
    assert dm.body["text"].startswith("Recommendation: ")


@pytest.mark.asyncio
async def test_repeated_submission_answers_once(bot: BotUnderTest) -> None:
    """The same form submitted twice gets one result."""
    opened = await open_form(bot)
    await submit(bot, opened)
    await submit(bot, opened)
    [result] = await bot.api.wait_for("chat.postEphemeral")
    await asyncio.sleep(0.3)  # time for a second result, were there one
    assert bot.api.of("chat.postEphemeral") == [result]


def _tampered(token: str) -> str:
    kind, body, signature = token.split(".")
    return f"{kind}.{body[:-2]}{'AA' if body[-2:] != 'AA' else 'BB'}.{signature}"


@pytest.mark.parametrize(
    "metadata",
    [
        pytest.param(lambda good, key: _tampered(good), id="tampered"),
        pytest.param(lambda good, key: "", id="missing"),
        pytest.param(
            lambda good, key: encode_reply_target(ReplyTarget(user_id="U0MALLORY"), key),
            id="other-user",
        ),
        pytest.param(
            lambda good, key: encode_reply_target(
                ReplyTarget(user_id=payloads.USER_ID), key, now=0
            ),
            id="stale",
        ),
    ],
)
@pytest.mark.asyncio
async def test_bad_form_state_asks_to_start_over(
    bot: BotUnderTest, slack_api: SlackStandIn, metadata: Any
) -> None:
    """A tampered, missing, foreign or stale private_metadata: a friendly start-over, no post."""
    opened = await open_form(bot)
    good = opened.body["view"]["private_metadata"]
    bad = metadata(good, dialog_key(bot_settings(slack_api)))
    answer = await submit(bot, opened, private_metadata=bad)
    assert answer["response_action"] == "update"
    assert answer["view"]["blocks"][0]["text"]["text"] == FORM_EXPIRED
    assert bot.api.of("chat.postEphemeral") == bot.api.of("chat.postMessage") == []


@pytest.mark.asyncio
async def test_help_me_choose_on_app_home_opens_the_form_and_answers_in_a_dm(
    bot: BotUnderTest, slack_api: SlackStandIn
) -> None:
    """From App Home the form opens over the tab; the result comes as a DM."""
    trigger_id = payloads.new_trigger_id()
    await bot.click(
        ACTION_HELP_ME_CHOOSE, "start", container=payloads.home_container(), trigger_id=trigger_id
    )
    [opened] = await bot.api.wait_for("views.open")
    assert opened.body["trigger_id"] == trigger_id
    target = decode_reply_target(
        opened.body["view"]["private_metadata"], dialog_key(bot_settings(slack_api))
    )
    assert (target.user_id, target.channel_id) == (payloads.USER_ID, None)
    await submit(bot, opened)
    [dm] = await bot.api.wait_for("chat.postMessage")
    assert dm.body["channel"] == payloads.USER_ID
    assert bot.api.of("chat.postEphemeral") == []


@pytest.mark.parametrize("value", ["start", START_OVER_VALUE])
@pytest.mark.asyncio
async def test_help_me_choose_on_an_ephemeral_message_opens_the_form(
    bot: BotUnderTest, value: str
) -> None:
    """Ephemeral messages cannot be updated, so from a private answer (or a private result's
    Start over) the form opens, replying in that channel."""
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts(), ephemeral=True)
    await bot.click(
        ACTION_HELP_ME_CHOOSE, value, container=container, response_url=bot.api.response_url()
    )
    [opened] = await bot.api.wait_for("views.open")
    await submit(bot, opened)
    [result] = await bot.api.wait_for("chat.postEphemeral")
    assert result.body["channel"] == payloads.CHANNEL_ID
    assert bot.api.of("chat.update") == bot.api.of("chat.postMessage") == []


@pytest.mark.asyncio
async def test_expired_trigger_is_apologised_for(bot: BotUnderTest) -> None:
    """If Slack refuses to open the form (an expired trigger_id), a friendly sorry, privately."""
    bot.api.fail_next("views.open", 200, error="expired_trigger_id")
    await bot.command("recommend")
    [sorry] = await bot.api.wait_for("response_url")
    assert sorry.body["response_type"] == "ephemeral"
    assert sorry.body["text"].startswith("Sorry")
