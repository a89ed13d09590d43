"""Uninstalls and revoked tokens clean up (issue 16 §4), through the OAuth install flow: the
workspace's installation and bot token go at once (Bolt's own revocation listeners), its
questions, votes and served answers after UNINSTALL_GRACE_DAYS, unless it reinstalls."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import Engine, MetaData, Table, func, select, update

from bot.answering import Answerer
from bot.ports import NullEraser
from bot.slack.middleware import inject_services_and_dedupe
from bot.slack.services import Services
from bot.slack.standin import BOT_USER_ID, TEAM_ID, SlackStandIn
from bot.storage.columns import utcnow
from bot.storage.models import Feedback, PendingErasure, Question, ServedAnswer
from bot.storage.services import Storage
from bot.storage.slack_tables import BOTS, INSTALLATIONS
from tests.slack import payloads
from tests.slack.conftest import BotUnderTest, listeners_done
from tests.slack.faults import vote
from tests.slack.oauth import SLACK_SDK_BASIC_AUTH, install, oauth_settings
from tests.slack.serving import served_with_storage

OTHER_TEAM = "T0OTHER"
MANIFEST = Path(__file__).resolve().parents[2] / "deploy" / "slack-app-manifest.yaml"
pytestmark = pytest.mark.filterwarnings(SLACK_SDK_BASIC_AUTH)


def rows(engine: Engine, workspace: str) -> dict[str, int]:
    """How many rows `workspace` has in the bot's tables and slack_sdk's."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for model in (Question, Feedback, ServedAnswer, PendingErasure):
            query = select(func.count()).where(model.workspace == workspace)
            found[model.__tablename__] = connection.execute(query).scalar_one()
        for name in (BOTS, INSTALLATIONS):
            table = Table(name, MetaData(), autoload_with=engine)
            query = select(func.count()).where(table.c.team_id == workspace)
            found[name] = connection.execute(query).scalar_one()
    return found


INSTALLED = {
    "questions": 1,
    "feedback": 1,
    "served_answers": 1,
    "pending_erasures": 0,
    "slack_bots": 1,
    "slack_installations": 1,
}
TOKENS_GONE = {**INSTALLED, "slack_bots": 0, "slack_installations": 0, "pending_erasures": 1}
ERASED = dict.fromkeys(INSTALLED, 0)


async def use(bot: BotUnderTest, storage: Storage) -> None:
    """Install, then leave one of each record: an unanswered question, a vote, an answer
    from a button; another workspace leaves its own."""
    await install(bot)
    await bot.event(payloads.im_message("what is the weather in Paris?"))
    await vote(bot)
    container = payloads.message_container(payloads.DM_CHANNEL_ID, payloads.new_ts())
    await bot.click("answer_topic:0", "fargate", container=container)
    await listeners_done()
    for recorder_call in (
        storage.recorder.record_feedback(OTHER_TEAM, "U0BOB", "cost", "C1:1.2", "helpful"),
        storage.recorder.record_served(OTHER_TEAM, "cost", "button"),
    ):
        assert await recorder_call
    assert await storage.recorder.flush()  # questions are written in batches


def lifecycle_event(kind: str) -> dict[str, Any]:
    """app_uninstalled, or tokens_revoked for the bot's token, as Slack sends them."""
    if kind == "app_uninstalled":
        return {"type": "app_uninstalled", "event_ts": payloads.new_ts()}
    tokens = {"oauth": [], "bot": [BOT_USER_ID]}
    return {"type": "tokens_revoked", "tokens": tokens, "event_ts": payloads.new_ts()}


@pytest.mark.asyncio
@pytest.mark.parametrize("kind", ["app_uninstalled", "tokens_revoked"])
async def test_without_a_grace_period_everything_goes_at_once(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path, kind: str
) -> None:
    """UNINSTALL_GRACE_DAYS=0: tokens and records go with the event; another workspace's
    records stay."""
    settings = oauth_settings(slack_api, tmp_path).model_copy(update={"uninstall_grace_days": 0})
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
        await use(bot, storage)
        assert rows(storage.engine, TEAM_ID) == INSTALLED
        assert (await bot.event(lifecycle_event(kind))).status == 200
        await listeners_done()
        assert rows(storage.engine, TEAM_ID) == ERASED
        assert rows(storage.engine, OTHER_TEAM)["feedback"] == 1


@pytest.mark.asyncio
async def test_records_wait_out_the_grace_period_and_a_reinstall_keeps_them(
    slack_api: SlackStandIn, slack_answerer: Answerer, tmp_path: Path
) -> None:
    """With the default seven days: the tokens go at once, the records wait; installing
    again keeps them; after a second uninstall, once the period is over, they go."""
    settings = oauth_settings(slack_api, tmp_path)
    assert settings.uninstall_grace_days == 7
    async with served_with_storage(settings, slack_answerer, slack_api) as (bot, storage):
        await use(bot, storage)
        await bot.event(lifecycle_event("app_uninstalled"))
        await listeners_done()
        assert rows(storage.engine, TEAM_ID) == TOKENS_GONE
        assert await storage.eraser.erase_due() == []
        await install(bot)
        assert rows(storage.engine, TEAM_ID) == INSTALLED
        await bot.event(lifecycle_event("app_uninstalled"))
        await listeners_done()
        with storage.engine.begin() as connection:  # seven days later
            connection.execute(update(PendingErasure).values(due_at=utcnow()))
        assert await storage.eraser.erase_due() == [TEAM_ID]
        assert rows(storage.engine, TEAM_ID) == ERASED
        assert rows(storage.engine, OTHER_TEAM)["served_answers"] == 1


class CountingEraser(NullEraser):
    """An eraser that counts how often it was asked to erase what is due."""

    def __init__(self) -> None:
        self.checks = 0

    async def erase_due(self) -> list[str]:
        self.checks += 1
        return []


@pytest.mark.asyncio
async def test_requests_check_for_due_erasures_now_and_then(slack_answerer: Answerer) -> None:
    """The first request starts a check for due erasures, in the background; the next
    ones within the period do not."""
    eraser = CountingEraser()
    services = Services(answerer=slack_answerer, eraser=eraser)
    middleware = inject_services_and_dedupe(services, services.deduper, erasure_every=3600)

    async def next_() -> None:
        return None

    for n in range(3):
        body = {"type": "event_callback", "event_id": f"Ev{n}"}
        await middleware(body=body, context={}, next=next_)
    await asyncio.gather(*(t for t in asyncio.all_tasks() if t is not asyncio.current_task()))
    assert eraser.checks == 1


def test_the_manifest_subscribes_to_uninstalls_and_revoked_tokens() -> None:
    """Slack sends these events only to apps that subscribe to them."""
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert {"app_uninstalled", "tokens_revoked"} <= set(events)
