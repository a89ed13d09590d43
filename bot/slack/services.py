"""What listeners get besides Slack: the answerer, the recommender and the storage ports.

`create_app` builds one `Services` and the middleware hands it to every listener as the
`services` argument. Each method logs its own failures and never raises: answering goes on.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot import metrics
from bot.answering import Answerer, Recommender, Turn
from bot.matching import Match
from bot.ports import (
    ConversationMemory,
    EntryPoint,
    EventDeduper,
    MemoryConversations,
    MemoryEventDeduper,
    NoRateLimit,
    NullEraser,
    NullRecorder,
    RateLimiter,
    Recorder,
    Vote,
    WorkspaceEraser,
)
from bot.slack.delivery import Deliverer

logger = logging.getLogger(__name__)

UNKNOWN = "unknown"  # the workspace or user of a payload that names none


def outcome(match: Match) -> str:
    """How a question was answered: matched, low_confidence (a guess) or unmatched."""
    if match.topic is None:
        return "unmatched"
    return "matched" if match.confident else "low_confidence"


def count_answer(match: Match, entry_point: EntryPoint) -> None:
    """Count an answer to a typed question by outcome, and as a follow-up when the question
    was read with its conversation's previous turn."""
    metrics.answer_sent(entry_point, outcome(match))
    if match.followed_up and match.topic is not None:
        metrics.follow_up_resolved("conversation")


@dataclass(frozen=True)
class Services:
    """What listeners need besides Slack, handed to them as the `services` argument.

    Every method here logs its own failures and never raises: answering goes on.
    """

    answerer: Answerer
    recorder: Recorder = field(default_factory=NullRecorder)
    limiter: RateLimiter = field(default_factory=NoRateLimit)
    # The "Help me choose" dialog: its config and key, and the deduper for repeated clicks.
    deduper: EventDeduper = field(default_factory=MemoryEventDeduper)
    recommender: Recommender | None = None
    # Each DM's, thread's or slash-command user's last answered turn, to read follow-ups in.
    memory: ConversationMemory = field(default_factory=MemoryConversations)
    # Every chat.postMessage of a request goes through it (bot.slack.delivery_scope).
    deliverer: Deliverer | None = None
    eraser: WorkspaceEraser = field(default_factory=NullEraser)

    async def question_allowed(self, workspace: str | None, user_id: str | None) -> bool:
        """True while the user is within the per-minute question limit (True if unsure)."""
        try:
            return await self.limiter.allow(f"{workspace or UNKNOWN}:{user_id or UNKNOWN}")
        except Exception:
            logger.exception("Failed to check the rate limit; allowing the question")
            return True

    async def previous_turn(self, conversation: str) -> Turn | None:
        """The conversation's last answered turn; None when there is none or memory fails."""
        try:
            return await self.memory.recall(conversation)
        except Exception:
            logger.exception("Failed to recall a conversation; answering without its context")
            return None

    async def turn_taken(self, conversation: str, turn: Turn | None) -> None:
        """Remember `turn` as the conversation's last (nothing when no answer was given)."""
        if turn is None:
            return
        try:
            await self.memory.remember(conversation, turn)
        except Exception:
            logger.exception("Failed to remember a conversation's turn")

    async def question_asked(
        self, workspace: str | None, text: str, match: Match, entry_point: EntryPoint
    ) -> None:
        """Record a typed question and what it matched (its answer was just sent)."""
        count_answer(match, entry_point)
        try:
            await self.recorder.record_question(workspace or UNKNOWN, text, match, entry_point)
        except Exception:
            logger.exception("Failed to record a question")

    async def answer_served(
        self, workspace: str | None, topic_id: str, entry_point: EntryPoint
    ) -> None:
        """Record an answer shown from a button (in a message or on App Home)."""
        metrics.answer_sent(entry_point, "matched")
        if entry_point == "button":  # a related or "did you mean" question under an answer
            metrics.follow_up_resolved("button")
        try:
            await self.recorder.record_served(workspace or UNKNOWN, topic_id, entry_point)
        except Exception:
            logger.exception("Failed to record a served answer")

    async def feedback_given(
        self, workspace: str | None, user_id: str, topic_id: str, answer_ref: str, vote: Vote
    ) -> bool:
        """Record a feedback vote; False when it was not saved (the user is told)."""
        try:
            saved = await self.recorder.record_feedback(
                workspace or UNKNOWN, user_id, topic_id, answer_ref, vote
            )
        except Exception:
            logger.exception("Failed to record feedback")
            saved = False
        metrics.vote_given(vote, saved)
        return saved

    async def workspace_left(self, workspace: str | None) -> None:
        """Schedule the erasure of a workspace's records (it uninstalled the bot)."""
        try:
            await self.eraser.schedule(workspace or UNKNOWN)
        except Exception:
            logger.exception("Failed to schedule the erasure of a workspace's records")

    async def erase_due_workspaces(self) -> None:
        """Erase the records of every workspace whose grace period is over (the questions still
        queued are written first, so they are erased too)."""
        try:
            await self.recorder.flush()
            await self.eraser.erase_due()
        except Exception:
            logger.exception("Failed to erase the records of uninstalled workspaces")
