"""The composition root of the Slack app: `create_app(settings, answerer)` builds the Bolt app."""

from __future__ import annotations

import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from slack_bolt.async_app import AsyncApp
from slack_bolt.response import BoltResponse

from bot.answers import Answerer
from bot.listeners import LISTENER_MODULES
from bot.matcher import Match
from bot.settings import Settings
from bot.slack_config import build_web_client, slack_credentials

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"

EntryPoint = Literal["slash", "mention", "dm", "button", "home", "cli"]
Vote = Literal["helpful", "not_helpful"]


class Recorder(Protocol):
    """Where questions and feedback votes go; storage plugs in here without touching listeners."""

    async def record_question(
        self, workspace: str, text: str, match: Match, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Note a question asked in `workspace` and what it matched; False if not saved."""
        ...

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Note a vote on the answer `answer_ref` about `topic_id`; False if not saved."""
        ...


class NullRecorder:
    """The default Recorder: keeps nothing."""

    async def record_question(
        self, workspace: str, text: str, match: Match, entry_point: EntryPoint = "slash"
    ) -> bool:
        """Keep nothing."""
        return True

    async def record_feedback(
        self, workspace: str, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Keep nothing."""
        return True


class EventDeduper(Protocol):
    """Claims event ids: Slack retries events and Bolt does not deduplicate them."""

    async def first_time(self, key: str) -> bool:
        """True exactly once per key (within a time-to-live)."""
        ...


class MemoryEventDeduper:
    """The default EventDeduper: recent keys in this process, forgotten after `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = 3600.0, max_size: int = 10_000) -> None:
        self._ttl = ttl_seconds
        self._max_size = max_size
        self._seen: OrderedDict[str, float] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen within the time-to-live."""
        now = time.monotonic()
        while self._seen and (
            len(self._seen) >= self._max_size or next(iter(self._seen.values())) < now - self._ttl
        ):
            self._seen.popitem(last=False)
        if key in self._seen:
            return False
        self._seen[key] = now
        return True


@dataclass(frozen=True)
class Services:
    """What listeners need besides Slack, handed to them as the `services` argument."""

    answerer: Answerer
    recorder: Recorder = field(default_factory=NullRecorder)

    async def question_asked(
        self, workspace: str | None, text: str, match: Match, entry_point: EntryPoint
    ) -> None:
        """Record a question; a recording failure is logged and never reaches the user."""
        try:
            await self.recorder.record_question(workspace or UNKNOWN, text, match, entry_point)
        except Exception:
            logger.exception("Failed to record a question")

    async def feedback_given(
        self, workspace: str | None, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> None:
        """Record a feedback vote; a recording failure is logged and never reaches the user."""
        try:
            await self.recorder.record_feedback(
                workspace or UNKNOWN, user_id, topic_id, answer_ref, vote
            )
        except Exception:
            logger.exception("Failed to record feedback")


def _middleware(
    services: Services, deduper: EventDeduper
) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def inject_services_and_dedupe(
        body: dict[str, Any], context: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not await deduper.first_time(f"event:{event_id}"):
            logger.info("Skipping event %s: already handled (a Slack retry)", event_id)
            return BoltResponse(status=200, body="")
        context["services"] = services
        await next()
        return None

    return inject_services_and_dedupe


def register_listeners(app: AsyncApp) -> None:
    """Wire every listener module onto `app`, in the order of LISTENER_MODULES."""
    for module in LISTENER_MODULES:
        module.register(app)


def create_app(
    settings: Settings,
    answerer: Answerer,
    *,
    recorder: Recorder | None = None,
    deduper: EventDeduper | None = None,
) -> AsyncApp:
    """The Bolt app with every listener; raises SettingsError on missing Slack credentials.

    `recorder` (default: keep nothing) receives questions and votes; `deduper` (default: in
    memory) drops Slack's retries of events already handled.
    """
    credentials = slack_credentials(settings)
    # In Socket Mode there is no HTTP endpoint; a random secret makes any HTTP request fail.
    signing_secret = credentials.signing_secret or secrets.token_hex(32)
    app = AsyncApp(
        name="ecsbot",
        client=build_web_client(settings, credentials.bot_token),
        signing_secret=signing_secret,
    )
    services = Services(answerer=answerer, recorder=recorder or NullRecorder())
    app.middleware(_middleware(services, deduper or MemoryEventDeduper()))
    register_listeners(app)
    return app
