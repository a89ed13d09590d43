"""Assertions on what the bot posted: Block Kit limits and no accidental pings."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.models.blocks import Block

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # modals and App Home
PING = re.compile(r"<!|<@")  # <!channel>, <!here>, <!everyone>, <!subteam^…>, <@U…>


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if isinstance(node.get("text"), str) else []
        return found + [t for value in node.values() for t in _texts(value)]
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    return []


def _check_block(block: dict[str, Any]) -> None:
    kind = block["type"]
    assert len(block.get("block_id", "")) <= 255
    if kind == "header":
        assert len(block["text"]["text"]) <= 150
    if kind == "section":
        assert len((block.get("text") or {}).get("text", "")) <= 3000
        assert len(block.get("fields", [])) <= 10
        assert all(len(f["text"]) <= 2000 for f in block.get("fields", []))
    if kind == "actions":
        elements = block["elements"]
        assert 1 <= len(elements) <= 25
        ids = [e["action_id"] for e in elements]
        assert len(ids) == len(set(ids)), f"duplicate action ids in {block}"
    if kind == "context":
        assert 1 <= len(block["elements"]) <= 10
    for element in [*block.get("elements", []), block.get("accessory") or {}]:
        if element.get("type") == "button":
            assert len(element["text"]["text"]) <= 75
            assert len(element.get("value", "")) <= 2000
            assert len(element["action_id"]) <= 255


def assert_valid_blocks(blocks: list[dict[str, Any]], *, limit: int = MESSAGE_BLOCKS) -> None:
    """Blocks parse back to themselves (slack_sdk checks its limits) and respect Slack's."""
    assert 1 <= len(blocks) <= limit, f"{len(blocks)} blocks"
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None and parsed.to_dict() == block, block
        _check_block(block)
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids)), f"duplicate block ids {block_ids}"


def assert_no_ping(body: dict[str, Any]) -> None:
    """Nothing in a posted message can notify a channel, a group or a person."""
    for text in [*_texts(body.get("blocks", [])), str(body.get("text", ""))]:
        assert not PING.search(text), f"posted a ping: {text!r}"


def action_ids(blocks: list[dict[str, Any]]) -> list[str]:
    """Every button's action id, in order."""
    found = []
    for block in blocks:
        for element in [*block.get("elements", []), block.get("accessory") or {}]:
            if element.get("type") == "button":
                found.append(element["action_id"])
    return found


def assert_no_traceback(records: list[logging.LogRecord]) -> None:
    """No record carries a traceback, and Bolt never gave up waiting for an ack (the 3 s,
    then 404, of a listener that failed around its ack)."""
    for record in records:
        assert record.exc_info is None and not record.exc_text, record.getMessage()
        assert "didn't call ack()" not in record.getMessage(), record.getMessage()
