"""Turning Slack-typed text into plain words: markup, emoji, quotes and entities out."""

from __future__ import annotations

import html
import re

# Order matters: links and mentions first, so their inner text is not mistaken for words.
_USER_MENTION = re.compile(r"<@[UW][A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL_LINK = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL_MENTION = re.compile(r"<!(?:here|channel|everyone|subteam\^[A-Z0-9]+)(?:\|[^>]*)?>")
_LABELLED_URL = re.compile(r"<(?:https?|mailto):[^>|]*\|([^>]*)>")
_BARE_URL = re.compile(r"<(?:https?|mailto):[^>]*>|https?://\S+")
_EMOJI = re.compile(r":[a-z0-9_+'-]+(?:::skin-tone-\d)?:")
_CODE_FENCE = re.compile(r"```")
_QUOTE_PREFIX = re.compile(r"^\s*(?:>|&gt;)+\s?", re.MULTILINE)
_NON_WORD = re.compile(r"[^a-z0-9]+")

MAX_QUESTION_CHARS = 4000


def strip_slack_markup(text: str, *, decode_entities: bool = True) -> str:
    """Remove mentions, links, emoji codes, code fences and quote markers, keeping readable text;
    `decode_entities=False` for text already decoded once (bot.slack.incoming.from_slack)."""
    text = _USER_MENTION.sub(" ", text)
    # A channel's name says where the question was asked, not what it is about.
    text = _CHANNEL_LINK.sub(" ", text)
    text = _SPECIAL_MENTION.sub(" ", text)
    text = _LABELLED_URL.sub(lambda m: f" {m.group(1)} ", text)
    text = _BARE_URL.sub(" ", text)
    text = _QUOTE_PREFIX.sub("", text)
    if decode_entities:
        text = html.unescape(text)
    text = _EMOJI.sub(" ", text)
    text = _CODE_FENCE.sub(" ", text).replace("`", " ")
    return " ".join(text.split())


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words of a text that has already lost its Slack markup."""
    return [w for w in _NON_WORD.split(text.lower()) if w]


def escape_mrkdwn(text: str) -> str:
    """Escape the three characters Slack treats as control characters in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_SENTENCE_END = re.compile(r"(?<=[.?!])\s+|\n+")


def sentences(text: str) -> list[str]:
    """The non-empty sentences (and lines) of a text, in order."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]


def asking_sentence(text: str) -> str:
    """The sentence that asks: the last with a question mark, else the last; the whole text
    when it has one sentence."""
    found = sentences(text)
    asking = [s for s in found if "?" in s] or found[-1:]
    return asking[-1].strip() if asking else text


# Of a message too long to read whole, the share of the limit kept from its start; the rest
# is its end, where a message with background first puts the question.
KEPT_FROM_START = 0.25


def shortening_note(limit: int = MAX_QUESTION_CHARS) -> str:
    """What a reader of a cut question is told was read, e.g. "its first 1,000 and last 3,000
    characters"."""
    start = int(limit * KEPT_FROM_START)
    return f"its first {start:,} and last {limit - start:,} characters"


def shorten_question(text: str, limit: int = MAX_QUESTION_CHARS) -> tuple[str, bool]:
    """Cut a question to about `limit` characters, keeping its start (KEPT_FROM_START of them)
    and its end, joined by an ellipsis at word boundaries; say whether it was cut."""
    if len(text) <= limit:
        return text, False
    head, _ = truncate(text, int(limit * KEPT_FROM_START))
    tail_limit = limit - len(head)
    tail = text[-tail_limit:]
    space = tail.find(" ")
    if 0 <= space < tail_limit * 0.2:
        tail = tail[space + 1 :]
    return f"{head} {tail.lstrip()}", True


def truncate(text: str, limit: int) -> tuple[str, bool]:
    """Cut `text` to at most `limit` characters at a word boundary; say whether it was cut."""
    if len(text) <= limit:
        return text, False
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit * 0.8:
        cut = cut[:space]
    return cut.rstrip() + "…", True
