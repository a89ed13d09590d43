"""The edge of /slack/events: what a request goes through before Bolt sees it.

1. The signature and timestamp are checked on the raw bytes, before anything decodes or
   parses them (Slack signs the bytes): unsigned, forged or stale requests are refused.
2. The body is decoded as UTF-8 (Slack's only encoding, whatever charset a header claims)
   and parsed as Slack sends it: JSON for events; a form for commands; a form whose
   `payload` is JSON for interactions.
3. Text is made storable: lone surrogates (which JSON's \\ud800 escapes can carry and
   UTF-8 cannot) become U+FFFD, so storage never meets a string it cannot encode.
4. Only the kinds of request this app is sent go on (404 otherwise), and the parts the bot
   and Bolt read are checked (`bot.slack.envelope`).

Each step refuses with an `EdgeRefusal` naming the HTTP status and a short reason that never
quotes the body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from bot.slack.envelope import body_kind, envelope_problem

MAX_AGE_SECONDS = 300  # Slack's own rule: a request older (or newer) than five minutes is stale
MAX_DEPTH = 64  # Slack's payloads nest a dozen levels; a deeper body is not Slack's
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# How JSON can carry a surrogate (valid UTF-8 cannot): \\uD800 to \\uDFFF, in any case.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class EdgeRefusal(Exception):
    """A request refused at the edge: the HTTP status to answer and why (for the log)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def signature_problem(
    raw: bytes, headers: Mapping[str, str], secret: str, *, now: float | None = None
) -> str | None:
    """Why `raw` is not a request Slack signed with `secret` in the last five minutes, or None."""
    timestamp = headers.get("X-Slack-Request-Timestamp")
    signature = headers.get("X-Slack-Signature")
    if not timestamp or not signature:
        return "no signature"
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return "malformed signature headers"
    if abs((time.time() if now is None else now) - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale timestamp"
    # slack_sdk's SignatureVerifier decodes the body as UTF-8 first, which can fail: this is
    # its formula on the bytes as they came.
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        return "wrong signature"
    return None


def cleaned(value: Any, depth: int = 0) -> Any:
    """`value` (parsed JSON or form data) with lone surrogates replaced in every string;
    EdgeRefusal(400) past MAX_DEPTH levels of nesting."""
    if depth > MAX_DEPTH:
        raise EdgeRefusal(400, "nested too deeply")
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [cleaned(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {cleaned(k, depth): cleaned(v, depth + 1) for k, v in value.items()}
    return value


def _json(text: str) -> Any:
    """`text` parsed, cleaned (see `cleaned`) unless it plainly needs no cleaning: no JSON
    escape of a surrogate in it, and too few brackets to nest past MAX_DEPTH (brackets inside
    strings count too, so this only ever walks more often than needed)."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise EdgeRefusal(400, "malformed JSON") from None
    if _SURROGATE_ESCAPE.search(text) or text.count("{") + text.count("[") > MAX_DEPTH:
        return cleaned(value)
    return value


def parsed_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as Bolt would parse it, cleaned; EdgeRefusal(400) for anything that is not an
    object in Slack's formats. `content_type` is the media type alone, without parameters."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise EdgeRefusal(400, "not UTF-8") from None
    if content_type == JSON_TYPE:
        body = _json(text)
    else:
        # parse_qsl decodes with errors="replace": no lone surrogate, and a form is one level.
        body = dict(parse_qsl(text, keep_blank_values=True))
        if "payload" in body:
            body = _json(body["payload"])
    if not isinstance(body, dict):
        raise EdgeRefusal(400, "not an object")
    return body


def checked_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """`parsed_body`, with the parts the bot reads checked: EdgeRefusal(404) for a kind of
    request this app is never sent, (400) for parts that do not fit."""
    body = parsed_body(raw, content_type)
    if body_kind(body) is None:
        raise EdgeRefusal(404, "not a kind of request this app handles")
    problem = envelope_problem(body)
    if problem is not None:
        raise EdgeRefusal(400, f"unexpected shape ({problem})")
    return body
