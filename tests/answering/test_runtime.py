"""The run time a question states, as Fargate bills it (per second, 1-minute minimum)."""

from __future__ import annotations

import pytest

from bot.answering.runtime import DAYS_PER_MONTH, HOURS_PER_MONTH, run_time

WEEKDAYS_PER_MONTH = DAYS_PER_MONTH * 5 / 7


@pytest.mark.parametrize(
    ("text", "hours", "said"),
    [
        ("runs ~40 min a day", 40 / 60 * DAYS_PER_MONTH, "40 min a day"),
        ("3 hours nightly", 3 * DAYS_PER_MONTH, "3 h a day"),
        ("2h per day", 2 * DAYS_PER_MONTH, "2 h a day"),
        ("runs 10 minutes every hour", 10 / 60 * HOURS_PER_MONTH, "10 min every hour"),
        ("runs 2 min every 15 minutes", 2 / 15 * HOURS_PER_MONTH, "2 min every 15 min"),
        ("runs 5 min 4 times a day", 4 * 5 / 60 * DAYS_PER_MONTH, "5 min 4 times a day"),
        ("for 200 hours a month", 200, "200 h a month"),
        ("a batch of 30-45 min daily", 45 / 60 * DAYS_PER_MONTH, "45 min a day"),
        ("weekdays 9-5", 8 * WEEKDAYS_PER_MONTH, "weekdays 9-5, 8 h a day"),
        # A duration said of each run, how often said before it.
        ("batch jobs nightly, ~2h each", 2 * DAYS_PER_MONTH, "2 h a day"),
        ("hourly reports, 5 min per run", 5 / 60 * HOURS_PER_MONTH, "5 min every hour"),
        ("up Mon-Fri 9am to 6pm", 9 * WEEKDAYS_PER_MONTH, "Mon-Fri 9am to 6pm, 9 h a day"),
        # How often, said elsewhere; the idle time is not the run time.
        (
            "Context: nightly ETL job, runs ~40 min, needs 8 vCPU and 30GB, idles 23h a day.",
            40 / 60 * DAYS_PER_MONTH,
            "40 min a day",
        ),
    ],
)
def test_a_stated_run_time_is_read_as_hours_a_month(text: str, hours: float, said: str) -> None:
    """Duration x how often, in a 730-hour month, with the assumption in words."""
    found = run_time(text)
    assert found is not None and not found.per_run
    assert found.hours == pytest.approx(hours)
    assert found.said == said


def test_runs_under_a_minute_are_billed_as_a_minute() -> None:
    """Fargate's 1-minute minimum: 30 s every 5 minutes bills 60 s x 12 an hour."""
    found = run_time("runs 30s every 5 minutes")
    assert found is not None and found.minimum_applied
    assert found.hours == pytest.approx(HOURS_PER_MONTH * 12 * 60 / 3600)


def test_how_long_without_how_often_is_one_run() -> None:
    """ "takes 40 minutes" and no frequency: one run, not a month of them."""
    found = run_time("the job takes 40 minutes")
    assert found is not None and found.per_run and found.hours == pytest.approx(40 / 60)


def test_more_than_the_period_is_24_7() -> None:
    """90 minutes every hour cannot be more than all the time."""
    found = run_time("runs 90 minutes every hour")
    assert found is not None and found.hours == HOURS_PER_MONTH and "24/7" in found.said


@pytest.mark.parametrize(
    "text",
    [
        "how much does a 4 vcpu 8gb fargate task cost per month",
        "it idles 23h a day",
        "costs $0.04 per hour",
        "fargate spot gives a 2-minute warning",
        "8 vCPU and 30GB",
    ],
)
def test_no_run_time_is_read_where_none_is_stated(text: str) -> None:
    """Idle time, prices per hour and other numbers are not a run time."""
    assert run_time(text) is None
