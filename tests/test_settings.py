"""Settings the deployment needs: the database password handed over apart from the URL."""

from __future__ import annotations

import pytest
from sqlalchemy import make_url

from bot.settings import load_settings

PASSWORD = "p@ss/w:rd%not-real"


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://ecsbot@db.internal:5432/ecsbot",
        "postgresql+psycopg://ecsbot:stale@db.internal:5432/ecsbot?sslmode=require",
    ],
)
def test_database_password_goes_into_the_url(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """DATABASE_PASSWORD (an ECS secret from the RDS-managed secret) replaces the URL's
    password, percent-encoded, and is masked in logs like the rest."""
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATABASE_PASSWORD", PASSWORD)
    settings = load_settings()
    parsed = make_url(settings.database_url)
    assert parsed.password == PASSWORD
    assert (parsed.username, parsed.host, parsed.database) == ("ecsbot", "db.internal", "ecsbot")
    assert parsed.query == make_url(url).query
    assert PASSWORD in settings.secret_values()


def test_without_database_password_the_url_is_untouched(monkeypatch: pytest.MonkeyPatch) -> None:
    """No DATABASE_PASSWORD: DATABASE_URL as given."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:pw-not-real@db/ecsbot")
    assert load_settings().database_url == "postgresql+psycopg://u:pw-not-real@db/ecsbot"


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, []),
        ({"SLACK_BOT_TOKEN": "xoxb-not-real"}, ["SLACK_SIGNING_SECRET"]),
        ({"SLACK_SIGNING_SECRET": "not-real"}, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_APP_TOKEN": "xapp-not-real"}, ["SLACK_BOT_TOKEN"]),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "not-real"}, ["SLACK_CLIENT_SECRET"]),
        ({"SLACK_BOT_TOKEN": "xoxb-not-real", "SLACK_SIGNING_SECRET": "not-real"}, []),
    ],
)
def test_a_partial_slack_configuration_names_what_is_missing(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], missing: list[str]
) -> None:
    """Some Slack variables set but not enough: the missing ones are named, so `ecsbot run`
    can say why it starts the playground instead of Slack."""
    for name in (
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    got = load_settings().slack_missing()
    assert [m.split()[0] for m in got] == missing
