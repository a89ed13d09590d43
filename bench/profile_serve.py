"""Where an answer's time goes: `ecsbot serve` under pyinstrument while closed-loop load runs.

    python -m bench.profile_serve --kind command --concurrency 100 --requests 3000

Starts the stand-in, `ecsbot serve` (SQLite, no Redis) inside pyinstrument, sends the load,
stops the server with SIGINT and prints pyinstrument's text report (wall-clock, every
thread) to stdout; --html writes the interactive one too.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import tempfile
from functools import partial
from pathlib import Path

from bench.load import command_request, mention_request, run_round, start_standin
from bench.procs import SERVE, slack_env, spawned, wait_listening


def profiled_serve(report: Path, html: Path | None) -> list[str]:
    """`ecsbot serve` under pyinstrument, writing its text report to `report`."""
    command = [SERVE[0], "-m", "pyinstrument", "-r", "text", "-p", "flat=true", "-o", str(report)]
    if html is not None:
        command = [*command[:4], "-r", "html", "-o", str(html), *command[4:]]
    return [*command, "-c", *SERVE[2:]]


async def profile(args: argparse.Namespace, report: Path) -> None:
    """Load the profiled server, then stop it so pyinstrument writes its report."""
    api, calls = await start_standin()
    try:
        env = slack_env(api.api_url, LOG_LEVEL=args.log_level)
        with spawned("ecsbot", profiled_serve(report, args.html), env) as server:
            await asyncio.to_thread(wait_listening, server)  # the stand-in answers meanwhile
            make = partial(command_request, api) if args.kind == "command" else mention_request
            expect = "answer" if args.kind == "command" else "mention"
            result = await run_round(
                server.url,
                "ecsbot",
                make,
                calls,
                expect=expect,
                concurrency=args.concurrency,
                requests=args.requests,
            )
            print(result.summary(), file=sys.stderr)
            server.process.send_signal(signal.SIGINT)
            await asyncio.to_thread(server.process.wait, 60)
    finally:
        await api.close()


def main(argv: list[str]) -> int:
    """Profile and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=("command", "mention"), default="command")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--log-level", default="INFO")
    parser.add_argument("--html", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "profile.txt"
        asyncio.run(profile(args, report))
        print(report.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
