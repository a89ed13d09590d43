"""One log line per failing storage write, not a traceback: during an outage every request
fails the same way, so repeats of one failure are counted and told at most once a minute."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

REPEAT_EVERY_SECONDS = 60.0


def error_class(exc: BaseException) -> str:
    """The failure's class name: the driver's own (psycopg's) under SQLAlchemy's wrapper."""
    inner = getattr(exc, "orig", None)
    return type(inner if isinstance(inner, BaseException) else exc).__name__


class FailureLog:
    """Logs "Failed to <what> in <where>: <ErrorClass>; <outcome>", once per `every` seconds for each
    (what, error class), with how many repeats went unlogged in between."""

    def __init__(
        self,
        logger: logging.Logger,
        where: str,
        *,
        every: float = REPEAT_EVERY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger, self._where, self._every, self._clock = logger, where, every, clock
        self._quiet_until: dict[tuple[str, str], float] = {}
        self._unlogged: dict[tuple[str, str], int] = {}

    def failed(self, what: str, exc: BaseException, *, outcome: str = "not saved") -> None:
        """Note that `what` ("record feedback") failed with `exc`; `outcome` says what follows."""
        key = (what, error_class(exc))
        now = self._clock()
        if now < self._quiet_until.get(key, 0.0):
            self._unlogged[key] = self._unlogged.get(key, 0) + 1
            return
        repeats = self._unlogged.pop(key, 0)
        more = f" ({repeats} more since the last line)" if repeats else ""
        self._logger.error("Failed to %s in %s: %s; %s%s", what, self._where, key[1], outcome, more)
        self._quiet_until[key] = now + self._every
