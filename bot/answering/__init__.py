"""Answering: the calls every surface makes, whatever it is (Slack, the CLI, a playground).

`Answerer` turns a question into a `Reply` (the match and its Block Kit blocks);
`Recommender` holds what "Help me choose" needs (config, prices, the dialog signing key) and
turns answers into a recommendation. No Slack, no storage.
"""

from bot.answering.answerer import Answerer, Reply
from bot.answering.conversation import (
    DEFAULT_TURN_TTL_SECONDS,
    TURN_QUESTION_CHARS,
    Turn,
    conversation_key,
)
from bot.answering.intents import (
    HELP_WORDS,
    RECOMMEND_WORD,
    as_question,
    is_thanks,
    wants_recommendation,
)
from bot.answering.recommender import (
    DIALOG_KEY_LABEL,
    Recommender,
    dialog_key,
    load_recommender,
    recommendation_dir,
)

__all__ = [
    "DEFAULT_TURN_TTL_SECONDS",
    "DIALOG_KEY_LABEL",
    "HELP_WORDS",
    "RECOMMEND_WORD",
    "TURN_QUESTION_CHARS",
    "Answerer",
    "Recommender",
    "Reply",
    "Turn",
    "as_question",
    "conversation_key",
    "dialog_key",
    "is_thanks",
    "load_recommender",
    "recommendation_dir",
    "wants_recommendation",
]
