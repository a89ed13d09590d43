"""Block Kit for answers, "did you mean", "I don't cover that", help and App Home.

Pure functions returning `slack_sdk.models.blocks` objects; `to_dict()` checks Slack's limits.
Nothing here talks to Slack: the CLI renders these same blocks as text.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.knowledge import KnowledgeBase, Topic
from bot.matcher import Match
from bot.text import escape_mrkdwn, truncate

# Action ids are a contract with the listeners. Buttons in one actions block need distinct
# action ids, so topic buttons carry a numeric suffix; listeners match on the prefix.
ACTION_ANSWER_TOPIC = "answer_topic"
ACTION_FEEDBACK = "feedback"
ACTION_HELP_ME_CHOOSE = "recommend_start"
ACTION_SHARE = "share_answer"
FEEDBACK_HELPFUL = "helpful"
FEEDBACK_UNHELPFUL = "not_helpful"

BUTTON_TEXT_LIMIT = 75
FIELD_TEXT_LIMIT = 2000
ECHO_LIMIT = 200
CHOOSE_TOPIC_ID = "which-should-i-choose"  # its answer offers the dialog up front
EXAMPLE_TOPIC_IDS = (CHOOSE_TOPIC_ID, "cost", "fargate")
CHOOSE_CALLOUT = (
    "*Not sure yet?* Answer six quick questions and I'll recommend ECS on Fargate, "
    "ECS on EC2 or plain EC2."
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


def _bullets(label: str, points: Sequence[str]) -> MarkdownTextObject:
    text, _ = truncate(f"*{label}*\n" + "\n".join(f"• {p}" for p in points), FIELD_TEXT_LIMIT)
    return MarkdownTextObject(text=text)


def _sources(topic: Topic) -> ContextBlock:
    links = " · ".join(f"<{s.url}|{escape_mrkdwn(s.title)}>" for s in topic.sources[:5])
    reviewed = topic.reviewed.isoformat()
    return ContextBlock(
        elements=[MarkdownTextObject(text=f"Sources: {links} · reviewed {reviewed}")]
    )


def _feedback_and_actions(topic: Topic, *, shareable: bool) -> ActionsBlock:
    elements = [
        ButtonElement(
            text=PlainTextObject(text=":thumbsup: Helpful", emoji=True),
            action_id=f"{ACTION_FEEDBACK}:{FEEDBACK_HELPFUL}",
            value=topic.id,
        ),
        ButtonElement(
            text=PlainTextObject(text=":thumbsdown: Not helpful", emoji=True),
            action_id=f"{ACTION_FEEDBACK}:{FEEDBACK_UNHELPFUL}",
            value=topic.id,
        ),
    ]
    if topic.id != CHOOSE_TOPIC_ID:  # that answer offers it up front instead
        elements.append(help_me_choose_button())
    if shareable:
        elements.append(
            ButtonElement(
                text=PlainTextObject(text="Share in channel"),
                action_id=ACTION_SHARE,
                value=topic.id,
                style="primary",
            )
        )
    return ActionsBlock(block_id=f"answer_actions:{topic.id}", elements=elements)


def build_answer(topic: Topic, kb: KnowledgeBase, *, shareable: bool = False) -> list[Block]:
    """The full answer to a topic: title, answer, ECS | EC2 side by side, sources, follow-ups."""
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=topic.title)),
        SectionBlock(text=MarkdownTextObject(text=topic.answer)),
    ]
    if topic.id == CHOOSE_TOPIC_ID:
        blocks.append(build_choose_callout())
    if topic.ecs or topic.ec2:
        fields = []
        if topic.ecs:
            fields.append(_bullets("Amazon ECS", topic.ecs))
        if topic.ec2:
            fields.append(_bullets("Amazon EC2", topic.ec2))
        blocks.append(SectionBlock(fields=fields))
    blocks.append(_sources(topic))
    related = [t for tid in topic.related if (t := kb.get(tid)) is not None][:5]
    if related:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Related questions*")))
        blocks.append(
            ActionsBlock(
                block_id=f"related:{topic.id}",
                elements=[topic_button(t, i) for i, t in enumerate(related)],
            )
        )
    blocks.append(DividerBlock())
    blocks.append(_feedback_and_actions(topic, shareable=shareable))
    return blocks


def build_did_you_mean(match: Match) -> list[Block]:
    """For a low-confidence match: no guess, a button per candidate topic."""
    assert match.topic is not None, "did-you-mean needs at least one candidate"
    candidates = [match.topic, *(s.topic for s in match.suggestions)]
    question, _ = truncate(match.question, ECHO_LIMIT)
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"I'm not sure I understood _{escape_mrkdwn(question)}_. Did you mean:"
            )
        ),
        ActionsBlock(
            block_id="did_you_mean",
            elements=[topic_button(t, i, label=t.title) for i, t in enumerate(candidates)],
        ),
    ]


def build_out_of_scope(question: str, kb: KnowledgeBase) -> list[Block]:
    """Honest "I don't cover that": what the bot covers and three example questions."""
    echo, _ = truncate(question, ECHO_LIMIT)
    examples = example_topics(kb)
    return [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    f"I don't cover _{escape_mrkdwn(echo)}_. I answer questions about choosing "
                    "between *Amazon ECS* and *Amazon EC2*: cost, scaling, availability, "
                    "Fargate, networking, security, patching, deployments, migration and more."
                )
            )
        ),
        SectionBlock(text=MarkdownTextObject(text="*Try asking:*")),
        ActionsBlock(
            block_id="examples", elements=[topic_button(t, i) for i, t in enumerate(examples)]
        ),
    ]


def build_help(kb: KnowledgeBase) -> list[Block]:
    """Usage of the slash command, mentions and DMs, with example questions."""
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
            text=MarkdownTextObject(text="Not sure where to run a workload? Answer six questions."),
            accessory=help_me_choose_button(),
        ),
    ]


def build_match(match: Match, kb: KnowledgeBase, *, shareable: bool = False) -> list[Block]:
    """The reply to a matched question: an answer, a "did you mean", or "I don't cover that"."""
    if match.topic is None:
        return build_out_of_scope(match.question, kb)
    if not match.confident:
        return build_did_you_mean(match)
    return build_answer(match.topic, kb, shareable=shareable)


def fallback_text(match: Match) -> str:
    """The plain-text `text` sent with the blocks (notifications, screen readers)."""
    if match.topic is None:
        return "I don't cover that. Ask me about Amazon ECS vs Amazon EC2."
    if not match.confident:
        return f"Did you mean: {match.topic.title}?"
    return f"{match.topic.title}: {match.topic.answer}"


def to_dicts(blocks: Sequence[Block]) -> list[dict[str, object]]:
    """Blocks as JSON-ready dicts; raises SlackObjectFormationError past Slack's limits."""
    return [block.to_dict() for block in blocks]
