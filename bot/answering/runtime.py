"""How long a workload runs, read from a question ("runs ~40 min nightly", "weekdays 9-5").

A price estimate that assumes 24/7 is wrong by a factor of thirty for a nightly job, so the
Fargate estimate reads the run time a question states and prices that. Fargate bills per second
with a 1-minute minimum per Linux task (fact sheet, "Pricing"), so each run is billed at least a
minute. Only simple, explicit phrasings are read; anything else is "not stated" (24/7).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HOURS_PER_MONTH = 730.0  # AWS's pricing month
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
WEEKS_PER_MONTH = DAYS_PER_MONTH / 7
MIN_BILLED_SECONDS = 60.0  # Fargate's minimum per Linux task run

_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0}
_UNIT = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "min"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
}
_UNITS = "seconds|second|secs|sec|s|minutes|minute|mins|min|hours|hour|hrs|hr|h"
_NUMBER = r"\d+(?:\.\d+)?"
# "40 min", "~3 hours", "1.5h", "30-40 minutes" (the upper bound is priced).
_DURATION = re.compile(
    rf"(?<![\w.$])({_NUMBER})(?:\s*(?:-|\u2013|to)\s*({_NUMBER}))?\s*({_UNITS})\b", re.IGNORECASE
)
# Words before a duration that make it a run time, or say it is not one ("idles 23h a day").
_RUN_WORDS = re.compile(
    r"\b(runs?|running|ran|for|takes?|lasts?|up|active|busy|on|about|around|only)\W*$", re.I
)
_IDLE_WORDS = re.compile(
    r"\b(idles?|idling|idle for|off|down|sleeps?|stopped|paused|unused|waits?|startup|start)"
    r"\W*(?:for\W*)?(?:~|about|around)?\W*$",
    re.IGNORECASE,
)
# How often it runs, right after the duration ("a day", "every hour", "every 15 min") ...
# "~2h each", "40 min per run": a duration said of one run (how often may come elsewhere).
_EACH_RUN = re.compile(r"\s*(?:each|apiece|per\s+(?:run|job|task)|a\s+run)\b", re.IGNORECASE)
_PERIOD_WORDS = {
    "day": r"(?:a|per|each|every|/)\s*(?:day|night)\b|daily\b|nightly\b",
    "hour": r"(?:an|per|each|every|/)\s*(?:hour|hr|h)\b|hourly\b",
    "week": r"(?:a|per|each|every|/)\s*week\b|weekly\b",
    "month": r"(?:a|per|each|every|/)\s*(?:month|mo)\b|monthly\b",
    "weekday": r"(?:on\s+)?weekdays\b|(?:each|every|per|a)\s+(?:week|work(?:ing)?|business)\s*day\b",
}
_PERIOD_HOURS = {
    "day": 24.0,
    "hour": 1.0,
    "week": 24.0 * 7,
    "month": HOURS_PER_MONTH,
    "weekday": 24.0 * 7 / 5,  # five runs a week
}
_PERIOD_TEXT = {
    "day": "a day",
    "hour": "every hour",
    "week": "a week",
    "month": "a month",
    "weekday": "each weekday",
}
_PERIOD_AFTER = re.compile(
    r"[\s,]*(?:(once|twice|\d+)\s*(?:times|x)\s*)?(?:"
    + "|".join(f"(?P<{name}>{words})" for name, words in _PERIOD_WORDS.items())
    + rf"|every\s+(?P<every>{_NUMBER})\s*(?P<every_unit>{_UNITS})\b)",
    re.IGNORECASE,
)
# ... or anywhere, when said plainly ("nightly ETL job, runs ~40 min").
_FREQUENCY = re.compile(
    r"\b(?:(?P<day>nightly|daily|every\s+(?:day|night)|each\s+(?:day|night)|once\s+a\s+(?:day|night))"
    r"|(?P<hour>hourly|every\s+hour|once\s+an\s+hour)"
    r"|(?P<week>weekly|every\s+week|once\s+a\s+week)"
    r"|(?P<month>monthly|every\s+month|once\s+a\s+month)"
    r"|(?P<weekday>on\s+weekdays|every\s+weekday))\b",
    re.IGNORECASE,
)
_CLOCK = r"(\d{1,2})(?::(\d\d))?\s*(am|pm)?"
_WEEKDAYS = r"(?:on\s+)?(?:weekdays|mon(?:day)?\s*(?:-|\u2013|to|through|thru)\s*fri(?:day)?)"
# "weekdays 9-5", "Mon-Fri 9am to 6pm", "9-5 on weekdays".
_OFFICE_HOURS = re.compile(
    rf"{_WEEKDAYS},?\s*(?:from\s+|between\s+)?{_CLOCK}\s*(?:-|\u2013|to|and)\s*{_CLOCK}"
    rf"|(?:from\s+)?\b{_CLOCK}\s*(?:-|\u2013|to)\s*{_CLOCK},?\s*{_WEEKDAYS}",
    re.IGNORECASE,
)
_ALWAYS = re.compile(r"24\s*/\s*7|\balways[\s-]on\b|\ball day every day\b|\bnon-?stop\b", re.I)


@dataclass(frozen=True)
class RunTime:
    """How long each task runs: hours billed in a month (or in one run when `per_run`), and the
    assumption in words ("40 min a day")."""

    hours: float
    said: str
    per_run: bool = False
    # True when each run is shorter than Fargate's 1-minute minimum and billed as a minute.
    minimum_applied: bool = False


def _hours_of(number: float, unit: str) -> float:
    return number * _SECONDS[unit] / 3600


def _amount(number: float, unit: str) -> str:
    return f"{number:g} {unit}"


def _clock(hour: str, minute: str | None, half: str | None) -> float:
    value = int(hour) % 12 if half else int(hour)
    if half and half.lower() == "pm":
        value += 12
    return value + (int(minute) / 60 if minute else 0.0)


def _office_hours(text: str) -> RunTime | None:
    found = _OFFICE_HOURS.search(text)
    if found is None:
        return None
    groups = found.groups()
    start_h, start_m, start_half, end_h, end_m, end_half = (
        groups[:6] if groups[0] is not None else groups[6:]
    )
    start = _clock(start_h, start_m, start_half)
    end = _clock(end_h, end_m, end_half)
    if end <= start and not end_half:
        end += 12  # "9-5" is nine to five in the afternoon
    daily = end - start
    if not 0 < daily <= 24:
        return None
    said = f"{found.group(0).strip()}, {daily:g} h a day"
    return RunTime(hours=daily * WEEKS_PER_MONTH * 5, said=said)


def _is_run_time(text: str, start: int, followed_by_period: bool) -> bool:
    before = text[max(0, start - 40) : start]
    clause = re.split(r"[.;,!?]", before)[-1]
    if _IDLE_WORDS.search(clause):
        return False
    return followed_by_period or bool(_RUN_WORDS.search(clause))


def _runs_per_month(period: re.Match[str]) -> tuple[float, str] | None:
    """Runs a month and the period in words, from a `_PERIOD_AFTER` match."""
    times_text = period.group(1)
    times = {"once": 1.0, "twice": 2.0}.get((times_text or "").lower())
    times = times or (float(times_text) if times_text else 1.0)
    prefix = f"{times_text} times " if times_text else ""
    if period.group("every") is not None:
        unit = _UNIT[period.group("every_unit").lower()]
        every = _hours_of(float(period.group("every")), unit)
        if every <= 0:
            return None
        return (
            times * HOURS_PER_MONTH / every,
            f"{prefix}every {_amount(float(period.group('every')), unit)}",
        )
    name = next(n for n in _PERIOD_WORDS if period.group(n) is not None)
    return times * HOURS_PER_MONTH / _PERIOD_HOURS[name], prefix + _PERIOD_TEXT[name]


def _frequency(text: str) -> tuple[float, str] | None:
    found = _FREQUENCY.search(text)
    if found is None:
        return None
    name = next(n for n in _PERIOD_WORDS if found.group(n) is not None)
    return HOURS_PER_MONTH / _PERIOD_HOURS[name], _PERIOD_TEXT[name]


def run_time(text: str) -> RunTime | None:
    """The run time `text` states: billed hours a month, or for one run when it says how long
    but not how often; None when it states none (price it 24/7, and say so)."""
    if (office := _office_hours(text)) is not None:
        return office
    for duration in _DURATION.finditer(text):
        low, high, unit_text = duration.groups()
        unit = _UNIT[unit_text.lower()]
        number = float(high or low)
        period = _PERIOD_AFTER.match(text, duration.end())
        said_of_a_run = period is not None or _EACH_RUN.match(text, duration.end()) is not None
        if number <= 0 or not _is_run_time(text, duration.start(), said_of_a_run):
            continue
        billed_seconds = max(number * _SECONDS[unit], MIN_BILLED_SECONDS)
        minimum = billed_seconds > number * _SECONDS[unit]
        each = _amount(number, unit)
        often = _runs_per_month(period) if period is not None else _frequency(text)
        if often is None:
            return RunTime(billed_seconds / 3600, each, per_run=True, minimum_applied=minimum)
        runs, said = often
        hours = runs * billed_seconds / 3600
        if hours > HOURS_PER_MONTH:
            return RunTime(HOURS_PER_MONTH, f"{each} {said}, so 24/7")
        return RunTime(hours, f"{each} {said}", minimum_applied=minimum)
    return None


def always_on(text: str) -> bool:
    """True when `text` says the workload runs all the time ("24/7", "always on")."""
    return _ALWAYS.search(text) is not None
