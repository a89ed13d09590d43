"""`ecsbot healthcheck`: does the `ecsbot serve` in this container answer GET /healthz?

The image's HEALTHCHECK and the ECS task definition's health check run it: the slim image has
no curl, and this needs nothing but the package.
"""

from __future__ import annotations

import urllib.error
import urllib.request

import click

from bot.cli.common import settings_or_exit
from bot.cli.group import main

HEALTH_PATH = "/healthz"


def health_status(url: str, timeout: float) -> int:
    """The HTTP status GET `url` answers with; OSError when nothing answers in `timeout` s."""
    # No proxy: HTTP_PROXY set for the bot's own calls must not catch a check of localhost.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code


@main.command()
@click.option("--url", help="What to check. Default: http://127.0.0.1:$PORT/healthz")
@click.option("--timeout", default=3.0, show_default=True, help="Seconds to wait for an answer.")
def healthcheck(url: str | None, timeout: float) -> None:
    """Exit 0 when the local server answers /healthz with 200, else 1 and the reason."""
    url = url or f"http://127.0.0.1:{settings_or_exit().port}{HEALTH_PATH}"
    try:
        status = health_status(url, timeout)
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"{url}: {exc}") from None
    if status != 200:
        raise click.ClickException(f"{url}: HTTP {status}")
    click.echo(f"ok: {url}")
