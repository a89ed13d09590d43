"""The Slack surface: the Bolt app, its listeners and the servers it runs in.

`app.create_app` is the composition root: it builds the Bolt app from `config` (credentials,
the Web API client), puts `services.Services` in every listener's reach through `middleware`
(which also drops repeated deliveries) and registers `listeners/`. `server` runs it over HTTP
or Socket Mode. This is the only package that imports `slack_bolt`; everything it calls lives
in the core (`bot.answering`, `bot.blocks`, `bot.recommend`) and reaches storage only through
`bot.ports`.
"""

from bot.slack.app import SlackApp, create_app, register_listeners
from bot.slack.config import SlackCredentials, build_web_client, slack_credentials
from bot.slack.server import create_web_app, run_http, run_socket_mode, serve_socket_mode
from bot.slack.services import UNKNOWN, Services
from bot.slack.shutdown import Cleanup

__all__ = [
    "UNKNOWN",
    "Cleanup",
    "Services",
    "SlackApp",
    "SlackCredentials",
    "build_web_client",
    "create_app",
    "create_web_app",
    "register_listeners",
    "run_http",
    "run_socket_mode",
    "serve_socket_mode",
    "slack_credentials",
]
