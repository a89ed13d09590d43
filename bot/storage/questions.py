"""Question text as stored: normalised for counting, a markup-free sample for reading."""

from __future__ import annotations

import re

from bot.matching import strip_slack_markup, truncate, words
from bot.storage.models import MAX_NORMALISED_CHARS

# PostgreSQL text cannot hold NUL, and no control character helps a reader.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def normalise_question(text: str) -> str:
    """Lower-case words only, mentions/links/emoji removed: near-identical asks count as one."""
    normalised = " ".join(words(strip_slack_markup(text)))
    return truncate(normalised, MAX_NORMALISED_CHARS - 1)[0]


def sample_text(text: str, limit: int) -> str:
    """A readable example of the question without mentions (no user ids) and cut to `limit`;
    `text` is as the user typed it (entities already decoded once), so it is not decoded again."""
    plain = strip_slack_markup(_CONTROL.sub(" ", text), decode_entities=False)
    return truncate(plain, limit - 1)[0]
