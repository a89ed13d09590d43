"""`ecsbot kb validate` and `ecsbot kb list`."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.common import knowledge_or_exit, settings_or_exit
from bot.cli.group import main
from bot.knowledge import KnowledgeError, KnowledgeErrors, collect_problems
from bot.recommend import load_pricing, load_recommendation_config
from bot.recommend.loading import PRICING_FILE, RECOMMENDATION_FILE


@main.group()
def kb() -> None:
    """Inspect and validate the knowledge base."""


@kb.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def validate(directory: Path | None) -> None:
    """Print every problem in the knowledge base; exit 1 if there is any."""
    directory = directory or settings_or_exit().knowledge_dir
    knowledge, problems = collect_problems(directory)
    problems += _recommendation_problems(directory, set(knowledge.topics))
    for problem in problems:
        click.echo(f"error: {problem}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"ok: {len(knowledge)} topics in {directory}")


def _recommendation_problems(directory: Path, topic_ids: set[str]) -> list[KnowledgeError]:
    """Problems in recommendation.yaml and pricing.yaml, when the directory has them."""
    problems: list[KnowledgeError] = []
    if (directory / RECOMMENDATION_FILE).exists():
        try:
            load_recommendation_config(directory, topic_ids=topic_ids)
        except KnowledgeErrors as exc:
            problems += exc.errors
    if (directory / PRICING_FILE).exists():
        try:
            load_pricing(directory)
        except KnowledgeErrors as exc:
            problems += exc.errors
    return problems


@kb.command("list")
def list_topics() -> None:
    """List the topics: id, title and how many phrasings each has."""
    for topic in knowledge_or_exit():
        click.echo(f"{topic.id:<24} {topic.title}  ({len(topic.questions)} questions)")
