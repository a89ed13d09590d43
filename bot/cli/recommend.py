"""`ecsbot recommend`: the "Help me choose" questions in a terminal, or answered with --answer."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from bot.blocks import build_recommendation, render_blocks
from bot.cli.common import knowledge_or_exit, settings_or_exit
from bot.cli.group import main
from bot.knowledge import KnowledgeErrors
from bot.recommend import (
    FACET_VALUES,
    SIZE_STEP,
    SIZING_FIELDS,
    SIZING_HELP,
    SIZING_LABELS,
    AnswerError,
    Answers,
    Facet,
    Pricing,
    Recommendation,
    RecommendationConfig,
    check_answer,
    load_pricing,
    load_recommendation_config,
    parse_answers,
    progress,
    recommend,
)

SKIP = "skip"


class SizingNumber(click.ParamType["str | None", Any]):
    """A sizing answer typed at a prompt: blank skips it, anything else must be valid."""

    name = "number"

    def __init__(self, field: str) -> None:
        self.field = field

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> str | None:
        """The text as typed (None when blank), or a prompt-again error naming the valid range."""
        text = str(value).strip()
        if not text:
            return None
        try:
            check_answer(self.field, text)
        except AnswerError as exc:
            self.fail(str(exc), param, ctx)
        return text


def _load_or_exit(directory: Path) -> tuple[RecommendationConfig, Pricing]:
    try:
        return load_recommendation_config(directory), load_pricing(directory)
    except KnowledgeErrors as exc:
        for error in exc.errors:
            click.echo(f"error: {error}", err=True)
        raise click.exceptions.Exit(2) from None


def _questions_json(config: RecommendationConfig) -> dict[str, Any]:
    facets = [
        {
            "id": facet.value,
            "question": config.facet(facet).question,
            "help": config.facet(facet).help,
            "values": [{"value": o.value, "label": o.label} for o in config.facet(facet).options],
        }
        for facet in Facet
    ]
    sizing = [{"id": f, "label": SIZING_LABELS[f], "help": SIZING_HELP[f]} for f in SIZING_FIELDS]
    return {"facets": facets, "sizing": sizing}


def _print_questions(config: RecommendationConfig) -> None:
    for facet in Facet:
        click.echo(f"{facet.value}: {config.facet(facet).question}")
        for option in config.facet(facet).options:
            click.echo(f"  {option.value:<12} {option.label}")
    click.echo("optional sizing: " + ", ".join(f"{f} ({SIZING_HELP[f]})" for f in SIZING_FIELDS))


def _ask_facet(config: RecommendationConfig, facet: Facet, number: int) -> str | None:
    words = config.facet(facet)
    click.echo(f"\n{progress(number - 1)}: {words.question}\n  {words.help}")
    for index, option in enumerate(words.options, start=1):
        click.echo(f"  {index}) {option.value:<12} {option.label}")
    values = [option.value for option in words.options]
    choice = _NumberedChoice(values, FACET_VALUES[facet])
    value: str = click.prompt(
        f"Your answer (1-{len(values)} or a value)", type=choice, default=SKIP
    )
    return None if value == SKIP else value


class _NumberedChoice(click.ParamType[str]):
    """An option picked by its number in the list shown, or by its value; SKIP skips."""

    name = "choice"

    def __init__(self, shown: list[str], allowed: Iterable[str]) -> None:
        self._shown = shown
        self._choice = click.Choice([*allowed, SKIP])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """The option's value for "2" (the second shown) or for the value itself."""
        text = str(value).strip()
        if text.isdigit() and 1 <= int(text) <= len(self._shown):
            return self._shown[int(text) - 1]
        return self._choice.convert(text, param, ctx)


def _ask_sizing(fields: tuple[str, ...]) -> dict[str, str]:
    answers = {}
    for field in fields:
        label = f"{SIZING_LABELS[field]} (blank to skip)"
        value = click.prompt(label, type=SizingNumber(field), default="", show_default=False)
        if value is not None:
            answers[field] = value
    return answers


def _ask(config: RecommendationConfig) -> Answers:
    raw: dict[str, str] = {}
    for number, facet in enumerate(Facet, start=1):
        if (value := _ask_facet(config, facet, number)) is not None:
            raw[facet.value] = value
    click.echo(
        f"\n{progress(SIZE_STEP)} (optional): size the workload for a monthly cost comparison."
    )
    raw |= _ask_sizing(("vcpu", "memory_gb"))
    if "vcpu" in raw and "memory_gb" in raw:
        raw |= _ask_sizing(("count", "hours_per_month"))
    click.echo()
    return Answers.model_validate(raw)


STOPPED_EARLY = (
    "Stopped before the last question, so nothing was recommended. To answer without prompts: "
    "ecsbot recommend --answer FACET=VALUE ... (ecsbot recommend --questions lists them)."
)


@main.command("recommend")
@click.option(
    "--answer",
    "-a",
    "pairs",
    multiple=True,
    metavar="FACET=VALUE",
    help="Answer a facet (repeatable), e.g. gpu=no or vcpu=4; skips the prompts.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON; never prompt.")
@click.option("--questions", is_flag=True, help="List the facets and their values.")
def recommend_command(pairs: tuple[str, ...], as_json: bool, questions: bool) -> None:
    """Help me choose: ECS on Fargate, ECS on EC2 or plain EC2."""
    directory = settings_or_exit().knowledge_dir
    config, pricing = _load_or_exit(directory)
    if questions:
        if as_json:
            click.echo(json.dumps(_questions_json(config), indent=2))
        else:
            _print_questions(config)
        return
    try:
        answers = parse_answers(pairs) if pairs or as_json else _ask(config)
    except AnswerError as exc:
        raise click.BadParameter(str(exc), param_hint="'--answer'") from None
    except click.Abort:
        # The input ended (or Ctrl-C) before the last question: say so, not click's "Aborted!".
        click.echo(f"\n{STOPPED_EARLY}", err=True)
        raise click.exceptions.Exit(1) from None
    result = recommend(answers, config, pricing)
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2))
        return
    _show(result, directory)


def _show(result: Recommendation, directory: Path) -> None:
    click.echo(render_blocks(build_recommendation(result, knowledge_or_exit(directory))))


def recommend_interactively() -> None:
    """Ask the "Help me choose" questions at the prompt and print the recommendation;
    click.Abort when the input ends or the user presses Ctrl-C."""
    directory = settings_or_exit().knowledge_dir
    config, pricing = _load_or_exit(directory)
    _show(recommend(_ask(config), config, pricing), directory)
