"""What every command needs: settings and the knowledge base, with clean failures."""

from __future__ import annotations

import gc
from functools import lru_cache
from pathlib import Path

import click

from bot.answering import Answerer, recommendation_dir
from bot.knowledge import KnowledgeBase, KnowledgeErrors, load_knowledge
from bot.matching import Matcher
from bot.recommend import Pricing, load_pricing
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
    """The answerer over the configured knowledge base and price snapshot, built once."""
    directory = settings_or_exit().knowledge_dir
    return Answerer(knowledge_or_exit(directory), pricing=pricing_or_exit(directory))


def settle_heap() -> None:
    """Put what start-up built (the knowledge base, the matcher's index, the app) out of the
    garbage collector's way (`gc.freeze`): every full collection otherwise walks those
    millions of objects again, about a fifth of a loaded server's CPU per answer (bench/notes.md).
    Call it once, after start-up, before serving."""
    gc.collect()
    gc.freeze()


def serving_answerer(settings: Settings, pricing: Pricing) -> Answerer:
    """The answerer a server runs: the configured knowledge base (or exit code 2), keeping
    MATCHES_KEPT verdicts for questions asked again."""
    kb = knowledge_or_exit(settings.knowledge_dir)
    return Answerer(kb, Matcher(kb, matches_kept=settings.matches_kept), pricing=pricing)


def pricing_or_exit(knowledge_dir: Path) -> Pricing:
    """The price snapshot beside the knowledge base, or every problem listed and exit code 2."""
    try:
        return load_pricing(recommendation_dir(knowledge_dir))
    except KnowledgeErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(2) from None
