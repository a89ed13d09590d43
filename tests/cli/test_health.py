"""`ecsbot healthcheck`, the container's health check: exit 0 only for a 200 from /healthz."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from bot.cli import main
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
def test_healthy_server_exits_0(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200 from http://127.0.0.1:$PORT/healthz: exit 0."""
    monkeypatch.setenv("PORT", server.rsplit(":", 1)[1])
    result = CliRunner().invoke(main, ["healthcheck"])
    assert result.exit_code == 0, result.output
    assert result.output == f"ok: {server}/healthz\n"


@pytest.mark.parametrize("server", [503], indirect=True)
def test_unhealthy_server_exits_1_with_the_status(server: str) -> None:
    """Any other status: exit 1, one line naming it."""
    result = CliRunner().invoke(main, ["healthcheck", "--url", f"{server}/healthz"])
    assert result.exit_code == 1
    assert result.stderr == f"Error: {server}/healthz: HTTP 503\n"


def test_nothing_listening_exits_1_with_the_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    """No server on PORT: exit 1, one line, no traceback."""
    port = free_port()
    monkeypatch.setenv("PORT", str(port))
    result = CliRunner().invoke(main, ["healthcheck", "--timeout", "1"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"Error: http://127.0.0.1:{port}/healthz: ")
    assert "Connection refused" in line
