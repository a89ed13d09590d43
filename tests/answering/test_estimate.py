"""Fargate prices for the size a question names, computed from the dated snapshot."""

from __future__ import annotations

import re

import pytest

from bot.answering import Answerer
from bot.answering.estimate import fargate_estimate, sizing
from bot.blocks import to_dicts
from bot.recommend import Pricing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4 vcpu 8gb fargate task", (4.0, 8.0, 1)),
        ("0.5 vCPU / 1 GiB, 3 tasks", (0.5, 1.0, 3)),
        ("2 cpus and 4096 mb", (2.0, 4.0, 1)),
        ("a 4-vcpu, 16-gb box", (4.0, 16.0, 1)),
        ("4 vcpu fargate", None),
        ("how much is fargate", None),
    ],
)
def test_sizing_reads_vcpu_memory_and_count(
    text: str, expected: tuple[float, float, int] | None
) -> None:
    """vCPU and memory (GB, GiB or MB) must both be named; the task count defaults to 1."""
    assert sizing(text) == expected


def test_the_estimate_is_the_snapshot_price_for_that_size(pricing: Pricing) -> None:
    """730 h x (vCPU x the vCPU-hour rate + GB x the GB-hour rate), x86 first, ARM beside it."""
    lead = fargate_estimate("how much does a 4 vcpu 8gb fargate task cost per month", pricing)
    assert lead is not None and len(lead) <= 300
    x86 = 730 * (4 * pricing.fargate.x86.vcpu_hour + 8 * pricing.fargate.x86.gb_hour)
    arm = 730 * (4 * pricing.fargate.arm.vcpu_hour + 8 * pricing.fargate.arm.gb_hour)
    assert lead.startswith(f"*About ${x86:,.0f} a month*")
    assert f"on ARM about ${arm:,.0f}" in lead
    assert pricing.snapshot in lead and pricing.region in lead


def test_several_tasks_multiply(pricing: Pricing) -> None:
    """'3 tasks' costs three times one."""
    one = fargate_estimate("fargate price for 1 vcpu 2 gb", pricing)
    three = fargate_estimate("fargate price for 3 tasks of 1 vcpu 2 gb", pricing)
    assert one and three
    amounts = [float(re.search(r"\$([\d,.]+) a month", t).group(1)) for t in (one, three)]  # type: ignore[union-attr]
    assert amounts[1] == pytest.approx(3 * amounts[0], abs=1.5)


@pytest.mark.parametrize(
    "question",
    [
        "how is fargate billed?",  # no size
        "4 vcpu 8gb task, which ec2 instance type?",  # not Fargate's price
        "does fargate support 4 vcpu 8gb tasks",  # no price word
    ],
)
def test_no_estimate_without_size_fargate_and_price(pricing: Pricing, question: str) -> None:
    """Only a question about Fargate's price that names a size gets an estimate."""
    assert fargate_estimate(question, pricing) is None


def test_a_size_beyond_fargate_says_so(pricing: Pricing) -> None:
    """More than one Fargate task can have is not priced as if it could run."""
    lead = fargate_estimate("fargate cost for 32 vcpu and 256 gb", pricing)
    assert lead is not None and "does not fit one Fargate task" in lead and "$" not in lead


def test_the_reply_leads_with_the_estimate(answerer: Answerer) -> None:
    """In the reply the estimate comes first, under the header, before the worked example;
    `lead` carries it for `ecsbot ask --json`."""
    question = "how much does a 4 vcpu 8gb fargate task cost per month"
    reply = answerer.reply(question)
    dicts = to_dicts(reply.blocks)
    assert dicts[0]["type"] == "header"
    assert dicts[1]["text"]["text"] == reply.lead
    assert reply.lead is not None and reply.lead.startswith("*About $144 a month*")
    assert answerer.lead(question, answerer.match(question)) == reply.lead


def test_a_terse_price_question_naming_a_size_gets_the_estimate(answerer: Answerer) -> None:
    """Slack shorthand the matcher is unsure of ("fargate 8 vcpu 30gb runs ~40 min nightly
    how much") is still a Fargate price question naming a size: the estimate answers it,
    under cost, with confidence."""
    reply = answerer.reply("fargate 8 vcpu 30gb runs ~40 min nightly how much")
    assert reply.match is not None and reply.match.confident
    assert reply.match.topic is not None and reply.match.topic.id == "cost"
    assert reply.lead is not None and reply.lead.startswith("*About $9 a month*")


ETL = (
    "Context: nightly ETL job, runs ~40 min, needs 8 vCPU and 30GB, idles 23h a day. "
    "Would fargate be cheaper?"
)


def test_a_stated_run_time_is_priced_not_24_7(pricing: Pricing) -> None:
    """The nightly 40-minute job: ~20 h a month, about $9, not $334 for 24/7; 30 GB is not a
    size 8 vCPU takes, so it is priced as 32 GB, and the lead says both assumptions."""
    lead = fargate_estimate(ETL, pricing)
    assert lead is not None and len(lead) <= 300
    hours = 40 / 60 * 730 / 24
    x86 = hours * (8 * pricing.fargate.x86.vcpu_hour + 32 * pricing.fargate.x86.gb_hour)
    assert lead.startswith(f"*About ${x86:,.0f} a month*") and 8 < x86 < 10
    assert "running 40 min a day (~20.3 h a month)" in lead
    assert "priced as 8 vCPU / 32 GB, the next valid Fargate size" in lead
    assert "24/7" not in lead
    assert pricing.snapshot in lead and "1-minute minimum" in lead


def test_no_run_time_says_it_assumes_24_7(pricing: Pricing) -> None:
    """Without a run time the estimate is 24/7 and says that it assumed so."""
    lead = fargate_estimate("fargate price for 1 vcpu 2 gb", pricing)
    assert lead is not None and "if it runs 24/7 (no run time given)" in lead
    stated = fargate_estimate("fargate price for 1 vcpu 2 gb running 24/7", pricing)
    assert stated is not None and "running 24/7:" in stated and "no run time" not in stated


@pytest.mark.parametrize(
    ("question", "hours"),
    [
        ("fargate cost for 2 vcpu 4gb, 3 hours nightly", 3 * 730 / 24),
        ("fargate cost for 2 vcpu 4gb, 2h per day", 2 * 730 / 24),
        ("fargate cost for 2 vcpu 4gb that runs 10 minutes every hour", 730 / 6),
        ("fargate cost for 2 vcpu 4gb, weekdays 9-5", 8 * 730 / 24 * 5 / 7),
    ],
)
def test_each_run_time_phrasing_prices_its_hours(
    pricing: Pricing, question: str, hours: float
) -> None:
    """The monthly figure is the stated hours x the hourly rate of the size."""
    lead = fargate_estimate(question, pricing)
    x86 = hours * (2 * pricing.fargate.x86.vcpu_hour + 4 * pricing.fargate.x86.gb_hour)
    assert lead is not None and len(lead) <= 300
    assert lead.startswith(f"*About ${x86:,.0f} a month*") and "24/7" not in lead


def test_a_run_under_a_minute_is_billed_as_a_minute(pricing: Pricing) -> None:
    """Fargate's minimum per task: 20 s every 10 minutes costs as 1 minute every 10."""
    lead = fargate_estimate("fargate price, 1 vcpu 2 gb, runs 20s every 10 minutes", pricing)
    x86 = 730 / 10 * (1 * pricing.fargate.x86.vcpu_hour + 2 * pricing.fargate.x86.gb_hour)
    assert lead is not None and lead.startswith(f"*About ${x86:,.0f} a month*")
    assert "billed as 1 minute" in lead


def test_how_long_but_not_how_often_prices_one_run(pricing: Pricing) -> None:
    """ "takes 40 minutes" with no frequency is one run's cost, not a month's."""
    lead = fargate_estimate("what would fargate cost, 8 vcpu 32gb, job takes 40 minutes", pricing)
    x86 = 40 / 60 * (8 * pricing.fargate.x86.vcpu_hour + 32 * pricing.fargate.x86.gb_hour)
    assert lead is not None and lead.startswith(f"*About ${x86:,.2f} a run*")


def test_the_etl_reply_leads_with_the_run_time_estimate(answerer: Answerer) -> None:
    """Through the answerer: the reported question gets the ~$9 lead, not $334."""
    reply = answerer.reply(ETL)
    assert reply.lead is not None and reply.lead.startswith("*About $9 a month*")
    assert answerer.lead(ETL, answerer.match(ETL)) == reply.lead
