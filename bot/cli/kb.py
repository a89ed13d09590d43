"""`ecsbot kb validate` and `ecsbot kb list`."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli import main
from bot.cli.common import knowledge_or_exit, settings_or_exit
from bot.knowledge import collect_problems


@main.group()
def kb() -> None:
    """Inspect and validate the knowledge base."""


@kb.command()
@click.argument("directory", required=False, type=click.Path(path_type=Path))
def validate(directory: Path | None) -> None:
    """Print every problem in the knowledge base; exit 1 if there is any."""
    directory = directory or settings_or_exit().knowledge_dir
    knowledge, problems = collect_problems(directory)
    for problem in problems:
        click.echo(f"error: {problem}")
    if problems:
        click.echo(f"{len(problems)} problem(s) in {directory}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"ok: {len(knowledge)} topics in {directory}")


@kb.command("list")
def list_topics() -> None:
    """List the topics: id, title and how many phrasings each has."""
    for topic in knowledge_or_exit():
        click.echo(f"{topic.id:<24} {topic.title}  ({len(topic.questions)} questions)")
