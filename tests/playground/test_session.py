"""The playground without a browser: its servers in this process, driven through `Playground`.

The page's actions go through the real signed requests to the real Bolt app; what the bot
sends the stand-in comes back as the page's events.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.blocks import ACTION_SHARE, BLOCK_SIZING, CALLBACK_RECOMMEND_MODAL, COMMAND
from bot.playground import PlaygroundServer
from bot.playground.payloads import CHANNEL_ID, DM_CHANNEL_ID, SlackRequest
from bot.playground.session import PlaygroundError
from bot.slack.standin import BOT_USER_ID
from tests.waiting import BACKGROUND_SECONDS

pytestmark = pytest.mark.asyncio
Event = dict[str, Any]


class Events:
    """The events the page would receive from now on."""

    def __init__(self, server: PlaygroundServer) -> None:
        self.queue = server.playground.hub.subscribe()
        self.unread: list[Event] = []  # arrived while waiting for another kind

    async def next(self, kind: str, where: Callable[[Event], bool] = lambda e: True) -> Event:
        """The first unread event of `kind` matching `where` (failing after BACKGROUND_SECONDS
        without one); the bot's reply may overtake the ack's effect, so others wait their turn."""
        while True:
            for event in self.unread:
                if event["type"] == kind and where(event):
                    self.unread.remove(event)
                    return event
            event = await asyncio.wait_for(self.queue.get(), BACKGROUND_SECONDS)
            assert event is not None, "the event stream ended"
            self.unread.append(event)

    async def message(self, author: str = "bot") -> dict[str, Any]:
        """The next message shown from `author`."""
        event = await self.next("message", lambda e: e["message"]["author"] == author)
        return dict(event["message"])


def forwarded(server: PlaygroundServer) -> list[SlackRequest]:
    """Every request the playground sends the Bolt app from now on."""
    sent: list[SlackRequest] = []
    forward = server.playground._forward

    async def recording(request: SlackRequest) -> tuple[int, str]:
        sent.append(request)
        return await forward(request)

    server.playground._forward = recording  # type: ignore[method-assign]
    return sent


def button(message: dict[str, Any], action_id: str) -> tuple[str, str]:
    """The block id and action id of the first button whose action id starts `action_id`."""
    for block in message["blocks"]:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if str(element.get("action_id", "")).startswith(action_id):
                return block["block_id"], element["action_id"]
    raise AssertionError(f"no {action_id} button in {message['blocks']}")


async def test_a_dm_is_a_message_im_event_and_the_answer_comes_back(
    server: PlaygroundServer,
) -> None:
    """Typing in the DM shows the text as Slack escapes it, sends message.im, and the bot's
    chat.postMessage comes back as its answer in the DM."""
    events = Events(server)
    await server.playground.say(DM_CHANNEL_ID, "how is fargate billed? <b> & co")
    mine = await events.message("you")
    assert mine["text"] == "how is fargate billed? &lt;b&gt; &amp; co"
    answer = await events.message()
    assert (answer["channel"], answer["thread_ts"], answer["ephemeral"]) == (
        DM_CHANNEL_ID,
        None,
        False,
    )
    assert answer["blocks"][0]["type"] == "header"
    [call] = server.standin.of("chat.postMessage")
    assert call.answer["ts"] == answer["ts"]
    # One series of timestamps: the answer never takes the place of the question.
    assert mine["ts"] != answer["ts"]
    assert {mine["key"], answer["key"]} <= set(server.playground.conversation.messages)


async def test_a_channel_message_is_a_mention_answered_in_its_thread(
    server: PlaygroundServer,
) -> None:
    """In #general the text goes to the bot as an app_mention and the answer is threaded."""
    events = Events(server)
    await server.playground.say(CHANNEL_ID, "what is fargate?")
    mine = await events.message("you")
    assert mine["text"] == f"<@{BOT_USER_ID}> what is fargate?"
    answer = await events.message()
    assert (answer["channel"], answer["thread_ts"]) == (CHANNEL_ID, mine["ts"])


async def test_a_reply_in_a_thread_is_a_threaded_mention_answered_there(
    server: PlaygroundServer,
) -> None:
    """A message typed in a thread carries its thread_ts, as Slack's app_mention does, and
    the answer stays in that thread; a thread that does not exist is refused."""
    events = Events(server)
    await server.playground.say(CHANNEL_ID, "does fargate support gpus?")
    first = await events.message("you")
    await events.message()
    await server.playground.say(CHANNEL_ID, "what about windows?", first["ts"])
    mine = await events.message("you")
    assert mine["thread_ts"] == first["ts"]
    answer = await events.message()
    assert answer["thread_ts"] == first["ts"]
    with pytest.raises(PlaygroundError):
        await server.playground.say(CHANNEL_ID, "hello?", "1.000000")


async def test_a_slash_command_answers_privately_and_share_posts_it(
    server: PlaygroundServer,
) -> None:
    """`/ecs-vs-ec2 <question>` answers through its response_url, only to the person; Share
    posts the answer in the channel and deletes the private copy (delete_original)."""
    events = Events(server)
    await server.playground.say(CHANNEL_ID, f"{COMMAND} how is fargate billed?")
    private = await events.message()
    assert private["ephemeral"] is True
    block_id, action_id = button(private, ACTION_SHARE)
    await server.playground.act_in_message(private["key"], block_id, action_id, None)
    shared = await events.message()
    assert (shared["channel"], shared["ephemeral"]) == (CHANNEL_ID, False)
    assert "shared by" in shared["text"]
    deleted = await events.next("deleted")
    assert deleted["key"] == private["key"]
    assert private["key"] not in server.playground.conversation.messages


async def test_an_unknown_slash_command_gets_a_note_and_reaches_no_bot(
    server: PlaygroundServer,
) -> None:
    """A command the app does not have is refused as Slack refuses it, privately."""
    sent = forwarded(server)
    events = Events(server)
    await server.playground.say(DM_CHANNEL_ID, "/deploy <prod>")
    note = await events.message("slackbot")
    assert note["ephemeral"] is True
    assert note["text"].startswith("`/deploy` is not a valid command")
    assert sent == []


async def test_the_bolt_app_checks_the_signature(server: PlaygroundServer) -> None:
    """The requests are really signed: with another secret the Bolt app refuses them (401),
    and the person is told instead of left waiting."""
    events = Events(server)
    server.playground.signing_secret = "not-the-apps-secret"
    await server.playground.say(DM_CHANNEL_ID, "what is fargate?")
    note = await events.message("slackbot")
    assert "HTTP 401" in note["text"]
    assert server.standin.calls == []


async def test_the_form_checks_like_slack_then_the_bot_then_recommends(
    server: PlaygroundServer,
) -> None:
    """The recommend form: text in a number field never leaves the "client"; the bot's own
    errors come back at their field (response_action errors); a good form closes and the
    recommendation arrives privately in the channel."""
    events = Events(server)
    await server.playground.say(CHANNEL_ID, f"{COMMAND} recommend")
    view = (await events.next("modal", lambda e: e["view"] is not None))["view"]
    assert view["callback_id"] == CALLBACK_RECOMMEND_MODAL
    vcpu = f"{BLOCK_SIZING}:vcpu"
    sent = forwarded(server)
    await server.playground.submit(view["id"], {vcpu: "lots"})
    assert (await events.next("modal"))["errors"] == {vcpu: "Enter a number."}
    assert sent == []
    await server.playground.submit(view["id"], {vcpu: "5000"})
    errors = (await events.next("modal"))["errors"]
    assert list(errors) == [vcpu] and "at most" in errors[vcpu]
    await server.playground.submit(view["id"], {vcpu: "2"})
    assert (await events.next("modal"))["view"] is None
    result = await events.message()
    assert (result["channel"], result["ephemeral"]) == (CHANNEL_ID, True)
    assert len(sent) == 2


async def test_the_form_flags_every_bad_number_in_one_round(server: PlaygroundServer) -> None:
    """Four bad numbers give four errors at once, in the words of each field's hint ("above 0"
    for -3), not two from the client and two more after those are fixed."""
    events = Events(server)
    await server.playground.say(CHANNEL_ID, f"{COMMAND} recommend")
    view = (await events.next("modal", lambda e: e["view"] is not None))["view"]
    bad = {"vcpu": "-3", "memory_gb": "0", "count": "2.5", "hours_per_month": "1000"}
    await server.playground.submit(view["id"], {f"{BLOCK_SIZING}:{k}": v for k, v in bad.items()})
    errors = (await events.next("modal"))["errors"]
    assert set(errors) == {f"{BLOCK_SIZING}:{name}" for name in bad}
    vcpu = errors[f"{BLOCK_SIZING}:vcpu"]
    assert "above 0" in vcpu and "at least 0" not in vcpu


async def test_app_home_is_published_and_its_buttons_answer_in_the_dm(
    server: PlaygroundServer,
) -> None:
    """Opening Home sends app_home_opened; views.publish shows it; a button there (a block
    action in a view) is answered in the DM."""
    events = Events(server)
    await server.playground.open_home()
    home = (await events.next("home"))["view"]
    block_id, action_id = button(home, "answer_topic")
    await server.playground.act_in_view(home["id"], block_id, action_id, None)
    answer = await events.message()
    assert answer["channel"] == DM_CHANNEL_ID


async def test_closing_a_form_tells_the_bot_only_when_it_asked(server: PlaygroundServer) -> None:
    """Cancel closes the modal; a view with notify_on_close also sends view_closed."""
    sent = forwarded(server)
    surfaces = server.playground.surfaces
    for notify in (False, True):
        view = {"type": "modal", "blocks": [], "notify_on_close": notify}
        [opened] = surfaces.apply("views.open", {"trigger_id": "1.2", "view": view})
        await server.playground.close_view(opened["view"]["id"])
        assert surfaces.stack == []
    [closed] = sent
    payload = json.loads(parse_qs(closed.body)["payload"][0])
    assert (payload["type"], payload["view"]["notify_on_close"]) == ("view_closed", True)


async def test_a_command_acked_with_a_message_shows_it_privately(
    server: PlaygroundServer,
) -> None:
    """A slash command acked with text (`ack("...")`) shows it as Slack does: only to the
    person, in the channel the command ran in; an empty ack shows nothing."""
    events = Events(server)
    server.playground._acked_command(CHANNEL_ID, "")
    server.playground._acked_command(CHANNEL_ID, '{"text": "Working on it"}')
    shown = await events.message()
    assert (shown["channel"], shown["text"], shown["ephemeral"]) == (
        CHANNEL_ID,
        "Working on it",
        True,
    )
    assert len(server.playground.conversation.messages) == 1
