"""`ecsbot playground`: the bot in a browser page that looks and clicks like Slack, no Slack needed."""

from __future__ import annotations

import asyncio
import errno

import click

from bot.answering import Turn
from bot.cli.common import serving_answerer, settings_or_exit, settle_heap
from bot.cli.group import main
from bot.cli.serve import recommender_or_exit, storage_or_exit
from bot.logs import configure_logging
from bot.playground import PlaygroundServer, local_settings, serve_playground
from bot.slack import Services


def _ready(url: str) -> None:
    click.echo(f"Playground: open {url} in your browser (Ctrl+C to stop)")


@main.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port on 127.0.0.1 for the page (default: PORT, else 3000; 0 picks a free one).",
)
def playground(port: int | None) -> None:
    """Try the bot in your browser: a local page that looks and clicks like Slack."""
    settings = local_settings(settings_or_exit())
    configure_logging(settings.log_level, settings.secret_values(), settings.log_format)
    recommender = recommender_or_exit(settings)
    answerer = serving_answerer(settings, recommender.pricing)
    storage = storage_or_exit(settings)
    services = Services(
        answerer=answerer,
        recommender=recommender,
        recorder=storage.recorder,
        deduper=storage.deduper,
        limiter=storage.limiter,
        memory=storage.conversations(Turn),
    )
    port = settings.port if port is None else port
    settle_heap()
    try:
        asyncio.run(serve_playground(PlaygroundServer(settings), services, port=port, ready=_ready))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise click.ClickException(
            f"port {port} is in use: try PORT={port + 1} (make run, ecsbot run) or --port {port + 1}"
        ) from None
    finally:
        asyncio.run(storage.aclose())
