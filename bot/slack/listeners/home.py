"""The App Home tab: what the bot does, example questions, and "Help me choose"."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.blocks import build_home, to_dicts
from bot.slack.listeners.common import guarded
from bot.slack.services import Services

logger = logging.getLogger(__name__)


async def handle_app_home_opened(
    event: dict[str, Any], client: AsyncWebClient, services: Services
) -> None:
    """Publish the Home tab when the user opens it (not the Messages tab)."""
    if event.get("tab", "home") != "home":
        return
    try:
        view = {"type": "home", "blocks": to_dicts(build_home(services.answerer.kb))}
        await client.views_publish(user_id=event["user"], view=view)
    except Exception:
        # There is nowhere to show an apology on a Home tab that failed to publish.
        logger.exception("Failed to publish the App Home")


def register(app: AsyncApp) -> None:
    """Listen for the Home tab being opened."""
    app.event("app_home_opened")(guarded(handle_app_home_opened))
