"""Matcher speed: index build time and median match time, on the shipped and a 2,000-topic KB.

Goals (issue #2): median under 1 ms per question on the shipped knowledge base, under 10 ms on
a synthetic 2,000-topic one; the index builds in under 1 s (both). Run with `make bench`.
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import time

from bot.knowledge import KnowledgeBase, Source, Topic, default_knowledge_dir, load_knowledge
from bot.matching import Matcher

QUESTIONS = [
    "how is fargate billed?",
    "<@U0LAN0Z89> can ecs autoscale?",
    "whats the diffrence between ecs and ec2 :thinking_face:",
    "we run a django monolith on two ec2 boxes and want containers next quarter, "
    "would fargate cost more than what we pay now?",
    "who patches the ami on ecs",
    "how do I create an S3 bucket",
    "hello",
    "qwertyuiop",
    "blue/green deploys on ecs with codedeploy",
    "gpu containers for inference",
]


def synthetic_kb(real: KnowledgeBase, size: int, seed: int = 7) -> KnowledgeBase:
    """A knowledge base of `size` topics whose phrasings mix the real vocabulary with noise words."""
    rng = random.Random(seed)
    vocab = sorted({w for t in real for q in t.questions for w in q.lower().split()})
    noise = [f"term{i}" for i in range(size * 3)]
    source = Source(
        title="Amazon ECS", url="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
    )
    topics = {}
    for i in range(size):

        def phrase() -> str:
            return " ".join(rng.sample(vocab, 4) + rng.sample(noise, 2))

        topics[f"topic-{i}"] = Topic(
            id=f"topic-{i}",
            title=phrase(),
            questions=[phrase() for _ in range(8)],
            keywords=rng.sample(noise, 3),
            answer="Synthetic.",
            sources=[source],
            reviewed=dt.date(2026, 11, 26),
        )
    return KnowledgeBase(topics=topics, vocabulary=real.vocabulary)


def measure(name: str, kb: KnowledgeBase, rounds: int) -> tuple[float, float]:
    """Print and return (build seconds, median milliseconds per question)."""
    start = time.perf_counter()
    matcher = Matcher(kb)
    build = time.perf_counter() - start
    timings = []
    for _ in range(rounds):
        for question in QUESTIONS:
            t0 = time.perf_counter()
            matcher.match(question)
            timings.append((time.perf_counter() - t0) * 1000)
    median = statistics.median(timings)
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(
        f"{name:<22} topics={len(kb):>5} build={build:.3f}s median={median:.3f}ms p95={p95:.3f}ms"
    )
    return build, median


def main() -> int:
    """Run both measurements and exit 1 when a goal is missed."""
    real = load_knowledge(default_knowledge_dir())
    build, median = measure("shipped knowledge base", real, rounds=200)
    big_build, big_median = measure("synthetic 2,000 topics", synthetic_kb(real, 2000), rounds=20)
    ok = build < 1 and median < 1 and big_build < 1 and big_median < 10
    print("goals met" if ok else "GOALS MISSED", f"(synthetic build {big_build:.2f}s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
