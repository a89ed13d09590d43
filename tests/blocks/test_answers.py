"""Block builders: every topic's answer, "did you mean", out of scope, help and home fit Slack."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rapidfuzz import fuzz
from slack_sdk.models.blocks import Block

from bot.answering import Answerer
from bot.blocks import (
    ACTION_ANSWER_TOPIC,
    ACTION_FEEDBACK,
    ACTION_HELP_ME_CHOOSE,
    ACTION_SHARE,
    CHOOSE_CALLOUT,
    CHOOSE_TOPIC_ID,
    build_answer,
    build_entry_answer,
    build_help,
    build_home,
    build_match,
    build_out_of_scope,
    fallback_text,
    overview_body,
    render_blocks,
    to_dicts,
)
from bot.knowledge import KnowledgeBase
from bot.matching import Match


def check_limits(blocks: list[Block], max_blocks: int = 50) -> list[dict[str, Any]]:
    """Serialise blocks (slack_sdk validates limits) and check what it does not."""
    dicts = to_dicts(blocks)
    assert 0 < len(dicts) <= max_blocks
    for block in dicts:
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["text"]["text"]) <= 75
                assert len(element.get("value", "")) <= 2000
                assert len(element["action_id"]) <= 255
        if block["type"] == "section":
            assert len(block.get("text", {}).get("text", "")) <= 3000
            assert len(block.get("fields", [])) <= 10
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
    action_ids = [
        (i, e["action_id"])
        for i, b in enumerate(dicts)
        for e in b.get("elements", [])
        if "action_id" in e
    ]
    assert len(action_ids) == len(set(action_ids)), "action ids repeat within a block"
    return dicts


def test_every_topic_answer_fits_block_kit(kb: KnowledgeBase) -> None:
    """The answer to each topic serialises within Slack's limits, shareable or not."""
    for topic in kb:
        check_limits(build_answer(topic, kb))
        check_limits(build_answer(topic, kb, shareable=True))


def test_answer_has_header_side_by_side_sources_and_buttons(kb: KnowledgeBase) -> None:
    """An answer has the title, ECS | EC2 fields, linked sources, related and feedback buttons."""
    topic = kb.topics["cost"]
    dicts = check_limits(build_answer(topic, kb, shareable=True))
    assert dicts[0] == {"type": "header", "text": {"type": "plain_text", "text": topic.title}}
    fields = next(b["fields"] for b in dicts if "fields" in b)
    assert [f["text"].splitlines()[0] for f in fields] == ["*Amazon ECS*", "*Amazon EC2*"]
    context = next(b for b in dicts if b["type"] == "context")
    assert topic.sources[0].url in context["elements"][0]["text"]
    action_ids = [e["action_id"] for b in dicts for e in b.get("elements", []) if "action_id" in e]
    assert any(a.startswith(ACTION_ANSWER_TOPIC) for a in action_ids)
    assert f"{ACTION_FEEDBACK}:helpful" in action_ids
    assert f"{ACTION_FEEDBACK}:not_helpful" in action_ids
    assert ACTION_HELP_ME_CHOOSE in action_ids
    assert ACTION_SHARE in action_ids


def test_which_should_i_choose_offers_the_dialog_up_front(kb: KnowledgeBase) -> None:
    """The "which should I choose?" answer puts "Help me choose" right under the answer, once."""
    dicts = check_limits(build_answer(kb.topics[CHOOSE_TOPIC_ID], kb))
    topic = kb.topics[CHOOSE_TOPIC_ID]
    answer_at = next(
        i for i, d in enumerate(dicts) if d.get("text", {}).get("text") == overview_body(topic)
    )
    assert dicts[answer_at + 1]["text"]["text"] == CHOOSE_CALLOUT
    assert dicts[answer_at + 1]["accessory"]["action_id"] == ACTION_HELP_ME_CHOOSE
    assert json.dumps(dicts).count(f'"{ACTION_HELP_ME_CHOOSE}"') == 1


def test_the_overview_does_not_repeat_its_lead(kb: KnowledgeBase) -> None:
    """Under the lead, the overview starts with what the lead did not already say: no topic
    shows its summary twice, and nothing else of the overview is dropped."""
    for topic in kb:
        body = overview_body(topic)
        assert body and body in topic.answer
        if topic.lead:
            opening = body.strip().splitlines()[0]
            assert fuzz.token_set_ratio(opening, topic.lead) < 90, topic.id
    gpu = kb.topics["gpu"]
    assert overview_body(gpu) != gpu.answer and "not on Fargate" in gpu.lead


def test_an_entry_answer_shares_the_entry(kb: KnowledgeBase) -> None:
    """ "Share in channel" under a precise answer carries the entry, so the channel sees the
    answer the user saw, not the topic's overview."""
    topic = kb.topics["fargate"]
    entry = topic.entries[0]
    dicts = check_limits(build_entry_answer(topic, entry, kb, shareable=True))
    share = [e for b in dicts for e in b.get("elements", []) if e.get("action_id") == ACTION_SHARE]
    assert [e["value"] for e in share] == [entry.id]
    overview = check_limits(build_answer(topic, kb, shareable=True))
    share = [
        e for b in overview for e in b.get("elements", []) if e.get("action_id") == ACTION_SHARE
    ]
    assert [e["value"] for e in share] == [topic.id]


def test_related_buttons_carry_existing_topic_ids(kb: KnowledgeBase) -> None:
    """A related-question button's value is a topic the bot can answer."""
    for topic in kb:
        for block in to_dicts(build_answer(topic, kb)):
            for element in block.get("elements", []):
                if element.get("action_id", "").startswith(ACTION_ANSWER_TOPIC):
                    assert kb.get(element["value"]) is not None


def test_out_of_scope_escapes_the_question(kb: KnowledgeBase) -> None:
    """User text echoed back cannot ping <!channel> or a user."""
    dicts = check_limits(build_out_of_scope("<!channel> & <@U123> hello", kb))
    text = json.dumps(dicts)
    assert "<!channel>" not in text
    assert "<@U123>" not in text
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in text


def test_out_of_scope_offers_three_examples(kb: KnowledgeBase) -> None:
    """Out of scope says what the bot covers and offers three example questions."""
    dicts = check_limits(build_out_of_scope("weather?", kb))
    buttons = [e for b in dicts for e in b.get("elements", []) if e.get("type") == "button"]
    assert len(buttons) == 3
    assert "I don't cover" in dicts[0]["text"]["text"]


def test_low_confidence_asks_did_you_mean(kb: KnowledgeBase) -> None:
    """A low-confidence match offers buttons for the candidates instead of guessing."""
    from bot.matching import Suggestion

    match = Match(
        question="ecs <stuff>",
        topic=kb.topics["cost"],
        score=0.4,
        confident=False,
        suggestions=(Suggestion(kb.topics["saving-money"], 0.35),),
    )
    dicts = check_limits(build_match(match, kb))
    assert "not sure I understood" in dicts[0]["text"]["text"]
    assert "&lt;stuff&gt;" in dicts[0]["text"]["text"]
    # The best guess is shown, labelled as one, before the choices.
    assert kb.topics["cost"].title in dicts[0]["text"]["text"]
    assert dicts[1]["text"]["text"] == kb.topics["cost"].lead_for(None)
    [actions] = [d for d in dicts if d["type"] == "actions"]
    assert [e["value"] for e in actions["elements"]] == ["cost", "saving-money"]
    assert fallback_text(match).startswith("Did you mean")


@pytest.mark.parametrize("builder", [build_help, build_home])
def test_help_and_home_fit(kb: KnowledgeBase, builder: Any) -> None:
    """Help and App Home blocks fit the limits and offer "Help me choose"."""
    dicts = check_limits(builder(kb), max_blocks=100)
    assert ACTION_HELP_ME_CHOOSE in json.dumps(dicts)


def test_long_question_gets_a_note(answerer: Answerer) -> None:
    """A 100 kB question is read in part, and the reply says so."""
    reply = answerer.reply("how is fargate billed " * 5000)
    assert reply.truncated
    assert "long" in json.dumps(to_dicts(reply.blocks))
    check_limits(reply.blocks)


def test_empty_question_gets_help(answerer: Answerer) -> None:
    """An empty question gets the help text."""
    reply = answerer.reply("   ")
    assert reply.match is None
    assert "how to ask" in render_blocks(reply.blocks)


def test_render_shows_links_and_buttons(kb: KnowledgeBase) -> None:
    """The terminal rendering keeps sources as readable links and buttons in brackets."""
    text = render_blocks(build_answer(kb.topics["fargate"], kb))
    assert kb.topics["fargate"].title in text
    assert f"({kb.topics['fargate'].sources[0].url})" in text
    assert "[Help me choose]" in text
    assert "&amp;" not in text


def test_precise_answer_puts_the_fact_first(kb: KnowledgeBase) -> None:
    """An entry's answer is the first section, under a header naming its topic, with sources
    and buttons for the topic overview and sibling entries."""
    found = kb.entry("fargate-task-size-limits")
    assert found is not None
    topic, entry = found
    dicts = check_limits(build_entry_answer(topic, entry, kb))
    assert dicts[0]["type"] == "header" and dicts[0]["text"]["text"] == topic.title
    assert dicts[1]["text"]["text"] == entry.answer
    text = json.dumps(dicts)
    assert "Sources:" in text
    more = next(d for d in dicts if d.get("block_id", "").startswith("entry_more:"))
    values = [e["value"] for e in more["elements"]]
    assert values[0] == topic.id and 3 <= len(values) <= 4
    assert all(kb.entry(v) is not None for v in values[1:])


def test_overview_shows_the_lead_first(kb: KnowledgeBase) -> None:
    """A topic overview starts with its short lead, then the long answer."""
    topic = kb.topics["fargate"]
    dicts = check_limits(build_answer(topic, kb))
    assert topic.lead and dicts[1]["text"]["text"] == topic.lead


def test_a_precise_answer_on_choosing_still_offers_the_dialog(kb: KnowledgeBase) -> None:
    """An entry of "which should I choose?" keeps "Help me choose" right under the fact."""
    topic = kb.topics[CHOOSE_TOPIC_ID]
    dicts = check_limits(build_entry_answer(topic, topic.entries[0], kb))
    assert dicts[2]["text"]["text"] == CHOOSE_CALLOUT
    assert json.dumps(dicts).count(f'"{ACTION_HELP_ME_CHOOSE}"') == 1
