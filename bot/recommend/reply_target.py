"""Where a "Help me choose" form's result goes, carried signed in the modal's private_metadata."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.recommend.signed_token import DEFAULT_MAX_AGE, seal, timestamp, unseal_model

REPLY_KIND = "r1"


class ReplyTarget(BaseModel):
    """Where a modal's result goes: the user, and the channel or thread it was opened from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    user_id: str = Field(pattern=r"^[A-Z0-9]{2,32}$")
    channel_id: str | None = Field(default=None, pattern=r"^[A-Z0-9]{2,32}$")
    thread_ts: str | None = Field(default=None, pattern=r"^\d+\.\d+$")
    response_url: str | None = Field(default=None, pattern=r"^https://hooks\.slack\.com/\S+$")
    issued_at: int = Field(default=0, ge=0)


def encode_reply_target(target: ReplyTarget, key: str | bytes, *, now: float | None = None) -> str:
    """Where to reply, as a signed token for a modal's private_metadata."""
    stamped = target.model_copy(update={"issued_at": timestamp(now)})
    return seal(REPLY_KIND, stamped.model_dump(mode="json"), key)


def decode_reply_target(
    token: str, key: str | bytes, *, now: float | None = None, max_age: int = DEFAULT_MAX_AGE
) -> ReplyTarget:
    """The reply target in `token`; raise DialogStateError if tampered, stale or unreadable."""
    return unseal_model(REPLY_KIND, token, key, ReplyTarget, now=now, max_age=max_age)
