"""Block Kit for the "Help me choose" form: every question in one modal, and reading it back.

Pure functions; the modal's private_metadata carries the signed reply target
(bot.recommend.reply_target).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    DividerBlock,
    InputBlock,
    NumberInputElement,
    Option,
    RadioButtonsElement,
)
from slack_sdk.models.views import View

from bot.blocks.recommend import section
from bot.recommend import (
    FACET_STEPS,
    SIZING_FIELDS,
    SIZING_HELP,
    SIZING_LABELS,
    AnswerError,
    Answers,
    RecommendationConfig,
    ReplyTarget,
    check_answer,
    encode_reply_target,
)

CALLBACK_RECOMMEND_MODAL = "recommend_modal"
BLOCK_FACET = "recommend_facet"  # modal input blocks are `recommend_facet:<facet>` ...
BLOCK_SIZING = "recommend_sizing"  # ... and `recommend_sizing:<field>`
ACTION_MODAL_INPUT = "recommend_input"


class ModalInputError(ValueError):
    """A modal submission with bad inputs; `errors` maps block ids to messages for Slack."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors.values()))


def build_modal_notice(text: str) -> View:
    """A modal that only says `text` (an expired form, a failure), with a Close button."""
    return View(type="modal", title="Help me choose", close="Close", blocks=[section(text)])


def _facet_input(config: RecommendationConfig, index: int) -> InputBlock:
    facet = config.facet(FACET_STEPS[index])
    options = [Option(value=o.value, label=o.label) for o in facet.options]
    element = RadioButtonsElement(action_id=ACTION_MODAL_INPUT, options=options)
    block_id = f"{BLOCK_FACET}:{FACET_STEPS[index].value}"
    label, hint = facet.question, facet.help
    return InputBlock(block_id=block_id, label=label, hint=hint, element=element, optional=True)


def _sizing_input(name: str) -> InputBlock:
    # No min/max and decimals allowed even for the count: the Slack client checks those itself
    # before sending, one round of errors ahead of the bot's, and in its own words ("at least 0"
    # against a hint of "above 0"). The bot checks every number at once, against SIZING_HELP.
    element = NumberInputElement(action_id=ACTION_MODAL_INPUT, is_decimal_allowed=True)
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
            section("Answer what you can: every question is optional."),
            *(_facet_input(config, i) for i in range(len(FACET_STEPS))),
            DividerBlock(),
            section("*Optional:* size the workload for a monthly cost comparison."),
            *(_sizing_input(name) for name in SIZING_FIELDS),
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
            # Said to a person at the field, so in words, not in the CLI's field names.
            help_text = SIZING_HELP.get(name)
            errors[block_id] = f"Enter {help_text}." if help_text else str(exc)
    if errors:
        raise ModalInputError(errors)
    return Answers.model_validate(raw)
