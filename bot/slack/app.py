"""The composition root of the Slack app: `create_app(settings, answerer)` builds the Bolt app."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.middleware.authorization.async_single_team_authorization import (
    AsyncSingleTeamAuthorization,
)
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings

from bot.answering import Answerer, Recommender, load_recommender
from bot.ports import (
    ConversationMemory,
    EventDeduper,
    MemoryConversations,
    MemoryEventDeduper,
    NoRateLimit,
    NullEraser,
    NullRecorder,
    OutboxStore,
    RateLimiter,
    Recorder,
    WorkspaceEraser,
)
from bot.settings import Settings
from bot.slack.ack_runner import PromptAckRunner
from bot.slack.config import build_delivery_client, slack_credentials, tune_web_client
from bot.slack.delivery import Deliverer, DeliveryPolicy, TokenFor, attach_deliverer
from bot.slack.listeners import LISTENER_MODULES
from bot.slack.listeners.common import SORRY
from bot.slack.middleware import Direct, inject_services_and_dedupe
from bot.slack.observability import observe_delivery
from bot.slack.services import Services

__all__ = ["SlackApp", "authorize_once", "create_app", "register_listeners"]

logger = logging.getLogger(__name__)


# slack_sdk and Bolt log whole requests and responses at DEBUG: people's questions and ids, and
# response URLs (credentials while they live). Those lines stay out even at LOG_LEVEL=DEBUG.
PAYLOAD_LOGGERS = (
    "slack_sdk.web.async_base_client",
    "slack_sdk.webhook.async_client",
    "slack_bolt",
)


def keep_payloads_out_of_logs(app: AsyncApp) -> None:
    """Raise the SDK loggers that dump payloads, and Bolt's own, to INFO at least."""
    for logger_ in (*(logging.getLogger(name) for name in PAYLOAD_LOGGERS), app.logger):
        logger_.setLevel(max(logger_.level, logging.INFO))


def register_listeners(app: AsyncApp) -> None:
    """Wire every listener module onto `app`, in the order of LISTENER_MODULES."""
    for module in LISTENER_MODULES:
        module.register(app)


class SlackApp(AsyncApp):
    """Bolt's AsyncApp, holding the signing secret the HTTP edge (bot.slack.server) checks
    every request with before Bolt parses it; Bolt's own check is off, as it would need the
    very bytes the edge has already checked and cleaned."""

    def __init__(self, *, signing_secret: str, **kwargs: Any) -> None:
        # No listener takes the assistant-thread utilities (say, set_status...) that Bolt
        # otherwise attaches, in a middleware of its own, to every event's listener.
        super().__init__(
            signing_secret=signing_secret,
            request_verification_enabled=False,
            attaching_conversation_kwargs_enabled=False,
            **kwargs,
        )
        self.signing_secret = signing_secret
        # Bolt's runner, woken by the ack rather than looking for it every 10 ms.
        bolt_runner = self._async_listener_runner
        self._async_listener_runner = PromptAckRunner(
            logger=bolt_runner.logger,
            process_before_response=bolt_runner.process_before_response,
            listener_error_handler=bolt_runner.listener_error_handler,
            listener_start_handler=bolt_runner.listener_start_handler,
            listener_completion_handler=bolt_runner.listener_completion_handler,
            lazy_listener_runner=bolt_runner.lazy_listener_runner,
        )


def _bolt_app(settings: Settings, oauth_settings: AsyncOAuthSettings | None) -> SlackApp:
    """The bare Bolt app: its signing secret, Web API client and, for several workspaces, OAuth.

    Bolt builds the Web API client itself from the token (or none, with OAuth), then it is
    tuned in place: handing Bolt a client of our own while SLACK_BOT_TOKEN is in the
    environment makes it warn at every start that the token will be unused.
    """
    credentials = slack_credentials(settings)
    # In Socket Mode there is no HTTP endpoint; a random secret makes any HTTP request fail.
    signing_secret = credentials.signing_secret or secrets.token_hex(32)
    if oauth_settings is None and credentials.bot_token is None:
        raise ValueError("OAuth mode needs oauth_settings (make_oauth_settings)")
    if oauth_settings is not None:
        app = SlackApp(name="ecsbot", signing_secret=signing_secret, oauth_settings=oauth_settings)
    else:
        app = SlackApp(name="ecsbot", signing_secret=signing_secret, token=credentials.bot_token)
    tune_web_client(app.client, settings)
    keep_payloads_out_of_logs(app)
    return app


async def authorize_once(app: AsyncApp) -> None:
    """With a single bot token, call auth.test once (at start-up) for every request to reuse.

    Bolt calls it on the first request and keeps the answer, but every request that arrives
    before that answer calls it too: a burst at start-up made one call per request. A failure
    here is logged, and Bolt then tries again on the first request.
    """
    # Bolt has no public handle on its authorization middleware; this is the one it caches in.
    middleware = getattr(app, "_async_middleware_list", [])
    single = [m for m in middleware if isinstance(m, AsyncSingleTeamAuthorization)]
    if not single or single[0].auth_test_result is not None:
        return
    try:
        single[0].auth_test_result = await app.client.auth_test()
    except Exception as exc:
        logger.warning("auth.test failed at start-up (%s); retrying on the first request", exc)


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
    eraser: WorkspaceEraser | None = None,
) -> SlackApp:
    """The Bolt app with every listener; raises SettingsError on missing Slack credentials.

    `recorder` (default: keep nothing) receives questions, answers and votes; `deduper`
    (default: in memory) drops repeated deliveries of events and clicks; `limiter` (default:
    none) caps questions per user. With `oauth_settings` (several workspaces) each
    workspace's bot token comes from the installation store instead of SLACK_BOT_TOKEN.
    `recommender` (default: loaded from KNOWLEDGE_DIR, KnowledgeErrors if invalid) runs the
    "Help me choose" dialog. `memory` (default: in this process, for
    CONVERSATION_TTL_SECONDS) keeps each conversation's last answer for follow-ups. `outbox`
    (default: in this process) keeps every chat.postMessage until Slack has it; the server
    runs its retry worker. `eraser` (default: nothing to erase) forgets the records of
    workspaces that uninstalled the bot.
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
        eraser=eraser or NullEraser(),
    )
    # first: retries dropped by the next one count and log too
    app.middleware(Direct(observe_delivery))
    app.middleware(Direct(inject_services_and_dedupe(services, deduper)))
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
