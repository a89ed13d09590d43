"""Private replies that arrive: through the response_url, else ephemerally, else as a DM.

`respond()` reports a refused reply (404 `expired_url`, 410, 5xx) in its result instead of
raising, so every result is checked here. A refusal is logged as one WARNING with the HTTP
status (never the URL, which is a credential while it lives) and the reply goes the other
way the bot can reach the person: an ephemeral message in the channel they asked in, or a
DM (through the outbox, like every chat.postMessage). Slack API failures are logged the
same way: method, status and Slack's error code.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery_scope import post_message

logger = logging.getLogger(__name__)

_ERROR_CODE = re.compile(r"[a-z_]{1,40}")


def slack_failure(exc: SlackApiError) -> str:
    """A Web API failure in a few words: "chat.postMessage: HTTP 500 (fatal_error)"."""
    response = exc.response
    method = str(getattr(response, "api_url", "")).rsplit("/", 1)[-1] or "Web API"
    error = response.get("error") if isinstance(response.data, dict) else None
    return f"{method}: HTTP {response.status_code} ({error or 'no error code'})"


def _refusal(status: int, body: str) -> str:
    code = body.strip()
    return f"HTTP {status}" + (f" ({code})" if _ERROR_CODE.fullmatch(code) else "")


async def responded(respond: AsyncRespond, **message: Any) -> bool:
    """Send `message` through `respond`; False, logged as a WARNING, when it did not arrive."""
    if respond.response_url is None:
        logger.warning("There was no response_url to reply through")
        return False
    try:
        response = await respond(**message)
    except Exception as exc:  # a connection that failed through the webhook client's retries
        logger.warning("The response_url could not be reached (%s)", type(exc).__name__)
        return False
    if response.status_code == 200:
        return True
    refusal = _refusal(response.status_code, str(response.body or ""))
    logger.warning("Slack refused a reply through the response_url: %s", refusal)
    return False


async def reach_privately(
    client: AsyncWebClient,
    *,
    user: str | None,
    channel: str | None,
    text: str,
    blocks: list[dict[str, Any]] | None,
    apology: bool = False,
) -> None:
    """Reach `user` without a response_url: ephemerally in `channel`, else by DM (through
    the outbox; `apology` marks the request's one apology); a WARNING if neither works (or
    there is nobody to reach)."""
    if user is None:
        logger.warning("A private reply had nobody to go to and was dropped")
        return
    if channel is not None:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks)
            return
        except SlackApiError as exc:
            logger.info("No ephemeral reply (%s): sending a DM instead", slack_failure(exc))
    try:
        await post_message(
            client, channel=user, thread_ts=None, text=text, blocks=blocks, apology=apology
        )
    except SlackApiError as exc:
        logger.warning("A private reply could not be delivered (%s)", slack_failure(exc))
