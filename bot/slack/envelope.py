"""The parts of Slack's payloads the bot reads, as pydantic models, checked once at the edge.

Only what the listeners, the middleware and Bolt's own routing read is described; everything
else Slack sends passes through untouched (`extra="allow"`). Types are strict: a number where
Slack sends a string is as wrong as a missing field. `envelope_problem(body)` names the first
problem of a parsed body, or None when the listeners can rely on its shape.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", strict=True)


class _Event(_Part):
    type: str


class _MessageEvent(_Event):
    """`message` and `app_mention`: where and when it was said, by whom, and what."""

    channel: str
    ts: str
    user: str | None = None
    text: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    thread_ts: str | None = None
    channel_type: str | None = None
    client_msg_id: str | None = None
    team: str | None = None
    blocks: list[dict[str, Any]] | None = None


class _HomeOpened(_Event):
    user: str
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
    team_id: str | None = None
    event: dict[str, Any]
    authorizations: list[_Authorization] | None = None


class _Ref(_Part):
    id: str


class _Action(_Part):
    action_id: str
    value: str | None = None
    action_ts: str | None = None
    block_id: str | None = None


class _Container(_Part):
    type: str | None = None
    channel_id: str | None = None
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
    trigger_id: str | None = None


class _ViewState(_Part):
    values: dict[str, dict[str, dict[str, Any]]]


class _View(_Part):
    id: str
    callback_id: str
    private_metadata: str | None = None
    state: _ViewState | None = None


class _ViewSubmission(_Part):
    user: _Ref
    view: _View
    team: _Ref | None = None


class _SlashCommand(_Part):
    command: str
    user_id: str
    text: str | None = None
    team_id: str | None = None
    channel_id: str | None = None
    response_url: str | None = None
    trigger_id: str | None = None


class _Typed(_Part):
    type: str | None = None


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
}


def _model_of(body: dict[str, Any]) -> type[_Part]:
    if "command" in body:
        return _SlashCommand
    kind = body.get("type")
    return BODY_MODELS.get(kind, _Typed) if isinstance(kind, str) else _Typed


def _first_error(exc: ValidationError, prefix: str = "") -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{prefix}{where or 'body'}: {error['msg']}"


def envelope_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with the parts of `body` the bot reads (e.g. "event.ts: Field required"),
    or None when they are all there with Slack's types."""
    try:
        _model_of(body).model_validate(body)
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
