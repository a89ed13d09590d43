"""Helpers for OAuth tests: settings for OAuth mode and a scripted install through the stand-in."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.settings import Settings
from bot.slack.standin import SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest

CLIENT_ID = "1234567890.0987654321"


CLIENT_SECRET = "test-client-secret-not-real"


STATE_COOKIE = "slack-app-oauth-state"
# slack_sdk's oauth.v2.access still builds aiohttp.BasicAuth, which aiohttp 3.14 deprecates.


SLACK_SDK_BASIC_AUTH = "ignore:BasicAuth is deprecated:DeprecationWarning"


def oauth_settings(api: SlackStandIn, tmp_path: Path) -> Settings:
    """OAuth mode: client id and secret, a signing secret, no bot token; SQLite in tmp_path."""
    return Settings(
        slack_client_id=CLIENT_ID,
        slack_client_secret=CLIENT_SECRET,
        slack_signing_secret=payloads.SIGNING_SECRET,
        slack_api_url=api.api_url,
        database_url=f"sqlite:///{tmp_path / 'ecsbot.db'}",
    )


async def open_install_page(bot: BotUnderTest) -> tuple[str, str, str]:
    """GET /slack/install: the page, the "Add to Slack" URL, and the state cookie's value."""
    async with bot.client.get("/slack/install") as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        page = await resp.text()
        cookie = resp.cookies[STATE_COOKIE].value
    [href] = re.findall(r'<a href="([^"]+)"><img alt="Add to Slack"', page)
    return page, href.replace("&amp;", "&"), cookie


async def install(bot: BotUnderTest) -> str:
    """Go through the install: the page, Slack's redirect back with a code; the result page."""
    _, url, cookie = await open_install_page(bot)
    [state] = parse_qs(urlsplit(url).query)["state"]
    headers = {"Cookie": f"{STATE_COOKIE}={cookie}"}
    query = {"code": "code-from-slack", "state": state}
    async with bot.client.get("/slack/oauth_redirect", params=query, headers=headers) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.text()
