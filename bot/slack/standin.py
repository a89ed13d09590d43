"""A local Slack Web API stand-in: an aiohttp server on 127.0.0.1 that records every call.

Like the mock servers in bolt-python's own tests, it answers `auth.test`, records the Web API
methods the bot uses and posts to `response_url`s, and checks the bearer token. For Socket
Mode it answers `apps.connections.open` (app-level token) and serves the WebSocket. The tests
run the real Bolt app against it, and so can a local playground: point SLACK_API_URL at
`api_url`. What it answers with is in `bot.slack.standin_replies`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.slack.standin_replies import (
    APP_TOKEN,
    BOT_ID,
    BOT_TOKEN,
    BOT_USER_ID,
    RECORDED_METHODS,
    TEAM_ID,
    Call,
    Failure,
    api_answer,
    auth_test,
    history,
    message_ts,
    oauth_v2_access,
    posted_message,
)

__all__ = [
    "APP_TOKEN",
    "BOT_ID",
    "BOT_TOKEN",
    "BOT_USER_ID",
    "TEAM_ID",
    "Call",
    "Failure",
    "SlackStandIn",
]


class SlackStandIn:
    """Records calls; `wait_for` polls for them, since the bot replies after its ack.

    `bot_token` is the one bearer token it accepts; `on_call` sees each recorded call as it
    lands, with the answer given (the playground shows the bot's messages as they arrive).
    """

    def __init__(
        self, *, bot_token: str = BOT_TOKEN, on_call: Callable[[Call], None] | None = None
    ) -> None:
        self.bot_token = bot_token
        self._on_call = on_call
        self.calls: list[Call] = []
        self.rejected: list[Call] = []
        self.auth_tests = 0  # auth.test calls, which are answered but not recorded in `calls`
        self._failures: dict[str, list[Failure]] = {}
        self._windows: dict[str, tuple[float, Failure]] = {}
        self.messages: list[dict[str, Any]] = []  # what conversations.history shows
        self.lookups: list[Call] = []  # conversations.history / .replies calls
        self._ts = itertools.count(1)
        self.sockets: list[web.WebSocketResponse] = []
        self._closing = asyncio.Event()
        app = web.Application()
        app.router.add_post("/api/apps.connections.open", self._connections_open)
        app.router.add_post("/api/{method}", self._web_api)
        app.router.add_get("/api/{method}", self._web_api)
        app.router.add_post("/response/{key}", self._response_url)
        app.router.add_get("/socket", self._socket)
        self.server = TestServer(app, host="127.0.0.1")

    async def start(self) -> None:
        """Listen on a free port; Slack's access log is not the bot's, so it stays out of logs."""
        await self.server.start_server(access_log=None)

    async def close(self) -> None:
        """Stop listening."""
        self._closing.set()
        for ws in self.sockets:
            await ws.close()
        await self.server.close()

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be."""
        return str(self.server.make_url("/api/"))

    def new_ts(self) -> str:
        """A fresh message timestamp from the series the bot's posts get theirs from (Slack
        stamps every message, those people type too, so no two share one)."""
        return message_ts(self._ts)

    def response_url(self, key: str = "r1") -> str:
        """A response_url that lands on the stand-in."""
        return str(self.server.make_url(f"/response/{key}"))

    def fail_next(
        self, method: str, status: int, *, error: str | None = None, **headers: str
    ) -> None:
        """Answer the next call to `method` with `status` (e.g. 429 with Retry-After) and an
        error (by default Slack's for that status); "response_url" fails the next post to
        any response_url (e.g. 404 and "expired_url")."""
        error = error or ("ratelimited" if status == 429 else "fatal_error")
        self._failures.setdefault(method, []).append(Failure(status, error, dict(headers)))

    def stall_next(self, method: str, seconds: float) -> None:
        """Answer the next call to `method` only after `seconds` (the bot should time out)."""
        self._failures.setdefault(method, []).append(Failure(200, "", stall=seconds))

    def slow_next(self, method: str, seconds: float) -> None:
        """Take the next call to `method` at once (a message is posted) but answer only after
        `seconds`: the bot times out on a call Slack did carry out."""
        self._failures.setdefault(method, []).append(Failure(200, "", stall=seconds, posted=True))

    def fail_for(
        self, method: str, seconds: float, status: int = 500, *, stall: float = 0.0
    ) -> None:
        """For the next `seconds`, answer every call to `method` with `status`; with `stall`,
        carry every call out but answer it only after `stall` seconds."""
        failure = Failure(status, "fatal_error", stall=stall, posted=bool(stall))
        self._windows[method] = (asyncio.get_running_loop().time() + seconds, failure)

    def _failure(self, method: str) -> Failure | None:
        window = self._windows.get(method)
        if window is not None and asyncio.get_running_loop().time() < window[0]:
            return window[1]
        pending = self._failures.get(method)
        return pending.pop(0) if pending else None

    def of(self, method: str) -> list[Call]:
        """Recorded calls to `method` (response_url posts are method "response_url")."""
        return [c for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        *,
        where: Callable[[Call], bool] = lambda call: True,
        timeout: float = 30.0,
    ) -> list[Call]:
        """Poll until `count` matching calls to `method` were recorded; AssertionError after
        `timeout` seconds (generous: it only guards against a hang, and returns at once when
        the calls are there, however loaded the machine)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = [c for c in self.of(method) if where(c)]
            if len(found) >= count:
                return found
            if loop.time() > deadline:
                seen = [c.method for c in self.calls]
                raise AssertionError(f"expected {count} {method} call(s) in {timeout}s; saw {seen}")
            await asyncio.sleep(0.01)

    async def push(self, envelope: dict[str, Any], timeout: float = 5.0) -> None:
        """Send a Socket Mode envelope to the bot, once it is connected."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not self.sockets:
            assert loop.time() < deadline, "the bot never opened the Socket Mode connection"
            await asyncio.sleep(0.01)
        await self.sockets[-1].send_json(envelope)

    async def _connections_open(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {APP_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        url = self.server.make_url("/socket").with_scheme("ws")
        return web.json_response({"ok": True, "url": str(url)})

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            self.calls.append(Call("socket_ack", {}, json.loads(message.data)))
        return ws

    async def _read(self, request: web.Request) -> dict[str, Any]:
        body: dict[str, Any] = dict(parse_qsl(request.query_string))
        raw = await request.text()
        if request.content_type == "application/json":
            body.update(json.loads(raw or "{}"))
        elif raw:
            body.update(parse_qsl(raw))
        for key in ("blocks", "view"):  # form-encoded calls carry these as JSON strings
            if isinstance(body.get(key), str):
                body[key] = json.loads(body[key])
        return body

    async def _web_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        call = Call(method, dict(request.headers), await self._read(request))
        if method == "oauth.v2.access":  # client id and secret in Basic auth, no token yet
            self.calls.append(call)
            return web.json_response(oauth_v2_access())
        if request.headers.get("Authorization") != f"Bearer {self.bot_token}":
            self.rejected.append(call)
            return web.json_response({"ok": False, "error": "invalid_auth"})
        failure = self._failure(method)
        if failure is not None:
            if failure.stall:
                answer = (
                    self._record(call) if failure.posted else {"ok": False, "error": "too_late"}
                )
                self.calls.append(Call(f"{method}:stalled", call.headers, call.body))
                with contextlib.suppress(TimeoutError):  # closing cuts the stall short
                    await asyncio.wait_for(self._closing.wait(), failure.stall)
                return web.json_response(answer)
            self.calls.append(Call(f"{method}:{failure.status}", call.headers, call.body))
            return web.json_response(
                {"ok": False, "error": failure.error},
                status=failure.status,
                headers=failure.headers,
            )
        if method == "auth.test":
            self.auth_tests += 1
            return web.json_response(auth_test())
        if method in ("conversations.history", "conversations.replies"):
            self.lookups.append(call)
            return web.json_response(history(self.messages, method, call.body))
        if method not in RECORDED_METHODS:
            return web.json_response({"ok": False, "error": "unknown_method"}, status=404)
        return web.json_response(self._record(call))

    def _record(self, call: Call) -> dict[str, Any]:
        """Carry out a recorded call: a posted message shows in conversations.history."""
        answer = api_answer(call.method, call.body, self._ts)
        if call.method == "chat.postMessage":
            self.messages.append(
                {**posted_message(call.body, answer["ts"]), "channel": call.body.get("channel")}
            )
        self._note(replace(call, answer=answer))
        return answer

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        key = request.match_info["key"]
        pending = self._failures.get("response_url")
        if pending:  # Slack answers a refused response_url post in plain text
            failure = pending.pop(0)
            self.calls.append(Call(f"response_url:{failure.status}", dict(request.headers), body))
            return web.Response(status=failure.status, text=failure.error)
        self._note(Call("response_url", dict(request.headers), {**body, "_key": key}))
        return web.Response(text="ok")

    def _note(self, call: Call) -> None:
        """Keep `call` in `calls` and hand it to `on_call`."""
        self.calls.append(call)
        if self._on_call is not None:
            self._on_call(call)
