"""`ecsbot ask` and `ecsbot eval`: the matcher from a terminal (`ecsbot chat` is in chat.py)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

import click

from bot.answering import Answerer, Reply, is_thanks
from bot.blocks import render_blocks
from bot.cli.common import answerer
from bot.cli.group import main
from bot.matching import (
    MAX_QUESTION_CHARS,
    EvalFileError,
    Match,
    evaluate,
    read_cases,
    shortening_note,
)


def match_json(question: str, match: Match, lead: str | None = None) -> dict[str, Any]:
    """The JSON shape of one answer: question, topic, area (the broad topic it is filed under),
    title, entry, the lead shown first
    (`answer`, mrkdwn, at most 300 characters; `lead` when given), score, confident,
    suggestions."""
    answered = match.topic is not None and match.confident
    if answered and match.topic and lead is None:
        lead = match.topic.lead_for(match.entry)
    return {
        "question": question,
        "topic": match.topic.id if match.topic else None,
        "area": match.area,
        "title": match.topic.title if match.topic else None,
        "entry": match.entry.id if answered and match.entry else None,
        "answer": lead if answered else None,
        "score": match.score,
        "confident": match.confident,
        "suggestions": [{"topic": s.topic.id, "score": s.score} for s in match.suggestions],
    }


def reply_json(question: str, reply: Reply) -> dict[str, Any]:
    """`match_json` of the reply the bot gives, plus what kind of reply it is (`reply`:
    answer, guess, out_of_scope, help or thanks) and its plain text (`text`, what Slack's
    notification shows), so a greeting or a declined question is told apart."""
    match = reply.match
    if match is None:
        kind = "thanks" if is_thanks(question) else "help"
        shape = match_json(
            question, Match(question=question, topic=None, score=0.0, confident=False)
        )
    else:
        kind = "out_of_scope" if match.topic is None else "answer" if match.confident else "guess"
        shape = match_json(question, match, reply.lead)
    return {**shape, "reply": kind, "text": reply.text}


def _json_lines(stream: BinaryIO, bot: Answerer) -> int:
    """Answer one question per input line, in order; a line that is not UTF-8 gets an error."""
    failures = 0
    for number, raw in enumerate(stream, start=1):
        try:
            question = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            failures += 1
            message = f"line {number} is not valid UTF-8 (byte {exc.start})"
            click.echo(f"error: {message}", err=True)
            click.echo(json.dumps({"question": None, "error": message}))
            continue
        click.echo(json.dumps(reply_json(question, bot.reply(question))))
    return failures


@main.command()
@click.argument("question", nargs=-1)
@click.option(
    "--json", "as_json", is_flag=True, help="One JSON object; with '-', one per stdin line."
)
def ask(question: tuple[str, ...], as_json: bool) -> None:
    """Answer QUESTION ('-' reads questions from standard input, one per line)."""
    bot = answerer()
    text = " ".join(question)
    if text == "-":
        if not as_json:
            raise click.UsageError("reading questions from stdin ('-') needs --json")
        if _json_lines(sys.stdin.buffer, bot):
            raise click.exceptions.Exit(1)
        return
    if as_json:
        click.echo(json.dumps(reply_json(text, bot.reply(text))))
        return
    if len(text) > MAX_QUESTION_CHARS:
        click.echo(
            f"note: your question was long; only {shortening_note()} were read.",
            err=True,
        )
    reply = bot.reply(text)
    click.echo(render_blocks(reply.blocks))
    if reply.match is not None and reply.match.confident and reply.match.suggestions:
        titles = "; ".join(s.topic.title for s in reply.match.suggestions)
        click.echo(f"\nAlso close: {titles}")


@main.command("eval")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--min", "minimum", type=click.FloatRange(0, 1), default=None, help="Exit 1 below this."
)
@click.option("--quiet", is_flag=True, help="Scores only, no list of misses.")
def eval_command(files: tuple[Path, ...], minimum: float | None, quiet: bool) -> None:
    """Score matching on JSONL files of labelled questions, each set on its own."""
    matcher = answerer().matcher
    below = False
    for file in files:
        try:
            cases = read_cases(file)
        except EvalFileError as exc:
            raise click.ClickException(str(exc)) from None
        report = evaluate(matcher, cases)
        if len(files) > 1:
            click.echo(f"== {file}")
        if not quiet:
            for miss in report.misses:
                expected = miss.expected or "no topic"
                click.echo(
                    f"miss ({miss.why}): {miss.question!r} expected {expected} got {miss.got}"
                )
        click.echo(f"in-scope top-1: {report.top1:.3f} ({report.in_scope_hits}/{report.in_scope})")
        if report.topic_hits != report.in_scope_hits:
            click.echo(
                f"  of which the answering topic itself: {report.topic_top1:.3f} "
                f"({report.topic_hits}/{report.in_scope})"
            )
        click.echo(
            f"out-of-scope rejection: {report.rejection:.3f} "
            f"({report.rejections}/{report.out_of_scope})"
        )
        if report.entry_cases:
            click.echo(
                f"entry top-1: {report.entry_top1:.3f} ({report.entry_hits}/{report.entry_cases})"
            )
        if report.fact_cases:
            click.echo(
                f"lead states the fact: {report.facts_stated:.3f} "
                f"({report.fact_hits}/{report.fact_cases})"
            )
        scores = [report.top1, report.rejection]
        below = below or (minimum is not None and min(scores) < minimum)
    if below:
        raise click.exceptions.Exit(1)
