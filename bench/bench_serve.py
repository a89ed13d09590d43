"""Start-up time and resident memory of `ecsbot serve`, beside a bare Bolt app.

Each start is timed from spawning the process to its first accepted connection and to its
first answered question (SQLite created and migrated, shipped knowledge base indexed). RSS is
read idle after start and again after a burst of answers.

    python -m bench.bench_serve --starts 3 --answers 1000 --out bench/results/serve.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from bench.load import command_request, run_round, start_standin
from bench.procs import SERVE, baseline_command, exit_on_sigterm, slack_env, spawned, wait_listening


async def one_start(name: str, command: list[str], answers: int) -> dict[str, float]:
    """Start `command` once: seconds to listen and to first answer, RSS idle and loaded."""
    api, calls = await start_standin()
    expect = "ack" if name == "bare ack-only" else "answer"
    try:
        with spawned(name, command, slack_env(api.api_url)) as server:
            # Waited for in a thread: the stand-in in this loop answers its auth.test meanwhile.
            listening = await asyncio.to_thread(wait_listening, server)
            first = await run_round(
                server.url, name, partial(command_request, api), calls,
                expect=expect, concurrency=1, requests=1,
            )  # fmt: skip
            first_answer = time.monotonic() - server.started_at
            idle = server.rss_mb()
            loaded = await run_round(
                server.url, name, partial(command_request, api), calls,
                expect=expect, concurrency=10, requests=answers,
            )  # fmt: skip
            errors = first.errors + first.missing + loaded.errors + loaded.missing
            return {
                "listening_s": listening,
                "first_answer_s": first_answer,
                "rss_idle_mb": idle,
                "rss_loaded_mb": server.rss_mb(),
                "errors": errors,
            }
    finally:
        await api.close()


async def run(starts: int, answers: int) -> list[dict[str, Any]]:
    """`starts` starts of each app, alternating; the median of each measure."""
    apps = {"ecsbot": SERVE, "bare ack-only": baseline_command("ack")}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
    for _ in range(starts):
        for name, command in apps.items():
            runs[name].append(await one_start(name, command, answers))
    rows = []
    for name, measured in runs.items():
        row: dict[str, Any] = {"app": name, "starts": starts, "answers": answers}
        for key in measured[0]:
            row[key] = statistics.median(m[key] for m in measured)
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    """Measure and write JSON; never fails on a number."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--answers", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=Path("bench/results/serve.json"))
    args = parser.parse_args(argv)
    rows = asyncio.run(run(args.starts, args.answers))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
