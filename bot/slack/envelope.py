"""The parts of Slack's payloads the bot reads, as pydantic models, checked once at the edge.

Only the body types this app is sent are let through: events, button clicks, the form's
submission, the slash command, and Slack's url_verification and ssl_check. For those, what
the listeners, the middleware and Bolt itself read (Bolt reads `event`, `view`, `user`,
`team`… of every body to build its context and listener arguments) is described; the rest
passes untouched (`extra="allow"`). Types are strict: a number where Slack sends a string is
as wrong as a missing field.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

# Slack's ids (users U…/W…, channels C…/G…/D…, workspaces T…, orgs E…) are upper-case letters
# and digits; an id that is not cannot be Slack's, and would end up in a reply's address.
SlackId = Annotated[str, Field(pattern=r"^[A-Z0-9]{2,32}$")]


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Event(_Part):
    type: str


class _MessageEvent(_Event):
    """`message` and `app_mention`: where and when it was said, by whom, and what."""

    channel: SlackId
    ts: str
    user: SlackId | None = None
    text: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    channel_type: str | None = None
    client_msg_id: str | None = None
    team: SlackId | None = None
    blocks: list[dict[str, Any]] | None = None


class _HomeOpened(_Event):
    user: SlackId
    tab: str | None = None


class _Tokens(_Part):
    oauth: list[str] | None = None
    bot: list[str] | None = None


class _TokensRevoked(_Event):
    tokens: _Tokens


class _Authorization(_Part):
    team_id: str | None = None
    user_id: str | None = None
    enterprise_id: str | None = None
    is_enterprise_install: bool | None = None


class _EventCallback(_Part):
    type: str
    event_id: str
    team_id: SlackId | None = None
    event: dict[str, Any]
    authorizations: list[_Authorization] | None = None


class _Ref(_Part):
    id: SlackId


class _Action(_Part):
    action_id: str
    value: str | None = None
    action_ts: str | None = None
    block_id: str | None = None


class _Container(_Part):
    type: str | None = None
    channel_id: SlackId | None = None
    message_ts: str | None = None
    thread_ts: str | None = None
    is_ephemeral: bool | None = None


class _BlockActions(_Part):
    user: _Ref
    actions: list[_Action] = Field(min_length=1)
    container: _Container | None = None
    team: _Ref | None = None
    channel: _Ref | None = None
    message: dict[str, Any] | None = None
    response_url: str | None = None
    trigger_id: str


class _ViewState(_Part):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Part):
    id: str
    type: str
    callback_id: str
    private_metadata: str | None = None
    state: _ViewState


class _ViewSubmission(_Part):
    user: _Ref
    view: _View
    team: _Ref | None = None


class _SlashCommand(_Part):
    command: str
    user_id: SlackId
    text: str | None = None
    team_id: SlackId | None = None
    channel_id: SlackId | None = None
    response_url: str | None = None
    trigger_id: str


class _Id(_Part):
    id: str | None = None


class _AnyView(_Part):
    type: str


class _Common(_Part):
    """What Bolt reads of any body, whatever its type."""

    event: dict[str, Any] | None = None
    view: _AnyView | None = None
    user: str | _Id | None = None
    team: str | _Id | None = None
    channel: str | _Id | None = None
    enterprise: str | _Id | None = None
    authorizations: list[_Authorization] | None = None
    message: dict[str, Any] | None = None
    container: dict[str, Any] | None = None


class _UrlVerification(_Part):
    challenge: str


class _SslCheck(_Part):
    pass


EVENT_MODELS: dict[str, type[_Event]] = {
    "message": _MessageEvent,
    "app_mention": _MessageEvent,
    "app_home_opened": _HomeOpened,
    "tokens_revoked": _TokensRevoked,
}
BODY_MODELS: dict[str, type[_Part]] = {
    "event_callback": _EventCallback,
    "block_actions": _BlockActions,
    "view_submission": _ViewSubmission,
    "url_verification": _UrlVerification,
    "ssl_check": _SslCheck,
}


def body_kind(body: dict[str, Any]) -> str | None:
    """ "command" for a slash command, else the body's `type` if this app handles it, else None."""
    if "command" in body:
        return "command"
    kind = body.get("type")
    return kind if isinstance(kind, str) and kind in BODY_MODELS else None


def _first_error(exc: ValidationError, prefix: str = "") -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{prefix}{where or 'body'}: {error['msg']}"


def envelope_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with the parts of `body` (of a kind this app handles: see `body_kind`)
    that are read (e.g. "event.ts: Field required"), or None when all have Slack's types."""
    kind = body_kind(body)
    model = _SlashCommand if kind == "command" else BODY_MODELS[str(kind)]
    try:
        _Common.model_validate(body)
        model.model_validate(body)
    except ValidationError as exc:
        return _first_error(exc)
    if body.get("type") != "event_callback":
        return None
    event: dict[str, Any] = body["event"]
    try:
        EVENT_MODELS.get(str(event.get("type")), _Event).model_validate(event)
    except ValidationError as exc:
        return _first_error(exc, "event.")
    return None
