"""Question text as the report shows it: the user's own characters, decoded exactly once."""

from __future__ import annotations

from bot.storage.questions import normalise_question, sample_text


def test_a_sample_keeps_what_the_user_typed() -> None:
    """Typed '&amp;' arrives from Slack as '&amp;amp;', is decoded once on the way in, and is
    shown as '&amp;' — not decoded a second time into '&'."""
    assert sample_text("is q&amp;a on ecs <fine>?", 100) == "is q&amp;a on ecs <fine>?"


def test_a_sample_drops_mentions_and_emoji() -> None:
    """No user ids or emoji codes in the sample; control characters become spaces."""
    assert sample_text("<@U0123ABCD> how is fargate billed? :tada:\x00", 100) == (
        "how is fargate billed?"
    )


def test_normalised_questions_count_alike_asks_as_one() -> None:
    """Case, punctuation, mentions and emoji do not split counts."""
    assert normalise_question("<@U1> How is FARGATE billed?? :x:") == normalise_question(
        "how is fargate billed"
    )
