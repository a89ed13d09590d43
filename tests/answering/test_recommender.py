"""The Recommender the Slack app loads once: config, prices and a key every replica shares."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answering import dialog_key, load_recommender, recommendation_dir
from bot.knowledge import default_knowledge_dir
from bot.recommend import Answers, decode_state, encode_state, new_dialog
from bot.settings import Settings, SettingsError

TOKEN = "xoxb-test-token"
SECRET = "signing-secret"


def test_replicas_with_the_same_settings_share_the_key() -> None:
    """Two processes built from the same settings read each other's dialog state."""
    first = dialog_key(Settings(slack_bot_token=TOKEN, slack_signing_secret=SECRET))
    second = dialog_key(Settings(slack_bot_token=TOKEN, slack_signing_secret=f" {SECRET}\n"))
    state = new_dialog()
    assert decode_state(encode_state(state, first), second) == state
    assert first != SECRET.encode()  # derived, not the secret itself


def test_key_comes_from_the_signing_secret_else_the_bot_token() -> None:
    """The signing secret signs dialogs; Socket Mode without one falls back to the bot token."""
    with_secret = dialog_key(Settings(slack_bot_token=TOKEN, slack_signing_secret=SECRET))
    other_token = dialog_key(Settings(slack_bot_token="xoxb-other", slack_signing_secret=SECRET))
    socket_mode = dialog_key(Settings(slack_bot_token=TOKEN, slack_app_token="xapp-1"))
    assert with_secret == other_token != socket_mode
    assert socket_mode == dialog_key(Settings(slack_bot_token=TOKEN))


def test_no_secret_at_all_is_a_settings_error() -> None:
    """Without any Slack secret there is nothing to sign with: one clear configuration error."""
    with pytest.raises(SettingsError, match="SLACK_SIGNING_SECRET"):
        dialog_key(Settings())


def test_custom_knowledge_dir_without_a_recommendation_file_uses_the_shipped_one(
    tiny_kb_dir: Path, rec_dir: Path
) -> None:
    """A knowledge directory with its own recommendation.yaml is used; one without falls back."""
    assert recommendation_dir(tiny_kb_dir) == default_knowledge_dir()
    assert recommendation_dir(rec_dir) == rec_dir


def test_loaded_recommender_recommends(tiny_kb_dir: Path) -> None:
    """load_recommender gives a working recommender from settings alone."""
    settings = Settings(slack_bot_token=TOKEN, knowledge_dir=tiny_kb_dir)
    recommender = load_recommender(settings)
    assert recommender.key == dialog_key(settings)
    assert recommender.recommend(Answers(containerized="no")).outcome == "ec2"
    assert repr(recommender.key) not in repr(recommender)
