"""The Slack Web API stand-in on its own, talked to with slack_sdk's real client."""

from __future__ import annotations

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.standin import APP_TOKEN, BOT_TOKEN, BOT_USER_ID, TEAM_ID, Call, SlackStandIn


def client(api: SlackStandIn, token: str = BOT_TOKEN) -> AsyncWebClient:
    """A Web API client pointed at the stand-in, retrying nothing."""
    return AsyncWebClient(token=token, base_url=api.api_url, retry_handlers=[])


@pytest.mark.asyncio
async def test_auth_test_answers_like_slack(slack_api: SlackStandIn) -> None:
    """auth.test with the bot token names the test workspace and bot user."""
    response = await client(slack_api).auth_test()
    assert response["ok"] is True
    assert (response["team_id"], response["user_id"]) == (TEAM_ID, BOT_USER_ID)


@pytest.mark.asyncio
async def test_records_calls_and_gives_each_message_a_ts(slack_api: SlackStandIn) -> None:
    """Posted messages are recorded with their blocks and get distinct timestamps."""
    web = client(slack_api)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]
    first = await web.chat_postMessage(channel="C1", text="one", blocks=blocks)
    second = await web.chat_postMessage(channel="C1", text="two")
    assert first["ts"] != second["ts"]
    calls = await slack_api.wait_for("chat.postMessage", 2)
    assert [c.body["text"] for c in calls] == ["one", "two"]
    assert calls[0].blocks == blocks
    assert calls[0].headers["Authorization"] == f"Bearer {BOT_TOKEN}"


@pytest.mark.asyncio
async def test_views_echo_the_view_back(slack_api: SlackStandIn) -> None:
    """views.open answers with the view it was given, plus an id."""
    view = {"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": []}
    response = await client(slack_api).views_open(trigger_id="1.2.3", view=view)
    assert response["view"]["id"] == "V0TEST"
    assert response["view"]["type"] == "modal"
    assert slack_api.of("views.open")[0].body["view"] == view


@pytest.mark.asyncio
async def test_a_wrong_token_is_rejected_not_recorded(slack_api: SlackStandIn) -> None:
    """Any other bearer token gets invalid_auth, and the call goes to `rejected`."""
    with pytest.raises(SlackApiError) as error:
        await client(slack_api, token="xoxb-wrong").chat_postMessage(channel="C1", text="x")
    assert error.value.response["error"] == "invalid_auth"
    assert slack_api.calls == []
    assert [c.method for c in slack_api.rejected] == ["chat.postMessage"]


@pytest.mark.asyncio
async def test_fail_next_answers_one_call_with_an_error(slack_api: SlackStandIn) -> None:
    """fail_next makes exactly the next call fail (429 with Retry-After here), then recovers."""
    slack_api.fail_next("chat.postMessage", 429, **{"Retry-After": "1"})
    web = client(slack_api)
    with pytest.raises(SlackApiError) as error:
        await web.chat_postMessage(channel="C1", text="x")
    assert error.value.response.status_code == 429
    assert error.value.response.headers["Retry-After"] == "1"
    assert (await web.chat_postMessage(channel="C1", text="y"))["ok"] is True
    assert [c.method for c in slack_api.calls] == ["chat.postMessage:429", "chat.postMessage"]


@pytest.mark.asyncio
async def test_unknown_methods_get_a_404(slack_api: SlackStandIn) -> None:
    """A method the bot never uses is not pretended to exist."""
    with pytest.raises(SlackApiError) as error:
        await client(slack_api).api_call("users.list")
    assert error.value.response["error"] == "unknown_method"


@pytest.mark.asyncio
async def test_response_url_posts_are_recorded_under_their_key(slack_api: SlackStandIn) -> None:
    """A post to a response_url is recorded as method "response_url" with its key."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(slack_api.response_url("k9"), json={"text": "hello"}) as response,
    ):
        assert await response.text() == "ok"
    [call] = await slack_api.wait_for("response_url")
    assert call.body == {"text": "hello", "_key": "k9"}


@pytest.mark.asyncio
async def test_socket_mode_needs_the_app_token(slack_api: SlackStandIn) -> None:
    """apps.connections.open hands out the WebSocket URL for the app-level token only."""
    opened = await client(slack_api, token=APP_TOKEN).apps_connections_open(app_token=APP_TOKEN)
    assert opened["url"].startswith("ws://127.0.0.1:")
    with pytest.raises(SlackApiError):
        await client(slack_api).apps_connections_open(app_token="xapp-wrong")


@pytest.mark.asyncio
async def test_on_call_sees_each_recorded_call_with_its_answer() -> None:
    """`on_call` gets every recorded call as it lands, with the ts the bot was answered with;
    a stand-in built with its own token accepts that token and no other."""
    seen: list[Call] = []
    api = SlackStandIn(bot_token="xoxb-local-abc", on_call=seen.append)
    await api.start()
    try:
        posted = await client(api, token="xoxb-local-abc").chat_postMessage(channel="C1", text="x")
        with pytest.raises(SlackApiError):
            await client(api).chat_postMessage(channel="C1", text="default token")
    finally:
        await api.close()
    [call] = seen
    assert (call.method, call.answer["ts"]) == ("chat.postMessage", posted["ts"])
    assert [c.method for c in api.rejected] == ["chat.postMessage"]


@pytest.mark.asyncio
async def test_new_ts_shares_the_series_of_posted_messages(slack_api: SlackStandIn) -> None:
    """A timestamp handed out for a message typed elsewhere (the playground's person) is
    never one a post gets, before or after."""
    typed = slack_api.new_ts()
    posted = await client(slack_api).chat_postMessage(channel="C1", text="x")
    assert len({typed, posted["ts"], slack_api.new_ts()}) == 3
