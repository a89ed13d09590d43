"""The signed dialog state: round trips, tampering, staleness, garbage, and button clicks."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialog_state import (
    DEFAULT_MAX_AGE,
    MAX_TOKEN_CHARS,
    STATE_KIND,
    STEPS,
    DialogAction,
    DialogDone,
    DialogState,
    DialogStateError,
    ReplyTarget,
    _seal,
    apply_action,
    decode_reply_target,
    decode_state,
    encode_reply_target,
    encode_state,
    new_dialog,
)
from bot.recommend import FACET_VALUES, Answers, Facet

KEY = "signing-secret"
NOW = 1_800_000_000


def _state(step: int = 2, **answers: str) -> DialogState:
    return DialogState(
        dialog_id="dlg12345abc",
        step=step,
        seq=4,
        issued_at=NOW,
        answers={Facet(f): v for f, v in answers.items()},
    )


def test_state_round_trips() -> None:
    """What is encoded decodes to the same state."""
    state = _state(containerized="yes", host_control="no")
    assert decode_state(encode_state(state, KEY), KEY, now=NOW) == state


def test_full_state_fits_a_button_value() -> None:
    """Even with every facet answered the token is compact and URL-safe."""
    state = _state(5, **{f.value: FACET_VALUES[f][-1] for f in Facet})
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
        {"dialog_id": "dlg12345abc", "step": 6, "issued_at": NOW},
        {"dialog_id": "x", "step": 0, "issued_at": NOW},
        {"dialog_id": "dlg12345abc", "step": 0, "issued_at": NOW, "extra": 1},
        ["not", "a", "mapping"],
    ],
    ids=["bad answer", "step past the end", "short id", "extra field", "list"],
)
def test_signed_but_invalid_state_is_unreadable(payload: object) -> None:
    """A correctly signed payload that is not a valid state is still refused (e.g. old versions)."""
    token = _seal(STATE_KIND, payload, KEY)  # type: ignore[arg-type]
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
    ],
    ids=["answer", "skip", "skip clears", "change answer", "back keeps", "back at 0", "restart"],
)
def test_clicks_move_the_dialog(
    state: DialogState, action: DialogAction, value: str | None, step: int, answers: dict[str, str]
) -> None:
    """Each click gives the next step and answers, a new seq and a fresh issued_at."""
    after = apply_action(state, action, value, now=NOW + 5)
    assert isinstance(after, DialogState)
    assert (after.step, {f.value: v for f, v in after.answers.items()}) == (step, answers)
    assert after.dialog_id == state.dialog_id
    assert after.seq == state.seq + 1 and after.key != state.key
    assert after.issued_at == NOW + 5


def test_last_answer_finishes_the_dialog() -> None:
    """Answering the last question gives DialogDone with every answer, keyed by the click."""
    state = _state(len(STEPS) - 1, containerized="yes", ops_team="none")
    done = apply_action(state, DialogAction.ANSWER, "simplicity", now=NOW)
    assert done == DialogDone(
        dialog_id=state.dialog_id,
        key=state.key,
        answers=Answers(containerized="yes", ops_team="none", priority="simplicity"),
    )


@pytest.mark.parametrize("value", ["maybe", None, "spiky"])
def test_answer_that_is_not_an_option_is_unreadable(value: str | None) -> None:
    """A value the current facet does not take is refused like a bad token."""
    with pytest.raises(DialogStateError, match="unreadable"):
        apply_action(_state(2), DialogAction.ANSWER, value)


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
    """Whatever is clicked, the state stays valid, round-trips, or the dialog is done."""
    state: DialogState | DialogDone = new_dialog(now=NOW)
    for action, pick in sequence:
        assert isinstance(state, DialogState)
        values = FACET_VALUES[state.facet]
        state = apply_action(state, action, values[pick % len(values)], now=NOW)
        if isinstance(state, DialogDone):
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
