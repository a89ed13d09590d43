"""`ecsbot serve` (the Slack app) and `ecsbot run` (Slack when configured, else the playground)."""

from __future__ import annotations

import asyncio
import logging
from functools import partial

import click
from sqlalchemy.exc import SQLAlchemyError

from bot.answering import Answerer, Recommender, Turn, load_recommender
from bot.cli.common import serving_answerer, settle_heap
from bot.cli.group import main
from bot.knowledge import KnowledgeErrors
from bot.logs import configure_logging
from bot.settings import Settings, SettingsError, load_settings
from bot.slack import (
    SlackApp,
    SlackCredentials,
    create_app,
    run_http,
    run_socket_mode,
    slack_credentials,
)
from bot.storage.db import mask_url
from bot.storage.oauth import make_oauth_settings
from bot.storage.services import Storage, open_storage

CONFIG_EXIT_CODE = 2

logger = logging.getLogger(__name__)


def _config_error(exc: SettingsError) -> click.exceptions.Exit:
    click.echo(f"configuration error: {exc}", err=True)
    return click.exceptions.Exit(CONFIG_EXIT_CODE)


def slack_settings_or_exit() -> tuple[Settings, SlackCredentials]:
    """Settings with usable Slack credentials, or one line naming the variable and exit 2."""
    try:
        settings = load_settings()
        return settings, slack_credentials(settings)
    except SettingsError as exc:
        raise _config_error(exc) from None


def storage_or_exit(settings: Settings) -> Storage:
    """The migrated database (and Redis), or one line naming the masked URL and exit 1."""
    logger.info("Opening the database %s", mask_url(settings.database_url))
    try:
        return open_storage(settings)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        raise click.ClickException(
            f"database {mask_url(settings.database_url)}: {reason}"
        ) from None


async def close_storage(storage: Storage) -> None:
    """Write the records and rate-limit counts still queued, and close the database pool and
    the Redis client (at shutdown, once listeners in flight have finished)."""
    await storage.aclose()
    logger.info("Closed the database and Redis connections")


def recommender_or_exit(settings: Settings) -> Recommender:
    """The recommendation config and prices, or every problem listed and exit 2."""
    try:
        return load_recommender(settings)
    except KnowledgeErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(CONFIG_EXIT_CODE) from None
    except SettingsError as exc:
        raise _config_error(exc) from None


def build_app(
    settings: Settings,
    answerer: Answerer,
    storage: Storage,
    *,
    recommender: Recommender | None = None,
) -> SlackApp:
    """The Bolt app on `storage`; OAuth install when SLACK_CLIENT_ID and _SECRET are set."""
    oauth_settings = make_oauth_settings(settings, storage.engine, on_install=storage.eraser.cancel)
    return create_app(
        settings,
        answerer,
        recommender=recommender,
        recorder=storage.recorder,
        deduper=storage.deduper,
        limiter=storage.limiter,
        oauth_settings=oauth_settings,
        memory=storage.conversations(Turn),
        outbox=storage.outbox,
        eraser=storage.eraser,
    )


@main.command()
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="Interface to listen on in HTTP mode."
)
def serve(host: str) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    settings, credentials = slack_settings_or_exit()
    configure_logging(settings.log_level, settings.secret_values(), settings.log_format)
    recommender = recommender_or_exit(settings)
    answerer = serving_answerer(settings, recommender.pricing)
    storage = storage_or_exit(settings)
    try:
        app = build_app(settings, answerer, storage, recommender=recommender)
    except BaseException:
        asyncio.run(storage.aclose())
        raise
    cleanup = partial(close_storage, storage)
    settle_heap()
    if credentials.app_token is not None:
        run_socket_mode(app, credentials.app_token, cleanup=cleanup)
    else:
        run_http(app, host=host, port=settings.port, cleanup=cleanup)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start the Slack app when Slack is configured, else the playground in the browser."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _config_error(exc) from None
    if settings.slack_configured:
        ctx.invoke(serve)
        return
    missing = settings.slack_missing()
    if missing:
        click.echo(
            f"Slack is only partly configured: {', '.join(missing)} not set (see .env.sample)."
            " Starting the playground instead.",
            err=True,
        )
    else:
        click.echo("Slack is not configured (see .env.sample): starting the playground.", err=True)
    # Looked up by name: bot.cli.playground imports this module's helpers.
    ctx.invoke(main.commands["playground"])
