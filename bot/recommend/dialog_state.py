"""The "Help me choose" dialog state, carried in Slack payloads and signed so tampering shows.

No server-side store: the state rides in button values as a signed token
(bot.recommend.signed_token), so any replica can continue a dialog after a restart. Every bad
token or click raises the one DialogStateError.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.recommend.config import SizePreset, SizeValue
from bot.recommend.facets import FACET_VALUES, Answers, Facet
from bot.recommend.signed_token import (
    DEFAULT_MAX_AGE,
    DialogStateError,
    seal,
    timestamp,
    unseal_model,
)

FACET_STEPS: tuple[Facet, ...] = tuple(Facet)
SIZE_STEP = len(FACET_STEPS)  # the optional last step: a preset size, for the cost comparison
STEP_COUNT = SIZE_STEP + 1
QUESTION_COUNT = len(FACET_STEPS)
# How long the dialog is, for every surface that says so (App Home, the callout, the chat help):
# derived here so the words and the "2 of 7" progress can never disagree.
STEPS_IN_WORDS = (
    f"{STEP_COUNT} quick steps ({QUESTION_COUNT} questions, then an optional workload size)"
)


def progress(step: int) -> str:
    """Where step `step` (from 0) stands in the dialog, as every surface shows it: "2 of 7"."""
    return f"{step + 1} of {STEP_COUNT}"


STATE_KIND = "d1"


class DialogAction(StrEnum):
    """What a click on a dialog button does to the state."""

    ANSWER = "answer"
    SIZE = "size"
    SKIP = "skip"
    BACK = "back"
    RESTART = "restart"


class DialogState(BaseModel):
    """Where a dialog is: its id, the step on screen, the answers and size so far, when issued.

    The size is a preset's value, checked against the loaded presets only when it is used: the
    presets are data, and a value a later deploy dropped must mean "start over", not a crash.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    dialog_id: str = Field(pattern=r"^[A-Za-z0-9_-]{8,32}$")
    step: int = Field(ge=0, lt=STEP_COUNT)
    seq: int = Field(default=0, ge=0, le=10**9)
    issued_at: int = Field(ge=0)
    answers: dict[Facet, str] = Field(default_factory=dict)
    size: SizeValue | None = None

    @model_validator(mode="after")
    def _known_values(self) -> DialogState:
        for facet, value in self.answers.items():
            if value not in FACET_VALUES[facet]:
                raise ValueError(f"{value!r} is not an answer to {facet.value}")
        return self

    @property
    def facet(self) -> Facet | None:
        """The facet whose question is on screen; None on the size step."""
        return FACET_STEPS[self.step] if self.step < SIZE_STEP else None

    @property
    def key(self) -> str:
        """Identifies this exact state: two clicks on the same message share it (dedupe on it)."""
        return f"{self.dialog_id}:{self.seq}"

    def to_answers(self, sizes: Sequence[SizePreset]) -> Answers:
        """The answers so far as engine input, sized by the chosen preset among `sizes`."""
        return _answers(self.answers, self.size, sizes)


class DialogDone(BaseModel):
    """The last question was answered or skipped: the answers to recommend from."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dialog_id: str
    key: str
    answers: Answers


def new_dialog(*, now: float | None = None, dialog_id: str | None = None) -> DialogState:
    """A fresh dialog at the first question."""
    return DialogState(
        dialog_id=dialog_id or secrets.token_urlsafe(9), step=0, issued_at=timestamp(now)
    )


def encode_state(state: DialogState, key: str | bytes) -> str:
    """The state as a signed token of a few hundred characters."""
    return seal(STATE_KIND, state.model_dump(mode="json"), key)


def decode_state(
    token: str, key: str | bytes, *, now: float | None = None, max_age: int = DEFAULT_MAX_AGE
) -> DialogState:
    """The state in `token`; raise DialogStateError if tampered, stale or unreadable."""
    return unseal_model(STATE_KIND, token, key, DialogState, now=now, max_age=max_age)


def _preset(value: str, sizes: Sequence[SizePreset]) -> SizePreset:
    preset = next((p for p in sizes if p.value == value), None)
    if preset is None:
        raise DialogStateError("unreadable", f"{value!r} is not a size offered")
    return preset


def _answers(
    answers: Mapping[Facet, str], size: str | None, sizes: Sequence[SizePreset]
) -> Answers:
    raw: dict[str, object] = {f.value: v for f, v in answers.items()}
    if size is not None:
        raw |= _preset(size, sizes).sizing()
    return Answers.model_validate(raw)


def _moved(
    state: DialogState,
    step: int,
    answers: dict[Facet, str],
    size: str | None,
    now: float | None,
) -> DialogState:
    return DialogState(
        dialog_id=state.dialog_id,
        step=step,
        seq=state.seq + 1,
        issued_at=timestamp(now),
        answers=answers,
        size=size,
    )


def _answered(
    state: DialogState, action: DialogAction, value: str | None, sizes: Sequence[SizePreset]
) -> tuple[dict[Facet, str], str | None]:
    """The answers and size after Answer, Size or Skip on the step on screen."""
    facet = state.facet
    answers = {f: v for f, v in state.answers.items() if f is not facet}
    size = state.size if facet is not None else None  # Skip on the size step: no cost
    if action is DialogAction.ANSWER:
        if facet is None or value not in FACET_VALUES[facet]:
            raise DialogStateError("unreadable", f"{value!r} is not an answer to {facet}")
        answers[facet] = value
    elif action is DialogAction.SIZE:
        if facet is not None:
            raise DialogStateError("unreadable", f"a size was picked on the {facet} step")
        size = _preset(str(value), sizes).value
    return answers, size


def apply_action(
    state: DialogState,
    action: DialogAction,
    value: str | None = None,
    *,
    sizes: Sequence[SizePreset],
    now: float | None = None,
) -> DialogState | DialogDone:
    """The state after a click, or DialogDone after the size step; a bad value is unreadable."""
    if action is DialogAction.RESTART:
        return _moved(state, 0, {}, None, now)
    if action is DialogAction.BACK:
        return _moved(state, max(0, state.step - 1), dict(state.answers), state.size, now)
    answers, size = _answered(state, action, value, sizes)
    if state.step + 1 < STEP_COUNT:
        return _moved(state, state.step + 1, answers, size, now)
    done = _answers(answers, size, sizes)
    return DialogDone(dialog_id=state.dialog_id, key=state.key, answers=done)
