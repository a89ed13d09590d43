"""Log lines: text by default, JSON lines with LOG_FORMAT=json; ids of the request where there
is one; secrets masked in both formats."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from bot.logs import LogFormat, bind_log_context, prepare_handler
from bot.settings import Settings, SettingsError, load_settings

BOT_TOKEN = "xoxb-1111-2222-not-real"
DB_PASSWORD = "pw-not-real-5678"
SIGNING_SECRET = "signing-secret-not-real"


@contextmanager
def written(fmt: LogFormat, secrets: list[str] | None = None) -> Iterator[io.StringIO]:
    """What a handler prepared as `ecsbot serve` prepares its own writes, for `tests.logs`."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    prepare_handler(handler, secrets or [], fmt)
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def json_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    """Each line written, parsed: every one must be a JSON object."""
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_text_is_the_default_and_json_is_chosen_by_log_format(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """LOG_FORMAT is text unless set to json; anything else is a configuration error."""
    assert Settings().log_format == "text"
    monkeypatch.setenv("LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LOG_FORMAT", "xml")
    with pytest.raises(SettingsError, match=r"^LOG_FORMAT: "):
        load_settings()


def test_json_format_writes_one_object_per_line_with_time_level_logger_message() -> None:
    """Two records, two lines, each a JSON object CloudWatch Logs Insights can query."""
    with written("json") as stream:
        logging.getLogger("tests.logs").info("first %s", "line")
        logging.getLogger("tests.logs").warning("second\nwith a newline")
    first, second = json_lines(stream)
    assert {k: first[k] for k in ("level", "logger", "message")} == {
        "level": "INFO",
        "logger": "tests.logs",
        "message": "first line",
    }
    assert first["time"].endswith("+00:00")  # ISO 8601, UTC
    assert (second["level"], second["message"]) == ("WARNING", "second\nwith a newline")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_secrets_are_masked_in_messages_and_tracebacks(fmt: LogFormat) -> None:
    """A token or configured secret, logged as an argument or inside an exception, is masked
    in either format."""
    settings = Settings(
        slack_signing_secret=SIGNING_SECRET,
        database_url=f"postgresql+psycopg://bot:{DB_PASSWORD}@db/ecsbot",
    )
    logger = logging.getLogger("tests.logs")
    with written(fmt, settings.secret_values()) as stream:
        logger.error("secret %s and token %s", SIGNING_SECRET, BOT_TOKEN)
        try:
            raise RuntimeError(f"cannot connect with {DB_PASSWORD} ({BOT_TOKEN})")
        except RuntimeError:
            logger.exception("Failed to connect", stack_info=True)
    text = stream.getvalue()
    assert not [s for s in (BOT_TOKEN, DB_PASSWORD, SIGNING_SECRET) if s in text]
    assert "secret [redacted] and token xoxb-[redacted]" in text
    masked = "RuntimeError: cannot connect with [redacted] (xoxb-[redacted])"
    if fmt == "json":
        _, failure = json_lines(stream)
        assert failure["exc_info"].endswith(masked)
        assert failure["stack_info"].startswith("Stack (most recent call last):")
    else:
        assert masked in text


def test_bound_ids_are_in_the_lines_of_their_own_request_only() -> None:
    """Two requests handled at once: each line carries its own event id and request id, and
    a line outside any request carries none."""

    async def request(number: int) -> None:
        bind_log_context(request_id=f"req-{number}", event_id=f"Ev{number}")
        await asyncio.sleep(0)
        logging.getLogger("tests.logs").info("handling %d", number)

    async def both() -> None:
        await asyncio.gather(request(1), request(2))

    with written("json") as stream:
        asyncio.run(both())
        logging.getLogger("tests.logs").info("between requests")
    lines = {line["message"]: line for line in json_lines(stream)}
    for number in (1, 2):
        line = lines[f"handling {number}"]
        assert (line["request_id"], line["event_id"]) == (f"req-{number}", f"Ev{number}")
    assert "request_id" not in lines["between requests"]
    assert "event_id" not in lines["between requests"]
