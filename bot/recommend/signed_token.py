"""Compact signed tokens for state carried in Slack payloads, so tampering shows.

A token is `<kind>.<base64url JSON>.<base64url HMAC-SHA256>`; `kind` says what it holds, so one
kind of token cannot pass for another. Every bad token raises the one DialogStateError.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

DEFAULT_MAX_AGE = 24 * 60 * 60
CLOCK_SKEW = 5 * 60
MAX_TOKEN_CHARS = 2000  # Slack's button value limit


class DialogStateError(Exception):
    """A dialog token that was tampered with, is stale, or cannot be read."""

    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason  # "tampered", "stale" or "unreadable", for logs
        super().__init__(f"{reason}: {detail}")


def timestamp(now: float | None = None) -> int:
    """Whole seconds since the epoch: `now` if given (tests), else the clock."""
    return int(time.time() if now is None else now)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _bytes(text: str) -> bytes:
    # surrogatepass: a hostile token may hold lone surrogates; it must fail the check, not crash.
    return text.encode("utf-8", "surrogatepass")


def _signature(signed: str, key: str | bytes) -> str:
    secret = key.encode("utf-8") if isinstance(key, str) else key
    if not secret:
        raise ValueError("the dialog signing key must not be empty")
    return _b64(hmac.new(secret, _bytes(signed), hashlib.sha256).digest())


def seal(kind: str, payload: dict[str, Any], key: str | bytes) -> str:
    """`payload` as a signed token of this kind."""
    body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode("utf-8"))
    return f"{kind}.{body}.{_signature(f'{kind}.{body}', key)}"


def unseal(kind: str, token: str, key: str | bytes) -> Any:
    """The JSON payload of a token of this kind; raise DialogStateError if tampered or unreadable."""
    ok = isinstance(token, str) and len(token) <= MAX_TOKEN_CHARS
    parts = token.split(".") if ok else []
    if len(parts) != 3 or parts[0] != kind:
        raise DialogStateError("unreadable", "not a dialog token")
    expected = _signature(f"{kind}.{parts[1]}", key)
    if not hmac.compare_digest(_bytes(parts[2]), _bytes(expected)):
        raise DialogStateError("tampered", "signature does not match")
    try:
        return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError) as exc:
        raise DialogStateError("unreadable", f"bad payload ({exc})") from None


def check_age(issued_at: int, now: float | None, max_age: int) -> None:
    """Raise DialogStateError if a token issued at `issued_at` is stale or from the future."""
    age = timestamp(now) - issued_at
    if age > max_age:
        raise DialogStateError("stale", f"issued {age} s ago, limit {max_age} s")
    if age < -CLOCK_SKEW:
        raise DialogStateError("unreadable", "issued in the future")


class _Stamped(Protocol):
    issued_at: int


ModelT = TypeVar("ModelT", bound=BaseModel)


def unseal_model(
    kind: str,
    token: str,
    key: str | bytes,
    model: type[ModelT],
    *,
    now: float | None,
    max_age: int,
) -> ModelT:
    """The `model` sealed in `token`, checked for tampering, shape and age."""
    try:
        value = model.model_validate(unseal(kind, token, key))
    except ValidationError as exc:
        name = model.__name__
        raise DialogStateError(
            "unreadable", f"invalid {name} ({exc.error_count()} errors)"
        ) from None
    stamped: _Stamped = value  # type: ignore[assignment]
    check_age(stamped.issued_at, now, max_age)
    return value
