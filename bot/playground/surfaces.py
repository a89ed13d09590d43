"""The playground's views: the stack of open modals and the App Home tab.

The bot opens, pushes, updates and publishes views through the Web API (recorded by the
stand-in); a modal's submission is answered in the ack (`response_action`: errors, update,
push, clear, or nothing to close it). What the Slack client checks itself before sending a
submission (required fields, numbers) is checked here too, so bad input reaches the bot only
where it would in Slack.
"""

from __future__ import annotations

import itertools
import json
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.playground.conversation import Event, with_ids

HOME_VIEW_ID = "V0HOME"
REQUIRED = "Please complete this required field."
TEXT_ELEMENTS = frozenset(
    {"plain_text_input", "number_input", "email_text_input", "url_text_input"}
)
ONE_OPTION = frozenset({"radio_buttons", "static_select"})
MANY_OPTIONS = frozenset({"checkboxes", "multi_static_select"})
Raw = str | list[str] | None  # what the page sends for one input: text, option value(s), none


def options(element: dict[str, Any]) -> list[dict[str, Any]]:
    """Every option of a select, radio or checkbox element (option groups flattened)."""
    grouped = [o for g in element.get("option_groups", []) for o in g.get("options", [])]
    return [*element.get("options", []), *grouped]


def element_state(element: dict[str, Any], raw: Raw) -> dict[str, Any]:
    """What `view.state.values` holds for `element` given the page's `raw` input."""
    kind = element.get("type")
    chosen = raw if isinstance(raw, list) else [raw] if raw else []
    picked = [o for o in options(element) if o.get("value") in chosen]
    if kind in ONE_OPTION:
        return {"type": kind, "selected_option": picked[0] if picked else None}
    if kind in MANY_OPTIONS:
        return {"type": kind, "selected_options": picked}
    return {"type": kind, "value": raw if isinstance(raw, str) and raw != "" else None}


def _number_error(element: dict[str, Any], text: str) -> str | None:
    try:
        number = Decimal(text)
    except InvalidOperation:
        return "Enter a number."
    if not number.is_finite():
        return "Enter a number."
    if not element.get("is_decimal_allowed") and number != number.to_integral_value():
        return "Enter a whole number."
    low, high = element.get("min_value"), element.get("max_value")
    if low is not None and number < Decimal(str(low)):
        return f"Enter a number of at least {low}."
    if high is not None and number > Decimal(str(high)):
        return f"Enter a number of at most {high}."
    return None


def client_errors(view: dict[str, Any], raw: dict[str, Raw]) -> dict[str, str]:
    """What the Slack client itself refuses before sending a submission, by block id."""
    errors: dict[str, str] = {}
    for block in view.get("blocks", []):
        if block.get("type") == "input":
            problem = _input_error(block, raw.get(block["block_id"]))
            if problem is not None:
                errors[block["block_id"]] = problem
    return errors


def _input_error(block: dict[str, Any], value: Raw) -> str | None:
    element = block.get("element") or {}
    if value in (None, "", []):
        return None if block.get("optional") else REQUIRED
    if element.get("type") == "number_input" and isinstance(value, str):
        return _number_error(element, value.strip())
    return None


def state_values(view: dict[str, Any], raw: dict[str, Raw]) -> dict[str, dict[str, Any]]:
    """`view.state.values` for a submission: by block id, then action id."""
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        element = block.get("element")
        if block.get("type") == "input" and isinstance(element, dict):
            state = element_state(element, raw.get(block["block_id"]))
            values[block["block_id"]] = {element["action_id"]: state}
    return values


class Surfaces:
    """The open modals (root first) with the errors shown in the top one, and App Home."""

    def __init__(self) -> None:
        self.stack: list[dict[str, Any]] = []
        self.errors: dict[str, str] = {}
        self.home: dict[str, Any] | None = None
        self._ids = itertools.count(1)

    def _view(self, view: dict[str, Any], view_id: str | None = None) -> dict[str, Any]:
        shown = {**view, "blocks": with_ids(list(view.get("blocks") or []))}
        # Unique across runs: the bot drops a second submission of a view id it has seen.
        shown["id"] = view_id or f"V{secrets.token_hex(5).upper()}"
        shown["hash"] = f"{next(self._ids)}.playground"
        return shown

    def find(self, view_id: str) -> dict[str, Any] | None:
        """The open modal or Home view with `view_id`."""
        views = [*self.stack, *([self.home] if self.home else [])]
        return next((v for v in views if v["id"] == view_id), None)

    def modal_event(self) -> Event:
        """The top modal (None when all are closed) and its errors."""
        return {
            "type": "modal",
            "view": self.stack[-1] if self.stack else None,
            "errors": self.errors,
        }

    def apply(self, method: str, body: dict[str, Any]) -> list[Event]:
        """The events for one views.* call the bot made."""
        view = body.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        if not isinstance(view, dict):
            return []
        if method == "views.publish":
            self.home = self._view(view, HOME_VIEW_ID)
            return [{"type": "home", "view": self.home}]
        if method == "views.open":
            self.stack = [self._view(view)]
        elif method == "views.push" and self.stack:
            self.stack.append(self._view(view))
        elif method == "views.update":
            return self._update(body, view)
        else:
            return []
        self.errors = {}
        return [self.modal_event()]

    def _update(self, body: dict[str, Any], view: dict[str, Any]) -> list[Event]:
        external = body.get("external_id")
        for index, old in enumerate(self.stack):
            if old["id"] == body.get("view_id") or (
                external and old.get("external_id") == external
            ):
                self.stack[index] = self._view(view, old["id"])
                self.errors = {}
                return [self.modal_event()]
        if self.home is not None and body.get("view_id") == HOME_VIEW_ID:
            self.home = self._view(view, HOME_VIEW_ID)
            return [{"type": "home", "view": self.home}]
        return []

    def show_errors(self, errors: dict[str, str]) -> Event:
        """Show `errors` at their fields in the top modal."""
        self.errors = {str(k): str(v) for k, v in errors.items()}
        return self.modal_event()

    def close(self, view_id: str, *, everything: bool = False) -> Event:
        """Close the modal `view_id` (and those above it), or all of them."""
        ids = [v["id"] for v in self.stack]
        self.stack = [] if everything or view_id not in ids else self.stack[: ids.index(view_id)]
        self.errors = {}
        return self.modal_event()

    def acked(self, view_id: str, answer: dict[str, Any]) -> Event:
        """The modal after the bot acked its submission with `answer` (a response_action)."""
        action = answer.get("response_action")
        if action == "errors" and isinstance(answer.get("errors"), dict):
            return self.show_errors(answer["errors"])
        if action in ("update", "push") and isinstance(answer.get("view"), dict):
            top = [v["id"] for v in self.stack].index(view_id) if self.find(view_id) else -1
            if action == "update" and top >= 0:
                self.stack[top] = self._view(answer["view"], view_id)
            else:
                self.stack.append(self._view(answer["view"]))
            self.errors = {}
            return self.modal_event()
        return self.close(view_id, everything=action == "clear")
