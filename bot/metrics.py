"""The bot's Prometheus metrics, served on GET /metrics: defined here, counted where things happen.

Every label value comes from a fixed set below (an unknown value counts as "other"), never
from what a user typed or who they are, so the number of series stays bounded. No Slack and
no storage imports: the Slack app, storage and the CLI all count through these functions.
"""

from __future__ import annotations

import functools
import re
import time
from contextvars import ContextVar

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest

OTHER = "other"
ENTRY_POINTS = frozenset({"slash", "mention", "dm", "button", "home", "view"})
OUTCOMES = frozenset({"matched", "low_confidence", "unmatched"})
FOLLOW_UP_VIA = frozenset({"button", "conversation"})
VOTES = frozenset({"helpful", "not_helpful"})
DEDUPE_KINDS = frozenset({"event", "action", "message"})
STORES = frozenset({"database", "redis"})
STORAGE_OPERATIONS = frozenset(
    {"record", "event_dedupe", "rate_limiting", "conversation_memory", "erasure"}
)
API_FAILURES = frozenset(
    {"connection", "rate_limited", "server_error", "client_error", "api_error"}
)
# A Web API method name as the bot's own code calls it (chat.postMessage, views.open).
_API_METHOD = re.compile(r"^[a-z]+(?:\.[a-zA-Z]+){1,2}$")
# Seconds from a question's arrival to its answer sent: Slack users notice past 3 s.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)

REQUESTS = Counter("ecsbot_requests", "Slack deliveries received, by entry point.", ["entry_point"])
ANSWER_SECONDS = Histogram(
    "ecsbot_answer_seconds",
    "Seconds from receiving a question to its answer being sent.",
    ["entry_point"],
    buckets=LATENCY_BUCKETS,
)
ANSWERS = Counter(
    "ecsbot_answers", "Answers to typed questions, by outcome.", ["entry_point", "outcome"]
)
FOLLOW_UPS = Counter(
    "ecsbot_follow_ups_resolved", "Follow-up questions answered, by how they came.", ["via"]
)
FEEDBACK_VOTES = Counter(
    "ecsbot_feedback_votes", "Feedback votes, and whether they were saved.", ["vote", "saved"]
)
SLACK_API_ERRORS = Counter(
    "ecsbot_slack_api_errors", "Slack Web API calls that failed for good.", ["method", "reason"]
)
SLACK_API_RETRIES = Counter(
    "ecsbot_slack_api_retries", "Slack Web API calls retried.", ["method", "reason"]
)
DEDUPE_HITS = Counter(
    "ecsbot_dedupe_hits", "Repeated deliveries dropped (Slack retries, other replicas).", ["kind"]
)
STORAGE_FAILURES = Counter(
    "ecsbot_storage_failures", "Failed database or Redis operations.", ["store", "operation"]
)

OUTBOX_OUTCOMES = frozenset({"delivered", "retried", "delivered_late", "given_up"})
OUTBOX_POSTS = Counter(
    "ecsbot_outbox_posts",
    "chat.postMessage through the outbox: delivered, retried, delivered late (after a failed "
    "attempt) and given up (`ecsbot report` counts pending posts from the database).",
    ["outcome"],
)

_started: ContextVar[float | None] = ContextVar("ecsbot_request_started", default=None)


def _one_of(value: str, allowed: frozenset[str]) -> str:
    return value if value in allowed else OTHER


# The series counted on every request, looked up once each: `labels()` validates the values and
# takes a lock every time. They are cached by values already narrowed to their fixed sets.
@functools.cache
def _requests(entry_point: str) -> Counter:
    return REQUESTS.labels(entry_point)


@functools.cache
def _answers(entry_point: str, outcome: str) -> tuple[Counter, Histogram]:
    return ANSWERS.labels(entry_point, outcome), ANSWER_SECONDS.labels(entry_point)


@functools.cache
def _outbox(outcome: str) -> Counter:
    return OUTBOX_POSTS.labels(outcome)


def request_received(entry_point: str) -> None:
    """Count one Slack delivery, and start its answer clock (for this request's context)."""
    _requests(_one_of(entry_point, ENTRY_POINTS)).inc()
    _started.set(time.monotonic())


def answer_sent(entry_point: str, outcome: str) -> None:
    """Count an answer by outcome, and observe its latency when the request's clock runs."""
    answers, seconds = _answers(_one_of(entry_point, ENTRY_POINTS), _one_of(outcome, OUTCOMES))
    answers.inc()
    started = _started.get()
    if started is not None:
        seconds.observe(time.monotonic() - started)


def follow_up_resolved(via: str) -> None:
    """Count a follow-up answered: a related-question or "did you mean" button under an
    answer (`button`), or a question read with its conversation's previous turn
    (`conversation`)."""
    FOLLOW_UPS.labels(_one_of(via, FOLLOW_UP_VIA)).inc()


def vote_given(vote: str, saved: bool) -> None:
    """Count a feedback vote, saved or not."""
    FEEDBACK_VOTES.labels(_one_of(vote, VOTES), "yes" if saved else "no").inc()


def dedupe_hit(key: str) -> None:
    """Count a dropped repeat of a delivery, by the kind of its key (`event:…`, `action:…`)."""
    DEDUPE_HITS.labels(_one_of(key.split(":", 1)[0], DEDUPE_KINDS)).inc()


def storage_failed(store: str, operation: str) -> None:
    """Count a failed database or Redis operation (`operation`: record, event dedupe, …)."""
    operation = operation.replace(" ", "_")
    STORAGE_FAILURES.labels(_one_of(store, STORES), _one_of(operation, STORAGE_OPERATIONS)).inc()


def api_method(name: str) -> str:
    """A Web API method name fit for a label; anything else is "other"."""
    return name if len(name) <= 40 and _API_METHOD.match(name) else OTHER


def slack_api_retried(method: str, reason: str) -> None:
    """Count a Web API call about to be retried (connection error, 429, 5xx)."""
    SLACK_API_RETRIES.labels(api_method(method), _one_of(reason, API_FAILURES)).inc()


def slack_api_failed(method: str, reason: str) -> None:
    """Count a Web API call that failed for good (no retry left, or not retryable)."""
    SLACK_API_ERRORS.labels(api_method(method), _one_of(reason, API_FAILURES)).inc()


def exposition() -> tuple[bytes, str]:
    """Every metric in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def outbox_post(outcome: str) -> None:
    """Count one outbox outcome: delivered, retried, delivered_late or given_up."""
    _outbox(_one_of(outcome, OUTBOX_OUTCOMES)).inc()
