"""The composition root of the Slack app: `create_app(settings, answerer)` builds the Bolt app."""

from __future__ import annotations

import logging
import secrets

from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.answering import Answerer, Recommender, load_recommender
from bot.ports import (
    ConversationMemory,
    EventDeduper,
    MemoryConversations,
    MemoryEventDeduper,
    NoRateLimit,
    NullRecorder,
    OutboxStore,
    RateLimiter,
    Recorder,
)
from bot.settings import Settings
from bot.slack.config import build_delivery_client, build_web_client, slack_credentials
from bot.slack.delivery import Deliverer, DeliveryPolicy, TokenFor, attach_deliverer
from bot.slack.listeners import LISTENER_MODULES
from bot.slack.listeners.common import SORRY
from bot.slack.middleware import inject_services_and_dedupe
from bot.slack.observability import observe_delivery
from bot.slack.services import Services

__all__ = ["create_app", "register_listeners"]

logger = logging.getLogger(__name__)


def register_listeners(app: AsyncApp) -> None:
    """Wire every listener module onto `app`, in the order of LISTENER_MODULES."""
    for module in LISTENER_MODULES:
        module.register(app)


def _bolt_app(settings: Settings, oauth_settings: AsyncOAuthSettings | None) -> AsyncApp:
    """The bare Bolt app: its Web API client, signing secret and, for several workspaces, OAuth."""
    credentials = slack_credentials(settings)
    # In Socket Mode there is no HTTP endpoint; a random secret makes any HTTP request fail.
    signing_secret = credentials.signing_secret or secrets.token_hex(32)
    bot_token = None if oauth_settings is not None else credentials.bot_token
    if bot_token is None and oauth_settings is None:
        raise ValueError("OAuth mode needs oauth_settings (make_oauth_settings)")
    return AsyncApp(
        name="ecsbot",
        client=build_web_client(settings, bot_token),
        signing_secret=signing_secret,
        oauth_settings=oauth_settings,
    )


def create_app(
    settings: Settings,
    answerer: Answerer,
    *,
    recorder: Recorder | None = None,
    deduper: EventDeduper | None = None,
    limiter: RateLimiter | None = None,
    oauth_settings: AsyncOAuthSettings | None = None,
    recommender: Recommender | None = None,
    memory: ConversationMemory | None = None,
    outbox: OutboxStore | None = None,
) -> AsyncApp:
    """The Bolt app with every listener; raises SettingsError on missing Slack credentials.

    `recorder` (default: keep nothing) receives questions, answers and votes; `deduper`
    (default: in memory) drops repeated deliveries of events and clicks; `limiter` (default:
    none) caps questions per user. With `oauth_settings` (several workspaces) each
    workspace's bot token comes from the installation store instead of SLACK_BOT_TOKEN.
    `recommender` (default: loaded from KNOWLEDGE_DIR, KnowledgeErrors if invalid) runs the
    "Help me choose" dialog. `memory` (default: in this process, for
    CONVERSATION_TTL_SECONDS) keeps each conversation's last answer for follow-ups. `outbox`
    (default: in this process) keeps every chat.postMessage until Slack has it; the server
    runs its retry worker.
    """
    app = _bolt_app(settings, oauth_settings)
    deduper = deduper or MemoryEventDeduper()
    deliverer = _deliverer(settings, outbox, oauth_settings)
    attach_deliverer(app, deliverer)
    services = Services(
        answerer=answerer,
        recorder=recorder or NullRecorder(),
        limiter=limiter or NoRateLimit(),
        deduper=deduper,
        recommender=recommender or load_recommender(settings),
        memory=memory or MemoryConversations(settings.conversation_ttl_seconds),
        deliverer=deliverer,
    )
    app.middleware(observe_delivery)  # first: retries dropped by the next one count and log too
    app.middleware(inject_services_and_dedupe(services, deduper))
    register_listeners(app)
    return app


def _deliverer(
    settings: Settings, outbox: OutboxStore | None, oauth_settings: AsyncOAuthSettings | None
) -> Deliverer:
    """The outbox's sender: the bot token, or each workspace's from the installation store."""
    credentials = slack_credentials(settings)
    return Deliverer(
        build_delivery_client(settings, None),
        outbox,
        token_for=_token_source(credentials.bot_token, oauth_settings),
        policy=DeliveryPolicy.from_settings(settings),
        apology_text=SORRY,
    )


def _token_source(bot_token: str | None, oauth_settings: AsyncOAuthSettings | None) -> TokenFor:
    async def token_for(team_id: str) -> str | None:
        if oauth_settings is None:
            return bot_token
        bot = await oauth_settings.installation_store.async_find_bot(
            enterprise_id=None, team_id=team_id
        )
        return bot.bot_token if bot is not None else None

    return token_for
