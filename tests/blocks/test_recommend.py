"""Block Kit for "Help me choose": within Slack's limits, buttons that carry the state."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from bot.blocks import (
    ACTION_ANSWER_TOPIC,
    ACTION_DIALOG_ANSWER,
    ACTION_DIALOG_BACK,
    ACTION_DIALOG_CANCEL,
    ACTION_DIALOG_RESTART,
    ACTION_DIALOG_SIZE,
    ACTION_DIALOG_SKIP,
    ACTION_HELP_ME_CHOOSE,
    ACTION_MODAL_INPUT,
    BLOCK_FACET,
    BLOCK_SIZING,
    CALLBACK_RECOMMEND_MODAL,
    CHOOSE_CALLOUT,
    START_OVER_VALUE,
    ModalInputError,
    build_dialog_cancelled,
    build_dialog_expired,
    build_dialog_question,
    build_home,
    build_modal_notice,
    build_recommend_modal,
    build_recommendation,
    parse_dialog_action,
    question_text,
    read_recommend_submission,
    render_blocks,
)
from bot.cli.chat import CHAT_HELP
from bot.knowledge import KnowledgeBase
from bot.recommend import (
    FACET_STEPS,
    FACET_VALUES,
    QUESTION_COUNT,
    SIZE_STEP,
    STEP_COUNT,
    STEPS_IN_WORDS,
    Answers,
    DialogAction,
    DialogState,
    Facet,
    Recommendation,
    RecommendationConfig,
    ReplyTarget,
    decode_reply_target,
    decode_state,
    new_dialog,
    progress,
)

ROOT = Path(__file__).resolve().parents[2]

KEY = "signing-secret"
Run = Callable[..., Recommendation]


def _dicts(blocks: list[Block]) -> list[dict[str, Any]]:
    """Blocks as Slack JSON; to_dict() raises past Slack's limits."""
    dicts = [b.to_dict() for b in blocks]
    json.dumps(dicts)
    assert len(dicts) <= 50
    return dicts


def _buttons(dicts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for block in dicts:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if block.get("accessory", {}).get("type") == "button":
            found.append(block["accessory"])
    return found


def _step_state(step: int) -> DialogState:
    answers = {f: FACET_VALUES[f][0] for f in FACET_STEPS[:step]}
    return new_dialog().model_copy(update={"step": step, "answers": answers})


def _choice_ids(state: DialogState, config: RecommendationConfig) -> list[str]:
    if state.facet is None:
        return [f"{ACTION_DIALOG_SIZE}:{s.value}" for s in config.sizing.sizes]
    return [f"{ACTION_DIALOG_ANSWER}:{v}" for v in FACET_VALUES[state.facet]]


@pytest.mark.parametrize("step", range(STEP_COUNT))
def test_each_question_fits_slack_and_shows_progress(
    config: RecommendationConfig, step: int
) -> None:
    """Every step renders, says "n of 7", and offers its choices plus Skip, Start over, Cancel."""
    state = _step_state(step)
    dicts = _dicts(build_dialog_question(state, config, key=KEY))
    text = render_blocks(dicts)
    assert f"{step + 1} of 7" in text
    ids = [b["action_id"] for b in _buttons(dicts)]
    nav = [ACTION_DIALOG_BACK] * (step > 0) + [ACTION_DIALOG_RESTART, ACTION_DIALOG_CANCEL]
    assert ids == [*_choice_ids(state, config), ACTION_DIALOG_SKIP, *nav]
    assert len(set(ids)) == len(ids) and all(len(i) <= 255 for i in ids)


def test_size_step_offers_each_preset_as_a_button(config: RecommendationConfig) -> None:
    """The size step shows its question, help and one button per preset labelled from the YAML."""
    dicts = _dicts(build_dialog_question(_step_state(SIZE_STEP), config, key=KEY))
    text = render_blocks(dicts)
    assert config.sizing.question in text and "7 of 7" in text
    labels = {b["action_id"]: b["text"]["text"] for b in _buttons(dicts)}
    for size in config.sizing.sizes:
        assert labels[f"{ACTION_DIALOG_SIZE}:{size.value}"] == size.label
    assert labels[ACTION_DIALOG_SKIP] == "Skip"


@pytest.mark.parametrize("step", [SIZE_STEP - 1, SIZE_STEP])
def test_question_buttons_carry_the_signed_state(config: RecommendationConfig, step: int) -> None:
    """Every button value is at most 2,000 characters and decodes to the state on screen."""
    state = _step_state(step)
    for button in _buttons(_dicts(build_dialog_question(state, config, key=KEY))):
        assert len(button["value"]) <= 2000
        assert decode_state(button["value"], KEY) == state


def test_going_back_highlights_the_earlier_answer(config: RecommendationConfig) -> None:
    """The answer already given to the question on screen is the primary button."""
    state = _step_state(1).model_copy(update={"answers": {Facet.HOST_CONTROL: "no"}})
    buttons = _buttons(_dicts(build_dialog_question(state, config, key=KEY)))
    styles = {b["action_id"]: b.get("style") for b in buttons}
    assert styles[f"{ACTION_DIALOG_ANSWER}:no"] == "primary"
    assert styles[f"{ACTION_DIALOG_ANSWER}:yes"] is None


@pytest.mark.parametrize(
    ("action_id", "expected"),
    [
        (f"{ACTION_DIALOG_ANSWER}:spiky", (DialogAction.ANSWER, "spiky")),
        (f"{ACTION_DIALOG_SIZE}:x-large", (DialogAction.SIZE, "x-large")),
        (f"{ACTION_DIALOG_SIZE}:", None),
        (ACTION_DIALOG_SKIP, (DialogAction.SKIP, None)),
        (ACTION_DIALOG_BACK, (DialogAction.BACK, None)),
        (ACTION_DIALOG_RESTART, (DialogAction.RESTART, None)),
        (ACTION_DIALOG_CANCEL, None),
        (f"{ACTION_DIALOG_ANSWER}:", None),
        ("answer_topic:0", None),
    ],
)
def test_action_ids_map_to_dialog_actions(action_id: str, expected: object) -> None:
    """Listeners turn an action id into a dialog action; Cancel and others are theirs."""
    assert parse_dialog_action(action_id) == expected


def test_question_text_is_a_plain_fallback(config: RecommendationConfig) -> None:
    """The fallback text has progress and the question."""
    assert question_text(_step_state(1), config).startswith("Help me choose, 2 of 7: Do you need")
    size_step = question_text(_step_state(SIZE_STEP), config)
    assert size_step == f"Help me choose, 7 of 7: {config.sizing.question}"


def test_recommendation_shows_outcome_why_caveats_cost_and_topics(
    run: Run, tiny_kb: KnowledgeBase
) -> None:
    """The result says the outcome, why, caveats, the dated cost, and links the related topics."""
    rec = run(containerized="yes", ops_team="none", priority="simplicity", vcpu=1, memory_gb=2)
    dicts = _dicts(build_recommendation(rec, tiny_kb))
    text = render_blocks(dicts)
    assert dicts[0]["type"] == "header" and "ECS on Fargate" in dicts[0]["text"]["text"]
    for needle in ("Why", "Caveats", "Monthly cost", "2026-09", "Prices change", "no charge"):
        assert needle in text
    buttons = _buttons(dicts)
    topics = [b for b in buttons if b["action_id"].startswith(ACTION_ANSWER_TOPIC)]
    assert [b["value"] for b in topics] == rec.related
    assert buttons[-1]["action_id"] == ACTION_HELP_ME_CHOOSE


def test_recommendation_escapes_mrkdwn(run: Run, tiny_kb: KnowledgeBase) -> None:
    """Text from the YAML cannot ping a channel or inject links."""
    rec = run().model_copy(update={"reasons": ["<!channel> & <https://x.example|y>"]})
    text = json.dumps(_dicts(build_recommendation(rec, tiny_kb)))
    assert "<!channel>" not in text and "&lt;!channel&gt; &amp;" in text


def test_recommendation_without_known_topics_has_no_topic_buttons(run: Run) -> None:
    """Related ids missing from the knowledge base are left out, not broken buttons."""
    dicts = _dicts(build_recommendation(run(), KnowledgeBase(topics={})))
    assert not [b for b in _buttons(dicts) if b["action_id"].startswith(ACTION_ANSWER_TOPIC)]


@pytest.mark.parametrize("build", [build_dialog_expired, build_dialog_cancelled])
def test_expired_and_cancelled_offer_a_fresh_start(build: Callable[[], list[Block]]) -> None:
    """Both end states fit Slack and offer the button that starts a new dialog."""
    dicts = _dicts(build())
    assert [b["action_id"] for b in _buttons(dicts)] == [ACTION_HELP_ME_CHOOSE]
    assert [b["value"] for b in _buttons(dicts)] == [START_OVER_VALUE]  # restart in place


def test_modal_notice_is_a_closable_modal_with_the_text() -> None:
    """An expired or failed form is replaced by a modal that says so and can only be closed."""
    view = build_modal_notice("Let's start over.").to_dict()
    assert (view["type"], view["close"]["text"]) == ("modal", "Close")
    assert "submit" not in view
    assert view["blocks"][0]["text"]["text"] == "Let's start over."


def test_expired_says_lets_start_over() -> None:
    """A bad state gets a friendly "let's start over"."""
    assert "Let's start over" in render_blocks(build_dialog_expired())


def test_modal_fits_slack_and_holds_every_question(config: RecommendationConfig) -> None:
    """The modal has all six facets and four sizing inputs, all optional, within modal limits."""
    target = ReplyTarget(user_id="U1ABC", channel_id="C1ABC")
    view = build_recommend_modal(config, target, key=KEY).to_dict()
    json.dumps(view)
    assert view["callback_id"] == CALLBACK_RECOMMEND_MODAL
    assert len(view["title"]["text"]) <= 24 and len(view["blocks"]) <= 100
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == [f"{BLOCK_FACET}:{f.value}" for f in Facet] + [
        f"{BLOCK_SIZING}:{name}" for name in ("vcpu", "memory_gb", "count", "hours_per_month")
    ]
    assert all(b["optional"] for b in inputs)
    assert len(view["private_metadata"]) <= 3000
    assert decode_reply_target(view["private_metadata"], KEY).channel_id == "C1ABC"


def _submission(**values: str | None) -> dict[str, dict[str, Any]]:
    """view.state.values as Slack sends them for the recommend modal."""
    state: dict[str, dict[str, Any]] = {}
    for facet in Facet:
        value = values.get(facet.value)
        selected = {"value": value} if value else None
        state[f"{BLOCK_FACET}:{facet.value}"] = {
            ACTION_MODAL_INPUT: {"type": "radio_buttons", "selected_option": selected}
        }
    for name in ("vcpu", "memory_gb", "count", "hours_per_month"):
        state[f"{BLOCK_SIZING}:{name}"] = {
            ACTION_MODAL_INPUT: {"type": "number_input", "value": values.get(name)}
        }
    return state


def test_modal_submission_becomes_answers() -> None:
    """Selected options and numbers become Answers; blanks stay unanswered."""
    answers = read_recommend_submission(_submission(gpu="yes", traffic="steady", vcpu="4"))
    assert answers == Answers(gpu="yes", traffic="steady", vcpu=4)
    assert read_recommend_submission(_submission()) == Answers()
    assert read_recommend_submission({"other_block": {"x": {}}}) == Answers()


def test_bad_modal_values_are_errors_per_block() -> None:
    """Bad inputs come back keyed by block id, ready for response_action=errors."""
    with pytest.raises(ModalInputError) as info:
        read_recommend_submission(_submission(gpu="maybe", vcpu="-1", count="2.5"))
    assert set(info.value.errors) == {
        f"{BLOCK_FACET}:gpu",
        f"{BLOCK_SIZING}:vcpu",
        f"{BLOCK_SIZING}:count",
    }
    assert "valid values: yes, no" in info.value.errors[f"{BLOCK_FACET}:gpu"]
    # Said to a person: in words, not the CLI's field names.
    vcpu = info.value.errors[f"{BLOCK_SIZING}:vcpu"]
    assert vcpu.startswith("Enter vCPUs per task or instance") and "vcpu" not in vcpu
    assert "count" not in info.value.errors[f"{BLOCK_SIZING}:count"]


def test_every_surface_counts_the_same_steps(
    config: RecommendationConfig, kb: KnowledgeBase
) -> None:
    """The Slack progress ("7 of 7" on the size step), App Home, the answers' callout and the
    chat help all take the count from one place, so they cannot disagree."""
    assert progress(SIZE_STEP) == f"{STEP_COUNT} of {STEP_COUNT}"
    assert question_text(_step_state(SIZE_STEP), config).startswith(
        f"Help me choose, {progress(SIZE_STEP)}:"
    )
    assert str(STEP_COUNT) in STEPS_IN_WORDS and str(QUESTION_COUNT) in STEPS_IN_WORDS
    assert STEPS_IN_WORDS in json.dumps([b.to_dict() for b in build_home(kb)])
    assert STEPS_IN_WORDS in CHOOSE_CALLOUT
    assert STEPS_IN_WORDS in CHAT_HELP


COUNT_WORDS = (
    r"\b(one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s+(quick\s+)?(questions|steps)\b"
)


@pytest.mark.parametrize(
    "path", [*sorted((ROOT / "bot").rglob("*.py")), ROOT / "README.md"], ids=str
)
def test_no_step_count_is_written_by_hand(path: Path) -> None:
    """No "six questions" or "2 of 7" typed into text: a count written by hand goes stale."""
    if path.name == "dialog_state.py":
        return  # where the count is made
    text = path.read_text(encoding="utf-8")
    assert not re.search(COUNT_WORDS, text, re.IGNORECASE), path
    assert not re.search(r"\b\d+ of \d+\b(?! (?:characters|GB))", text), path


def test_every_bad_number_is_flagged_at_once_in_the_hints_words(
    config: RecommendationConfig,
) -> None:
    """Four bad numbers, four errors in one reply, each saying the rule its field's hint says;
    the form leaves no number check to the Slack client (it would answer first, in a round of
    its own and in other words: "at least 0" for a hint of "above 0")."""
    view = build_recommend_modal(config, ReplyTarget(user_id="U1ABC"), key=KEY).to_dict()
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    sizing = {b["block_id"]: b for b in inputs if b["block_id"].startswith(BLOCK_SIZING)}
    for block in sizing.values():
        element = block["element"]
        assert "min_value" not in element and "max_value" not in element
        assert element["is_decimal_allowed"] is True
    bad = {"vcpu": "-3", "memory_gb": "0", "count": "2.5", "hours_per_month": "1000"}
    with pytest.raises(ModalInputError) as info:
        read_recommend_submission(_submission(**bad))
    assert set(info.value.errors) == set(sizing)
    for block_id, message in info.value.errors.items():
        assert message == f"Enter {sizing[block_id]['hint']['text']}."
    assert "above 0" in info.value.errors[f"{BLOCK_SIZING}:vcpu"]
