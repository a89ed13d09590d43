"""The `ecsbot` click group every command module registers on."""

from __future__ import annotations

import click

from bot import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="ecsbot")
def main() -> None:
    """ECS vs EC2: answers "Amazon ECS or Amazon EC2?" questions."""
