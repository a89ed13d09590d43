"""Block Kit shared by every surface: the action ids listeners match on, and common buttons.

Pure functions returning `slack_sdk.models.blocks` objects; `to_dict()` checks Slack's limits.
Nothing here talks to Slack: the CLI renders these same blocks as text. The surfaces built on
these are in bot.blocks.answers (answers), bot.blocks.home (help, App Home) and
bot.blocks.recommend ("Help me choose").
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks.cache import BLOCK_CACHE
from bot.knowledge import KnowledgeBase, Topic
from bot.matching import truncate
from bot.recommend import STEPS_IN_WORDS

# Action ids are a contract with the listeners. Buttons in one actions block need distinct
# action ids, so topic buttons carry a numeric suffix; listeners match on the prefix.
ACTION_ANSWER_TOPIC = "answer_topic"
ACTION_FEEDBACK = "feedback"
ACTION_HELP_ME_CHOOSE = "recommend_start"
ACTION_SHARE = "share_answer"
FEEDBACK_HELPFUL = "helpful"
FEEDBACK_UNHELPFUL = "not_helpful"

BUTTON_TEXT_LIMIT = 75
CHOOSE_TOPIC_ID = "which-should-i-choose"  # its answer offers the dialog up front
EXAMPLE_TOPIC_IDS = (CHOOSE_TOPIC_ID, "cost", "fargate")
CHOOSE_CALLOUT = (
    f"*Not sure yet?* Answer {STEPS_IN_WORDS} and I'll recommend ECS on Fargate, ECS on EC2 "
    "or plain EC2."
)
COMMAND = "/ecs-vs-ec2"


def topic_button(topic: Topic, index: int, *, label: str | None = None) -> ButtonElement:
    """A button that answers `topic` when clicked."""
    text, _ = truncate(label or topic.questions[0], BUTTON_TEXT_LIMIT)
    return ButtonElement(
        text=PlainTextObject(text=text), action_id=f"{ACTION_ANSWER_TOPIC}:{index}", value=topic.id
    )


def help_me_choose_button(style: str | None = None) -> ButtonElement:
    """The button that starts the recommendation dialog."""
    return ButtonElement(
        text=PlainTextObject(text="Help me choose"),
        action_id=ACTION_HELP_ME_CHOOSE,
        value="start",
        style=style,
    )


def build_choose_callout() -> SectionBlock:
    """The "Help me choose" offer placed right under the answer to "which should I choose?"."""
    return SectionBlock(
        text=MarkdownTextObject(text=CHOOSE_CALLOUT),
        accessory=help_me_choose_button(style="primary"),
    )


def example_topics(kb: KnowledgeBase, count: int = 3) -> list[Topic]:
    """A few topics to offer as example questions."""
    chosen = [t for tid in EXAMPLE_TOPIC_IDS if (t := kb.get(tid)) is not None]
    chosen += [t for t in kb if t not in chosen]
    return chosen[:count]


def to_dicts(blocks: Sequence[Block]) -> list[dict[str, object]]:
    """Blocks as JSON-ready dicts; raises SlackObjectFormationError past Slack's limits.

    A cached block's dict (bot.blocks.cache) is computed once and shared: read-only.
    """
    return [BLOCK_CACHE.rendered(block) for block in blocks]
