"""The HTTP endpoint: health check, URL verification, request verification, body size."""

from __future__ import annotations

import asyncio
import io
import logging
import time

import pytest
from aiohttp import web

from bot.answering import Answerer, Recommender
from bot.slack import create_app, run_http
from bot.slack.standin import SlackStandIn
from tests.ports import free_port
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.serving import serving

CHALLENGE = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


@pytest.mark.asyncio
async def test_healthz_answers_200(bot: BotUnderTest) -> None:
    """GET /healthz is 200 with a JSON status, no Slack signature needed."""
    async with bot.client.get("/healthz") as resp:
        assert resp.status == 200
        assert await resp.json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_url_verification_echoes_the_challenge(bot: BotUnderTest) -> None:
    """Setting the Request URL in Slack: the signed challenge is echoed back."""
    response = await bot.post(payloads.url_verification(CHALLENGE), form=False)
    assert response.status == 200
    assert CHALLENGE in response.text


def _bad_headers(body: str) -> dict[str, dict[str, str]]:
    good = payloads.signed_headers(body)
    stale = payloads.signed_headers(body, timestamp=int(time.time()) - 6 * 60)
    return {
        "wrong secret": payloads.signed_headers(body, secret="not-the-secret"),
        "tampered signature": {**good, "X-Slack-Signature": "v0=" + "0" * 64},
        "no signature": {k: v for k, v in good.items() if k != "X-Slack-Signature"},
        "no timestamp": {k: v for k, v in good.items() if k != "X-Slack-Request-Timestamp"},
        "no headers": {"Content-Type": good["Content-Type"]},
        "timestamp over 5 minutes old": stale,
        "timestamp in the future": payloads.signed_headers(body, timestamp=int(time.time()) + 600),
    }


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "case",
    [
        "wrong secret",
        "tampered signature",
        "no signature",
        "no timestamp",
        "no headers",
        "timestamp over 5 minutes old",
        "timestamp in the future",
    ],
)
async def test_unverified_request_is_401_and_nothing_is_posted(
    bot: BotUnderTest, case: str
) -> None:
    """A request not signed with our secret, or replayed later, is refused and not acted on."""
    body = payloads.slash_command("how is fargate billed?", bot.api.response_url())
    response = await bot.post(body, headers=_bad_headers(body)[case])
    assert response.status == 401
    event_body = payloads.event_callback(payloads.im_message("how is fargate billed?"))
    response = await bot.post(event_body, headers=_bad_headers(event_body)[case])
    assert response.status == 401
    await asyncio.sleep(0.2)  # a reply would come after the ack; give it the chance to
    assert bot.api.calls == []


@pytest.mark.asyncio
async def test_body_over_one_megabyte_is_413(bot: BotUnderTest) -> None:
    """An oversized body is refused before anything reads it as a Slack request."""
    body = payloads.slash_command("x" * (1024 * 1024 + 1), bot.api.response_url())
    data = io.BytesIO(body.encode())
    headers = payloads.signed_headers(body)
    async with bot.client.post("/slack/events", data=data, headers=headers) as resp:
        assert resp.status == 413
    assert bot.api.calls == []


@pytest.mark.asyncio
async def test_view_submission_is_verified_like_everything_else(bot: BotUnderTest) -> None:
    """A view_submission with a bad signature is 401; a signed one reaches Bolt."""
    body = payloads.view_submission("some_modal")
    bad = payloads.signed_headers(body, secret="not-the-secret")
    assert (await bot.post(body, headers=bad)).status == 401
    assert (await bot.post(body)).status != 401


@pytest.mark.asyncio
async def test_web_api_calls_reuse_one_connection(
    slack_answerer: Answerer, slack_recommender: Recommender
) -> None:
    """Answers posted one after another go over one kept-alive connection to the Web API
    (slack_sdk alone opens a new one per call), and the session closes with the server."""
    api = SlackStandIn()
    peers: list[object] = []

    async def note_peer(request: web.Request, _response: web.StreamResponse) -> None:
        if request.path.endswith("chat.postMessage"):
            peers.append(
                request.transport.get_extra_info("peername") if request.transport else None
            )

    api.server.app.on_response_prepare.append(note_peer)
    await api.start()
    try:
        app = create_app(bot_settings(api), slack_answerer, recommender=slack_recommender)
        async with serving(app, api) as bot:
            for n in range(3):
                await bot.event(payloads.im_message("what is fargate?"))
                await api.wait_for("chat.postMessage", n + 1)
            session = app.client.session
        assert len(peers) == 3 and len(set(peers)) == 1
        assert session is not None and session.closed
    finally:
        await api.close()


@pytest.mark.parametrize(("level", "logged"), [(logging.INFO, False), (logging.DEBUG, True)])
def test_request_lines_are_logged_only_at_debug(
    monkeypatch: pytest.MonkeyPatch,
    slack_api: SlackStandIn,
    slack_answerer: Answerer,
    slack_recommender: Recommender,
    caplog: pytest.LogCaptureFixture,
    level: int,
    logged: bool,
) -> None:
    """aiohttp's access log (a line per request) is on at LOG_LEVEL=DEBUG only."""
    seen: dict[str, object] = {}
    monkeypatch.setattr(web, "run_app", lambda _app, **kwargs: seen.update(kwargs))
    caplog.set_level(level)
    app = create_app(bot_settings(slack_api), slack_answerer, recommender=slack_recommender)
    run_http(app, port=free_port(), host="127.0.0.1")
    assert (seen["access_log"] is not None) is logged
