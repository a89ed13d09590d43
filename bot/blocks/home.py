"""Block Kit for the way in: help for the slash command, and the App Home tab.

Pure functions like bot.blocks.common, built from its topic and "Help me choose" buttons.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.cache import BLOCK_CACHE
from bot.blocks.common import COMMAND, example_topics, help_me_choose_button, topic_button
from bot.knowledge import KnowledgeBase
from bot.matching import escape_mrkdwn
from bot.recommend import STEPS_IN_WORDS


def build_help(kb: KnowledgeBase) -> list[Block]:
    """Usage of the slash command, mentions and DMs, with example questions (built once per
    knowledge base, bot.blocks.cache: read-only blocks)."""
    return BLOCK_CACHE.blocks((kb,), ("help",), lambda: _help(kb))


def _help(kb: KnowledgeBase) -> list[Block]:
    examples = example_topics(kb)
    lines = "\n".join(f"• `{COMMAND} {escape_mrkdwn(t.questions[0])}`" for t in examples)
    return [
        HeaderBlock(text=PlainTextObject(text="ECS vs EC2: how to ask")),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"Ask me about choosing between Amazon ECS and Amazon EC2.\n{lines}\n"
                    f"• `{COMMAND} recommend` to answer a few questions and get a recommendation\n"
                    "You can also @mention me in a channel or send me a direct message."
                )
            )
        ),
        ActionsBlock(
            block_id="help_actions",
            elements=[
                *(topic_button(t, i) for i, t in enumerate(examples)),
                help_me_choose_button(),
            ],
        ),
    ]


def build_home(kb: KnowledgeBase) -> list[Block]:
    """The App Home tab: what the bot does, example questions, and "Help me choose"."""
    examples = example_topics(kb, count=5)
    return [
        HeaderBlock(text=PlainTextObject(text="ECS vs EC2")),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "I answer *Amazon ECS or Amazon EC2?* questions from a fact-checked knowledge "
                    f"base of {len(kb)} topics, each with links to the AWS documentation. Ask with "
                    f"`{COMMAND} <question>`, @mention me in a channel, or message me here."
                )
            )
        ),
        SectionBlock(text=MarkdownTextObject(text="*Example questions*")),
        ActionsBlock(
            block_id="home_examples", elements=[topic_button(t, i) for i, t in enumerate(examples)]
        ),
        DividerBlock(),
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"Not sure where to run a workload? Answer {STEPS_IN_WORDS} and I'll "
                    "recommend ECS on Fargate, ECS on EC2 or plain EC2."
                )
            ),
            accessory=help_me_choose_button(),
        ),
    ]
