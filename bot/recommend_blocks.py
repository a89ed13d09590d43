"""Block Kit for "Help me choose": one question at a time, the result, and the all-in-one modal.

Pure `build_*` functions returning `slack_sdk.models` objects; the CLI renders the same result
blocks as text. Dialog buttons carry the signed dialog state (bot.dialog_state) as their value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import ACTION_HELP_ME_CHOOSE, BUTTON_TEXT_LIMIT, topic_button
from bot.dialog_state import (
    FACET_STEPS,
    STEP_COUNT,
    DialogAction,
    DialogState,
    ReplyTarget,
    encode_reply_target,
    encode_state,
)
from bot.knowledge import SECTION_TEXT_LIMIT, KnowledgeBase
from bot.recommend import (
    SIZING_HELP,
    SIZING_LABELS,
    AnswerError,
    Answers,
    Recommendation,
    RecommendationConfig,
    check_answer,
)
from bot.text import escape_mrkdwn, truncate

# Contract with the listeners: answer buttons are `recommend_answer:<value>` and size buttons
# `recommend_size:<preset>` (action ids must be distinct within an actions block); every dialog
# button's value is the signed state token.
ACTION_DIALOG_ANSWER = "recommend_answer"
ACTION_DIALOG_SIZE = "recommend_size"
ACTION_DIALOG_SKIP = "recommend_skip"
ACTION_DIALOG_BACK = "recommend_back"
ACTION_DIALOG_RESTART = "recommend_restart"
ACTION_DIALOG_CANCEL = "recommend_cancel"
CALLBACK_RECOMMEND_MODAL = "recommend_modal"
BLOCK_FACET = "recommend_facet"  # modal input blocks are `recommend_facet:<facet>` ...
BLOCK_SIZING = "recommend_sizing"  # ... and `recommend_sizing:<field>`
ACTION_MODAL_INPUT = "recommend_input"
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
_DECIMAL_SIZING = {"vcpu": True, "memory_gb": True, "count": False, "hours_per_month": True}


class ModalInputError(ValueError):
    """A modal submission with bad inputs; `errors` maps block ids to messages for Slack."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def _section(text: str, accessory: ButtonElement | None = None) -> SectionBlock:
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
    return f"Help me choose, {state.step + 1} of {STEP_COUNT}: {question}"


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
    """One question as buttons, with progress ("2 of 7"), Skip, Back, Start over and Cancel."""
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
        _context(f"*Help me choose* · {state.step + 1} of {STEP_COUNT}"),
        _section(f"*{escape_mrkdwn(question)}*\n{escape_mrkdwn(help_text)}"),
        ActionsBlock(block_id=f"recommend_options:{state.step}", elements=choices),
        ActionsBlock(block_id="recommend_nav", elements=nav),
    ]


def _bullets(title: str, lines: Sequence[str]) -> SectionBlock:
    return _section(f"*{title}*\n" + "\n".join(f"• {escape_mrkdwn(line)}" for line in lines))


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
    return [_section("*Read more*"), ActionsBlock(block_id="recommend_related", elements=buttons)]


def build_recommendation(rec: Recommendation, kb: KnowledgeBase) -> list[Block]:
    """The result: outcome, why, caveats, monthly cost, related topics and Start over."""
    scores = " · ".join(
        f"{rec.labels[o]} {s}" + (" (ruled out)" if o in rec.ruled_out else "")
        for o, s in rec.scores.items()
    )
    return [
        HeaderBlock(text=PlainTextObject(text=f"Recommendation: {rec.label}")),
        _section(f"*{escape_mrkdwn(rec.title)}*\n{escape_mrkdwn(rec.summary)}"),
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
    return [_section(EXPIRED_TEXT, accessory=_start_button())]


def build_dialog_cancelled() -> list[Block]:
    """What replaces the question after Cancel, with a way back in."""
    return [_section(CANCELLED_TEXT, accessory=_start_button("Help me choose"))]


def build_modal_notice(text: str) -> View:
    """A modal that only says `text` (an expired form, a failure), with a Close button."""
    return View(type="modal", title="Help me choose", close="Close", blocks=[_section(text)])


def _facet_input(config: RecommendationConfig, index: int) -> InputBlock:
    facet = config.facet(FACET_STEPS[index])
    options = [Option(value=o.value, label=o.label) for o in facet.options]
    element = RadioButtonsElement(action_id=ACTION_MODAL_INPUT, options=options)
    block_id = f"{BLOCK_FACET}:{FACET_STEPS[index].value}"
    label, hint = facet.question, facet.help
    return InputBlock(block_id=block_id, label=label, hint=hint, element=element, optional=True)


def _sizing_input(name: str) -> InputBlock:
    element = NumberInputElement(
        action_id=ACTION_MODAL_INPUT, is_decimal_allowed=_DECIMAL_SIZING[name], min_value="0"
    )
    label, hint = SIZING_LABELS[name], SIZING_HELP[name]
    block_id = f"{BLOCK_SIZING}:{name}"
    return InputBlock(block_id=block_id, label=label, hint=hint, element=element, optional=True)


def build_recommend_modal(
    config: RecommendationConfig, reply_to: ReplyTarget, *, key: str | bytes
) -> View:
    """Every question in one modal, plus optional sizing; private_metadata says where to reply."""
    return View(
        type="modal",
        callback_id=CALLBACK_RECOMMEND_MODAL,
        title="Help me choose",
        submit="Recommend",
        close="Cancel",
        private_metadata=encode_reply_target(reply_to, key),
        blocks=[
            _section("Answer what you can: every question is optional."),
            *(_facet_input(config, i) for i in range(len(FACET_STEPS))),
            DividerBlock(),
            _section("*Optional:* size the workload for a monthly cost comparison."),
            *(_sizing_input(name) for name in _DECIMAL_SIZING),
        ],
    )


def _submitted(block_id: str, actions: Mapping[str, Any]) -> Any:
    state = actions.get(ACTION_MODAL_INPUT) or {}
    if block_id.startswith(f"{BLOCK_FACET}:"):
        return (state.get("selected_option") or {}).get("value")
    return state.get("value")


def read_recommend_submission(values: Mapping[str, Mapping[str, Any]]) -> Answers:
    """Answers from a modal's `view.state.values`; raise ModalInputError naming each bad input."""
    raw: dict[str, str] = {}
    errors: dict[str, str] = {}
    for block_id, actions in values.items():
        kind, _, name = block_id.partition(":")
        value = _submitted(block_id, actions)
        if kind not in (BLOCK_FACET, BLOCK_SIZING) or value in (None, ""):
            continue
        try:
            check_answer(name, str(value))
            raw[name] = str(value)
        except AnswerError as exc:
            errors[block_id] = str(exc)
    if errors:
        raise ModalInputError(errors)
    return Answers.model_validate(raw)
