"""OAuth install for several workspaces: slack_sdk's SQLAlchemy stores on the bot's database.

slack_sdk's async SQLAlchemy stores need an async engine (and, for SQLite, an async driver);
the sync stores work on the same engine as everything else, so they run in worker threads.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from logging import Logger
from typing import Any

from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from sqlalchemy import Engine

from bot.settings import Settings
from bot.storage.slack_tables import BOTS, INSTALLATIONS, OAUTH_STATES

logger = logging.getLogger(__name__)

DEFAULT_BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:history",
    # Read a mention's thread before re-posting a timed-out answer (see the manifest).
    "channels:history",
    "groups:history",
    "im:read",
    "im:write",
)
STATE_EXPIRATION_SECONDS = 600


OnInstall = Callable[[str], Awaitable[None]]


class ThreadedInstallationStore(AsyncInstallationStore):
    """An async face on a sync installation store: each call runs in a worker thread.

    `on_install` hears of every workspace (or org) that installs, once it is saved.
    """

    def __init__(self, store: InstallationStore, on_install: OnInstall | None = None) -> None:
        self._store = store
        self._on_install = on_install

    @property
    def logger(self) -> Logger:
        """The wrapped store's logger."""
        return self._store.logger

    async def async_save(self, installation: Installation) -> None:
        """Save an installation and its bot, then tell `on_install`."""
        await asyncio.to_thread(self._store.save, installation)
        workspace = installation.team_id or installation.enterprise_id
        if self._on_install is not None and workspace:
            await self._on_install(workspace)

    async def async_save_bot(self, bot: Bot) -> None:
        """Save a bot."""
        await asyncio.to_thread(self._store.save_bot, bot)

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The latest bot for a workspace or org (what Bolt's authorize looks up)."""
        find = partial(self._store.find_bot, is_enterprise_install=is_enterprise_install)
        return await asyncio.to_thread(find, enterprise_id=enterprise_id, team_id=team_id)

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        """The latest installation for a workspace, org or user."""
        find = partial(self._store.find_installation, is_enterprise_install=is_enterprise_install)
        return await asyncio.to_thread(
            find, enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        """Delete a workspace's bots (on uninstall or token revocation)."""
        await asyncio.to_thread(
            self._store.delete_bot, enterprise_id=enterprise_id, team_id=team_id
        )

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        """Delete installations (on uninstall or token revocation)."""
        await asyncio.to_thread(
            self._store.delete_installation,
            enterprise_id=enterprise_id,
            team_id=team_id,
            user_id=user_id,
        )


class ThreadedOAuthStateStore(AsyncOAuthStateStore):
    """An async face on a sync OAuth state store: each call runs in a worker thread."""

    def __init__(self, store: OAuthStateStore) -> None:
        self._store = store

    @property
    def logger(self) -> Logger:
        """The wrapped store's logger."""
        return self._store.logger

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        """A new state value, stored until consumed or expired."""
        return await asyncio.to_thread(self._store.issue, *args, **kwargs)

    async def async_consume(self, state: str) -> bool:
        """True once for a state value that was issued and has not expired."""
        return await asyncio.to_thread(self._store.consume, state)


def sqlalchemy_stores(client_id: str, engine: Engine) -> tuple[InstallationStore, OAuthStateStore]:
    """slack_sdk's SQLAlchemy installation and state stores on `engine` (tables by migration)."""
    try:
        from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
        from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
    except ImportError as exc:  # slack_sdk imports sqlalchemy.ext.asyncio, which needs greenlet
        raise RuntimeError(
            f"OAuth install needs SQLAlchemy's asyncio extra (greenlet): {exc}"
        ) from None
    installations = SQLAlchemyInstallationStore(
        client_id, engine, bots_table_name=BOTS, installations_table_name=INSTALLATIONS
    )
    states = SQLAlchemyOAuthStateStore(STATE_EXPIRATION_SECONDS, engine, table_name=OAUTH_STATES)
    return installations, states


def make_oauth_settings(
    settings: Settings,
    engine: Engine,
    *,
    scopes: Sequence[str] = DEFAULT_BOT_SCOPES,
    on_install: OnInstall | None = None,
) -> AsyncOAuthSettings | None:
    """Bolt's OAuth settings (install at /slack/install) when client id and secret are set;
    `on_install(workspace)` runs after each installation is saved."""
    if not settings.slack_client_id or settings.slack_client_secret is None:
        return None
    installations, states = sqlalchemy_stores(settings.slack_client_id, engine)
    return AsyncOAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value(),
        scopes=list(scopes),
        user_scopes=[],
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=ThreadedInstallationStore(installations, on_install),
        state_store=ThreadedOAuthStateStore(states),
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=logger,
    )
