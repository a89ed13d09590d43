"""A bounded, seeded fuzz of whole requests (issue 16): a few thousand bodies in Slack's
shapes with parts deleted, retyped, nested, truncated or garbled, signed or not, through
the real HTTP app. Never a 5xx, unsigned always 401, no traceback in the log, Bolt never
left waiting for an ack; and the known-good question asked now and then is answered."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

import pytest

from bot.blocks import ACTION_HELP_ME_CHOOSE, ACTION_SHARE
from bot.slack.standin import BOT_USER_ID
from tests.slack import payloads
from tests.slack.checks import assert_no_traceback
from tests.slack.conftest import BotUnderTest, listeners_done

# ECSBOT_FUZZ_SEED explores other seeds; the suite runs this one.
SEED = int(os.environ.get("ECSBOT_FUZZ_SEED", "20261201"))
REQUESTS = 3000
BATCH = 25  # requests in flight at once
GOOD_EVERY = 250  # a known-good question between the hostile ones
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"
ODD_STRINGS = [
    "",
    " ",
    "\ud800",
    "\udfff x",
    "\x00",
    "<!channel>",
    "&amp;lt;",
    "é" * 50,
    "{",
    "x" * 3000,
]


def _value(rng: random.Random, depth: int = 0) -> Any:
    """A random JSON value: odd strings, numbers, nulls, lists and objects, sometimes deep."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(ODD_STRINGS)
    if kind == 1:
        return rng.choice([0, -1, 2**63, 1.5, True, False])
    if kind == 2:
        return None
    if kind == 3:
        return "".join(chr(rng.randrange(1, 0x2FFF)) for _ in range(rng.randrange(12)))
    if kind == 4:
        deep: Any = []
        for _ in range(rng.choice([2, 50, 200])):
            deep = [deep]
        return deep
    if kind == 5:
        return [_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["type", "id", "user", "text", "x"]): _value(rng, depth + 1)}


def _mutate(node: Any, rng: random.Random) -> None:
    """Delete, retype or replace one part somewhere inside `node` (a dict or list)."""
    path: list[Any] = []
    current = node
    while isinstance(current, (dict, list)) and current and rng.random() < 0.7:
        key = (
            rng.choice(list(current)) if isinstance(current, dict) else rng.randrange(len(current))
        )
        path.append((current, key))
        current = current[key]
    if not path:
        return
    parent, key = path[-1]
    if rng.random() < 0.3:
        del parent[key]
    else:
        parent[key] = _value(rng)


def _interaction(form: str) -> dict[str, Any]:
    """The JSON payload inside an interaction's form body."""
    payload: dict[str, Any] = json.loads(parse_qs(form)["payload"][0])
    return payload


def _bases() -> list[tuple[str, dict[str, Any]]]:
    """Every shape the bot reads, as Slack sends it: (kind, payload)."""
    ts = payloads.new_ts()
    container = payloads.message_container(payloads.CHANNEL_ID, ts, ephemeral=True)
    clicks = [
        ("answer_topic:0", "cost"),
        ("feedback:helpful", "cost"),
        (ACTION_SHARE, "cost"),
        (ACTION_HELP_ME_CHOOSE, ""),
    ]
    events = [
        payloads.im_message("how is fargate billed?"),
        payloads.app_mention(f"<@{BOT_USER_ID}> what is fargate?", ts=ts),
        payloads.app_home_opened(),
        {"type": "reaction_added", "user": payloads.USER_ID, "reaction": "x", "event_ts": ts},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": []}, "event_ts": ts},
    ]
    command = parse_qs(payloads.slash_command("is ecs cheaper than ec2?", "placeholder"))
    return [
        *(("event", json.loads(payloads.event_callback(e))) for e in events),
        *(
            ("interaction", _interaction(payloads.button_click(a, v, container=container)))
            for a, v in clicks
        ),
        ("interaction", _interaction(payloads.view_submission("recommend_modal"))),
        ("command", {k: v[0] for k, v in command.items()}),
    ]


def _fresh(payload: dict[str, Any], n: int) -> dict[str, Any]:
    """`payload` with new ids, so the deduper lets it through to the listeners."""
    ts = f"{1800000000 + n}.{n:06d}"
    if "event_id" in payload:
        payload["event_id"] = f"Ev0FUZZ{n:06d}"
        payload["event"].update(ts=ts, event_ts=ts, client_msg_id=f"fuzz-{n}")
    for action in payload.get("actions") or []:
        action["action_ts"] = ts
    if "view" in payload:
        payload["view"]["id"] = f"V0FUZZ{n}"
    return payload


def _encode(kind: str, payload: Any, rng: random.Random, response_url: str) -> tuple[bytes, str]:
    """The body and content type of one fuzzed request."""
    if isinstance(payload, dict) and "response_url" in payload:
        payload["response_url"] = response_url  # answers may only ever go to the stand-in
    if kind == "event":
        body, content_type = json.dumps(payload), JSON
    elif kind == "command" and isinstance(payload, dict):
        fields = {k: str(v) for k, v in payload.items()}
        body, content_type = urlencode(fields, errors="surrogatepass"), FORM
    else:
        body, content_type = f"payload={quote(json.dumps(payload), errors='surrogatepass')}", FORM
    raw = body.encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.05:
        raw = raw[: rng.randrange(len(raw) + 1)]
    elif roll < 0.08:
        raw = bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    elif roll < 0.12:
        content_type = rng.choice(
            ["text/plain", f"{JSON}; charset=bogus", "", "multipart/form-data"]
        )
    return raw, content_type


def _headers(raw: bytes, content_type: str, rng: random.Random) -> tuple[dict[str, str], bool]:
    """Headers for `raw`, correctly signed or not; whether they are."""
    roll = rng.random()
    headers = payloads.signed_headers(raw)
    if roll < 0.06:
        headers = {}
    elif roll < 0.10:
        headers = payloads.signed_headers(raw, secret="not-the-secret")
    elif roll < 0.13:
        headers = payloads.signed_headers(raw, timestamp=int(time.time()) - 3600)
    elif roll < 0.15:
        headers["X-Slack-Signature"] = rng.choice(["v0=", "v0=zz", "\u00e9", "v1=" + "0" * 64])
    headers = {k: v for k, v in headers.items() if k != "Content-Type"}
    if content_type:
        headers["Content-Type"] = content_type
    return headers, roll >= 0.15


async def _fuzzed(bot: BotUnderTest, n: int, rng: random.Random) -> tuple[int, bool]:
    kind, base = rng.choice(_bases_cache)
    payload: Any = _fresh(json.loads(json.dumps(base)), n)
    for _ in range(rng.choice([0, 1, 1, 2, 3])):
        _mutate(payload, rng)
    raw, content_type = _encode(kind, payload, rng, bot.api.response_url(f"fuzz{n}"))
    headers, signed = _headers(raw, content_type, rng)
    async with bot.client.post("/slack/events", data=raw, headers=headers) as resp:
        await resp.read()
        return resp.status, signed


_bases_cache: list[tuple[str, dict[str, Any]]] = []


@pytest.mark.asyncio
async def test_thousands_of_fuzzed_requests_never_5xx_never_a_traceback(
    bot: BotUnderTest, caplog: pytest.LogCaptureFixture
) -> None:
    """REQUESTS seeded requests: signed ones get anything but a 5xx, unsigned ones 401; the
    log has no traceback; each known-good question in between is answered."""
    rng = random.Random(SEED)
    _bases_cache[:] = _bases()
    statuses: Counter[int] = Counter()
    with caplog.at_level(logging.WARNING):  # tracebacks come at ERROR, Bolt's ack wait at WARNING
        for start in range(0, REQUESTS, BATCH):
            results = await asyncio.gather(*(_fuzzed(bot, start + i, rng) for i in range(BATCH)))
            for status, signed in results:
                statuses[status] += 1
                assert status < 500, statuses
                assert signed or status == 401, (status, statuses)
            if start % GOOD_EVERY == 0:
                await _known_good_is_answered(bot, start)
        await listeners_done()
    assert_no_traceback(caplog.records)
    assert sum(statuses.values()) == REQUESTS
    # The mix reaches every layer: the signature check, the shape checks, the listeners.
    assert min(statuses[401], statuses[400], statuses[200]) > REQUESTS // 10, statuses


def _is_answer(call: Any) -> bool:
    return call.body.get("channel") == payloads.DM_CHANNEL_ID and str(
        call.body.get("text", "")
    ).startswith("How ECS and EC2 are priced")


async def _known_good_is_answered(bot: BotUnderTest, n: int) -> None:
    """Ask a real question in the DM once nothing else runs; its answer is posted."""
    await listeners_done()
    before = len([c for c in bot.api.of("chat.postMessage") if _is_answer(c)])
    assert (await bot.event(payloads.im_message(f"how is fargate billed? ({n})"))).status == 200
    await bot.api.wait_for("chat.postMessage", before + 1, where=_is_answer)
