"""The `ecsbot` command line: ask, chat, eval, kb, playground, recommend, serve and storage
commands.

The group lives in `bot.cli.group`, so the command modules import it without importing this
package back; importing them here registers their commands on `main`.
"""

from __future__ import annotations

from bot.cli import ask, chat, kb, playground, recommend, serve, storage
from bot.cli.group import main

__all__ = ["ask", "chat", "kb", "main", "playground", "recommend", "serve", "storage"]
