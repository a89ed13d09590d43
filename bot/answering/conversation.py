"""A conversation's memory: what the bot last answered, so a follow-up can be read in context.

A `Turn` is all a surface keeps between messages of one conversation (a DM, a channel thread,
a user's slash commands in one channel). Where it is kept is storage's business
(`bot.ports.ConversationMemory`); how a follow-up is read is the matcher's.
"""

from __future__ import annotations

from dataclasses import dataclass

# A turn keeps the question that was answered, cut to this many characters (enough context).
TURN_QUESTION_CHARS = 500
# How long a conversation's last turn is remembered, in seconds, unless configured otherwise.
DEFAULT_TURN_TTL_SECONDS = 30 * 60


@dataclass(frozen=True)
class Turn:
    """What the bot answered last in a conversation: the question, its topic and entry ids."""

    question: str
    topic_id: str
    entry_id: str | None = None

    def __post_init__(self) -> None:
        if len(self.question) > TURN_QUESTION_CHARS:
            object.__setattr__(self, "question", self.question[:TURN_QUESTION_CHARS])


def conversation_key(
    workspace: str, channel: str, *, thread_ts: str | None = None, user: str | None = None
) -> str:
    """The key of one conversation: a thread, a DM, or one user's slash commands in a channel."""
    parts = [workspace, channel]
    if thread_ts:
        parts.append(thread_ts)
    if user:
        parts.append(f"user:{user}")
    return ":".join(parts)
