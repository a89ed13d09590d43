"""The "Help me choose" service: its config and prices, loaded once, and the dialog signing key.

No Slack here: the Slack listeners and any other front end share one Recommender.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from pathlib import Path

from bot.knowledge import default_knowledge_dir
from bot.recommend import (
    RECOMMENDATION_FILE,
    Answers,
    Pricing,
    Recommendation,
    RecommendationConfig,
    load_pricing,
    load_recommendation_config,
    recommend,
)
from bot.settings import Settings, SettingsError

# Derive the dialog key from the Slack secret rather than using the secret itself, so a token
# signed for the dialog can never double as anything else signed with that secret.
DIALOG_KEY_LABEL = b"ecsbot help-me-choose dialog state v1"


@dataclass(frozen=True)
class Recommender:
    """What the dialog needs: the recommendation config, the prices and the state-signing key."""

    config: RecommendationConfig
    pricing: Pricing
    key: bytes = field(repr=False)

    def recommend(self, answers: Answers) -> Recommendation:
        """The recommendation for `answers`."""
        return recommend(answers, self.config, self.pricing)


def dialog_key(settings: Settings) -> bytes:
    """The key that signs dialog state: from the signing secret, else the bot token (Socket
    Mode), else the OAuth client secret.

    Both are the same on every replica and survive restarts, so any replica can read a state
    another one issued; rotating the secret only makes open dialogs start over.
    """
    secret = (
        settings.slack_signing_secret or settings.slack_bot_token or settings.slack_client_secret
    )
    text = secret.get_secret_value().strip() if secret is not None else ""
    if not text:
        raise SettingsError("SLACK_SIGNING_SECRET: or SLACK_BOT_TOKEN is needed to sign dialogs")
    return hmac.new(text.encode("utf-8"), DIALOG_KEY_LABEL, hashlib.sha256).digest()


def recommendation_dir(knowledge_dir: Path) -> Path:
    """Where recommendation.yaml and pricing.yaml are: the knowledge directory, or the shipped
    one when a custom knowledge directory brings no recommendation.yaml of its own."""
    if (knowledge_dir / RECOMMENDATION_FILE).exists():
        return knowledge_dir
    return default_knowledge_dir()


def load_recommender(settings: Settings) -> Recommender:
    """Load and validate the config and prices; raise KnowledgeErrors listing every problem."""
    directory = recommendation_dir(settings.knowledge_dir)
    return Recommender(
        config=load_recommendation_config(directory),
        pricing=load_pricing(directory),
        key=dialog_key(settings),
    )
