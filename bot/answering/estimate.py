"""A Fargate price for the size a question names ("what does a 4 vcpu 8gb fargate task cost?").

The knowledge base's price entries give one worked example (1 vCPU, 2 GB). When a question about
Fargate's price names its own vCPU and memory, the answer leads with that size's monthly cost,
computed from the dated price snapshot (knowledge/pricing.yaml), not with the example's.
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from bot.recommend import Answers, Pricing, monthly_cost
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
HOURS_PER_MONTH = 730.0


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


def fargate_estimate(text: str, pricing: Pricing) -> str | None:
    """The lead for a Fargate price question that names a size (mrkdwn, under 300 characters):
    that size's monthly cost running 24/7 on Linux/x86 and ARM, from the snapshot's us-east-1
    rates (fact sheet; aws.amazon.com/fargate/pricing). None when the question names no size,
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
    if vcpu > FARGATE_MAX_VCPU or memory_gb > FARGATE_MAX_MEMORY_GB:
        return (
            f"*{size} does not fit one Fargate task:* Linux tasks go up to "
            f"{FARGATE_MAX_VCPU:g} vCPU and {FARGATE_MAX_MEMORY_GB:g} GB. Use EC2 capacity "
            "(or ECS Managed Instances), or split the work over several tasks."
        )
    try:
        answers = Answers(
            vcpu=vcpu, memory_gb=memory_gb, count=count, hours_per_month=HOURS_PER_MONTH
        )
    except ValidationError:
        return None  # a count beyond what the estimate takes
    cost = monthly_cost(answers, pricing)
    if cost is None:
        return None
    x86, arm = (line.monthly for line in cost.lines[:2])
    if x86 is None or arm is None:
        return None
    tasks, times = ("one task", "") if count == 1 else (f"{count} tasks", f"{count} x ")
    return (
        f"*About ${x86:,.0f} a month* for {tasks} of {size} on Fargate (Linux/x86) running "
        f"24/7: {times}{HOURS_PER_MONTH:g} h x ({vcpu:g} x ${pricing.fargate.x86.vcpu_hour} + "
        f"{memory_gb:g} x ${pricing.fargate.x86.gb_hour}); on ARM about ${arm:,.0f}. "
        f"{pricing.region} rates, {pricing.snapshot} snapshot; Fargate bills per second."
    )
