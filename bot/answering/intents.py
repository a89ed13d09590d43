"""What a typed line asks for besides a question: help, or the "Help me choose" dialog.

Every surface (slash command, DM, mention, the terminal chat) reads these the same way.
"""

from __future__ import annotations

from bot.blocks import COMMAND

HELP_WORDS = frozenset({"", "help", "?", "-h", "--help", "usage"})
RECOMMEND_WORD = "recommend"
RECOMMEND_PHRASES = frozenset(
    {RECOMMEND_WORD, "help me choose", "recommendation", "recommend me", "choose for me"}
)


def _normalised(text: str) -> str:
    """Lower case, without the slash command's name, surrounding space and end punctuation."""
    text = text.strip().lower()
    if text.startswith(COMMAND):
        text = text[len(COMMAND) :].strip()
    return text.rstrip("?!. ").strip() if text not in HELP_WORDS else text


def as_question(text: str) -> str:
    """The question in what the user typed: empty (so: help) for "help" and the like."""
    stripped = text.strip()
    return "" if _normalised(stripped) in HELP_WORDS else stripped


def wants_recommendation(text: str) -> bool:
    """True when the line asks for the "Help me choose" dialog ("recommend", "help me choose")."""
    return _normalised(text) in RECOMMEND_PHRASES
