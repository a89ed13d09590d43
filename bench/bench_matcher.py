"""Matcher speed and size: time per question, index build time and memory, beside rapidfuzz.

For the shipped knowledge base and synthetic ones (topics mixing the real vocabulary with
noise words), measures `Matcher.match` per question (median, p99), how long `Matcher(kb)`
takes to build and how much memory the index keeps, and the same for a bare
`rapidfuzz.process.extractOne` over the same phrasings (title, questions, keywords).

    python -m bench.bench_matcher --sizes 100,1000,10000 --out bench/results/matcher.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import queue
import random
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bench.load import QUESTIONS
from bench.procs import exit_on_sigterm
from bot.knowledge import (
    Entry,
    KnowledgeBase,
    Source,
    Topic,
    default_knowledge_dir,
    load_knowledge,
)
from bot.matching import Matcher

SOURCE = Source(
    title="Amazon ECS", url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
)


ENTRIES_PER_TOPIC = 4  # the shipped KB has about 8 per topic, with fewer questions each


def synthetic_kb(real: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """`size` topics, each with ENTRIES_PER_TOPIC precise entries, whose phrasings mix the
    real vocabulary with noise words."""
    rng = random.Random(seed)
    vocab = sorted({w for t in real for q in t.questions for w in q.lower().split()})
    noise = [f"term{i}" for i in range(size * 3)]

    def phrase() -> str:
        return " ".join(rng.sample(vocab, 4) + rng.sample(noise, 2))

    topics = {
        f"topic-{i}": Topic(
            id=f"topic-{i}",
            title=phrase(),
            questions=[phrase() for _ in range(8)],
            keywords=rng.sample(noise, 3),
            answer="Synthetic.",
            sources=[SOURCE],
            reviewed=dt.date(2026, 11, 26),
            entries=[
                Entry(
                    id=f"topic-{i}-entry-{n}",
                    questions=[phrase() for _ in range(3)],
                    answer="Synthetic fact.",
                )
                for n in range(ENTRIES_PER_TOPIC)
            ],
        )
        for i in range(size)
    }
    return KnowledgeBase(topics=topics, vocabulary=real.vocabulary)


def phrasings(kb: KnowledgeBase) -> list[str]:
    """Every phrasing the matcher indexes: each topic's title, questions and keywords, and
    each entry's questions and keywords."""
    entries = [p for _, e in kb.entries() for p in (*e.questions, *e.keywords)]
    return [*(p for t in kb for p in (t.title, *t.questions, *t.keywords)), *entries]


def questions_for(kb: KnowledgeBase, count: int, seed: int = 11) -> list[str]:
    """Real questions, plus phrasings of the KB's own topics with a word dropped."""
    rng = random.Random(seed)
    own = rng.sample(phrasings(kb), min(count, len(phrasings(kb))))
    return [*QUESTIONS, *(" ".join(p.split()[1:]) or p for p in own)]


def timed(work: Callable[[str], object], questions: list[str], repeat: int) -> list[float]:
    """Milliseconds per call of `work` for each question, `repeat` times over."""
    times = []
    for _ in range(repeat):
        for question in questions:
            start = time.perf_counter()
            work(question)
            times.append((time.perf_counter() - start) * 1000)
    return times


def built(build: Callable[[], object]) -> tuple[object, float, float]:
    """What `build()` returns, the seconds it took, and the MiB it keeps allocated."""
    gc.collect()
    start = time.perf_counter()
    build()
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    result = build()
    kept = (tracemalloc.get_traced_memory()[0] - before) / 2**20
    tracemalloc.stop()
    return result, seconds, kept


def measure(name: str, kb: KnowledgeBase, *, repeat: int, count: int) -> dict[str, Any]:
    """One knowledge base: the matcher and rapidfuzz, side by side."""
    questions = questions_for(kb, count)
    # Nothing kept: every pass reads each question anew, as a question never asked before is.
    matcher, build_s, build_mb = built(lambda: Matcher(kb, matches_kept=0))
    choices, fuzz_build_s, fuzz_mb = built(lambda: phrasings(kb))
    assert isinstance(matcher, Matcher) and isinstance(choices, list)
    match_ms = timed(matcher.match, questions, repeat)
    fuzz_ms = timed(
        lambda q: process.extractOne(q, choices, scorer=fuzz.WRatio), questions, max(1, repeat // 4)
    )
    row = {
        "kb": name,
        "topics": len(kb),
        "phrasings": len(choices),
        "questions": len(questions),
        "matcher": summary(match_ms) | {"build_s": build_s, "index_mb": build_mb},
        "rapidfuzz": summary(fuzz_ms) | {"build_s": fuzz_build_s, "index_mb": fuzz_mb},
    }
    print(json.dumps(row), flush=True)
    return row


def summary(times: list[float]) -> dict[str, float]:
    """Median and p99 of per-question milliseconds."""
    p99 = statistics.quantiles(times, n=100, method="inclusive")[98] if len(times) > 1 else times[0]
    return {"median_ms": statistics.median(times), "p99_ms": p99}


def _child(size: int, repeat: int, count: int, memory_gb: float, results: Any) -> None:
    """Measure one knowledge base (size 0: the shipped one) within `memory_gb` of memory."""
    limit = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    real = load_knowledge(default_knowledge_dir())
    if size == 0:
        results.put(measure("shipped", real, repeat=repeat, count=count))
    else:
        results.put(
            measure(f"synthetic {size:,}", synthetic_kb(real, size), repeat=repeat, count=count)
        )


def measured(
    size: int, repeat: int, count: int, *, seconds: float, memory_gb: float
) -> dict[str, Any]:
    """One knowledge base measured in a process of its own, stopped past `seconds` or
    `memory_gb`: then a row saying so instead of numbers."""
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    child = context.Process(target=_child, args=(size, repeat, count, memory_gb, results))
    child.start()
    child.join(seconds)
    if child.is_alive():
        child.kill()
        child.join()
    try:
        row: dict[str, Any] = results.get(timeout=1)
        return row
    except queue.Empty:
        pass
    reason = f"did not finish within {seconds:.0f} s and {memory_gb:g} GiB"
    print(json.dumps({"kb": f"synthetic {size:,}", "skipped": reason}), flush=True)
    return {"kb": f"synthetic {size:,}", "topics": size, "skipped": reason}


def main(argv: list[str]) -> int:
    """Measure the shipped KB and each synthetic size; write JSON. Never fails on a number."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=lambda s: [int(n) for n in s.split(",")], default=[100, 1000, 10000]
    )
    parser.add_argument("--repeat", type=int, default=20, help="passes over the questions")
    parser.add_argument("--questions", type=int, default=40, help="own phrasings asked per KB")
    parser.add_argument("--out", type=Path, default=Path("bench/results/matcher.json"))
    parser.add_argument("--seconds", type=float, default=240, help="per knowledge base")
    parser.add_argument("--memory-gb", type=float, default=4, help="per knowledge base")
    args = parser.parse_args(argv)
    limits = {"seconds": args.seconds, "memory_gb": args.memory_gb}
    rows = [measured(0, args.repeat, args.questions, **limits)]
    for size in args.sizes:
        repeat = max(2, args.repeat // (1 + size // 1000))
        rows.append(measured(size, repeat, args.questions, **limits))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    exit_on_sigterm()
    sys.exit(main(sys.argv[1:]))
