"""The ecsbot CLI through click's runner: ask, ask --json, stdin batches, eval, chat, kb."""

from __future__ import annotations

import gc
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.cli.common import answerer, serving_answerer, settle_heap
from bot.knowledge import default_knowledge_dir, load_knowledge
from bot.matching import Matcher
from bot.matching.matcher import MATCHES_KEPT
from bot.recommend import load_pricing
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def fresh_answerer() -> None:
    """Each test reads the knowledge directory its environment points at."""
    answerer.cache_clear()


def run(*args: str, input: str | bytes | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Invoke `ecsbot` in-process."""
    return CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)


def test_ask_prints_the_rendered_answer() -> None:
    """`ecsbot ask` prints title, answer and sources in the terminal."""
    result = run("ask", "how is fargate billed?")
    assert result.exit_code == 0
    assert "Sources:" in result.output
    assert "https://" in result.output


def test_ask_json_shape() -> None:
    """`ask --json` prints one object with the documented keys."""
    result = run("ask", "--json", "whats fargate")
    data = json.loads(result.output)
    assert set(data) == {
        "question",
        "topic",
        "area",
        "title",
        "entry",
        "answer",
        "score",
        "confident",
        "suggestions",
        "reply",
        "text",
    }
    assert data["topic"] == data["area"] == "fargate"
    assert data["answer"] and len(data["answer"]) <= 300
    assert all(set(s) == {"topic", "score"} for s in data["suggestions"])


def test_ask_json_out_of_scope_is_null() -> None:
    """An out-of-scope question has a null topic."""
    data = json.loads(run("ask", "--json", "where is the coffee machine").output)
    assert data["topic"] is None
    assert data["title"] is None


@pytest.mark.parametrize(
    ("question", "kind", "text"),
    [
        ("thanks!", "thanks", "You're welcome"),
        ("hello", "help", "Ask me about Amazon ECS vs Amazon EC2"),
        ("how do i create an s3 bucket", "out_of_scope", "I don't cover that"),
        ("how long does a fargate task take to start", "guess", "Did you mean"),
        ("how is fargate billed?", "answer", "Per second"),
        ("fargate 8 vcpu 30gb runs ~40 min nightly how much", "answer", "About $9 a month"),
    ],
)
def test_ask_json_says_what_kind_of_reply_it_is(question: str, kind: str, text: str) -> None:
    """`reply` tells a greeting, a thank-you, a declined question, a guess and an answer
    apart; `text` is the reply's plain text, as a notification shows it (an estimate too)."""
    data = json.loads(run("ask", "--json", question).output)
    assert data["reply"] == kind
    assert text in data["text"]


def test_ask_json_stdin_keeps_order() -> None:
    """`ask --json -` answers one line per question, in input order."""
    questions = ["how is fargate billed", "hello", "what is ecs anywhere"] * 400
    result = run("ask", "--json", "-", input="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [d["question"] for d in lines] == questions
    assert lines[1]["topic"] is None
    assert lines[2]["topic"] == "ecs-anywhere"


def test_ask_stdin_not_utf8_is_a_clear_error() -> None:
    """A line that is not UTF-8 gets an error object and message; the other lines are answered."""
    result = CliRunner().invoke(
        main, ["ask", "--json", "-"], input=b"what is fargate\n\xff\xfe bad\nhello\n"
    )
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3
    assert lines[0]["topic"] == "fargate"
    assert "not valid UTF-8" in lines[1]["error"]
    assert "line 2" in result.stderr
    assert "Traceback" not in result.output


def test_ask_empty_question_shows_help() -> None:
    """An empty question gets usage, not an error."""
    result = run("ask", "")
    assert result.exit_code == 0
    assert "how to ask" in result.output


def test_ask_huge_question_is_truncated_with_note() -> None:
    """A 100 kB question is truncated and the user told so."""
    result = run("ask", "fargate pricing " * 6400)
    assert result.exit_code == 0
    assert "only its first 1,000 and last 3,000 characters were read" in result.stderr


def test_eval_reports_scores_and_misses(tmp_path: Path) -> None:
    """`ecsbot eval` prints both scores and each miss, and exits 1 under --min."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"q": "what is fargate", "expect": ["fargate"]}\n'
        '{"q": "what is fargate", "expect": ["gpu"]}\n'
        '{"q": "hello", "expect": []}\n'
    )
    result = run("eval", str(cases), "--min", "0.9")
    assert result.exit_code == 1
    assert "in-scope top-1: 0.500 (1/2)" in result.output
    assert "out-of-scope rejection: 1.000 (1/1)" in result.output
    assert "miss (topic): 'what is fargate' expected ['gpu'] got fargate" in result.output


def test_eval_counts_a_finer_topic_filed_under_the_expected_one(tmp_path: Path) -> None:
    """A Managed Instances billing answer is filed under cost: a set labelled with the 26
    required ids counts it, and the score of the answering topic alone is shown beside."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text(
        '{"q": "how are ecs managed instances billed", "expect": ["cost"]}\n'
        '{"q": "how are ecs managed instances billed", "expect": ["managed-instances"]}\n'
        '{"q": "how are ecs managed instances billed", "expect": ["gpu"]}\n'
    )
    result = run("eval", str(cases))
    assert "in-scope top-1: 0.667 (2/3)" in result.output
    assert "of which the answering topic itself: 0.333 (1/3)" in result.output
    assert "expected ['gpu'] got managed-instances (within cost)" in result.output
    answer = json.loads(run("ask", "--json", "how are ecs managed instances billed").output)
    assert (answer["topic"], answer["area"]) == ("managed-instances", "cost")


def test_eval_bad_line_names_the_line(tmp_path: Path) -> None:
    """A malformed evaluation file fails with the line number, no traceback."""
    cases = tmp_path / "cases.jsonl"
    cases.write_text('{"q": "ok", "expect": []}\nnot json\n')
    result = CliRunner().invoke(main, ["eval", str(cases)])
    assert result.exit_code == 1
    assert "cases.jsonl:2" in result.output
    assert "Traceback" not in result.output


def test_chat_answers_until_quit() -> None:
    """`ecsbot chat` answers each line and stops at 'quit'."""
    result = run("chat", input="what is ecs anywhere\nquit\nhow is fargate billed\n")
    assert result.exit_code == 0
    assert result.output.count("you> ") == 2
    assert "Anywhere" in result.output


def test_chat_stops_at_eof() -> None:
    """`ecsbot chat` ends cleanly at end of input."""
    result = run("chat", input="what is the wifi password\n")
    assert result.exit_code == 0
    assert "I don't cover" in result.output


def test_kb_validate_lists_every_problem(tiny_kb_dir: Path) -> None:
    """`kb validate DIR` prints each problem and exits 1."""
    (tiny_kb_dir / "topics" / "alpha.yaml").write_text("id: alpha\n")
    (tiny_kb_dir / "topics" / "beta.yaml").write_text("id: [\n")
    result = run("kb", "validate", str(tiny_kb_dir))
    assert result.exit_code == 1
    assert result.output.count("error:") >= 2
    assert "alpha.yaml" in result.output and "beta.yaml" in result.output


def test_kb_validate_ok_on_shipped_kb() -> None:
    """The shipped knowledge base validates."""
    result = run("kb", "validate")
    assert result.exit_code == 0
    assert "26 topics" in result.output or "topics in" in result.output


def test_kb_list_and_bad_knowledge_dir(tiny_kb_dir: Path) -> None:
    """`kb list` lists topics; a broken KNOWLEDGE_DIR is a clear error with exit code 2."""
    assert "alpha" in run("kb", "list", env={"KNOWLEDGE_DIR": str(tiny_kb_dir)}).output
    (tiny_kb_dir / "topics" / "alpha.yaml").write_text("id: alpha\n")
    result = CliRunner().invoke(main, ["ask", "x"], env={"KNOWLEDGE_DIR": str(tiny_kb_dir)})
    assert result.exit_code == 2
    assert "missing field" in result.stderr


def test_kb_validate_checks_recommendation_and_pricing(tmp_path: Path) -> None:
    """`kb validate` also reports problems in pricing.yaml and recommendation.yaml."""
    import shutil

    from bot.knowledge import default_knowledge_dir

    copy = tmp_path / "knowledge"
    shutil.copytree(default_knowledge_dir(), copy)
    pricing = copy / "pricing.yaml"
    pricing.write_text(pricing.read_text().replace("snapshot:", "snapshott:", 1))
    result = run("kb", "validate", str(copy))
    assert result.exit_code == 1
    assert "pricing.yaml, field 'snapshot': missing field" in result.output
    assert "pricing.yaml, field 'snapshott': unknown field" in result.output


def test_bad_configuration_names_the_variable() -> None:
    """A malformed setting is one clear line naming the variable, exit code 2."""
    result = CliRunner().invoke(main, ["kb", "list"], env={"LOG_LEVEL": "LOUD"})
    assert result.exit_code == 2
    assert result.stderr.startswith("configuration error: LOG_LEVEL")
    assert "Traceback" not in result.output


def test_ask_names_close_topics_after_a_confident_answer() -> None:
    """A confident answer that has runners-up lists them after the answer."""
    from bot.cli.common import answerer as cached

    match = cached().match("fargate pricing and spot")
    assert match.confident and match.suggestions
    result = run("ask", "fargate pricing and spot")
    assert f"Also close: {match.suggestions[0].topic.title}" in result.output


def test_ask_json_names_the_entry_and_its_fact_first() -> None:
    """A precise question names its entry, and `answer` is that entry's short answer."""
    data = json.loads(run("ask", "--json", "what's the max memory for a fargate task?").output)
    assert data["topic"] == "fargate"
    assert data["entry"] == "fargate-task-size-limits"
    assert "120 GB" in data["answer"]


def test_ask_json_broad_question_gets_the_topic_lead() -> None:
    """A broad question has no entry; `answer` is the topic's lead."""
    data = json.loads(run("ask", "--json", "tell me about fargate").output)
    assert data["topic"] == "fargate" and data["entry"] is None
    assert data["answer"] and len(data["answer"]) <= 300


def test_servers_keep_the_configured_number_of_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """MATCHES_KEPT sets how many verdicts `serve` and `playground` keep for questions asked
    again (default: the matcher's own); 0 keeps none, and a negative number is refused."""
    pricing = load_pricing(default_knowledge_dir())
    assert load_settings().matches_kept == MATCHES_KEPT
    monkeypatch.setenv("MATCHES_KEPT", "0")
    answerer = serving_answerer(load_settings(), pricing)
    question = "how is fargate billed?"
    assert answerer.matcher.match(question) is not answerer.matcher.match(question)
    monkeypatch.setenv("MATCHES_KEPT", "16")
    answerer = serving_answerer(load_settings(), pricing)
    assert answerer.matcher.match(question) is answerer.matcher.match(question)
    monkeypatch.setenv("MATCHES_KEPT", "-1")
    with pytest.raises(SettingsError, match=r"(?i)matches_kept"):
        load_settings()


def test_settle_heap_moves_start_up_objects_out_of_the_collectors_way() -> None:
    """After start-up, what was built (the knowledge base, the matcher) is frozen: full
    collections no longer walk it (the autouse fixture unfreezes it again)."""
    built = Matcher(load_knowledge(default_knowledge_dir()))
    settle_heap()
    assert gc.get_freeze_count() > 0
    assert not any(obj is built for obj in gc.get_objects())
