"""Each bench script at tiny sizes, so `make bench` keeps working. No number is checked:
only that every request was answered and every table was written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import bench_http, bench_matcher, bench_replicas, bench_serve, report


def test_http_bench_answers_every_request(tmp_path: Path) -> None:
    """ecsbot serve and the bare apps, commands and mentions, at concurrency 1 and 5."""
    out = tmp_path / "http.json"
    assert (
        bench_http.main(
            ["--rounds", "1", "--concurrency", "1,5", "--scale", "0.02", "--out", str(out)]
        )
        == 0
    )
    results = json.loads(out.read_text())
    rounds = results["commands"] + results["mentions"]
    assert {r["target"] for r in rounds} == {
        "bare ack-only",
        "bare ack+respond",
        "bare mention",
        "ecsbot",
        bench_http.FRESH,
    }
    assert all(r["answered"] == r["requests"] and r["errors"] == 0 for r in rounds), rounds
    ours = [r for r in results["commands"] if r["target"].startswith("ecsbot")]
    assert ours and all(r["in_ack"] == r["requests"] for r in ours)


def test_matcher_bench_measures_each_size(tmp_path: Path) -> None:
    """The shipped knowledge base and one small synthetic one, matcher and rapidfuzz."""
    out = tmp_path / "matcher.json"
    argv = ["--sizes", "50", "--repeat", "1", "--questions", "5", "--out", str(out)]
    assert bench_matcher.main(argv) == 0
    rows = json.loads(out.read_text())
    assert [r["topics"] for r in rows][1:] == [50]
    assert all(r["matcher"]["index_mb"] > 0 for r in rows)


def test_serve_bench_starts_and_answers(tmp_path: Path) -> None:
    """One start of ecsbot serve and of a bare app, each answering a few questions."""
    out = tmp_path / "serve.json"
    assert bench_serve.main(["--starts", "1", "--answers", "5", "--out", str(out)]) == 0
    rows = json.loads(out.read_text())
    assert {r["app"] for r in rows} == {"ecsbot", "bare ack-only"}
    assert all(r["errors"] == 0 and r["rss_idle_mb"] > 0 for r in rows)


@pytest.mark.services
def test_replicas_bench_on_postgres_and_redis(tmp_path: Path) -> None:
    """One and two replicas sharing PostgreSQL and Redis answer every request."""
    out = tmp_path / "replicas.json"
    argv = ["--rounds", "1", "--concurrency", "4", "--scale", "1", "--out", str(out)]
    assert bench_replicas.main(argv) == 0
    results = json.loads(out.read_text())
    rounds = results["commands"] + results["mentions"]
    assert {r["target"] for r in rounds} == {"1 replica", "2 replicas"}
    assert all(r["answered"] == r["requests"] and r["errors"] == 0 for r in rounds), rounds


def test_report_writes_every_table_and_the_plot(tmp_path: Path) -> None:
    """From results like the scripts write: the markdown with each section, and a PNG."""
    results = tmp_path / "results"
    results.mkdir()
    http = {"target": "ecsbot", "concurrency": 1, "requests": 2, "answered": 2, "errors": 0}
    http |= {"missing": 0, "answers_per_s": 80.0, "p50_ack_ms": 11.0, "p99_ack_ms": 12.0}
    http |= {"lag_s": 0.0, "in_ack": 2, "cpu_ms_per_request": 0.5}
    base = {**http, "target": "bare ack+respond", "answers_per_s": 90.0}
    mention = {**http, "target": "bare mention"}
    (results / "http.json").write_text(
        json.dumps(
            {"commands": [http, base], "mentions": [http, mention], "sizes": {"1": 2}, "rounds": 1}
        )
    )
    speed = {"median_ms": 0.1, "p99_ms": 0.2, "build_s": 0.01, "index_mb": 1.0}
    matcher = {"kb": "shipped", "topics": 1, "phrasings": 3, "questions": 2}
    (results / "matcher.json").write_text(
        json.dumps([matcher | {"matcher": speed, "rapidfuzz": speed}])
    )
    argv = [
        "--results",
        str(results),
        "--out",
        str(tmp_path / "B.md"),
        "--plot",
        str(tmp_path / "p.png"),
    ]
    assert report.main(argv) == 0
    text = (tmp_path / "B.md").read_text()
    for heading in ("## Machine", "### Slash commands", "### app_mention", "## Matcher"):
        assert heading in text
    assert "ecsbot / bare ack+respond answers/s: 1: 0.89 x" in text
    assert (tmp_path / "p.png").read_bytes().startswith(b"\x89PNG")
