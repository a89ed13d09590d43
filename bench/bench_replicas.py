"""One `ecsbot serve` against two, both on PostgreSQL and Redis, as replicas run in production.

Each replica set gets a fresh PostgreSQL schema and Redis key prefix (removed afterwards);
the load generator spreads its workers over the replicas round robin, as a load balancer
would. Measures slash commands and app_mention events at each concurrency, alternating one
and two replicas round by round.

    python -m bench.bench_replicas --rounds 3 --out bench/results/replicas.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

from redis import Redis
from sqlalchemy import create_engine, make_url, text

from bench.bench_http import medians
from bench.load import command_request, mention_request, run_round, start_standin
from bench.procs import SERVE, Server, exit_on_sigterm, slack_env, spawned, wait_listening

POSTGRES_URL = os.environ.get(
    "ECSBOT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("ECSBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
SIZES = {10: 600, 100: 2000}


@contextmanager
def shared_storage() -> Iterator[dict[str, str]]:
    """A fresh PostgreSQL schema and Redis prefix, as environment variables; removed after."""
    schema = f"ecsbot_bench_{uuid.uuid4().hex[:12]}"
    prefix = f"ecsbot-bench:{uuid.uuid4().hex}:"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield {
            "DATABASE_URL": url.render_as_string(hide_password=False),
            "REDIS_URL": REDIS_URL,
            "REDIS_KEY_PREFIX": prefix,
        }
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        redis = Redis.from_url(REDIS_URL)
        keys = list(redis.scan_iter(match=f"{prefix}*"))
        if keys:
            redis.delete(*keys)
        redis.close()


def start_sets(stack: ExitStack, api_url: str) -> dict[int, list[Server]]:
    """One replica and two, each set on storage of its own, all started together (replicas
    of a set take turns at migrating their schema); returned once all listen."""
    sets = {}
    for count in (1, 2):
        env = slack_env(api_url, **stack.enter_context(shared_storage()))
        sets[count] = [
            stack.enter_context(spawned(f"replica-{count}-{n}", SERVE, env)) for n in range(count)
        ]
    for server in (s for servers in sets.values() for s in servers):
        wait_listening(server)
    return sets


async def run(args: argparse.Namespace) -> dict[str, Any]:
    """Both replica sets, every concurrency, commands then mentions, alternating."""
    api, calls = await start_standin()
    sizes = {c: max(1, int(SIZES.get(c, 10 * c) * args.scale)) for c in args.concurrency}
    rounds: dict[str, list[dict[str, Any]]] = {"commands": [], "mentions": []}
    try:
        with ExitStack() as stack:
            sets = await asyncio.to_thread(start_sets, stack, api.api_url)
            kinds = {
                "commands": (partial(command_request, api), "answer"),
                "mentions": (mention_request, "mention"),
            }
            for kind, (make, expect) in kinds.items():
                for concurrency in args.concurrency:
                    for n in range(args.rounds + 1):  # the first round warms up
                        for count in (1, 2) if n % 2 == 0 else (2, 1):
                            servers = sets[count]
                            cpu = sum(s.cpu_seconds() for s in servers)
                            result = await run_round(
                                [s.url for s in servers], f"{count} replica{'s' * (count > 1)}",
                                make, calls, expect=expect,  # type: ignore[arg-type]
                                concurrency=concurrency, requests=sizes[concurrency],
                            )  # fmt: skip
                            spent = sum(s.cpu_seconds() for s in servers) - cpu
                            result.cpu_ms = spent * 1000 / result.requests
                            if n:
                                rounds[kind].append(result.summary())
                                print(json.dumps({"kind": kind, **result.summary()}), flush=True)
    finally:
        await api.close()
    return {**rounds, "sizes": sizes, "rounds": args.rounds}


def main(argv: list[str]) -> int:
    """Measure and write JSON; never fails on a number."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--concurrency", type=lambda s: [int(c) for c in s.split(",")], default=[10, 100]
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=Path("bench/results/replicas.json"))
    args = parser.parse_args(argv)
    results = asyncio.run(run(args))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    for kind in ("commands", "mentions"):
        for (target, c), m in medians(results[kind]).items():
            print(f"{kind:<9} c={c:<4} {target:<11} {m}")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
