"""`ecsbot recommend`: JSON answers, the question list, clear errors, and the interactive run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.recommend import FACET_VALUES, QUESTION_COUNT, RECOMMENDATION_FILE, STEP_COUNT

EXIT_USAGE = 2


@pytest.fixture
def cli(rec_dir: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner pointed at a complete temporary knowledge directory."""
    monkeypatch.setenv("KNOWLEDGE_DIR", str(rec_dir))
    return CliRunner()


def _run(cli: CliRunner, *args: str, input: str | None = None) -> Result:
    return cli.invoke(main, ["recommend", *args], input=input)


def _answers(*pairs: str) -> list[str]:
    return [arg for pair in pairs for arg in ("--answer", pair)]


@pytest.mark.parametrize(
    ("pairs", "outcome"),
    [
        (("containerized=yes", "ops_team=none", "traffic=spiky", "priority=simplicity"), "ecs-fargate"),
        (("containerized=yes", "ops_team=dedicated", "traffic=steady", "priority=cost"), "ecs-ec2"),
        (("containerized=no", "host_control=yes"), "ec2"),
    ],
)  # fmt: skip
def test_json_answers_without_prompting(
    cli: CliRunner, pairs: tuple[str, ...], outcome: str
) -> None:
    """--json with --answer prints the documented object and asks nothing."""
    result = _run(cli, "--json", *_answers(*pairs))
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["outcome"] == outcome
    assert {"outcome", "scores", "reasons", "caveats", "monthly_cost"} <= data.keys()
    assert data["reasons"] and data["monthly_cost"] is None


def test_json_with_sizing_includes_monthly_cost(cli: CliRunner) -> None:
    """Sizing answers add the cost comparison with its snapshot date."""
    result = _run(cli, "--json", *_answers("vcpu=2", "memory_gb=4", "count=3"))
    cost = json.loads(result.stdout)["monthly_cost"]
    assert cost["snapshot"] == "2026-09" and cost["count"] == 3
    assert [line["monthly"] for line in cost["lines"]] == [216.24, 173.01, 178.7]


def test_json_alone_recommends_from_nothing(cli: CliRunner) -> None:
    """--json with no answers does not prompt; it gives the low-confidence default."""
    data = json.loads(_run(cli, "--json").stdout)
    assert data["outcome"] == "ecs-fargate"
    assert data["confidence"]["text"].startswith("Low confidence")


def test_questions_json_lists_facets_and_values(cli: CliRunner) -> None:
    """--questions --json gives every facet with its values, and the sizing fields."""
    data = json.loads(_run(cli, "--questions", "--json").stdout)
    assert {f["id"]: [v["value"] for v in f["values"]] for f in data["facets"]} == {
        f.value: list(values) for f, values in FACET_VALUES.items()
    }
    assert [s["id"] for s in data["sizing"]] == ["vcpu", "memory_gb", "count", "hours_per_month"]


def test_questions_text_lists_facets_and_values(cli: CliRunner) -> None:
    """--questions alone prints each facet, its question and values."""
    result = _run(cli, "--questions")
    assert result.exit_code == 0
    assert "ops_team: Who looks after servers" in result.stdout
    assert "  dedicated" in result.stdout


@pytest.mark.parametrize(
    ("pair", "listed"),
    [
        ("colour=blue", "valid facets: containerized, host_control, gpu, ops_team, traffic"),
        ("gpu=maybe", "valid values: yes, no"),
        ("ops_team=lots", "valid values: none, some, dedicated"),
        ("vcpu=many", "expected vCPUs per task or instance"),
        ("gpu", "expected FACET=VALUE"),
    ],
)
@pytest.mark.parametrize("as_json", [True, False])
def test_bad_answers_exit_2_listing_valid_ones(
    cli: CliRunner, pair: str, listed: str, as_json: bool
) -> None:
    """An unknown facet or value is a usage error (exit 2) naming what is valid."""
    result = _run(cli, *(["--json"] if as_json else []), "--answer", pair)
    assert result.exit_code == EXIT_USAGE
    assert listed in result.stderr
    assert result.stdout == ""


def test_answers_without_json_render_the_slack_blocks(cli: CliRunner) -> None:
    """Without --json the result is the Slack blocks rendered as text."""
    result = _run(cli, *_answers("containerized=no"))
    assert result.exit_code == 0, result.output
    assert "Recommendation: Plain EC2" in result.stdout
    assert "[Title of when-to-use-ec2]" in result.stdout


def test_interactive_run_asks_each_question(cli: CliRunner) -> None:
    """Typing answers (blank skips) gives the rendered recommendation with the cost."""
    typed = "yes\n\nno\nnone\nspiky\nsimplicity\n1\n2\n4\n\n"
    result = _run(cli, input=typed)
    assert result.exit_code == 0, result.output
    # The progress the Slack dialog shows: the optional size is the last of STEP_COUNT steps.
    assert f"1 of {STEP_COUNT}: Does the workload run in containers?" in result.stdout
    assert f"{QUESTION_COUNT} of {STEP_COUNT}: What matters most?" in result.stdout
    assert f"{STEP_COUNT} of {STEP_COUNT} (optional): size the workload" in result.stdout
    assert "Recommendation: ECS on Fargate" in result.stdout
    assert "Monthly cost in USD (4 x 1 vCPU / 2 GB, 730 h)" in result.stdout


def test_interactive_run_asks_again_after_a_bad_answer(cli: CliRunner) -> None:
    """A value that is not offered, or a bad number, is asked again."""
    typed = "maybe\nno\n\n\n\n\n\nlots\n\n\n"
    result = _run(cli, input=typed)
    assert result.exit_code == 0, result.output
    assert "'maybe' is not one of" in result.output
    assert "invalid value 'lots' for vcpu" in result.output
    assert "Recommendation: Plain EC2" in result.stdout


def test_interactive_run_can_skip_everything(cli: CliRunner) -> None:
    """Enter on every prompt skips it and still gives a recommendation."""
    result = _run(cli, input="\n" * 8)
    assert result.exit_code == 0, result.output
    assert "Low confidence" in result.stdout


def test_input_ending_before_the_last_question_says_what_to_do(cli: CliRunner) -> None:
    """Input that ends mid-way (EOF at the sizing step) stops with a clear line and exit 1,
    not click's bare "Aborted!"."""
    result = _run(cli, input="yes\n\nno\nnone\nspiky\nsimplicity\n1\n")
    assert result.exit_code == 1
    assert "Aborted!" not in result.output
    assert "nothing was recommended" in result.stderr and "--answer FACET=VALUE" in result.stderr
    assert "Recommendation:" not in result.stdout


def test_broken_config_exits_2_naming_the_problem(cli: CliRunner, rec_dir: Path) -> None:
    """A broken recommendation.yaml is reported with file and field, exit code 2."""
    path = rec_dir / RECOMMENDATION_FILE
    path.write_text(path.read_text().replace("tie_break:", "tie_breaker:"), encoding="utf-8")
    result = _run(cli, "--json")
    assert result.exit_code == EXIT_USAGE
    assert "field 'tie_breaker': unknown field" in result.stderr


def test_interactive_run_takes_an_options_number(cli: CliRunner) -> None:
    """Each option is listed with its number; typing the number picks it, an out-of-range
    number is asked again."""
    typed = "1\n\n9\n2\n\n\n\n\n\n"
    result = _run(cli, input=typed)
    assert result.exit_code == 0, result.output
    assert "  1) yes" in result.stdout and "  2) no" in result.stdout
    assert "'9' is not one of" in result.output
    assert "Recommendation:" in result.stdout
