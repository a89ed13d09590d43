"""One Settings object, read from the environment and `.env`, failing fast with one clear line."""

from __future__ import annotations

from pathlib import Path
from typing import Literal
from urllib.parse import quote, unquote, urlsplit

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.knowledge import default_knowledge_dir
from bot.logs import LogFormat

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class SettingsError(Exception):
    """Configuration is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    """Everything the bot reads from its environment."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    slack_api_timeout: int = Field(default=10, ge=1, le=60)
    port: int = Field(default=3000, ge=1, le=65535)
    knowledge_dir: Path = Field(default_factory=default_knowledge_dir)
    log_level: LogLevel = "INFO"
    log_format: LogFormat = "text"
    database_url: str = "sqlite:///./data/ecsbot.db"
    # Kept apart from DATABASE_URL where the platform hands out the password on its own (an
    # ECS secret from the RDS-managed secret); it is put into the URL.
    database_password: SecretStr | None = None
    redis_url: str | None = None
    redis_key_prefix: str = Field(default="ecsbot:", min_length=1, max_length=100)
    rate_limit_per_minute: int = Field(default=20, ge=1)
    # Verdicts the matcher keeps for questions asked again (0: every question is matched anew;
    # the same default as bot.matching.matcher, which settings may not import).
    matches_kept: int = Field(default=4096, ge=0, le=1_000_000)
    user_hash_salt: SecretStr | None = None
    # The outbox (bot.slack.delivery): how long a post is retried, and how often.
    outbox_give_up_seconds: float = Field(default=900.0, gt=0)
    outbox_retry_base_seconds: float = Field(default=2.0, gt=0)
    outbox_retry_max_seconds: float = Field(default=60.0, gt=0)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    # How long a DM's or thread's last answer is kept to read follow-ups in (30 minutes; the
    # same default as bot.answering.conversation, which settings may not import).
    conversation_ttl_seconds: int = Field(default=1800, ge=1, le=7 * 24 * 3600)
    # Days a workspace's records are kept after it uninstalls (a reinstall keeps them).
    uninstall_grace_days: float = Field(default=7, ge=0, le=3650)

    @model_validator(mode="after")
    def _password_into_url(self) -> Settings:
        if self.database_password is not None:
            password = self.database_password.get_secret_value()
            self.database_url = _with_password(self.database_url, password)
        return self

    @property
    def oauth_configured(self) -> bool:
        """True when the app installs into several workspaces (client id and secret set)."""
        return bool(self.slack_client_id) and self.slack_client_secret is not None

    @property
    def slack_configured(self) -> bool:
        """True when there is enough to talk to Slack (HTTP mode, Socket Mode or OAuth)."""
        has_token = self.slack_bot_token is not None or self.oauth_configured
        return has_token and (
            self.slack_signing_secret is not None or self.slack_app_token is not None
        )

    def slack_missing(self) -> list[str]:
        """The environment variables still needed to reach Slack, when some of Slack's are set
        ([] when none are set, or when Slack is configured)."""
        given = [
            self.slack_bot_token,
            self.slack_signing_secret,
            self.slack_app_token,
            self.slack_client_id,
            self.slack_client_secret,
        ]
        if self.slack_configured or not any(given):
            return []
        missing = []
        if self.slack_bot_token is None and not self.oauth_configured:
            if self.slack_client_id or self.slack_client_secret is not None:
                missing.append(
                    "SLACK_CLIENT_ID" if not self.slack_client_id else "SLACK_CLIENT_SECRET"
                )
            else:
                missing.append("SLACK_BOT_TOKEN")
        if self.slack_signing_secret is None and self.slack_app_token is None:
            missing.append("SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode)")
        return missing

    def secret_values(self) -> list[str]:
        """Every secret this configuration holds, as text: what logs must never show."""
        secrets = [
            value.get_secret_value()
            for value in (
                self.slack_bot_token,
                self.slack_signing_secret,
                self.slack_app_token,
                self.slack_client_secret,
                self.user_hash_salt,
                self.database_password,
            )
            if value is not None
        ]
        for url in (self.database_url, self.redis_url):
            secrets.extend(_url_password(url))
        return [s for s in secrets if s.strip()]


def _url_password(url: str | None) -> list[str]:
    """A URL's password, as written and percent-decoded; none for no URL or no password."""
    try:
        password = urlsplit(url or "").password
    except ValueError:
        return []
    return [password, unquote(password)] if password else []


def _with_password(url: str, password: str) -> str:
    """`url` with `password` (percent-encoded) in place of the one it has, if any."""
    parts = urlsplit(url)
    userinfo, _, host = parts.netloc.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return parts._replace(netloc=f"{user}:{quote(password, safe='')}@{host}").geturl()


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise SettingsError naming the first bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "configuration"
        raise SettingsError(f"{name}: {err['msg']}") from None
