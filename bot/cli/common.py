"""What every command needs: settings and the knowledge base, with clean failures."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import click

from bot.answering import Answerer
from bot.knowledge import KnowledgeBase, KnowledgeErrors, load_knowledge
from bot.settings import Settings, SettingsError, load_settings


def settings_or_exit() -> Settings:
    """Settings, or one clear line and exit code 2."""
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"configuration error: {exc}", err=True)
        raise click.exceptions.Exit(2) from None


def knowledge_or_exit(directory: Path | None = None) -> KnowledgeBase:
    """The knowledge base, or every problem listed and exit code 2."""
    directory = directory or settings_or_exit().knowledge_dir
    try:
        return load_knowledge(directory)
    except KnowledgeErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(2) from None


@lru_cache(maxsize=1)
def answerer() -> Answerer:
    """The answerer over the configured knowledge base, built once."""
    return Answerer(knowledge_or_exit())
