"""A Redis server of a test's own on a free port, to kill and to restart empty."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from tests.ports import free_port
from tests.waiting import STARTUP_SECONDS


class RedisServer:
    """`redis-server` without persistence on 127.0.0.1:`port`; `kill()` is a crash (SIGKILL),
    `start()` again brings it back empty on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL the bot connects to."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--logfile", ""]
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + STARTUP_SECONDS
        try:
            while time.monotonic() < deadline:
                try:
                    client.ping()
                    return
                except redis.ConnectionError:
                    time.sleep(0.05)
        finally:
            client.close()
        raise AssertionError("redis-server did not come up")

    def kill(self) -> None:
        """Crash the server: every key is gone with it."""
        if self._process is not None:
            self._process.kill()
            self._process.wait(timeout=10)
            self._process = None
