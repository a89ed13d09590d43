"""OAuth settings: built only with client id and secret, stores on the bot's own database."""

from __future__ import annotations

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine

from bot.settings import load_settings
from bot.storage.oauth import (
    ThreadedInstallationStore,
    ThreadedOAuthStateStore,
    make_oauth_settings,
)


@pytest.mark.parametrize(
    "overrides",
    [{}, {"slack_client_id": "123.456"}, {"slack_client_secret": "shh"}],
)
def test_no_oauth_without_client_id_and_secret(engine: Engine, overrides: dict[str, str]) -> None:
    """Single-workspace mode: no OAuth settings unless both id and secret are set."""
    assert make_oauth_settings(load_settings(**overrides), engine) is None


def test_oauth_settings_use_sqlalchemy_stores(engine: Engine) -> None:
    """With id and secret: install at /slack/install, stores wrapping slack_sdk's SQLAlchemy ones."""
    settings = load_settings(slack_client_id="123.456", slack_client_secret="shh")
    oauth = make_oauth_settings(settings, engine)
    assert oauth is not None
    assert (oauth.client_id, oauth.client_secret) == ("123.456", "shh")
    assert oauth.install_path == "/slack/install"
    assert "commands" in (oauth.scopes or [])
    assert isinstance(oauth.installation_store, ThreadedInstallationStore)
    assert isinstance(oauth.state_store, ThreadedOAuthStateStore)


@pytest.mark.asyncio
async def test_installation_round_trip_finds_the_bot_token(engine: Engine) -> None:
    """An installation saved through Bolt's async interface gives its bot token back."""
    settings = load_settings(slack_client_id="123.456", slack_client_secret="shh")
    oauth = make_oauth_settings(settings, engine)
    assert oauth is not None
    store = oauth.installation_store
    installation = Installation(
        app_id="A1",
        enterprise_id=None,
        team_id="T1",
        user_id="U1",
        bot_token="xoxb-1",
        bot_id="B1",
        bot_user_id="UB1",
    )
    await store.async_save(installation)
    bot = await store.async_find_bot(enterprise_id=None, team_id="T1")
    assert bot is not None and bot.bot_token == "xoxb-1"
    found = await store.async_find_installation(enterprise_id=None, team_id="T1")
    assert found is not None and found.user_id == "U1"
    await store.async_delete_all(enterprise_id=None, team_id="T1")
    assert await store.async_find_bot(enterprise_id=None, team_id="T1") is None


@pytest.mark.asyncio
async def test_state_is_consumed_once(engine: Engine) -> None:
    """An issued OAuth state is valid exactly once."""
    settings = load_settings(slack_client_id="123.456", slack_client_secret="shh")
    oauth = make_oauth_settings(settings, engine)
    assert oauth is not None
    state = await oauth.state_store.async_issue()
    assert await oauth.state_store.async_consume(state)
    assert not await oauth.state_store.async_consume(state)
