"""The playground: try the bot in a browser, without Slack, buttons and all.

`ecsbot playground` runs, in one process on 127.0.0.1, the real Bolt HTTP app (with a
generated signing secret and bot token), the Slack Web API stand-in it talks to, and a page
that looks and clicks like Slack. What the person does in the page (`web`) becomes Slack's
own signed requests (`payloads`, sent by `session.Playground`); what the bot sends the
stand-in becomes the page's messages (`conversation`), modals and App Home (`surfaces`),
pushed to the page as server-sent events (`hub`). `runner` starts and stops it all.
"""

from bot.playground.runner import PlaygroundServer, local_settings, serve_playground
from bot.playground.session import Playground, PlaygroundError

__all__ = [
    "Playground",
    "PlaygroundError",
    "PlaygroundServer",
    "local_settings",
    "serve_playground",
]
