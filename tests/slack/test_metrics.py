"""GET /metrics through the real Bolt HTTP app: what happened is counted, by bounded labels."""

from __future__ import annotations

import re

import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families
from slack_sdk.http_retry.response import HttpResponse

from bot import metrics
from bot.answering import Answerer
from bot.matching import Match
from bot.slack import Services
from bot.slack.retries import failure
from tests.slack import payloads
from tests.slack.conftest import UNSURE_QUESTION, BotUnderTest, FakeRecorder

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]
FREE_TEXT = "what's the weather like in paris today"


async def scrape(bot: BotUnderTest) -> Samples:
    """Every ecsbot_* sample /metrics serves, by name and labels."""
    async with bot.client.get("/metrics") as resp:
        assert resp.status == 200
        assert resp.headers["Content-Type"].startswith("text/plain; version=")
        text = await resp.text()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("ecsbot_")
    }


def delta(before: Samples, after: Samples, name: str, **labels: str) -> float:
    """How much one sample grew between two scrapes."""
    key = (name, tuple(sorted(labels.items())))
    return after.get(key, 0.0) - before.get(key, 0.0)


async def a_session(bot: BotUnderTest) -> None:
    """A slash command, three DMs (sure, unsure, out of scope), one delivered twice, a
    related-question click and a vote; every reply waited for."""
    await bot.ask("how is fargate billed?")
    body = payloads.event_callback(payloads.im_message(f"{UNSURE_QUESTION}?"))
    await bot.post(body, form=False)
    await bot.event(payloads.im_message(FREE_TEXT))
    await bot.api.wait_for("chat.postMessage", 2)
    await bot.post(body, form=False)  # Slack's retry of the first DM: dropped
    container = payloads.message_container(payloads.CHANNEL_ID, payloads.new_ts())
    await bot.click("answer_topic:0", "fargate", container=container)
    await bot.api.wait_for("chat.postMessage", 3)
    url = bot.api.response_url("vote")
    await bot.click("feedback:helpful", "fargate", container=container, response_url=url)
    await bot.api.wait_for("response_url", where=lambda call: call.body["_key"] == "vote")


@pytest.mark.asyncio
async def test_requests_answers_follow_ups_votes_and_dedupe_hits_are_counted(
    bot: BotUnderTest,
) -> None:
    """Each delivery counts under its entry point, each answer under its outcome with its
    latency, the related-question click as a follow-up, the vote, and the dropped retry."""
    before = await scrape(bot)
    await a_session(bot)
    after = await scrape(bot)
    expected = {
        ("ecsbot_requests_total", (("entry_point", "slash"),)): 1,
        ("ecsbot_requests_total", (("entry_point", "dm"),)): 3,
        ("ecsbot_requests_total", (("entry_point", "button"),)): 2,
        ("ecsbot_answers_total", (("entry_point", "slash"), ("outcome", "matched"))): 1,
        ("ecsbot_answers_total", (("entry_point", "dm"), ("outcome", "low_confidence"))): 1,
        ("ecsbot_answers_total", (("entry_point", "dm"), ("outcome", "unmatched"))): 1,
        ("ecsbot_answers_total", (("entry_point", "button"), ("outcome", "matched"))): 1,
        ("ecsbot_answer_seconds_count", (("entry_point", "dm"),)): 2,
        ("ecsbot_follow_ups_resolved_total", (("via", "button"),)): 1,
        ("ecsbot_feedback_votes_total", (("saved", "yes"), ("vote", "helpful"))): 1,
        ("ecsbot_dedupe_hits_total", (("kind", "event"),)): 1,
    }
    assert {key: delta(before, after, key[0], **dict(key[1])) for key in expected} == expected
    seconds = delta(before, after, "ecsbot_answer_seconds_sum", entry_point="slash")
    assert 0 < seconds < 60


@pytest.mark.asyncio
async def test_label_values_come_from_fixed_sets(bot: BotUnderTest) -> None:
    """After questions, clicks and votes, no label value is a user id, a channel or text
    someone typed: each is one of the fixed values."""
    await a_session(bot)
    allowed = set().union(
        metrics.ENTRY_POINTS,
        metrics.OUTCOMES,
        metrics.FOLLOW_UP_VIA,
        metrics.VOTES,
        metrics.DEDUPE_KINDS,
        metrics.STORES,
        metrics.STORAGE_OPERATIONS,
        metrics.API_FAILURES,
        metrics.OUTBOX_OUTCOMES,
        {metrics.OTHER, "yes", "no"},
    )
    for (name, labels), _ in (await scrape(bot)).items():
        for label, value in labels:
            if label == "le":
                continue
            if label == "method":
                assert re.fullmatch(r"[a-z]+(\.[a-zA-Z]+){1,2}|other", value), (name, value)
            else:
                assert value in allowed, (name, label, value)


@pytest.mark.asyncio
async def test_slack_api_retries_and_errors_are_counted(bot: BotUnderTest) -> None:
    """A 429 is counted as a retry of that method; a post Slack refuses (ok: false) as an
    error; the apology after it goes through."""
    before = await scrape(bot)
    bot.api.fail_next("chat.postMessage", 429, **{"Retry-After": "0"})
    await bot.event(payloads.im_message("how is fargate billed?"))
    await bot.api.wait_for("chat.postMessage")
    bot.api.fail_next("chat.postMessage", 200, error="channel_not_found")
    await bot.event(payloads.im_message("what is fargate?"))
    await bot.api.wait_for("chat.postMessage", 2)
    after = await scrape(bot)
    method = "chat.postMessage"
    assert delta(before, after, "ecsbot_slack_api_retries_total", method=method, reason="rate_limited") == 1  # fmt: skip
    assert delta(before, after, "ecsbot_slack_api_errors_total", method=method, reason="api_error") == 1  # fmt: skip
    assert delta(before, after, "ecsbot_slack_api_errors_total", method=method, reason="rate_limited") == 0  # fmt: skip


@pytest.mark.parametrize(
    ("status", "body", "error", "reason"),
    [
        (200, {"ok": True}, None, None),
        (200, {"ok": False, "error": "channel_not_found"}, None, "api_error"),
        (429, {"ok": False, "error": "ratelimited"}, None, "rate_limited"),
        (503, None, None, "server_error"),
        (404, None, None, "client_error"),
        (None, None, TimeoutError(), "connection"),
    ],
)
def test_failures_are_classified(
    status: int | None, body: dict[str, object] | None, error: Exception | None, reason: str | None
) -> None:
    """What the failure counter files a finished Web API call under."""
    response = None if status is None else HttpResponse(status_code=status, headers={}, body=body)
    assert failure(response, error) == reason


@pytest.mark.asyncio
async def test_a_question_read_with_the_previous_turn_counts_as_a_follow_up(
    slack_answerer: Answerer,
) -> None:
    """A match read in the conversation's context (followed_up) is counted as a follow-up
    resolved; the same question matched alone is not."""
    fargate = slack_answerer.kb.get("fargate")
    services = Services(answerer=slack_answerer, recorder=FakeRecorder())
    labels = {"via": "conversation"}
    before = REGISTRY.get_sample_value("ecsbot_follow_ups_resolved_total", labels) or 0.0
    for followed_up in (True, False):
        match = Match("and on ec2?", fargate, 0.9, confident=True, followed_up=followed_up)
        await services.question_asked("T1", "and on ec2?", match, "dm")
    after = REGISTRY.get_sample_value("ecsbot_follow_ups_resolved_total", labels)
    assert after == before + 1
