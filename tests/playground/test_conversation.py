"""Messages as the playground keeps them, and the Slack requests it builds."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from bot.playground import payloads
from bot.playground.conversation import Conversation, Message, ReplyPlace, find_element, with_ids
from bot.playground.payloads import CHANNEL_ID, DM_CHANNEL_ID, USER_ID

BLOCKS = [
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "hi"},
        "accessory": {"type": "button", "text": {"type": "plain_text", "text": "Go"}},
    },
    {
        "type": "actions",
        "block_id": "mine",
        "elements": [
            {
                "type": "button",
                "action_id": "x",
                "text": {"type": "plain_text", "text": "X"},
                "value": "1",
            }
        ],
    },
]


def test_ids_are_filled_in_as_slack_does_and_kept_when_given() -> None:
    """Every block gets a block_id and every interactive element an action_id; the input is
    left as it was."""
    filled = with_ids(BLOCKS)
    assert filled[0]["block_id"] and filled[0]["accessory"]["action_id"]
    assert filled[1]["block_id"] == "mine"
    assert find_element(filled, "mine", "x") == BLOCKS[1]["elements"][0]
    assert find_element(filled, "mine", "y") is None
    assert "block_id" not in BLOCKS[0]


def _clicked(conversation: Conversation, *, ephemeral: bool) -> tuple[Message, str]:
    message = Message(
        channel=CHANNEL_ID,
        ts="1.000001",
        text="q",
        author="bot",
        thread_ts="1.0",
        ephemeral=ephemeral,
    )
    conversation.add(message)
    key = conversation.reply_place(ReplyPlace(CHANNEL_ID, "1.0", original=message.key))
    return message, key


def test_a_response_after_a_click_replaces_the_clicked_message_unless_told_not_to() -> None:
    """After a click Slack replaces the original by default; replace_original false adds a
    private message in the same thread; in_channel makes it public; delete_original removes."""
    conversation = Conversation()
    message, key = _clicked(conversation, ephemeral=True)
    [replaced] = conversation.apply("response_url", {"_key": key, "text": "new"}, {})
    assert (replaced["message"]["key"], replaced["message"]["text"]) == (message.key, "new")
    [added] = conversation.apply(
        "response_url", {"_key": key, "text": "more", "replace_original": False}, {}
    )
    assert added["message"]["ephemeral"] is True and added["message"]["thread_ts"] == "1.0"
    [public] = conversation.apply(
        "response_url",
        {"_key": key, "text": "all", "response_type": "in_channel", "replace_original": False},
        {},
    )
    assert public["message"]["ephemeral"] is False
    assert conversation.apply("response_url", {"_key": key, "delete_original": True}, {}) == [
        {"type": "deleted", "key": message.key}
    ]
    assert conversation.apply("response_url", {"_key": "r999", "text": "lost"}, {}) == []


def test_bot_posts_updates_and_dms() -> None:
    """chat.postMessage to the person's user id lands in their DM; chat.update replaces a
    message in place (unknown ones are ignored); ephemerals are marked."""
    conversation = Conversation()
    [posted] = conversation.apply(
        "chat.postMessage", {"channel": USER_ID, "text": "hi", "blocks": BLOCKS}, {"ts": "9.1"}
    )
    assert posted["message"]["key"] == f"{DM_CHANNEL_ID}:9.1"
    [updated] = conversation.apply(
        "chat.update", {"channel": DM_CHANNEL_ID, "ts": "9.1", "text": "bye"}, {}
    )
    assert (updated["message"]["text"], updated["message"]["blocks"]) == ("bye", [])
    assert conversation.apply("chat.update", {"channel": DM_CHANNEL_ID, "ts": "0.0"}, {}) == []
    [private] = conversation.apply(
        "chat.postEphemeral",
        {"channel": CHANNEL_ID, "user": USER_ID, "text": "psst"},
        {"message_ts": "9.2"},
    )
    assert private["message"]["ephemeral"] is True


def test_requests_are_signed_and_shaped_like_slacks() -> None:
    """Events are JSON envelopes, commands and interactions forms, each signed v0."""
    event = payloads.event_callback(payloads.user_message(DM_CHANNEL_ID, "hi", "1.1"))
    body = json.loads(event.body)
    assert (body["type"], body["event"]["type"], body["event"]["channel_type"]) == (
        "event_callback",
        "message",
        "im",
    )
    mention = payloads.user_message(CHANNEL_ID, "hi", "1.2")
    assert mention["type"] == "app_mention" and "channel_type" not in mention
    command = payloads.slash_command(
        "/ecs-vs-ec2", "help", CHANNEL_ID, "http://127.0.0.1:1/response/r1"
    )
    fields = parse_qs(command.body)
    assert fields["response_url"] == ["http://127.0.0.1:1/response/r1"] and fields["trigger_id"]
    headers = command.headers("s3cret")
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    verifier = SignatureVerifier("s3cret")
    assert verifier.is_valid(
        command.body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert not SignatureVerifier("other").is_valid(
        command.body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
