"""A Fargate price for the size a question names ("what does a 4 vcpu 8gb fargate task cost?").

The knowledge base's price entries give one worked example (1 vCPU, 2 GB). When a question about
Fargate's price names its own vCPU and memory, the answer leads with that size's monthly cost,
computed from the dated price snapshot (knowledge/pricing.yaml), not with the example's: for the
run time the question states (bot.answering.runtime), else 24/7, and for the next valid Fargate
size when the one named is not offered (8 vCPU and 30 GB is priced as 8 vCPU / 32 GB).
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from bot.answering.runtime import HOURS_PER_MONTH, RunTime, always_on, run_time
from bot.recommend import Answers, Pricing, fargate_task_size, monthly_cost
from bot.recommend.pricing import FARGATE_MAX_MEMORY_GB, FARGATE_MAX_VCPU

_NUMBER = r"(\d+(?:\.\d+)?)"
_VCPU = re.compile(rf"{_NUMBER}\s*-?\s*v?cpus?\b", re.IGNORECASE)
_MEMORY_GB = re.compile(rf"{_NUMBER}\s*-?\s*(?:gb|gib|g)\b", re.IGNORECASE)
_MEMORY_MB = re.compile(rf"{_NUMBER}\s*-?\s*(?:mb|mib)\b", re.IGNORECASE)
_COUNT = re.compile(r"\b(\d{1,4})\s+(?:fargate\s+)?(?:tasks|containers|copies|replicas)\b", re.I)
_PRICE_WORDS = re.compile(
    r"\b(cost|costs|price|priced|pricing|bill|billed|pay|charge|charged|expensive|cheap|"
    r"much|\$)",
    re.IGNORECASE,
)
_FARGATE = re.compile(r"\bfarg\w*", re.IGNORECASE)
MAX_LEAD_CHARS = 300  # a lead's limit (README, "The knowledge base")


# The topic an estimate answers under (one of the ids every knowledge base has).
COST_TOPIC_ID = "cost"


def sizing(text: str) -> tuple[float, float, int] | None:
    """(vCPU, memory in GB, task count) named in `text`, or None unless both vCPU and memory
    are there; the count is 1 when not said."""
    vcpu = _VCPU.search(text)
    memory = _MEMORY_GB.search(text)
    if vcpu is None:
        return None
    if memory is not None:
        gb = float(memory.group(1))
    elif (megabytes := _MEMORY_MB.search(text)) is not None:
        gb = float(megabytes.group(1)) / 1024
    else:
        return None
    count = _COUNT.search(text)
    return float(vcpu.group(1)), gb, int(count.group(1)) if count else 1


def _money(amount: float) -> str:
    return f"${amount:,.2f}" if amount < 1 else f"${amount:,.0f}"


def _when(run: RunTime | None, text: str) -> str:
    """The run-time assumption in words, for the lead."""
    if run is None:
        return "running 24/7" if always_on(text) else "if it runs 24/7 (no run time given)"
    if run.per_run:
        return f"for one {run.said} run"
    return f"running {run.said} (~{run.hours:.3g} h a month)"


def fargate_estimate(text: str, pricing: Pricing) -> str | None:
    """The lead for a Fargate price question that names a size (mrkdwn, at most 300
    characters): the cost on Linux/x86 and ARM from the snapshot's us-east-1 rates (fact sheet;
    aws.amazon.com/fargate/pricing), for the run time the question states (a month of it, or one
    run when it says how long but not how often) or else 24/7, saying which; a size Fargate does
    not offer is priced as the next valid one, saying so. None when the question names no size,
    is not about Fargate's price, or the size is 0."""
    if not (_FARGATE.search(text) and _PRICE_WORDS.search(text)):
        return None
    found = sizing(text)
    if found is None:
        return None
    vcpu, memory_gb, count = found
    if vcpu <= 0 or memory_gb <= 0:
        return None
    size = f"{vcpu:g} vCPU and {memory_gb:g} GB"
    valid = fargate_task_size(vcpu, memory_gb)
    if valid is None:
        return (
            f"*{size} does not fit one Fargate task:* Linux tasks go up to "
            f"{FARGATE_MAX_VCPU:g} vCPU and {FARGATE_MAX_MEMORY_GB:g} GB. Use EC2 capacity "
            "(or ECS Managed Instances), or split the work over several tasks."
        )
    run = run_time(text)
    hours = run.hours if run is not None else HOURS_PER_MONTH
    task_vcpu, task_gb = valid
    try:
        answers = Answers(vcpu=task_vcpu, memory_gb=task_gb, count=count, hours_per_month=hours)
    except ValidationError:
        return None  # a count beyond what the estimate takes
    cost = monthly_cost(answers, pricing)
    if cost is None:
        return None
    x86, arm = (line.monthly for line in cost.lines[:2])
    if x86 is None or arm is None:
        return None
    tasks, times = ("one task", "") if count == 1 else (f"{count} tasks", f"{count} x ")
    priced_as = ""
    if valid != (vcpu, memory_gb):
        priced_as = f", priced as {task_vcpu:g} vCPU / {task_gb:g} GB, the next valid Fargate size,"
    rates = pricing.fargate.x86
    formula = (
        f": {times}{hours:.3g} h x ({task_vcpu:g} x ${rates.vcpu_hour} + "
        f"{task_gb:g} x ${rates.gb_hour})"
    )
    billing = "billed per second, 1-minute minimum"
    if run is not None and run.minimum_applied:
        billing = "each run billed as 1 minute, Fargate's minimum"
    head = f"*About {_money(x86)} {'a run' if run and run.per_run else 'a month'}*"
    body = f"{head} for {tasks} of {size} on Fargate (Linux/x86){priced_as} {_when(run, text)}"
    tail = (
        f"; on ARM about {_money(arm)}. {pricing.region}, {pricing.snapshot} snapshot; {billing}."
    )
    lead = f"{body}{formula}{tail}"
    # The arithmetic goes first when it is too long: the assumptions must stay.
    return lead if len(lead) <= MAX_LEAD_CHARS else f"{body}{tail}"
