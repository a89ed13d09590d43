"""Logging for the Slack app: text or JSON lines, and no secret in any line, whoever logs it.

slack_sdk logs request data and response bodies at DEBUG (the OAuth client secret, a new
installation's bot token), and exceptions can carry a URL; so every handler masks Slack
tokens and response URLs by shape and the configured secrets by value, in messages and
tracebacks alike.

`LOG_FORMAT=json` writes one JSON object per line (CloudWatch Logs Insights reads the fields):
time, level, logger, message, and the Slack event id and request id of the request being
handled, which the edge binds with `bind_log_context`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from contextvars import ContextVar
from types import TracebackType
from typing import Literal

from pythonjsonlogger.json import JsonFormatter

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
JSON_NAMES = {"levelname": "level", "name": "logger"}

_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
# A response_url lets whoever holds it post for the bot until it expires.
_RESPONSE_URL = re.compile(r"(https://hooks\.slack(?:-gov)?\.com/)[^\s'\"<>]+")
MIN_SECRET_CHARS = 6  # shorter values would mask ordinary words; real secrets are longer
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Masks Slack tokens, response URLs and the given secret values in log records; never
    drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        values = {s for s in secrets if len(s) >= MIN_SECRET_CHARS}
        # Longest first, so a secret containing another is masked whole.
        self._values = sorted(values, key=len, reverse=True)

    def mask(self, text: str) -> str:
        """`text` with every token and secret value masked."""
        text = _TOKEN.sub(lambda m: f"{m.group(1)}-{REDACTED}", text)
        text = _RESPONSE_URL.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
        for value in self._values:
            text = text.replace(value, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record's message and traceback with secrets masked."""
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        if record.stack_info:
            record.stack_info = self.mask(record.stack_info)
        return True


# The fields of the request being handled; each asyncio task (an HTTP request, the listener
# Bolt starts from it) works on its own copy, so requests never see each other's ids.
_context: ContextVar[tuple[tuple[str, str], ...]] = ContextVar("ecsbot_log_context", default=())


def bind_log_context(**fields: str | None) -> None:
    """Add `fields` (event_id, request_id) to every log line from here on in this context."""
    bound = {**dict(_context.get()), **{k: v for k, v in fields.items() if v}}
    _context.set(tuple(bound.items()))


class ContextFields(logging.Filter):
    """Adds the bound fields (event_id, request_id) to each record, where there are any."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Copy the context's fields onto the record; never drops one."""
        for name, value in _context.get():
            if not hasattr(record, name):
                setattr(record, name, value)
        return True


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class JsonLines(JsonFormatter):
    """One JSON object per record; tracebacks masked like the message (the JSON formatter
    renders them afresh instead of reusing the masked text)."""

    def __init__(self, redactor: RedactSecrets) -> None:
        super().__init__(JSON_FIELDS, rename_fields=JSON_NAMES, timestamp="time")
        self._redactor = redactor

    def formatException(self, ei: ExcInfo) -> str:
        """The traceback, masked."""
        return self._redactor.mask(logging.Formatter.formatException(self, ei))

    def formatStack(self, stack_info: str) -> str:
        """The stack, masked."""
        return self._redactor.mask(logging.Formatter.formatStack(self, stack_info))


def redact(handler: logging.Handler, secrets: Iterable[str] = ()) -> None:
    """Make `handler` mask Slack tokens and `secrets` in everything it emits."""
    handler.addFilter(RedactSecrets(secrets))


def prepare_handler(
    handler: logging.Handler, secrets: Iterable[str] = (), fmt: LogFormat = "text"
) -> None:
    """Make `handler` write `fmt` (text keeps its formatter; json: one object per line) with
    Slack tokens and `secrets` masked and the request's ids added."""
    redactor = RedactSecrets(secrets)
    handler.addFilter(redactor)
    handler.addFilter(ContextFields())
    if fmt == "json":
        handler.setFormatter(JsonLines(redactor))


def configure_logging(level: str, secrets: Iterable[str] = (), fmt: LogFormat = "text") -> None:
    """Log to stderr at `level`, once, as text or JSON lines, with Slack tokens and `secrets`
    masked and the request's event id and request id added."""
    root = logging.getLogger()
    if any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        return
    logging.basicConfig(level=level, format=TEXT_FORMAT)
    values = list(secrets)
    for handler in root.handlers:
        prepare_handler(handler, values, fmt)
