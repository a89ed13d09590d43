"""The `ecsbot` command line: ask, chat, eval, kb, and the commands later modules add."""

from __future__ import annotations

import click

from bot import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecsbot")
def main() -> None:
    """ECS vs EC2: answers "Amazon ECS or Amazon EC2?" questions."""


# Command modules register themselves on `main` when imported.
from bot.cli import ask, kb, recommend, serve, storage  # noqa: E402, F401
