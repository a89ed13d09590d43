"""Answers per second and ack times of `ecsbot serve` beside bare Bolt apps, from outside.

Starts the Web API stand-in (in this process), the bare baselines (bench.baselines) and
`ecsbot serve` (SQLite, no Redis, shipped knowledge base), then runs closed-loop rounds at
each concurrency, alternating the order of the targets round by round, so every table compares
numbers taken side by side. Writes the rounds as JSON for bench.report.

    python -m bench.bench_http --rounds 3 --out bench/results/http.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.load import (
    Expect,
    Request,
    Round,
    TimedCalls,
    command_request,
    mention_request,
    run_round,
    start_standin,
)
from bench.procs import (
    SERVE,
    Server,
    baseline_command,
    exit_on_sigterm,
    slack_env,
    spawned,
    wait_listening,
)
from bot.slack.standin import SlackStandIn

# Requests per round at each concurrency: a few seconds per round on two cores.
SIZES = {1: 150, 10: 600, 100: 2000}


@dataclass(frozen=True)
class Target:
    """One app under load: its name in the tables, its server, what answers look like."""

    name: str
    server: str
    expect: Expect


# The load asks a handful of questions again and again, which the matcher keeps
# (MATCHES_KEPT); the second ecsbot keeps none, so it reads every question as if new.
FRESH = "ecsbot, every question read"
FRESH_ENV = {"MATCHES_KEPT": "0"}
COMMAND_TARGETS = (
    Target("bare ack-only", "ack", "ack"),
    Target("bare ack+respond", "respond", "answer"),
    Target("ecsbot", "ecsbot", "answer"),
    Target(FRESH, "ecsbot-fresh", "answer"),
)
MENTION_TARGETS = (
    Target("bare mention", "mention", "mention"),
    Target("ecsbot", "ecsbot", "mention"),
    Target(FRESH, "ecsbot-fresh", "mention"),
)


def start_servers(stack: ExitStack, api: SlackStandIn, env: dict[str, str]) -> dict[str, Server]:
    """Every process under test, started together once for the whole run."""
    base = slack_env(api.api_url, **env)
    commands = {kind: baseline_command(kind) for kind in ("ack", "respond", "mention")}
    commands["ecsbot"] = commands["ecsbot-fresh"] = SERVE
    envs = {"ecsbot-fresh": base | FRESH_ENV}
    servers = {
        k: stack.enter_context(spawned(k, c, envs.get(k, base))) for k, c in commands.items()
    }
    for server in servers.values():
        wait_listening(server)
    return servers


def rotated(targets: tuple[Target, ...], by: int) -> Iterator[Target]:
    """The targets in round-robin order starting at `by`, so none always goes first."""
    for i in range(len(targets)):
        yield targets[(by + i) % len(targets)]


async def measure(
    servers: dict[str, Server],
    api: SlackStandIn,
    calls: TimedCalls,
    targets: tuple[Target, ...],
    *,
    concurrencies: list[int],
    rounds: int,
    sizes: dict[int, int],
) -> list[Round]:
    """Every round of every target at every concurrency, printed as it finishes."""
    make: dict[Expect, Callable[[str], Request]] = {
        "ack": partial(command_request, api),
        "answer": partial(command_request, api),
        "mention": mention_request,
    }
    results = []
    for concurrency in concurrencies:
        for n in range(rounds):
            for target in rotated(targets, n):
                server = servers[target.server]
                cpu_before = server.cpu_seconds()
                result = await run_round(
                    server.url,
                    target.name,
                    make[target.expect],
                    calls,
                    expect=target.expect,
                    concurrency=concurrency,
                    requests=sizes[concurrency],
                )
                result.cpu_ms = (server.cpu_seconds() - cpu_before) * 1000 / result.requests
                print(json.dumps({"kind": target.expect, **result.summary()}), flush=True)
                results.append(result)
    return results


def medians(rounds: list[dict[str, Any]]) -> dict[tuple[str, int], dict[str, float]]:
    """Per (target, concurrency): the median of each measure over its rounds."""
    grouped: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for r in rounds:
        grouped.setdefault((r["target"], r["concurrency"]), []).append(r)
    keys = ("answers_per_s", "p50_ack_ms", "p99_ack_ms", "lag_s", "cpu_ms_per_request")
    return {
        group: {k: statistics.median(r[k] for r in rs) for k in keys}
        | {"errors": sum(r["errors"] + r["missing"] for r in rs), "rounds": len(rs)}
        for group, rs in grouped.items()
    }


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start everything, warm up, measure commands then mentions; the rounds as JSON."""
    api, calls = await start_standin()
    sizes = {c: max(1, int(SIZES.get(c, 10 * c) * args.scale)) for c in args.concurrency}
    try:
        with ExitStack() as stack:
            servers = await asyncio.to_thread(start_servers, stack, api, {})
            options = dict(concurrencies=[10], rounds=1, sizes={10: max(10, sizes.get(10, 10))})
            for targets in (COMMAND_TARGETS, MENTION_TARGETS):  # warm up (auth.test, caches)
                await measure(servers, api, calls, targets, **options)  # type: ignore[arg-type]
            options = dict(concurrencies=args.concurrency, rounds=args.rounds, sizes=sizes)
            commands = await measure(servers, api, calls, COMMAND_TARGETS, **options)  # type: ignore[arg-type]
            mentions = await measure(servers, api, calls, MENTION_TARGETS, **options)  # type: ignore[arg-type]
    finally:
        await api.close()
    return {
        "commands": [r.summary() for r in commands],
        "mentions": [r.summary() for r in mentions],
        "sizes": sizes,
        "rounds": args.rounds,
    }


def parse_args(argv: list[str]) -> argparse.Namespace:
    """--rounds, --concurrency 1,10,100, --scale (of SIZES), --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[1, 10, 100]
    )
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the round sizes")
    parser.add_argument("--out", type=Path, default=Path("bench/results/http.json"))
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    """Run and write the JSON; never fails on a number."""
    args = parse_args(argv)
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for kind in ("commands", "mentions"):
        for (target, c), m in medians(results[kind]).items():
            print(f"{kind:<9} c={c:<4} {target:<18} {m}")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
