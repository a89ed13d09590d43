"""Helpers for fault tests: servers that are down (with passwords to keep out of logs), votes, retries."""

from __future__ import annotations

from tests.ports import free_port
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest

DB_PASSWORD = "db-password-not-real-7c1e"


REDIS_PASSWORD = "redis-password-not-real-42ab"


def down_database_url() -> str:
    """A PostgreSQL URL, with a password, where no server listens."""
    return f"postgresql+psycopg://ecsbot:{DB_PASSWORD}@127.0.0.1:{free_port()}/ecsbot"


def down_redis_url() -> str:
    """A Redis URL, with a password, where no server listens."""
    return f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"


async def vote(bot: BotUnderTest, action_id: str = "feedback:helpful") -> None:
    """Click a feedback button under an answer in the DM."""
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await bot.click(action_id, "cost", container=container, response_url=bot.api.response_url())


def retry_headers(body: str, retry: int | None) -> dict[str, str]:
    """Signed JSON headers, plus Slack's retry headers for the `retry`-th retry."""
    headers = payloads.signed_headers(body, form=False)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return headers
