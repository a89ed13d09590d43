"""The `ecsbot` command line: ask, chat, eval, kb, recommend, serve, healthcheck and storage.

The group lives in `bot.cli.group`, so the command modules import it without importing this
package back; importing them here registers their commands on `main`.
"""

from __future__ import annotations

from bot.cli import ask, chat, health, kb, recommend, serve, storage
from bot.cli.group import main

__all__ = ["ask", "chat", "health", "kb", "main", "recommend", "serve", "storage"]
