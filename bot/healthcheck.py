"""`ecsbot-healthcheck`: does the `ecsbot serve` in this container answer GET /healthz?

The image's HEALTHCHECK and the ECS task definition's health check run it every 30 s, so it
imports nothing but the standard library (`ecsbot` itself loads the matcher: seconds of CPU,
enough to miss a 5 s health check timeout on a busy task). It reads PORT from the
environment, as the container sets it for `ecsbot serve`; the slim image has no curl.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

HEALTH_PATH = "/healthz"
TIMEOUT_SECONDS = 3.0


def health_status(url: str, timeout: float = TIMEOUT_SECONDS) -> int:
    """The HTTP status GET `url` answers with; OSError when nothing answers in `timeout` s."""
    # No proxy: HTTP_PROXY set for the bot's own calls must not catch a check of localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def main(argv: list[str] | None = None) -> int:
    """Exit status 0 when http://127.0.0.1:$PORT/healthz (or the URL given) answers 200,
    else 1, with the reason on stderr."""
    args = sys.argv[1:] if argv is None else argv
    url = args[0] if args else f"http://127.0.0.1:{os.environ.get('PORT', '3000')}{HEALTH_PATH}"
    try:
        status = health_status(url)
    except (OSError, ValueError) as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url}: HTTP {status}", file=sys.stderr)
        return 1
    print(f"ok: {url}")
    return 0
