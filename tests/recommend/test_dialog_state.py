"""The signed dialog state: round trips, tampering, staleness, garbage, and button clicks."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.recommend import (
    FACET_VALUES,
    Answers,
    Facet,
    ReplyTarget,
    SizePreset,
    decode_reply_target,
    encode_reply_target,
)
from bot.recommend.dialog_state import (
    SIZE_STEP,
    STATE_KIND,
    STEP_COUNT,
    DialogAction,
    DialogDone,
    DialogState,
    apply_action,
    decode_state,
    encode_state,
    new_dialog,
)
from bot.recommend.signed_token import DEFAULT_MAX_AGE, MAX_TOKEN_CHARS, DialogStateError, seal

KEY = "signing-secret"
NOW = 1_800_000_000
SIZES = [
    SizePreset(value="small", label="Small", vcpu=0.5, memory_gb=1, count=2),
    SizePreset(value="x-large", label="X-large", vcpu=8, memory_gb=32, count=8),
]


def _state(step: int = 2, size: str | None = None, **answers: str) -> DialogState:
    return DialogState(
        dialog_id="dlg12345abc",
        step=step,
        seq=4,
        issued_at=NOW,
        answers={Facet(f): v for f, v in answers.items()},
        size=size,
    )


def test_state_round_trips() -> None:
    """What is encoded decodes to the same state."""
    state = _state(containerized="yes", host_control="no")
    assert decode_state(encode_state(state, KEY), KEY, now=NOW) == state


def test_full_state_fits_a_button_value() -> None:
    """Even with every facet answered and a size picked the token is compact and URL-safe."""
    state = _state(SIZE_STEP, "x-large", **{f.value: FACET_VALUES[f][-1] for f in Facet})
    token = encode_state(state, KEY)
    assert len(token) < 500 <= MAX_TOKEN_CHARS
    assert token.replace(".", "").replace("-", "").replace("_", "").isalnum()


def _reseal_payload(token: str, **changes: object) -> str:
    kind, body, signature = token.split(".")
    payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    payload.update(changes)
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
    return f"{kind}.{forged}.{signature}"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: _reseal_payload(t, answers={"gpu": "no"}),
        lambda t: _reseal_payload(t, issued_at=NOW + 10),
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t.rsplit(".", 1)[0] + "." + "A" * 43,
        lambda t: t.rsplit(".", 1)[0] + ".",
    ],
    ids=["answers changed", "issued_at changed", "signature flipped", "forged", "unsigned"],
)
def test_tampering_is_detected(tamper: object) -> None:
    """Any change to a signed token fails the signature check."""
    token = encode_state(_state(gpu="yes"), KEY)
    with pytest.raises(DialogStateError) as info:
        decode_state(tamper(token), KEY, now=NOW)  # type: ignore[operator]
    assert info.value.reason == "tampered"


def test_another_key_cannot_read_it() -> None:
    """A token signed with another secret is rejected."""
    with pytest.raises(DialogStateError, match="tampered"):
        decode_state(encode_state(_state(), "other-secret"), KEY, now=NOW)


@pytest.mark.parametrize(
    ("age", "max_age", "ok"),
    [(0, DEFAULT_MAX_AGE, True), (DEFAULT_MAX_AGE, DEFAULT_MAX_AGE, True),
     (DEFAULT_MAX_AGE + 1, DEFAULT_MAX_AGE, False), (61, 60, False), (-60, 60, True)],
)  # fmt: skip
def test_stale_states_are_refused(age: int, max_age: int, ok: bool) -> None:
    """A state older than max_age (24 h by default) is stale; small clock skew is tolerated."""
    token = encode_state(_state(), KEY)
    if ok:
        assert decode_state(token, KEY, now=NOW + age, max_age=max_age) == _state()
    else:
        with pytest.raises(DialogStateError, match="stale"):
            decode_state(token, KEY, now=NOW + age, max_age=max_age)


def test_state_from_the_future_is_refused() -> None:
    """A state issued well after now cannot be genuine."""
    with pytest.raises(DialogStateError, match="unreadable"):
        decode_state(encode_state(_state(), KEY), KEY, now=NOW - 3600)


GARBAGE = ["", "start", "d1", "d1..", "d1.a.b.c", "r1.e30.x", "x" * 5000, "d1.é.ü", "d1.\ud800.x"]


@pytest.mark.parametrize("token", GARBAGE)
def test_garbage_is_unreadable_or_tampered(token: str) -> None:
    """Junk in a button value gives DialogStateError, never another exception."""
    with pytest.raises(DialogStateError):
        decode_state(token, KEY, now=NOW)


@pytest.mark.parametrize(
    "payload",
    [
        {"dialog_id": "dlg12345abc", "step": 1, "issued_at": NOW, "answers": {"gpu": "maybe"}},
        {"dialog_id": "dlg12345abc", "step": STEP_COUNT, "issued_at": NOW},
        {"dialog_id": "x", "step": 0, "issued_at": NOW},
        {"dialog_id": "dlg12345abc", "step": 0, "issued_at": NOW, "extra": 1},
        {"dialog_id": "dlg12345abc", "step": SIZE_STEP, "issued_at": NOW, "size": "Big!"},
        {"dialog_id": "dlg12345abc", "step": SIZE_STEP, "issued_at": NOW, "size": "s" * 21},
        ["not", "a", "mapping"],
    ],
    ids=[
        "bad answer",
        "step past the end",
        "short id",
        "extra field",
        "bad size",
        "long size",
        "list",
    ],
)
def test_signed_but_invalid_state_is_unreadable(payload: object) -> None:
    """A correctly signed payload that is not a valid state is still refused (e.g. old versions)."""
    token = seal(STATE_KIND, payload, KEY)  # type: ignore[arg-type]
    with pytest.raises(DialogStateError, match="unreadable"):
        decode_state(token, KEY, now=NOW)


@given(st.text(max_size=3000))
def test_any_text_is_refused_cleanly(token: str) -> None:
    """Arbitrary text never decodes and never raises anything but DialogStateError."""
    with pytest.raises(DialogStateError):
        decode_state(token, KEY, now=NOW)


def test_empty_key_is_a_programming_error() -> None:
    """Signing without a secret is refused loudly."""
    with pytest.raises(ValueError, match="must not be empty"):
        encode_state(_state(), "")


def test_new_dialog_starts_at_the_first_question() -> None:
    """A new dialog has a random id, no answers and the first facet on screen."""
    first, second = new_dialog(now=NOW), new_dialog(now=NOW)
    assert first.step == 0 and first.facet is Facet.CONTAINERIZED and not first.answers
    assert first.dialog_id != second.dialog_id


@pytest.mark.parametrize(
    ("state", "action", "value", "step", "answers"),
    [
        (_state(0), DialogAction.ANSWER, "yes", 1, {"containerized": "yes"}),
        (_state(1, containerized="no"), DialogAction.SKIP, None, 2, {"containerized": "no"}),
        (_state(1, host_control="yes"), DialogAction.SKIP, None, 2, {}),
        (_state(2, gpu="yes"), DialogAction.ANSWER, "no", 3, {"gpu": "no"}),
        (_state(2, gpu="yes"), DialogAction.BACK, None, 1, {"gpu": "yes"}),
        (_state(0), DialogAction.BACK, None, 0, {}),
        (_state(4, gpu="yes", traffic="spiky"), DialogAction.RESTART, None, 0, {}),
        (_state(SIZE_STEP - 1), DialogAction.ANSWER, "cost", SIZE_STEP, {"priority": "cost"}),
        (_state(SIZE_STEP, gpu="no"), DialogAction.BACK, None, SIZE_STEP - 1, {"gpu": "no"}),
        (_state(SIZE_STEP, gpu="no"), DialogAction.RESTART, None, 0, {}),
    ],
    ids=[
        "answer", "skip", "skip clears", "change answer", "back keeps", "back at 0", "restart",
        "last facet to size", "back from size", "restart from size",
    ],
)  # fmt: skip
def test_clicks_move_the_dialog(
    state: DialogState, action: DialogAction, value: str | None, step: int, answers: dict[str, str]
) -> None:
    """Each click gives the next step and answers, a new seq and a fresh issued_at."""
    after = apply_action(state, action, value, sizes=SIZES, now=NOW + 5)
    assert isinstance(after, DialogState)
    assert (after.step, {f.value: v for f, v in after.answers.items()}) == (step, answers)
    assert after.dialog_id == state.dialog_id
    assert after.seq == state.seq + 1 and after.key != state.key
    assert after.issued_at == NOW + 5


def test_last_facet_then_the_size_step() -> None:
    """After the last facet the size step is on screen: step 7 of 7, no facet, no size yet."""
    after = apply_action(_state(SIZE_STEP - 1), DialogAction.SKIP, sizes=SIZES, now=NOW)
    assert isinstance(after, DialogState)
    assert (after.step + 1, STEP_COUNT, after.facet, after.size) == (7, 7, None, None)


def test_picking_a_size_finishes_the_dialog_with_its_sizing() -> None:
    """A size click gives DialogDone with every answer and the preset's vCPU, memory and count."""
    state = _state(SIZE_STEP, containerized="yes", ops_team="none")
    done = apply_action(state, DialogAction.SIZE, "small", sizes=SIZES, now=NOW)
    assert done == DialogDone(
        dialog_id=state.dialog_id,
        key=state.key,
        answers=Answers(containerized="yes", ops_team="none", vcpu=0.5, memory_gb=1, count=2),
    )
    assert done.answers.hours_per_month == Answers().hours_per_month


def test_skipping_the_size_finishes_without_sizing() -> None:
    """Skip on the size step gives DialogDone with the answers and no size (no cost comparison)."""
    state = _state(SIZE_STEP, "x-large", gpu="yes")
    done = apply_action(state, DialogAction.SKIP, sizes=SIZES, now=NOW)
    assert isinstance(done, DialogDone)
    assert done.answers == Answers(gpu="yes")


@pytest.mark.parametrize("value", ["maybe", None, "spiky"])
def test_answer_that_is_not_an_option_is_unreadable(value: str | None) -> None:
    """A value the current facet does not take is refused like a bad token."""
    with pytest.raises(DialogStateError, match="unreadable"):
        apply_action(_state(2), DialogAction.ANSWER, value, sizes=SIZES)


@pytest.mark.parametrize(
    ("step", "action", "value"),
    [
        (SIZE_STEP, DialogAction.SIZE, "huge"),
        (SIZE_STEP, DialogAction.SIZE, None),
        (SIZE_STEP, DialogAction.SIZE, "Small"),
        (SIZE_STEP, DialogAction.ANSWER, "yes"),
        (2, DialogAction.SIZE, "small"),
    ],
    ids=["unknown size", "no size", "wrong case", "answer on size step", "size on a facet step"],
)
def test_size_that_is_not_offered_is_unreadable(
    step: int, action: DialogAction, value: str | None
) -> None:
    """A size no preset has, or a click that does not fit the step on screen, is refused."""
    with pytest.raises(DialogStateError, match="unreadable"):
        apply_action(_state(step), action, value, sizes=SIZES)


def test_state_sized_by_a_dropped_preset_is_unreadable() -> None:
    """A signed size that the loaded presets no longer have is refused when used, not a crash."""
    state = decode_state(encode_state(_state(SIZE_STEP, "medium"), KEY), KEY, now=NOW)
    with pytest.raises(DialogStateError, match="unreadable"):
        state.to_answers(SIZES)
    assert _state(SIZE_STEP, "small", gpu="no").to_answers(SIZES) == Answers(
        gpu="no", vcpu=0.5, memory_gb=1, count=2
    )


def test_double_click_carries_the_same_key() -> None:
    """Two clicks on one message decode to the same key, so a listener can drop the second."""
    token = encode_state(_state(3), KEY)
    assert decode_state(token, KEY, now=NOW).key == decode_state(token, KEY, now=NOW).key


clicks = st.lists(
    st.tuples(st.sampled_from(list(DialogAction)), st.integers(min_value=0, max_value=3)),
    max_size=30,
)


@given(clicks)
def test_any_click_sequence_stays_valid(sequence: list[tuple[DialogAction, int]]) -> None:
    """Whatever is clicked, the state stays valid and round-trips, a click that does not fit
    the step is refused with DialogStateError, or the dialog is done."""
    state: DialogState | DialogDone = new_dialog(now=NOW)
    for action, pick in sequence:
        assert isinstance(state, DialogState)
        on_size = state.facet is None
        values = [s.value for s in SIZES] if on_size else FACET_VALUES[state.facet]
        value = values[pick % len(values)]
        if action is (DialogAction.ANSWER if on_size else DialogAction.SIZE):
            with pytest.raises(DialogStateError):
                apply_action(state, action, value, sizes=SIZES, now=NOW)
            continue
        state = apply_action(state, action, value, sizes=SIZES, now=NOW)
        if isinstance(state, DialogDone):
            assert (state.answers.vcpu is not None) == (action is DialogAction.SIZE)
            return
        assert decode_state(encode_state(state, KEY), KEY, now=NOW) == state


def test_reply_target_round_trips_and_is_signed() -> None:
    """Where to reply survives private_metadata, stamped and signed."""
    target = ReplyTarget(user_id="U123ABC", channel_id="C999", thread_ts="1700000000.000100")
    token = encode_reply_target(target, KEY, now=NOW)
    assert decode_reply_target(token, KEY, now=NOW) == target.model_copy(update={"issued_at": NOW})
    with pytest.raises(DialogStateError, match="tampered"):
        decode_reply_target(_reseal_payload(token, user_id="U666"), KEY, now=NOW)


def test_state_and_reply_tokens_are_not_interchangeable() -> None:
    """A dialog token is not accepted as a reply target, nor the other way round."""
    state_token = encode_state(_state(), KEY)
    reply_token = encode_reply_target(ReplyTarget(user_id="U1"), KEY, now=NOW)
    with pytest.raises(DialogStateError):
        decode_reply_target(state_token, KEY, now=NOW)
    with pytest.raises(DialogStateError):
        decode_state(reply_token, KEY, now=NOW)
