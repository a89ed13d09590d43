"""What a typed line asks for besides a question: help, or the "Help me choose" dialog.

Every surface (slash command, DM, mention, the terminal chat) reads these the same way.
"""

from __future__ import annotations

from functools import lru_cache

from bot.blocks import COMMAND
from bot.matching import strip_slack_markup

HELP_WORDS = frozenset({"", "help", "?", "-h", "--help", "usage"})
# A greeting or a thank-you alone gets the help (how to ask), not "I don't cover _hi_".
GREETINGS = frozenset(
    {
        "hi",
        "hello",
        "hey",
        "hiya",
        "yo",
        "hi there",
        "hello there",
        "hey there",
        "good morning",
        "morning",
        "thanks",
        "thank you",
        "thanks!",
        "thx",
        "ty",
        "cheers",
    }
)
# Words of small talk: a message of these alone ("ok thanks", "great, got it") is a greeting
# or a thank-you too.
SMALL_TALK = frozenset(
    {
        *GREETINGS,
        "ok",
        "okay",
        "k",
        "great",
        "cool",
        "nice",
        "awesome",
        "perfect",
        "got",
        "it",
        "sounds",
        "good",
        "thank",
        "you",
        "much",
        "very",
        "so",
        "all",
        "there",
    }
)
RECOMMEND_WORD = "recommend"
RECOMMEND_PHRASES = frozenset(
    {RECOMMEND_WORD, "help me choose", "recommendation", "recommend me", "choose for me"}
)


@lru_cache(maxsize=256)  # each entry point asks several of these of the same text
def _normalised(text: str) -> str:
    """Lower case, without the slash command's name, surrounding space and end punctuation."""
    text = strip_slack_markup(text).strip().lower()
    if text.startswith(COMMAND):
        text = text[len(COMMAND) :].strip()
    return text.rstrip("?!. ").strip() if text not in HELP_WORDS else text


def as_question(text: str) -> str:
    """The question in what the user typed: empty (so: help) for "help", a greeting and the
    like."""
    stripped = text.strip()
    normalised = _normalised(stripped)
    words = normalised.replace(",", " ").replace("!", " ").split()
    small_talk = bool(words) and all(word in SMALL_TALK for word in words)
    return "" if normalised in HELP_WORDS or normalised in GREETINGS or small_talk else stripped


THANKS_WORDS = frozenset({"thanks", "thank", "thx", "ty", "cheers"})


def is_thanks(text: str) -> bool:
    """True when the line is small talk that thanks ("thanks!", "ok thank you", "cheers")."""
    normalised = _normalised(text.strip())
    words = normalised.replace(",", " ").replace("!", " ").split()
    return as_question(text) == "" and any(word in THANKS_WORDS for word in words)


def wants_recommendation(text: str) -> bool:
    """True when the line asks for the "Help me choose" dialog ("recommend", "help me choose")."""
    return _normalised(text) in RECOMMEND_PHRASES
