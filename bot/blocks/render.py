"""Render Block Kit blocks as terminal text, so the CLI shows what Slack would."""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block

_LINK = re.compile(r"<([^|>]+)\|([^>]+)>")
_BARE_LINK = re.compile(r"<(https?://[^>]+)>")
# *bold* and _italic_ around words (not inside identifiers such as FARGATE_SPOT).
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
# The emoji codes the bot's own blocks use, as the characters a terminal can show.
_EMOJI = {":thumbsup:": "\N{THUMBS UP SIGN}", ":thumbsdown:": "\N{THUMBS DOWN SIGN}"}
WIDTH = 88


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn to plain text: links as `title (url)`, emphasis markers dropped, the bot's
    emoji codes as characters, entities unescaped."""
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    text = _BARE_LINK.sub(r"\1", text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    for code, char in _EMOJI.items():
        text = text.replace(code, char)
    return html.unescape(text)


def _text_of(obj: dict[str, Any] | None) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return mrkdwn_to_text(text) if obj.get("type") == "mrkdwn" else text


def _wrap(text: str, indent: str = "") -> str:
    lines = []
    for line in text.splitlines() or [""]:
        # URLs must survive wrapping whole, so a terminal can still open them.
        wrapped = textwrap.fill(
            line,
            WIDTH,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        lines.append(wrapped or indent)
    return "\n".join(lines)


def _buttons(elements: list[dict[str, Any]]) -> list[str]:
    return [
        f"[{mrkdwn_to_text(_text_of(e.get('text')))}]"
        for e in elements
        if e.get("type") == "button"
    ]


def _render_block(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind == "header":
        title = _text_of(block.get("text"))
        return f"{title}\n{'=' * min(len(title), WIDTH)}"
    if kind == "divider":
        return "-" * 40
    if kind == "context":
        return _wrap("  ".join(_text_of(e) for e in block.get("elements", [])))
    if kind == "actions":
        return _wrap("  ".join(_buttons(block.get("elements", []))))
    if kind == "section":
        parts = [_wrap(_text_of(block.get("text")))] if block.get("text") else []
        parts += [_wrap(_text_of(f)) for f in block.get("fields", [])]
        accessory = block.get("accessory")
        if accessory and accessory.get("type") == "button":
            parts.append(_buttons([accessory])[0])
        return "\n\n".join(parts)
    return ""


def render_blocks(blocks: Sequence[Block | dict[str, Any]]) -> str:
    """All blocks as readable text, separated by blank lines."""
    dicts = [b.to_dict() if isinstance(b, Block) else b for b in blocks]
    return "\n\n".join(r for r in (_render_block(b) for b in dicts) if r)
