"""BENCHMARKS.md from the JSON the bench scripts wrote, with a PNG of throughput and p99 ack.

python -m bench.report --results bench/results --out BENCHMARKS.md --plot bench/throughput.png
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.bench_http import FRESH, medians

PACKAGES = (
    "slack-bolt",
    "slack-sdk",
    "aiohttp",
    "SQLAlchemy",
    "psycopg",
    "redis",
    "rapidfuzz",
    "pydantic",
    "matplotlib",
)
NOTES = Path(__file__).with_name("notes.md")


def machine() -> dict[str, Any]:
    """CPU model, cores, load, Python and package versions of this machine."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load": os.getloadavg(),
        "python": platform.python_version(),
        "os": platform.platform(),
        "packages": versions,
    }


def _fmt(value: float, digits: int = 0) -> str:
    return f"{value:,.{digits}f}"


def machine_section(info: dict[str, Any]) -> list[str]:
    """The machine the numbers were taken on."""
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    load = " / ".join(f"{x:.1f}" for x in info["load"])
    return [
        "## Machine",
        "",
        f"- CPU: {info['cpu']}, {info['cores']} cores",
        f"- Load average when the report was written (1/5/15 min): {load}",
        f"- Python {info['python']} on {info['os']}",
        f"- {packages}",
        "",
    ]


HTTP_HEAD = [
    "| concurrent | app | answers/s | p50 ack ms | p99 ack ms | server CPU ms/answer | errors |",
    "|---:|---|---:|---:|---:|---:|---:|",
]


def http_rows(rounds: list[dict[str, Any]], order: list[str]) -> list[str]:
    """One table row per concurrency and app, medians over the rounds."""
    found = medians(rounds)
    rows = []
    for concurrency in sorted({c for _, c in found}):
        for target in order:
            m = found.get((target, concurrency))
            if m is None:
                continue
            rows.append(
                f"| {concurrency} | {target} | {_fmt(m['answers_per_s'])} | "
                f"{_fmt(m['p50_ack_ms'], 1)} | {_fmt(m['p99_ack_ms'], 1)} | "
                f"{_fmt(m['cpu_ms_per_request'], 2)} | {m['errors']} |"
            )
    return rows


def ratios(rounds: list[dict[str, Any]], ours: str, base: str) -> list[str]:
    """ecsbot's answers/s over the baseline's, per concurrency, from the medians."""
    found = medians(rounds)
    parts = []
    for concurrency in sorted({c for _, c in found}):
        a, b = found.get((ours, concurrency)), found.get((base, concurrency))
        if a and b and b["answers_per_s"]:
            parts.append(f"{concurrency}: {a['answers_per_s'] / b['answers_per_s']:.2f} x")
    return parts


def in_ack(rounds: list[dict[str, Any]]) -> str:
    """How many of ecsbot's replies rode in the ack itself, per concurrency."""
    counts: dict[int, list[int]] = {}
    for r in rounds:
        if r["target"].startswith("ecsbot"):
            total = counts.setdefault(r["concurrency"], [0, 0])
            total[0] += r["in_ack"]
            total[1] += r["requests"]
    parts = [f"{c}: {n:,} of {total:,}" for c, (n, total) in sorted(counts.items())]
    return "ecsbot replies carried in the ack itself (the rest went to response_url): " + (
        ", ".join(parts)
    )


def http_section(http: dict[str, Any]) -> list[str]:
    """Slash commands and mentions, ecsbot beside the bare apps."""
    sizes = ", ".join(f"{n:,} at {c}" for c, n in http["sizes"].items())
    commands = ["bare ack-only", "bare ack+respond", "ecsbot", FRESH]
    return [
        "## Answers under load (`bench/bench_http.py`)",
        "",
        f"Medians of {http['rounds']} rounds per row, the apps alternating round by round "
        f"in one run; requests per round: {sizes}. Closed loop on the ack; an answer counts "
        "when it arrives (in the ack, at response_url, or as chat.postMessage at the "
        "stand-in); answers/s = answers / (first request .. last answer). Server CPU is the "
        "user+system time of the server process (all threads) per request: the steadier "
        "number when other work shares the cores.",
        "",
        "The load asks eight questions over and over. `ecsbot` keeps the matcher's verdicts "
        "for questions asked again (MATCHES_KEPT, 4,096 by default), so its rows are the cost "
        f"of a question seen before; `{FRESH}` is the same server with MATCHES_KEPT=0, every "
        "question matched anew: the cost of a question never asked before.",
        "",
        "### Slash commands",
        "",
        *HTTP_HEAD,
        *http_rows(http["commands"], commands),
        "",
        "ecsbot / bare ack+respond answers/s: "
        + ", ".join(ratios(http["commands"], "ecsbot", "bare ack+respond")),
        "",
        f"{FRESH} / bare ack+respond answers/s: "
        + ", ".join(ratios(http["commands"], FRESH, "bare ack+respond")),
        "",
        in_ack(http["commands"]),
        "",
        "### app_mention (event in, chat.postMessage at the stand-in)",
        "",
        *HTTP_HEAD,
        *http_rows(http["mentions"], ["bare mention", "ecsbot", FRESH]),
        "",
        "ecsbot / bare mention answers/s: "
        + ", ".join(ratios(http["mentions"], "ecsbot", "bare mention")),
        "",
        f"{FRESH} / bare mention answers/s: "
        + ", ".join(ratios(http["mentions"], FRESH, "bare mention")),
        "",
    ]


def matcher_section(rows: list[dict[str, Any]]) -> list[str]:
    """Matcher beside rapidfuzz.process.extractOne per knowledge base."""
    lines = [
        "## Matcher (`bench/bench_matcher.py`)",
        "",
        "Per question: the shipped questions of the load test plus the KB's own phrasings with "
        "a word dropped, each matched anew (the matcher keeps no verdicts here). Index memory is what building keeps allocated (tracemalloc); "
        "rapidfuzz's index is the list of phrasings (their strings belong to the KB).",
        "",
        "| knowledge base | topics | phrasings | matcher median ms | matcher p99 ms | "
        "build s | index MiB | extractOne median ms | extractOne p99 ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['kb']} | {r['topics']:,} | | {r['skipped']} | | | | | |")
            continue
        m, f = r["matcher"], r["rapidfuzz"]
        lines.append(
            f"| {r['kb']} | {r['topics']:,} | {r['phrasings']:,} | {m['median_ms']:.3f} | "
            f"{m['p99_ms']:.3f} | {m['build_s']:.3f} | {m['index_mb']:.1f} | "
            f"{f['median_ms']:.3f} | {f['p99_ms']:.3f} |"
        )
    return [*lines, ""]


def serve_section(rows: list[dict[str, Any]]) -> list[str]:
    """Start-up time and RSS."""
    lines = [
        "## Start-up and memory (`bench/bench_serve.py`)",
        "",
        "From spawning the process (SQLite created and migrated, shipped knowledge base "
        "loaded and indexed) to its first accepted connection and first answer; RSS idle "
        "after start and after a burst of answers. Medians of the starts.",
        "",
        "| app | starts | listening s | first answer s | RSS idle MiB | RSS after answers MiB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['app']} | {r['starts']} | {r['listening_s']:.2f} | {r['first_answer_s']:.2f} "
            f"| {r['rss_idle_mb']:.0f} | {r['rss_loaded_mb']:.0f} (after {r['answers']:,}) |"
        )
    return [*lines, ""]


def replicas_section(results: dict[str, Any]) -> list[str]:
    """One replica against two, on PostgreSQL and Redis."""
    return [
        "## Replicas on PostgreSQL and Redis (`bench/bench_replicas.py`)",
        "",
        "Each set on its own PostgreSQL schema and Redis prefix; the load generator spreads "
        "its workers over the replicas. Server CPU is summed over the replicas. On two cores "
        "shared by the load generator, the stand-in and the replicas, a second replica has no "
        "core of its own: this shows what sharing PostgreSQL and Redis costs, not scaling.",
        "",
        "### Slash commands",
        "",
        *HTTP_HEAD,
        *http_rows(results["commands"], ["1 replica", "2 replicas"]),
        "",
        "### app_mention",
        "",
        *HTTP_HEAD,
        *http_rows(results["mentions"], ["1 replica", "2 replicas"]),
        "",
    ]


def plot(http: dict[str, Any], path: Path) -> None:
    """Answers/s and p99 ack against concurrency, ecsbot and the baselines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    command_targets = ("bare ack-only", "bare ack+respond", "ecsbot", FRESH)
    series = [("commands", t, "-") for t in command_targets] + [
        ("mentions", t, "--") for t in ("bare mention", "ecsbot", FRESH)
    ]
    for kind, target, style in series:
        found = medians(http[kind])
        xs = sorted(c for t, c in found if t == target)
        label = f"{target} ({'command' if kind == 'commands' else 'app_mention'})"
        left.plot(
            xs, [found[(target, c)]["answers_per_s"] for c in xs], style, marker="o", label=label
        )
        right.plot(
            xs, [found[(target, c)]["p99_ack_ms"] for c in xs], style, marker="o", label=label
        )
    for axis, title in ((left, "answers per second"), (right, "p99 ack (ms)")):
        axis.set_xscale("log")
        axis.set_xlabel("concurrent requests")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    right.axhline(100, color="grey", linewidth=0.8, linestyle=":")
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def load(results: Path, name: str) -> Any:
    """One script's JSON, or None when it did not run."""
    path = results / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main(argv: list[str]) -> int:
    """Write the report (and the plot) from whatever results there are."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, default=Path("bench/results"))
    parser.add_argument("--out", type=Path, default=Path("BENCHMARKS.md"))
    parser.add_argument("--plot", type=Path, default=Path("bench/throughput.png"))
    args = parser.parse_args(argv)
    lines = ["# Benchmarks", "", "Written by `make bench` (bench/); rerun it to refresh.", ""]
    lines += machine_section(machine())
    http = load(args.results, "http")
    if http:
        plot(http, args.plot)
        rel = os.path.relpath(args.plot, args.out.parent)
        image = f"![answers/s and p99 ack against concurrency]({rel})"
        lines += [*http_section(http), image, ""]
    if matcher := load(args.results, "matcher"):
        lines += matcher_section(matcher)
    if serve := load(args.results, "serve"):
        lines += serve_section(serve)
    if replicas := load(args.results, "replicas"):
        lines += replicas_section(replicas)
    if NOTES.exists():
        lines += [NOTES.read_text(encoding="utf-8").rstrip(), ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
