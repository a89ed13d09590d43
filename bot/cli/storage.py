"""`ecsbot db upgrade` and `ecsbot report`: the schema and what maintainers should add next."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

import click
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.common import settings_or_exit
from bot.cli.group import main
from bot.storage.columns import utcnow
from bot.storage.db import make_engine, mask_url, upgrade
from bot.storage.report import build_report, parse_since
from bot.storage.report_format import render_text, report_json

T = TypeVar("T")


def _since(_ctx: click.Context, _param: click.Parameter, value: str) -> timedelta:
    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@contextmanager
def _database() -> Iterator[Engine]:
    """The configured database's engine, disposed afterwards."""
    engine = make_engine(settings_or_exit().database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def _or_exit(engine: Engine, work: Callable[[], T]) -> T:
    """Run `work`; a database error becomes one line naming the masked URL."""
    try:
        return work()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        raise click.ClickException(f"database {mask_url(engine.url)}: {reason}") from None


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply the schema migrations to DATABASE_URL (the bot also does this at startup)."""
    with _database() as engine:
        click.echo(f"database: {mask_url(engine.url)}")
        revision = _or_exit(engine, lambda: upgrade(engine))
        click.echo(f"revision: {revision}")


@main.command()
@click.option("--since", default="7d", show_default=True, callback=_since, help="30m, 24h, 7d, 2w…")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
def report(since: timedelta, as_json: bool, limit: int) -> None:
    """Top unanswered questions, votes per topic and answers per topic and entry point."""
    with _database() as engine:
        _or_exit(engine, lambda: upgrade(engine))
        data = _or_exit(engine, lambda: build_report(engine, utcnow() - since, limit=limit))
    if as_json:
        click.echo(json.dumps(report_json(data), indent=2))
    else:
        click.echo(render_text(data))
