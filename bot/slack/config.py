"""Slack configuration: which credentials to run with, and the Web API client."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import ClientOSError, ServerConnectionError, ServerDisconnectedError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.settings import Settings, SettingsError
from bot.slack.retries import CountedRetries, CountFailures

API_RETRIES = 2
# Timeouts too: a Web API call that hangs is retried like a dropped connection.
RETRIED_ERRORS: list[type[Exception]] = [
    ServerConnectionError,
    ServerDisconnectedError,
    ClientOSError,
    TimeoutError,
]


@dataclass(frozen=True)
class SlackCredentials:
    """The secrets the app runs with; Socket Mode when there is an app-level token.

    With OAuth (several workspaces) there is no fixed bot token: each workspace's comes from
    the installation store.
    """

    bot_token: str | None
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
    _secret(settings, "slack_client_secret")
    if settings.oauth_configured:
        if app_token is not None:
            raise SettingsError("SLACK_APP_TOKEN: OAuth install needs HTTP mode; unset it")
        if signing_secret is None:
            raise SettingsError("SLACK_SIGNING_SECRET: is required for OAuth install (HTTP mode)")
        bot_token = None  # each workspace's token comes from the installation store
    elif bot_token is None:
        raise SettingsError("SLACK_BOT_TOKEN: is required to run in Slack (the xoxb- bot token)")
    if bot_token is not None and not bot_token.startswith("xoxb-"):
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


def _retry_handlers() -> list[AsyncRetryHandler]:
    return [
        CountedRetries(
            AsyncConnectionErrorRetryHandler(
                max_retry_count=API_RETRIES, error_types=RETRIED_ERRORS
            ),
            "connection",
        ),
        CountedRetries(
            AsyncRateLimitErrorRetryHandler(max_retry_count=API_RETRIES), "rate_limited"
        ),
        CountedRetries(AsyncServerErrorRetryHandler(max_retry_count=API_RETRIES), "server_error"),
        CountFailures(),  # last: sees only the calls no handler retries
    ]


def tune_web_client(client: AsyncWebClient, settings: Settings) -> AsyncWebClient:
    """Point `client` at SLACK_API_URL with SLACK_API_TIMEOUT, retrying connection errors and
    timeouts, 429 (honouring Retry-After) and 5xx, retries and failures counted in /metrics;
    returns it. Bolt copies these settings into the client it makes for each request."""
    client.base_url = settings.slack_api_url.rstrip("/") + "/"
    client.timeout = settings.slack_api_timeout
    client.retry_handlers = _retry_handlers()
    return client


def build_web_client(settings: Settings, bot_token: str | None) -> AsyncWebClient:
    """A Web API client with `bot_token`, tuned as `tune_web_client` says."""
    return tune_web_client(AsyncWebClient(token=bot_token), settings)


def build_delivery_client(settings: Settings, bot_token: str | None) -> AsyncWebClient:
    """The client the outbox posts with: like `build_web_client`, but with no retry handler,
    since a retried post that Slack had already taken would be posted twice (the outbox
    retries instead, after checking)."""
    base_url = settings.slack_api_url.rstrip("/") + "/"
    return AsyncWebClient(
        token=bot_token, base_url=base_url, timeout=settings.slack_api_timeout, retry_handlers=[]
    )
