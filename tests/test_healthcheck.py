"""`ecsbot-healthcheck`, the container's health check: exit 0 only for a 200 from /healthz."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.healthcheck import main
from tests.ports import free_port


class _Health(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:
        self.send_response(self.status if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(request: pytest.FixtureRequest) -> Iterator[str]:
    """A local HTTP server whose /healthz answers with the parametrized status."""
    handler = type("Handler", (_Health,), {"status": request.param})
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as httpd:
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
        httpd.shutdown()


@pytest.mark.parametrize("server", [200], indirect=True)
def test_healthy_server_exits_0(
    server: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 200 from http://127.0.0.1:$PORT/healthz: exit 0."""
    monkeypatch.setenv("PORT", server.rsplit(":", 1)[1])
    assert main([]) == 0
    assert capsys.readouterr().out == f"ok: {server}/healthz\n"


@pytest.mark.parametrize("server", [503], indirect=True)
def test_unhealthy_server_exits_1_with_the_status(
    server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Any other status: exit 1, one line naming it."""
    assert main([f"{server}/healthz"]) == 1
    assert capsys.readouterr().err == f"unhealthy: {server}/healthz: HTTP 503\n"


def test_nothing_listening_exits_1_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No server on PORT: exit 1, one line, no traceback."""
    port = free_port()
    monkeypatch.setenv("PORT", str(port))
    assert main([]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith(f"unhealthy: http://127.0.0.1:{port}/healthz: ")
    assert "Connection refused" in line


def test_loads_no_more_than_the_standard_library() -> None:
    """Run every 30 s in each task, it must not load the matcher or any third-party package."""
    probe = "import sys, bot.healthcheck; print(sorted(sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    modules = ast.literal_eval(loaded)
    tops = {name.split(".")[0] for name in modules} - set(sys.stdlib_module_names)
    assert tops <= {"__main__", "bot", "_distutils_hack"}
    assert {name for name in modules if name.startswith("bot")} == {"bot", "bot.healthcheck"}
