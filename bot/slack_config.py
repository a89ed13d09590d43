"""Slack configuration: which credentials to run with, and the Web API client."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings, SettingsError

API_RETRIES = 2


@dataclass(frozen=True)
class SlackCredentials:
    """The secrets the app runs with; Socket Mode when there is an app-level token."""

    bot_token: str
    signing_secret: str | None
    app_token: str | None

    @property
    def socket_mode(self) -> bool:
        """True when the app connects out over Socket Mode instead of serving HTTP."""
        return self.app_token is not None


def _secret(settings: Settings, name: str) -> str | None:
    value = getattr(settings, name)
    if value is None:
        return None
    text = str(value.get_secret_value()).strip()
    if not text:
        raise SettingsError(f"{name.upper()}: is set but empty")
    return text


def slack_credentials(settings: Settings) -> SlackCredentials:
    """The Slack secrets to run with; SettingsError naming the first missing or malformed one."""
    bot_token = _secret(settings, "slack_bot_token")
    app_token = _secret(settings, "slack_app_token")
    signing_secret = _secret(settings, "slack_signing_secret")
    if bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN: is required to run in Slack (the xoxb- bot token)")
    if not bot_token.startswith("xoxb-"):
        raise SettingsError("SLACK_BOT_TOKEN: must be a bot token starting with xoxb-")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise SettingsError("SLACK_APP_TOKEN: must be an app-level token starting with xapp-")
    if app_token is None and signing_secret is None:
        raise SettingsError(
            "SLACK_SIGNING_SECRET: is required in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)"
        )
    if not settings.slack_api_url.startswith(("https://", "http://")):
        raise SettingsError("SLACK_API_URL: must be an http(s) URL, e.g. https://slack.com/api/")
    return SlackCredentials(bot_token, signing_secret, app_token)


def build_web_client(settings: Settings, bot_token: str) -> AsyncWebClient:
    """The Web API client: SLACK_API_URL as base URL, retrying connection errors, 429 and 5xx."""
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(
        token=bot_token,
        base_url=base_url,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=API_RETRIES),
            AsyncServerErrorRetryHandler(max_retry_count=API_RETRIES),
        ],
    )
