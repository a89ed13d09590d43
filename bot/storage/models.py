"""The tables: feedback, questions, served answers, processed events, pending erasures,
rate-limit counters, salt, conversation turns, and the outbox of posts still to deliver."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.storage.columns import UTCDateTime
from bot.storage.slack_tables import add_slack_tables

# Named constraints keep migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

QUESTION_KINDS = ("unanswered", "low_confidence")
MAX_NORMALISED_CHARS = 500
MAX_SAMPLE_CHARS = 500
MAX_TURN_QUESTION_CHARS = 500  # what bot.answering.Turn keeps of a question


class Base(DeclarativeBase):
    """Declarative base whose metadata also carries slack_sdk's OAuth tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Feedback(Base):
    """One user's vote on one answer; a changed vote overwrites the row."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("workspace", "user_hash", "topic_id", "answer_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    user_hash: Mapped[str] = mapped_column(String(64))
    topic_id: Mapped[str] = mapped_column(String(100))
    answer_ref: Mapped[str] = mapped_column(String(200))
    helpful: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Question(Base):
    """A question the bot could not answer, or answered without confidence, counted by text."""

    __tablename__ = "questions"
    __table_args__ = (UniqueConstraint("workspace", "kind", "normalised"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    normalised: Mapped[str] = mapped_column(String(MAX_NORMALISED_CHARS))
    sample: Mapped[str] = mapped_column(String(MAX_SAMPLE_CHARS))
    best_topic: Mapped[str | None] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class ServedAnswer(Base):
    """One answer shown, by topic and entry point, so reports can slice any time window."""

    __tablename__ = "served_answers"
    __table_args__ = (Index(None, "served_at", "topic_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    workspace: Mapped[str] = mapped_column(String(32))
    topic_id: Mapped[str] = mapped_column(String(100))
    entry_point: Mapped[str] = mapped_column(String(16))
    served_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProcessedEvent(Base):
    """A dedupe key already handled (database fallback for Redis); old rows are purged."""

    __tablename__ = "processed_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class PendingErasure(Base):
    """A workspace that uninstalled the bot: its records go once `due_at` has passed, unless
    it installs the bot again before then."""

    __tablename__ = "pending_erasures"

    workspace: Mapped[str] = mapped_column(String(32), primary_key=True)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class RateLimitCounter(Base):
    """Questions counted per hashed key and fixed window (database fallback for Redis)."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)


class UserHashSalt(Base):
    """The per-database random key for user-id hashes, when no salt is configured."""

    __tablename__ = "user_hash_salt"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    salt: Mapped[str] = mapped_column(String(128))


class ConversationTurn(Base):
    """A conversation's last answered turn, under a hash of its key; expired rows are purged."""

    __tablename__ = "conversation_turns"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    question: Mapped[str] = mapped_column(String(MAX_TURN_QUESTION_CHARS))
    topic_id: Mapped[str] = mapped_column(String(100))
    entry_id: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


OUTBOX_STATUSES = ("pending", "delivered", "given_up")


class OutboxMessage(Base):
    """A chat.postMessage to deliver: kept until Slack has it, retried with backoff, given up
    after a deadline. `key` (request key and post number) rides in the message's metadata, so a
    post that timed out can be found in the conversation before it is sent again."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "channel", "thread_ts", "status"),
        Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the order of posts
    key: Mapped[str] = mapped_column(String(255), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # answer, apology
    team_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    thread_ts: Mapped[str] = mapped_column(String(32))  # "" for none: keeps one order per DM
    text: Mapped[str] = mapped_column(Text)  # emptied once delivered
    blocks: Mapped[str | None] = mapped_column(Text)  # JSON
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer)
    in_doubt: Mapped[bool] = mapped_column(Boolean)  # Slack may have it: look before posting
    last_error: Mapped[str | None] = mapped_column(String(100))
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    give_up_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


# slack_sdk's installation and state tables live in the same database and migrations.
SLACK_TABLES = add_slack_tables(Base.metadata)
