"""Logging for the Slack app: one format, and no secret in any line, whoever logs it.

slack_sdk logs request data and response bodies at DEBUG (the OAuth client secret, a new
installation's bot token), and exceptions can carry a URL; so every handler masks Slack
tokens by shape and the configured secrets by value, in messages and tracebacks alike.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

_TOKEN = re.compile(r"\b(xox[a-z]|xapp)-[A-Za-z0-9-]+")
MIN_SECRET_CHARS = 6  # shorter values would mask ordinary words; real secrets are longer
REDACTED = "[redacted]"


class RedactSecrets(logging.Filter):
    """Masks Slack tokens and the given secret values in log records; never drops one."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        values = {s for s in secrets if len(s) >= MIN_SECRET_CHARS}
        # Longest first, so a secret containing another is masked whole.
        self._values = sorted(values, key=len, reverse=True)

    def mask(self, text: str) -> str:
        """`text` with every token and secret value masked."""
        text = _TOKEN.sub(lambda m: f"{m.group(1)}-{REDACTED}", text)
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


def redact(handler: logging.Handler, secrets: Iterable[str] = ()) -> None:
    """Make `handler` mask Slack tokens and `secrets` in everything it emits."""
    handler.addFilter(RedactSecrets(secrets))


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Log to stderr at `level`, once, with Slack tokens and `secrets` masked."""
    root = logging.getLogger()
    if any(isinstance(f, RedactSecrets) for h in root.handlers for f in h.filters):
        return
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    values = list(secrets)
    for handler in root.handlers:
        redact(handler, values)
