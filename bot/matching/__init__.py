"""Matching: from a question's text to the knowledge-base topic it asks about, or none.

Text normalisation (`text`), word analysis with stems and typos (`analysis`), the in-scope
decision (`scope`), the matcher itself (`matcher`) and its verdict (`match`), and scoring it
on labelled questions (`evaluation`). No Slack, no storage: the Slack app, the CLI and the benchmark share it.
"""

from bot.matching.analysis import Analyzer
from bot.matching.evaluation import EvalCase, EvalFileError, EvalReport, Miss, evaluate, read_cases
from bot.matching.match import Match, Suggestion
from bot.matching.matcher import Matcher
from bot.matching.scope import QuestionWeights, ScopeGate
from bot.matching.text import (
    MAX_QUESTION_CHARS,
    asking_sentence,
    escape_mrkdwn,
    shorten_question,
    shortening_note,
    strip_slack_markup,
    truncate,
    words,
)

__all__ = [
    "MAX_QUESTION_CHARS",
    "Analyzer",
    "EvalCase",
    "EvalFileError",
    "EvalReport",
    "Match",
    "Matcher",
    "Miss",
    "QuestionWeights",
    "ScopeGate",
    "Suggestion",
    "asking_sentence",
    "escape_mrkdwn",
    "evaluate",
    "read_cases",
    "shorten_question",
    "shortening_note",
    "strip_slack_markup",
    "truncate",
    "words",
]
