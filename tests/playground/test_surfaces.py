"""Modals and App Home as the playground keeps them: checks, state values, acks and updates."""

from __future__ import annotations

from typing import Any

import pytest

from bot.playground.surfaces import (
    HOME_VIEW_ID,
    REQUIRED,
    Raw,
    Surfaces,
    client_errors,
    state_values,
)

OPTIONS = [
    {"text": {"type": "plain_text", "text": "Yes"}, "value": "yes"},
    {"text": {"type": "plain_text", "text": "No"}, "value": "no"},
]


def _input(block_id: str, element: dict[str, Any], *, optional: bool = True) -> dict[str, Any]:
    label = {"type": "plain_text", "text": block_id}
    return {
        "type": "input",
        "block_id": block_id,
        "label": label,
        "element": element,
        "optional": optional,
    }


FORM: dict[str, Any] = {
    "type": "modal",
    "title": {"type": "plain_text", "text": "Form"},
    "blocks": [
        _input("name", {"type": "plain_text_input", "action_id": "a"}, optional=False),
        _input(
            "count",
            {
                "type": "number_input",
                "action_id": "a",
                "is_decimal_allowed": False,
                "min_value": "1",
                "max_value": "10",
            },
        ),
        _input("ratio", {"type": "number_input", "action_id": "a", "is_decimal_allowed": True}),
        _input("pick", {"type": "radio_buttons", "action_id": "a", "options": OPTIONS}),
        _input(
            "menu",
            {
                "type": "static_select",
                "action_id": "a",
                "option_groups": [
                    {"label": {"type": "plain_text", "text": "G"}, "options": OPTIONS}
                ],
            },
        ),
        _input("many", {"type": "checkboxes", "action_id": "a", "options": OPTIONS}),
    ],
}


@pytest.mark.parametrize(
    ("raw", "errors"),
    [
        ({"name": "x"}, {}),
        ({}, {"name": REQUIRED}),
        ({"name": "x", "count": "two"}, {"count": "Enter a number."}),
        ({"name": "x", "count": "2.5"}, {"count": "Enter a whole number."}),
        ({"name": "x", "count": "0"}, {"count": "Enter a number of at least 1."}),
        ({"name": "x", "count": "11"}, {"count": "Enter a number of at most 10."}),
        ({"name": "x", "count": "10", "ratio": "2.5"}, {}),
        ({"name": "x", "ratio": "NaN"}, {"ratio": "Enter a number."}),
    ],
)
def test_the_client_checks_what_slack_checks(raw: dict[str, Raw], errors: dict[str, str]) -> None:
    """Required inputs, numbers, whole numbers and bounds are refused before any request."""
    assert client_errors(FORM, raw) == errors


def test_state_values_take_slacks_shape() -> None:
    """Text is `value` (None when empty); options come back whole, from groups too."""
    raw: dict[str, Raw] = {
        "name": "Ann",
        "count": "",
        "pick": "no",
        "menu": "yes",
        "many": ["yes", "no"],
    }
    values = state_values(FORM, raw)
    assert values["name"] == {"a": {"type": "plain_text_input", "value": "Ann"}}
    assert values["count"] == {"a": {"type": "number_input", "value": None}}
    assert values["pick"]["a"]["selected_option"] == OPTIONS[1]
    assert values["menu"]["a"]["selected_option"] == OPTIONS[0]
    assert values["many"]["a"]["selected_options"] == OPTIONS
    assert values["ratio"]["a"]["value"] is None


def _opened(surfaces: Surfaces, view: dict[str, Any] = FORM) -> str:
    [event] = surfaces.apply("views.open", {"trigger_id": "1.2", "view": view})
    return str(event["view"]["id"])


def test_acks_show_errors_update_push_and_close() -> None:
    """response_action errors stay on the form; update replaces it (same id); push stacks a
    new one; an empty ack closes the top one; clear closes them all."""
    surfaces = Surfaces()
    root = _opened(surfaces)
    assert surfaces.acked(root, {"response_action": "errors", "errors": {"name": "no"}})[
        "errors"
    ] == {"name": "no"}
    notice = {"type": "modal", "title": {"type": "plain_text", "text": "Notice"}, "blocks": []}
    updated = surfaces.acked(root, {"response_action": "update", "view": notice})
    assert (updated["view"]["id"], updated["view"]["title"]["text"], updated["errors"]) == (
        root,
        "Notice",
        {},
    )
    pushed = surfaces.acked(root, {"response_action": "push", "view": FORM})["view"]
    assert pushed["id"] != root and len(surfaces.stack) == 2
    assert surfaces.acked(pushed["id"], {})["view"]["id"] == root
    surfaces.apply("views.push", {"view": FORM})
    assert surfaces.acked(root, {"response_action": "clear"})["view"] is None


def test_views_update_by_id_or_external_id_and_publish_home() -> None:
    """views.update finds its view by id or external_id; views.publish replaces App Home."""
    surfaces = Surfaces()
    root = _opened(surfaces, {**FORM, "external_id": "form-1"})
    [event] = surfaces.apply(
        "views.update",
        {"external_id": "form-1", "view": {**FORM, "title": {"type": "plain_text", "text": "Two"}}},
    )
    assert (event["view"]["id"], event["view"]["title"]["text"]) == (root, "Two")
    assert surfaces.apply("views.update", {"view_id": "V0GONE", "view": FORM}) == []
    [home] = surfaces.apply(
        "views.publish",
        {"user_id": "U1", "view": {"type": "home", "blocks": [{"type": "divider"}]}},
    )
    assert home["view"]["id"] == HOME_VIEW_ID
    assert home["view"]["blocks"][0]["block_id"]  # filled in, as Slack does
    assert surfaces.find(HOME_VIEW_ID) is surfaces.home
