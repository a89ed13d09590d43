"""Several workspaces: OAuth install at /slack/install, installations on the bot's database."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import MetaData, Table, select

from bot.answering import Answerer
from bot.settings import Settings
from bot.slack import slack_credentials
from bot.slack.standin import BOT_TOKEN, TEAM_ID, SlackStandIn
from bot.storage.models import ProcessedEvent
from bot.storage.services import Storage
from bot.storage.slack_tables import BOTS, OAUTH_STATES
from tests.slack import payloads
from tests.slack.oauth import (
    CLIENT_ID,
    CLIENT_SECRET,
    SLACK_SDK_BASIC_AUTH,
    install,
    oauth_settings,
    open_install_page,
)
from tests.slack.serving import served_with_storage


def test_oauth_needs_no_bot_token_but_a_signing_secret(tmp_path: Path) -> None:
    """With client id and secret the bot token comes from installations; HTTP mode only."""
    settings = Settings(
        slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET, slack_signing_secret="s"
    )
    assert settings.slack_configured
    assert slack_credentials(settings).bot_token is None
    with pytest.raises(Exception, match="SLACK_SIGNING_SECRET"):
        slack_credentials(Settings(slack_client_id=CLIENT_ID, slack_client_secret=CLIENT_SECRET))


@pytest.mark.asyncio
async def test_install_page_offers_add_to_slack_with_the_client_id(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """GET /slack/install renders an "Add to Slack" link for this app, its state kept in the
    bot's own database."""
    settings = oauth_settings(slack_api, tmp_path)
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
        page, url, cookie = await open_install_page(bot)
        with storage.engine.connect() as connection:
            states = connection.execute(select(_table(storage, OAUTH_STATES).c.state)).all()
    assert "Add to Slack" in page
    assert url.startswith("https://slack.com/oauth/v2/authorize?")
    query = parse_qs(urlsplit(url).query)
    assert query["client_id"] == [CLIENT_ID]
    assert "commands" in query["scope"][0].split(",")
    assert [row.state for row in states] == query["state"] == [cookie]
    assert CLIENT_SECRET not in page


@pytest.mark.filterwarnings(SLACK_SDK_BASIC_AUTH)
@pytest.mark.asyncio
async def test_installed_workspace_is_answered_with_its_stored_token(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """Finishing the install saves the workspace's bot in the same database as the bot's own
    tables; its DMs are then answered with that token."""
    settings = oauth_settings(slack_api, tmp_path)
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
        await install(bot)
        [exchange] = slack_api.of("oauth.v2.access")
        await bot.event(payloads.im_message("how is fargate billed?"), event_id="Ev0OAUTH")
        [answer] = await slack_api.wait_for("chat.postMessage")
        with storage.engine.connect() as connection:
            bots = connection.execute(select(_table(storage, BOTS))).mappings().all()
            claimed = connection.execute(select(ProcessedEvent.key)).scalars().all()
    basic = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert exchange.headers["Authorization"] == f"Basic {basic}"
    assert exchange.body["code"] == "code-from-slack"
    assert [(b["client_id"], b["team_id"], b["bot_token"]) for b in bots] == [
        (CLIENT_ID, TEAM_ID, BOT_TOKEN)
    ]
    assert "event:Ev0OAUTH" in claimed  # the deduper shares that database too
    assert answer.headers["Authorization"] == f"Bearer {BOT_TOKEN}"
    assert answer.body["text"].startswith("How ECS and EC2 are priced")


@pytest.mark.asyncio
async def test_redirect_without_a_valid_state_installs_nothing(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """A forged redirect (no state cookie) is refused and Slack is never asked for a token."""
    settings = oauth_settings(slack_api, tmp_path)
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, _):
        query = {"code": "stolen", "state": "made-up"}
        async with bot.client.get("/slack/oauth_redirect", params=query) as resp:
            assert resp.status == 400
    assert slack_api.of("oauth.v2.access") == []


def _table(storage: Storage, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=storage.engine)
