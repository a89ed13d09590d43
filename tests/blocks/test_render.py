"""Blocks rendered for a terminal: what Slack would show, without Slack's markup."""

from __future__ import annotations

import pytest

from bot.blocks.render import mrkdwn_to_text


@pytest.mark.parametrize(
    ("mrkdwn", "text"),
    [
        ("*Per second*, then more", "Per second, then more"),
        ("I don't cover _hi_.", "I don't cover hi."),
        ("`FARGATE_SPOT` and `FARGATE`", "`FARGATE_SPOT` and `FARGATE`"),
        ("2 * 3 * 4", "2 * 3 * 4"),
        ("<https://aws.amazon.com/ecs/|ECS> &amp; EC2", "ECS (https://aws.amazon.com/ecs/) & EC2"),
        (":thumbsup: Helpful", "\N{THUMBS UP SIGN} Helpful"),
    ],
)
def test_mrkdwn_becomes_plain_text(mrkdwn: str, text: str) -> None:
    """Emphasis markers go, identifiers and arithmetic stay, links read as title (url)."""
    assert mrkdwn_to_text(mrkdwn) == text
