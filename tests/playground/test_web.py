"""The playground's web server: the page, its JSON actions, its event stream, and what it refuses."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from bot.answering import Answerer, Recommender
from bot.playground import PlaygroundServer, local_settings
from bot.playground.payloads import DM_CHANNEL_ID
from bot.settings import Settings
from bot.slack import Services

pytestmark = pytest.mark.asyncio


async def _post(url: str, body: Any, **headers: str) -> tuple[int, dict[str, Any]]:
    data = body if isinstance(body, str) else json.dumps(body)
    headers = {"Content-Type": "application/json", **headers}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=data, headers=headers) as r,
    ):
        return r.status, await r.json(content_type=None)


async def test_the_page_loads_only_from_here(server: PlaygroundServer) -> None:
    """The page, its script and its style come from the playground, under a CSP that lets the
    browser load nothing from anywhere else."""
    async with aiohttp.ClientSession() as session:
        async with session.get(server.url) as page:
            html = await page.text()
            csp = page.headers["Content-Security-Policy"]
        for path in ("/static/app.js", "/static/blockkit.js", "/static/playground.css"):
            async with session.get(server.url.rstrip("/") + path) as asset:
                assert asset.status == 200, path
    assert page.status == 200 and 'id="message-box"' in html
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "http" not in html.replace(server.url, "")  # no outside address in the page


async def test_the_event_stream_starts_with_a_snapshot(server: PlaygroundServer) -> None:
    """/events is a server-sent-event stream whose first event holds everything to show."""
    async with aiohttp.ClientSession() as session, session.get(server.url + "events") as stream:
        assert stream.headers["Content-Type"] == "text/event-stream"
        line = await stream.content.readline()
    snapshot = json.loads(line.decode().removeprefix("data: "))
    assert snapshot["type"] == "snapshot"
    assert DM_CHANNEL_ID in snapshot["channels"]
    assert snapshot["messages"] == [] and snapshot["modal"]["view"] is None


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("api/say", {"channel": DM_CHANNEL_ID}, 400, "text: Field required"),
        ("api/say", {"channel": DM_CHANNEL_ID, "text": ""}, 400, "text: String should have"),
        ("api/say", "not json", 400, "Invalid JSON"),
        ("api/say", {"channel": "C0ELSEWHERE", "text": "hi"}, 409, "unknown channel"),
        ("api/act", {"block_id": "b", "action_id": "a"}, 400, "say which message"),
        ("api/act", {"message": "D1:1.2", "block_id": "b", "action_id": "a"}, 409, "gone"),
        ("api/submit", {"view": "V0NONE"}, 409, "that form is closed"),
    ],
)
async def test_bad_actions_get_a_clear_error(
    server: PlaygroundServer, path: str, body: Any, status: int, error: str
) -> None:
    """A malformed or stale action is refused with a reason, never a traceback."""
    code, answer = await _post(server.url + path, body)
    assert (code, answer["ok"]) == (status, False)
    assert error in answer["error"]


async def test_other_sites_cannot_drive_it(server: PlaygroundServer) -> None:
    """A form post from another site (not JSON) and a request for another host name (DNS
    rebinding) are refused before they reach the bot."""
    status, _ = await _post(
        server.url + "api/say",
        "channel=D0ECSBOT&text=hi",
        **{"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert status == 415
    status, answer = await _post(
        server.url + "api/say", {"channel": DM_CHANNEL_ID, "text": "hi"}, Host="evil.example"
    )
    assert status == 421 and "127.0.0.1" in answer["error"]
    assert server.playground.conversation.messages == {}


async def test_stopping_ends_the_open_event_streams(
    answerer: Answerer, playground_recommender: Recommender
) -> None:
    """Stopping the playground ends a connected page's stream instead of waiting on it."""
    server = PlaygroundServer(local_settings(Settings()))
    await server.start(Services(answerer=answerer, recommender=playground_recommender), port=0)
    async with aiohttp.ClientSession() as session, session.get(server.url + "events") as stream:
        await stream.content.readline()
        await server.stop()
        rest = await stream.content.read()
    assert rest in (b"", b"\n")


async def test_everything_listens_on_127_0_0_1(server: PlaygroundServer) -> None:
    """The page, the Bolt app and the Web API stand-in (and its response_urls) are all local."""
    playground = server.playground
    for url in (
        server.url,
        playground.events_url,
        server.standin.api_url,
        playground.response_base,
    ):
        assert url.startswith("http://127.0.0.1:"), url
