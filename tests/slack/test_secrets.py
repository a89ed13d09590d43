"""No secret in any log line, error message or response, through a realistic session at DEBUG:
an OAuth install, questions, votes, Slack failing, the database and Redis going away."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.answering import Answerer
from bot.logs import redact
from bot.settings import Settings
from bot.slack.standin import BOT_TOKEN, SlackStandIn
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, bot_settings
from tests.slack.faults import (
    DB_PASSWORD,
    REDIS_PASSWORD,
    down_database_url,
    down_redis_url,
    vote,
)
from tests.slack.oauth import (
    CLIENT_SECRET,
    SLACK_SDK_BASIC_AUTH,
    install,
    oauth_settings,
)
from tests.slack.serving import served_with_storage

SECRETS = {
    "bot token": BOT_TOKEN,
    "signing secret": payloads.SIGNING_SECRET,
    "client secret": CLIENT_SECRET,
    "database password": DB_PASSWORD,
    "Redis password": REDIS_PASSWORD,
}
# What a request carries that the log must not keep either: a response_url (a credential
# while it lives), the legacy verification token, a user's name and raw id, their question.
RESPONSE_URL_PATH = "/response/"
PRIVATE = {
    "verification token": "verification-token-unused",
    "user name": "alice",
    "raw user id": payloads.USER_ID,
    "question": "fargate billed",
}


@contextmanager
def production_log(settings: list[Settings]) -> Iterator[io.StringIO]:
    """What `ecsbot serve` would write to stderr: every record, through its redaction."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    redact(handler, [s for one in settings for s in one.secret_values()])
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield stream
    finally:
        root.removeHandler(handler)


async def oauth_session(bot: BotUnderTest, responses: list[str]) -> None:
    """Install, ask, vote, hit a Slack failure, send a forged request."""
    responses.append(await install(bot))
    await bot.event(payloads.im_message("how is fargate billed?"))
    await bot.api.wait_for("chat.postMessage")
    await vote(bot)
    bot.api.fail_next("chat.postMessage", 500)  # the outbox retries it
    await bot.event(payloads.im_message("what is fargate?"))
    await bot.api.wait_for("chat.postMessage", 2, timeout=15)
    body = payloads.slash_command("how is fargate billed?", bot.api.response_url())
    forged = payloads.signed_headers(body, secret="not-the-secret")
    responses.append((await bot.post(body, headers=forged)).text)
    responses.append((await bot.post(body, headers={})).text)
    responses.append((await bot.post("{{", form=False)).text)
    responses.append((await bot.command("how is fargate billed?")).text)  # answered in the ack
    bot.api.fail_next("response_url", 404, error="expired_url")
    await vote(bot)  # the thanks bounce off the response_url and go ephemerally
    await bot.api.wait_for("chat.postEphemeral")


async def outage_session(bot: BotUnderTest, responses: list[str]) -> None:
    """Ask and vote with the database and Redis both unreachable."""
    responses.append((await bot.event(payloads.im_message("what is fargate?"))).text)
    await bot.api.wait_for("chat.postMessage")
    responses.append((await bot.command("how is fargate billed?")).text)
    await vote(bot, "feedback:not_helpful")
    await bot.api.wait_for("response_url")


@pytest.mark.filterwarnings(SLACK_SDK_BASIC_AUTH)
@pytest.mark.asyncio
async def test_no_secret_in_logs_errors_or_responses(
    tmp_path: Path, slack_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    """Every log record of a whole session at DEBUG, as written, and every response and post
    the bot made, are free of the bot token, signing secret, client secret and passwords."""
    responses: list[str] = []
    installed = SlackStandIn()
    outage = SlackStandIn()
    await installed.start()
    await outage.start()
    try:
        with_oauth = oauth_settings(installed, tmp_path)
        down = bot_settings(
            outage,
            database_url=down_database_url(),
            redis_url=down_redis_url(),
            slack_client_secret=CLIENT_SECRET,  # set, though without a client id
        )
        with production_log([with_oauth, down]) as log, caplog.at_level(logging.DEBUG):
            async with served_with_storage(with_oauth, slack_answerer, installed) as (bot, _):
                await oauth_session(bot, responses)
            serve = served_with_storage(down, slack_answerer, outage, migrate=False)
            async with serve as (bot, _):
                await outage_session(bot, responses)
    finally:
        await installed.close()
        await outage.close()
    written = log.getvalue()
    posted = json.dumps([c.body for api in (installed, outage) for c in api.calls])
    assert len(caplog.records) > 30 and "Failed to record feedback" in written
    assert "Refused a request: wrong signature" in written
    assert "Slack refused a reply through the response_url: HTTP 404 (expired_url)" in written
    [exchange] = installed.of("oauth.v2.access")  # the client secret went where it belongs
    assert exchange.headers["Authorization"].startswith("Basic ")
    # slack_sdk's and Bolt's DEBUG dumps of requests and responses stay out of the log, so
    # not even the unredacted records hold a secret; the redaction is a second line.
    assert {name for name, secret in SECRETS.items() if secret in caplog.text} == set()
    for name, secret in SECRETS.items():
        assert secret not in written, f"the {name} is in the log"
        assert secret not in posted, f"the {name} was posted to Slack"
        assert not [r for r in responses if secret in r], f"the {name} is in a response"
    for name, value in {**PRIVATE, "response_url": RESPONSE_URL_PATH}.items():
        assert value not in caplog.text, f"the {name} is in the log"


def test_redaction_masks_configured_secrets_in_messages_and_tracebacks() -> None:
    """Whatever logs a configured secret, as an argument or inside an exception, it is masked."""
    settings = Settings(
        slack_signing_secret=payloads.SIGNING_SECRET,
        slack_client_secret=CLIENT_SECRET,
        database_url=f"postgresql+psycopg://bot:{DB_PASSWORD}@db/ecsbot",
    )
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    redact(handler, settings.secret_values())
    logger = logging.getLogger("tests.redaction")
    logger.addHandler(handler)
    try:
        logger.error("secret %s and token %s", CLIENT_SECRET, BOT_TOKEN)
        try:
            raise RuntimeError(f"cannot connect with {DB_PASSWORD} ({payloads.SIGNING_SECRET})")
        except RuntimeError:
            logger.exception("Failed to connect")
    finally:
        logger.removeHandler(handler)
    written = stream.getvalue()
    assert "secret [redacted] and token xoxb-[redacted]" in written
    assert "RuntimeError: cannot connect with [redacted] ([redacted])" in written
    assert not [s for s in SECRETS.values() if s in written]
