"""Events the bot does not answer: uninstalls and revoked tokens clean up, the rest is acked.

Slack counts any answer but 200 to an event as a failed delivery, retries it, and may turn
the app's event subscription off when failures pile up; so every event type is acknowledged,
and those without a listener of their own are logged at DEBUG. This module registers last.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext

from bot.slack.listeners.common import guarded
from bot.slack.services import Services

logger = logging.getLogger(__name__)

ANY_EVENT = re.compile(r".*")
Revocation = Callable[..., Awaitable[Any]]


def _bolt_listener(app: AsyncApp, name: str) -> Revocation | None:
    """Bolt's own token revocation listener `name`, when the app keeps installations (OAuth)."""
    if app.installation_store is None:
        return None
    listener: Revocation = getattr(app, name)()
    return listener


def on_uninstall(app: AsyncApp) -> Callable[..., Awaitable[None]]:
    """The app_uninstalled listener: the workspace's tokens go now, its records later."""
    forget_tokens = _bolt_listener(app, "default_app_uninstalled_event_listener")

    async def handle_app_uninstalled(context: AsyncBoltContext, services: Services) -> None:
        """Delete the workspace's installations and bot tokens; schedule its records' erasure."""
        if forget_tokens is not None:
            await forget_tokens(context=context)
        logger.info("The app was uninstalled from a workspace")
        await services.workspace_left(context.team_id or context.enterprise_id)

    return handle_app_uninstalled


def on_tokens_revoked(app: AsyncApp) -> Callable[..., Awaitable[None]]:
    """The tokens_revoked listener: the revoked tokens go now. With the bot's token revoked
    the workspace has in effect uninstalled: its installations go too (their rows hold that
    token), and its records later."""
    forget_tokens = _bolt_listener(app, "default_tokens_revoked_event_listener")
    forget_all = _bolt_listener(app, "default_app_uninstalled_event_listener")

    async def handle_tokens_revoked(
        event: dict[str, Any], context: AsyncBoltContext, services: Services
    ) -> None:
        """Delete the revoked tokens; if the bot's went, as for an uninstall."""
        if forget_tokens is not None:
            await forget_tokens(event=event, context=context)
        if not (event.get("tokens") or {}).get("bot"):
            return
        if forget_all is not None:
            await forget_all(context=context)
        logger.info("Slack revoked the bot's token in a workspace")
        await services.workspace_left(context.team_id or context.enterprise_id)

    return handle_tokens_revoked


async def handle_other_event(event: dict[str, Any]) -> None:
    """Acknowledge an event the bot does not act on (reaction_added, member_joined_channel…)."""
    logger.debug("Acknowledged a %s event the bot does not act on", str(event.get("type"))[:60])


def register(app: AsyncApp) -> None:
    """Listen for uninstalls and revoked tokens, and for every other event type (last)."""
    app.event("app_uninstalled")(guarded(on_uninstall(app)))
    app.event("tokens_revoked")(guarded(on_tokens_revoked(app)))
    app.event(ANY_EVENT)(guarded(handle_other_event))
