"""Processes under test: start one on a free 127.0.0.1 port, wait until it listens, stop it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.slack.standin import BOT_TOKEN
from tests.slack import payloads

SIGNING_SECRET = payloads.SIGNING_SECRET
SERVE = [sys.executable, "-c", "from bot.cli import main; main()", "serve", "--host", "127.0.0.1"]
ROOT = Path(__file__).resolve().parents[1]


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so a stopped bench still stops what it started."""
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One process serving Slack requests at `url`; its output goes to `log`."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path
    started_at: float

    def output(self) -> str:
        """Everything the process printed so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def cpu_seconds(self) -> float:
        """User and system CPU time the process (all its threads) used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        """Resident memory of the process in MiB (Linux /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


def slack_env(api_url: str, **extra: str) -> dict[str, str]:
    """The environment of a process under test: test credentials, the stand-in's URL."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": api_url,
        **extra,
    }


# Only a guard against a process that hangs: `ecsbot serve` imports scikit-learn and builds
# the matcher first, ~6 s alone on a 2-core box but ~35 s each for three started together
# beside two busy CPU hogs (the replicas bench starts three), so 30 s failed correct runs.
START_TIMEOUT = 120.0


def wait_listening(server: Server, timeout: float = START_TIMEOUT) -> float:
    """Block until `server` accepts TCP connections; return seconds since it was started;
    RuntimeError if it exits or is not listening after `timeout` seconds."""
    port = int(server.url.rsplit(":", 1)[1])
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.output()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return time.monotonic() - server.started_at
        except OSError:
            time.sleep(0.01)
    raise RuntimeError(f"{server.name} never listened on {port}:\n{server.output()}")


@contextmanager
def spawned(name: str, command: list[str], env: dict[str, str]) -> Iterator[Server]:
    """Start `command` with PORT set, in a directory of its own (where a default SQLite
    database goes); SIGTERM it afterwards. Does not wait for it to listen."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        log = Path(tmp) / "output.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                command,
                env={**env, "PORT": str(port)},
                stdout=sink,
                stderr=subprocess.STDOUT,
                cwd=tmp,
            )
        server = Server(name, f"http://127.0.0.1:{port}", process, log, time.monotonic())
        try:
            yield server
        finally:
            stop(server)


@contextmanager
def started(name: str, command: list[str], env: dict[str, str]) -> Iterator[Server]:
    """`spawned`, yielded once it listens."""
    with spawned(name, command, env) as server:
        wait_listening(server)
        yield server


def stop(server: Server) -> int:
    """SIGTERM (a clean shutdown), then SIGKILL if it hangs; the exit code."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=15)
    return server.process.returncode


def baseline_command(kind: str) -> list[str]:
    """The command that runs the bare Bolt baseline `kind` (see bench.baselines)."""
    return [sys.executable, str(ROOT / "bench" / "baselines.py"), kind]
