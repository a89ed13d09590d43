"""Block Kit for "Help me choose": one question at a time, and the result.

Pure `build_*` functions returning `slack_sdk.models` objects; the CLI renders the same result
blocks as text. Dialog buttons carry the signed dialog state (bot.recommend.dialog_state) as
their value. The all-in-one form is in bot.blocks.recommend_modal.
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

from bot.blocks.common import ACTION_HELP_ME_CHOOSE, BUTTON_TEXT_LIMIT, topic_button
from bot.knowledge import SECTION_TEXT_LIMIT, KnowledgeBase
from bot.matching import escape_mrkdwn, truncate
from bot.recommend import (
    DialogAction,
    DialogState,
    Recommendation,
    RecommendationConfig,
    encode_state,
    progress,
)

# Contract with the listeners: answer buttons are `recommend_answer:<value>` and size buttons
# `recommend_size:<preset>` (action ids must be distinct within an actions block); every dialog
# button's value is the signed state token.
ACTION_DIALOG_ANSWER = "recommend_answer"
ACTION_DIALOG_SIZE = "recommend_size"
ACTION_DIALOG_SKIP = "recommend_skip"
ACTION_DIALOG_BACK = "recommend_back"
ACTION_DIALOG_RESTART = "recommend_restart"
ACTION_DIALOG_CANCEL = "recommend_cancel"
EXPIRED_TEXT = "That “Help me choose” dialog has expired or I couldn't read it. Let's start over."
CANCELLED_TEXT = "Help me choose: cancelled."
START_OVER_VALUE = "again"  # the start button on a finished dialog: start over in that message
MAX_RELATED_BUTTONS = 5
_VALUE_ACTIONS = {ACTION_DIALOG_ANSWER: DialogAction.ANSWER, ACTION_DIALOG_SIZE: DialogAction.SIZE}
_NAV_ACTIONS = {
    ACTION_DIALOG_SKIP: DialogAction.SKIP,
    ACTION_DIALOG_BACK: DialogAction.BACK,
    ACTION_DIALOG_RESTART: DialogAction.RESTART,
}


def section(text: str, accessory: ButtonElement | None = None) -> SectionBlock:
    """A mrkdwn section, its text cut to Slack's limit."""
    text, _ = truncate(text, SECTION_TEXT_LIMIT)
    return SectionBlock(text=MarkdownTextObject(text=text), accessory=accessory)


def _context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(text, SECTION_TEXT_LIMIT)[0])])


def _button(text: str, action_id: str, value: str, style: str | None = None) -> ButtonElement:
    label = PlainTextObject(text=truncate(text, BUTTON_TEXT_LIMIT)[0])
    return ButtonElement(text=label, action_id=action_id, value=value, style=style)


def _start_button(text: str = "Start over") -> ButtonElement:
    return _button(text, ACTION_HELP_ME_CHOOSE, START_OVER_VALUE, style="primary")


def _chosen_style(value: str, chosen: str | None) -> str | None:
    # Going Back shows the earlier answer highlighted.
    return "primary" if value == chosen else None


def parse_dialog_action(action_id: str) -> tuple[DialogAction, str | None] | None:
    """The dialog action (and answer or size value) an action id stands for; None if not one."""
    prefix, _, value = action_id.partition(":")
    if prefix in _VALUE_ACTIONS and value:
        return _VALUE_ACTIONS[prefix], value
    action = _NAV_ACTIONS.get(action_id)
    return (action, None) if action is not None else None


def _step_words(state: DialogState, config: RecommendationConfig) -> tuple[str, str]:
    words = config.sizing if state.facet is None else config.facet(state.facet)
    return words.question, words.help


def question_text(state: DialogState, config: RecommendationConfig) -> str:
    """The plain-text fallback for a dialog question."""
    question, _ = _step_words(state, config)
    return f"Help me choose, {progress(state.step)}: {question}"


def _choices(state: DialogState, config: RecommendationConfig, token: str) -> list[ButtonElement]:
    """A button per answer to the facet on screen, or per preset size on the size step."""
    if state.facet is None:
        values = [(s.label, s.value) for s in config.sizing.sizes]
        action, chosen = ACTION_DIALOG_SIZE, state.size
    else:
        values = [(o.label, o.value) for o in config.facet(state.facet).options]
        action, chosen = ACTION_DIALOG_ANSWER, state.answers.get(state.facet)
    return [_button(t, f"{action}:{v}", token, _chosen_style(v, chosen)) for t, v in values]


def build_dialog_question(
    state: DialogState, config: RecommendationConfig, *, key: str | bytes
) -> list[Block]:
    """One question as buttons, with its `progress`, Skip, Back, Start over and Cancel."""
    token = encode_state(state, key)
    question, help_text = _step_words(state, config)
    nav = [_button("Back", ACTION_DIALOG_BACK, token)] if state.step > 0 else []
    nav += [
        _button("Start over", ACTION_DIALOG_RESTART, token),
        _button("Cancel", ACTION_DIALOG_CANCEL, token),
    ]
    skip = _button("Skip", ACTION_DIALOG_SKIP, token)
    choices = [*_choices(state, config, token), skip]
    return [
        _context(f"*Help me choose* · {progress(state.step)}"),
        section(f"*{escape_mrkdwn(question)}*\n{escape_mrkdwn(help_text)}"),
        ActionsBlock(block_id=f"recommend_options:{state.step}", elements=choices),
        ActionsBlock(block_id="recommend_nav", elements=nav),
    ]


def _bullets(title: str, lines: Sequence[str]) -> SectionBlock:
    return section(f"*{title}*\n" + "\n".join(f"• {escape_mrkdwn(line)}" for line in lines))


def _cost_blocks(rec: Recommendation) -> list[Block]:
    cost = rec.monthly_cost
    if cost is None:
        return []
    size = f"{cost.count} x {cost.vcpu:g} vCPU / {cost.memory_gb:g} GB, {cost.hours_per_month:g} h"
    lines = [
        f"{c.label}: {'n/a' if c.monthly is None else f'${c.monthly:,.2f}'} ({c.detail})"
        for c in cost.lines
    ]
    links = " · ".join(f"<{url}>" for url in cost.sources)
    notes = " ".join(escape_mrkdwn(note) for note in cost.notes)
    return [
        _bullets(f"Monthly cost in {cost.currency} ({size})", lines),
        _context(f"{notes} Sources: {links}"),
    ]


def recommendation_text(rec: Recommendation) -> str:
    """The plain-text fallback for a recommendation."""
    return f"Recommendation: {rec.title}. {rec.reasons[0]}"


def _related(rec: Recommendation, kb: KnowledgeBase) -> list[Block]:
    topics = [t for tid in rec.related if (t := kb.get(tid)) is not None][:MAX_RELATED_BUTTONS]
    if not topics:
        return []
    buttons = [topic_button(t, i, label=t.title) for i, t in enumerate(topics)]
    return [section("*Read more*"), ActionsBlock(block_id="recommend_related", elements=buttons)]


def build_recommendation(rec: Recommendation, kb: KnowledgeBase) -> list[Block]:
    """The result: outcome, why, caveats, monthly cost, related topics and Start over."""
    scores = " · ".join(
        f"{rec.labels[o]} {s}" + (" (ruled out)" if o in rec.ruled_out else "")
        for o, s in rec.scores.items()
    )
    return [
        HeaderBlock(text=PlainTextObject(text=f"Recommendation: {rec.label}")),
        section(f"*{escape_mrkdwn(rec.title)}*\n{escape_mrkdwn(rec.summary)}"),
        _context(escape_mrkdwn(f"{rec.confidence_text} Scores: {scores}.")),
        _bullets("Why", rec.reasons),
        *([_bullets("Caveats", rec.caveats)] if rec.caveats else []),
        *_cost_blocks(rec),
        *_related(rec, kb),
        DividerBlock(),
        ActionsBlock(block_id="recommend_done", elements=[_start_button()]),
    ]


def build_dialog_expired() -> list[Block]:
    """A friendly "let's start over" for a tampered, stale or unreadable dialog."""
    return [section(EXPIRED_TEXT, accessory=_start_button())]


def build_dialog_cancelled() -> list[Block]:
    """What replaces the question after Cancel, with a way back in."""
    return [section(CANCELLED_TEXT, accessory=_start_button("Help me choose"))]
