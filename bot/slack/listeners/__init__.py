"""Slack listeners: the Slack surface (ack, parse, call the core, send).

Each module exposes `register(app)`; `bot.slack.app.register_listeners` calls them in this order.
Bolt runs only the first listener that matches a request, so a module that takes over an
action another module also handles goes before it in the list.
"""

from __future__ import annotations

from types import ModuleType

from bot.slack.listeners import actions, commands, events, home, lifecycle, recommend

# lifecycle acknowledges every event type nobody else listens for, so it comes last.
LISTENER_MODULES: tuple[ModuleType, ...] = (commands, events, recommend, actions, home, lifecycle)
