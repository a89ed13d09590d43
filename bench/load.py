"""Closed-loop load from outside: signed slash commands or app_mention events, answers timed.

`concurrency` workers each send one request, wait for its ack, and send the next, as Slack
does for many people at once. An answer arrives in the ack itself, at the stand-in's
response_url, or as a chat.postMessage at the stand-in (mentions); each is matched to its
request. Answers per second = answers / (first request sent .. last answer arrived).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp

from bot.slack.standin import Call, SlackStandIn
from tests.slack import payloads

Expect = Literal["ack", "answer", "mention"]
QUESTIONS = (
    "how is fargate billed?",
    "can ecs autoscale?",
    "whats the diffrence between ecs and ec2",
    "who patches the ami on ecs",
    "blue/green deploys on ecs with codedeploy",
    "gpu containers for inference",
    "how do I create an S3 bucket",
    "is ecs cheaper than ec2 for a small web app?",
)
SORRY_PREFIXES = ("Sorry, something went wrong", "You're asking faster")
_serials = itertools.count(1)


class TimedCalls(list[Call]):
    """The stand-in's call list, noting when each call arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def append(self, call: Call) -> None:
        """Record `call` and the time it arrived."""
        self.times.append(time.perf_counter())
        super().append(call)


async def start_standin() -> tuple[SlackStandIn, TimedCalls]:
    """The Web API stand-in on a free 127.0.0.1 port, timing every call it records."""
    api = SlackStandIn()
    calls = TimedCalls()
    api.calls = calls
    await api.start()
    return api, calls


@dataclass
class Request:
    """One signed request: its key (how its answer is recognised), body and headers."""

    key: str
    body: str
    headers: dict[str, str]


def command_request(api: SlackStandIn, text: str) -> Request:
    """`/ecs-vs-ec2 <text>` from a user of its own (so no rate limit bites)."""
    n = next(_serials)
    key = f"q{n}"
    body = payloads.slash_command(text, api.response_url(key), user_id=f"UB{n:08d}")
    return Request(key, body, payloads.signed_headers(body))


def mention_request(text: str) -> Request:
    """An app_mention event, its ts unique, so the reply's thread_ts names it."""
    n = next(_serials)
    ts = f"1700000000.{n:06d}"
    event = payloads.app_mention(f"<@{payloads.BOT_USER_ID}> {text}", ts=ts, user=f"UB{n:08d}")
    body = payloads.event_callback(event, event_id=f"EvB{n:08d}")
    return Request(ts, body, payloads.signed_headers(body, form=False))


@dataclass
class Round:
    """What one round measured against one target."""

    target: str
    concurrency: int
    requests: int
    answered: int = 0
    errors: int = 0  # refused connections and non-200 acks
    missing: int = 0  # requests never answered
    elapsed: float = 0.0
    lag: float = 0.0  # last answer after last ack, seconds
    in_ack: int = 0  # answers that came in the ack itself
    cpu_ms: float = float("nan")  # server CPU per request, milliseconds
    client_cpu_ms: float = float("nan")  # load generator and stand-in CPU per request
    ack_ms: list[float] = field(default_factory=list)

    @property
    def answers_per_s(self) -> float:
        """Answers delivered per second over the round."""
        return self.answered / self.elapsed if self.elapsed else 0.0

    def ack_percentile(self, q: int) -> float:
        """The q-th percentile of ack time in milliseconds."""
        if len(self.ack_ms) < 2:
            return self.ack_ms[0] if self.ack_ms else float("nan")
        return statistics.quantiles(self.ack_ms, n=100, method="inclusive")[q - 1]

    def summary(self) -> dict[str, Any]:
        """The round as JSON-ready numbers."""
        return {
            "target": self.target,
            "concurrency": self.concurrency,
            "requests": self.requests,
            "answered": self.answered,
            "errors": self.errors,
            "missing": self.missing,
            "answers_per_s": round(self.answers_per_s, 1),
            "p50_ack_ms": round(self.ack_percentile(50), 2),
            "p99_ack_ms": round(self.ack_percentile(99), 2),
            "lag_s": round(self.lag, 3),
            "in_ack": self.in_ack,
            "cpu_ms_per_request": round(self.cpu_ms, 3),
            "client_cpu_ms_per_request": round(self.client_cpu_ms, 3),
        }


def _ack_answer(text: str) -> bool:
    """True when an ack carries the answer itself (JSON with blocks, not an apology)."""
    if not text.startswith("{"):
        return False
    body = json.loads(text)
    return bool(body.get("blocks")) and not str(body.get("text", "")).startswith(SORRY_PREFIXES)


def _answer_key(call: Call, expect: Expect) -> str | None:
    """The request key an answer at the stand-in belongs to, or None for anything else."""
    if str(call.body.get("text", "")).startswith(SORRY_PREFIXES) or not call.body.get("blocks"):
        return None
    if expect == "answer" and call.method == "response_url":
        return str(call.body["_key"])
    if expect == "mention" and call.method == "chat.postMessage":
        return str(call.body.get("thread_ts"))
    return None


async def _send_all(
    session: aiohttp.ClientSession,
    urls: list[str],
    requests: list[Request],
    result: Round,
    answered_at: dict[str, float],
    expect: Expect,
) -> float:
    """Send every request through `result.concurrency` workers, spread over `urls` (one
    replica per worker, round robin); the time of the last ack."""
    queue = iter(requests)
    last_ack = 0.0

    async def worker(url: str) -> None:
        nonlocal last_ack
        for request in queue:
            t0 = time.perf_counter()
            try:
                async with session.post(url, data=request.body, headers=request.headers) as r:
                    status, text = r.status, await r.text()
            except aiohttp.ClientError:
                result.errors += 1
                continue
            t1 = last_ack = time.perf_counter()
            result.ack_ms.append((t1 - t0) * 1000)
            if status != 200:
                result.errors += 1
            elif expect == "ack" or (expect == "answer" and _ack_answer(text)):
                answered_at[request.key] = t1
                result.in_ack += expect != "ack"

    await asyncio.gather(*(worker(urls[n % len(urls)]) for n in range(result.concurrency)))
    return last_ack


async def run_round(
    url: str | list[str],
    target: str,
    make: Callable[[str], Request],
    calls: TimedCalls,
    *,
    expect: Expect,
    concurrency: int,
    requests: int,
    timeout: float = 30.0,
) -> Round:
    """One round: `requests` requests through `concurrency` workers, every answer awaited;
    several `url`s (replicas) share the workers."""
    urls = [f"{u}/slack/events" for u in ([url] if isinstance(url, str) else url)]
    batch = [make(QUESTIONS[i % len(QUESTIONS)]) for i in range(requests)]
    wanted = {r.key for r in batch}
    result = Round(target, concurrency, requests)
    answered_at: dict[str, float] = {}
    seen = len(calls)
    connector = aiohttp.TCPConnector(limit=concurrency)
    start, cpu_start = time.perf_counter(), time.process_time()
    async with aiohttp.ClientSession(connector=connector) as session:
        last_ack = await _send_all(session, urls, batch, result, answered_at, expect)
    deadline = time.perf_counter() + timeout
    while len(answered_at) < len(wanted) and time.perf_counter() < deadline:
        for call, at in zip(calls[seen:], calls.times[seen:], strict=True):
            key = _answer_key(call, expect)
            if key in wanted and key not in answered_at:
                answered_at[key] = at
        seen = len(calls)
        await asyncio.sleep(0.005)
    result.answered = len(answered_at)
    result.missing = len(wanted) - result.answered
    last_answer = max(answered_at.values(), default=start)
    result.elapsed = last_answer - start
    result.lag = max(0.0, last_answer - last_ack)
    result.client_cpu_ms = (time.process_time() - cpu_start) * 1000 / requests
    return result
