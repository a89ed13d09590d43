"""`ecsbot serve` (the Slack app) and `ecsbot run` (Slack when configured, else the chat)."""

from __future__ import annotations

import click

from bot.answers import Answerer
from bot.app import create_app
from bot.cli import main
from bot.cli.ask import chat
from bot.cli.common import knowledge_or_exit
from bot.server import configure_logging, run_http, run_socket_mode
from bot.settings import Settings, SettingsError, load_settings
from bot.slack_config import SlackCredentials, slack_credentials

CONFIG_EXIT_CODE = 2


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


@main.command()
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="Interface to listen on in HTTP mode."
)
def serve(host: str) -> None:
    """Run the Slack app: Socket Mode when SLACK_APP_TOKEN is set, else HTTP on PORT."""
    settings, credentials = slack_settings_or_exit()
    configure_logging(settings.log_level)
    answerer = Answerer(knowledge_or_exit(settings.knowledge_dir))
    app = create_app(settings, answerer)
    if credentials.app_token is not None:
        run_socket_mode(app, credentials.app_token)
    else:
        run_http(app, host=host, port=settings.port)


@main.command()
@click.pass_context
def run(ctx: click.Context) -> None:
    """Start the Slack app when Slack is configured, else chat in the terminal."""
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise _config_error(exc) from None
    if settings.slack_configured:
        ctx.invoke(serve)
        return
    click.echo("Slack is not configured (see .env.sample): starting the terminal chat.", err=True)
    ctx.invoke(chat)
