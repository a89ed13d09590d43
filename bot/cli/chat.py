"""`ecsbot chat`: a conversation in the terminal, as in a Slack DM.

Follow-ups are read in the context of the last answer, a number picks one of the buttons the
reply shows (numbered in the order shown, with the same words), `help` shows how to ask and
`recommend` runs "Help me choose".
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

import click

from bot.answering import Answerer, Reply, Turn, as_question, is_thanks, wants_recommendation
from bot.answering.answerer import WELCOME_TEXT
from bot.blocks import ACTION_ANSWER_TOPIC, ACTION_HELP_ME_CHOOSE, render_blocks, to_dicts
from bot.cli.common import answerer
from bot.cli.group import main
from bot.cli.recommend import recommend_interactively
from bot.recommend import STEPS_IN_WORDS

QUIT_WORDS = frozenset({"quit", "exit", ":q", "bye"})
GREETING = (
    "ECS vs EC2: ask me anything about choosing between Amazon ECS and EC2. Follow-ups work "
    "('and for windows?'); type a button's number to pick it, 'help', 'recommend', or 'quit'."
)


CHAT_HELP = (
    "Ask in plain words, e.g. 'how is fargate billed?' or 'can ecs autoscale?'. Follow-ups "
    "read the last answer ('and for windows?'). Type a button's number to follow it, "
    f"'recommend' to answer {STEPS_IN_WORDS} and get ECS on Fargate, ECS on EC2 or plain "
    "EC2, or 'quit'."
)


@dataclass(frozen=True)
class Choice:
    """A button a reply shows that the terminal can follow: its words, and the topic or entry
    id it answers (None for "Help me choose")."""

    label: str
    ref: str | None


@dataclass
class Conversation:
    """What the chat keeps between lines: the last answered turn and the numbered choices."""

    previous: Turn | None = None
    choices: list[Choice] = field(default_factory=list)


def _buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for block in blocks:
        found += [e for e in block.get("elements", []) if e.get("type") == "button"]
        if (accessory := block.get("accessory") or {}).get("type") == "button":
            found.append(accessory)
    return found


def choices_of(reply: Reply) -> list[Choice]:
    """The buttons of `reply` that answer a topic or entry, or start "Help me choose", in the
    order they are shown and with their words; votes and Share are Slack's alone."""
    choices = []
    for button in _buttons(to_dicts(reply.blocks)):
        action, label = str(button.get("action_id", "")), str(button["text"]["text"])
        if action.partition(":")[0] == ACTION_ANSWER_TOPIC:
            choices.append(Choice(label, str(button.get("value"))))
        elif action == ACTION_HELP_ME_CHOOSE:
            choices.append(Choice(label, None))
    return choices


def _pick(bot: Answerer, talk: Conversation, number: int) -> Reply | None:
    """The answer to choice `number` (from 1), or None after saying which numbers there are
    or running "Help me choose"."""
    if not talk.choices:
        click.echo("There are no suggestions to pick from: ask a question.")
        return None
    if not 1 <= number <= len(talk.choices):
        click.echo(f"Pick a number from 1 to {len(talk.choices)}, or ask a question.")
        return None
    ref = talk.choices[number - 1].ref
    if ref is None:
        _recommend()
        return None
    return bot.reply_topic(ref)


def _recommend() -> None:
    try:
        recommend_interactively()
    except click.Abort:
        click.echo("\nStopped choosing; ask me anything.")


def reply_to(line: str, bot: Answerer, talk: Conversation) -> Reply | None:
    """The reply to one typed line (None when the line was handled otherwise)."""
    text = line.strip()
    if text.isdigit():
        if (picked := _pick(bot, talk, int(text))) is not None:
            show(picked, talk, keep_choices=True)
        return None
    if wants_recommendation(text):
        _recommend()
        return None
    if text and not as_question(text):
        # "help" (or a greeting): how to ask here, not the Slack help with its slash command.
        click.echo(WELCOME_TEXT if is_thanks(text) else CHAT_HELP)
        return None
    # Long lines are shortened by the answerer, which keeps the end where the question is.
    return bot.reply(as_question(text), previous=talk.previous)


def show(reply: Reply, talk: Conversation, *, keep_choices: bool = False) -> None:
    """Print the reply with its numbered choices, and keep what the next line needs; a picked
    answer that offers no choices of its own leaves the list it was picked from usable."""
    click.echo(render_blocks(reply.blocks))
    choices = choices_of(reply)
    if choices or not keep_choices:
        talk.choices = choices
    if choices:
        click.echo("\nType a number to pick:")
        for number, choice in enumerate(choices, start=1):
            click.echo(f"  {number}. {choice.label}")
    if reply.turn is not None:
        talk.previous = reply.turn


@main.command()
def chat() -> None:
    """Talk to the bot in the terminal until EOF or 'quit'."""
    with contextlib.suppress(ImportError):
        # Line editing and history for input() (arrow keys), where the platform has it.
        import readline  # noqa: F401
    bot, talk = answerer(), Conversation()
    click.echo(GREETING)
    while True:
        try:
            line = input("you> ")
        except (EOFError, KeyboardInterrupt):
            click.echo()
            return
        if line.strip().lower() in QUIT_WORDS:
            return
        reply = reply_to(line, bot, talk)
        if reply is not None:
            show(reply, talk)
        click.echo()
