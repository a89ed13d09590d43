"""Match a question typed in Slack to a topic (and, when precise, an entry), or to none.

Three readings are combined: lexical scores over every phrasing (bot.matching.lexical), a
classifier trained on the same phrasings (bot.matching.learned), and the question's focus —
which service it asks about and whether it leans on the previous turn (bot.matching.focus).
Whether a question is in scope at all is a separate decision (bot.matching.scope).
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.knowledge import Entry, KnowledgeBase, Topic
from bot.matching.analysis import TEXTS_KEPT
from bot.matching.focus import Focus, focus
from bot.matching.learned import LearnedReading, TopicClassifier
from bot.matching.lexical import (
    BACKGROUND_FACTOR,
    CONTRAST_PENALTY,
    OVERVIEW,
    LexicalIndex,
    Query,
    Scores,
)
from bot.matching.match import Match, Suggestion
from bot.matching.scope import QuestionWeights, ScopeGate
from bot.matching.text import asking_sentence

# Tuned on the *kinds* of question in the dev-style and real-question sets (tests/data).
MIN_SCORE = 0.25
CONFIDENT_SCORE = 0.4
CONFIDENT_GAP = 0.05
# An entry phrasing this close to the question settles a close second topic.
AS_PHRASED = 0.95
SUGGESTION_RATIO = 0.6
MAX_SUGGESTIONS = 3
LEARNED_WEIGHT = 1.0
# A directional topic ("what is EC2") about the other service than the one asked about.
WRONG_SIDE_DROP = 1.0
# ... and one about the service it asks about (the only one named, or the one preferred).
RIGHT_SIDE_BONUS = 0.15
# An entry answers when it fits this well and not clearly worse than the overview.
ENTRY_MIN = 0.25
ENTRY_MARGIN = 0.5
# How an entry's fit is read: its best phrasing (terms, n-grams), all its phrasings together
# (terms weighted by rarity among entries), and its answer's n-grams — equal shares.
ENTRY_READINGS = 4
# A question of fewer known terms than this ("tell me about fargate") is never precise.
PRECISE_TERMS = 2
BROAD_OVERVIEW = 0.9
# A follow-up stays on the topic it follows unless another clearly fits better.
FOLLOW_UP_BONUS = 0.3
# How much the previous question counts in the classifier's reading of a follow-up.
CONTEXT_LEARNED = 0.25
CONTEXT_LEARNED_BACK = 0.5  # ... when it points back at it ("how is that done...")
# The share of a follow-up's own words the knowledge base must know.
FOLLOW_UP_KNOWN_SHARE = 0.6
# A message this short that does not stand alone is read with the previous turn.
SHORT_FOLLOW_UP_WORDS = 12
# A message longer than this (characters) is read by the classifier for its asking sentence
# too, not only as a whole.
LONG_MESSAGE_CHARS = 600
# What a comparison with no subject compares, in a conversation with this bot.
DEFAULT_COMPARISON = "ecs or ec2"
# Verdicts kept for questions asked again (a Match is a few hundred bytes: 4,096 of them are
# about a MiB). People ask the same things ("how is fargate billed?"), and the playground's
# and help's example questions are asked word for word.
MATCHES_KEPT = 4096


# In a question of at most this many terms, unknown words weighing more than this many times
# the known ones (the services named aside) may be its subject: no confident answer.
UNKNOWN_SUBJECT = 1.0
UNKNOWN_SUBJECT_TERMS = 6
CAPABILITY_WORDS = ["support", "supports", "supported", "compatible", "available", "allow"]
# A question about a neighbouring service only is ours when a phrasing matches it this well.
NEIGHBOUR_COVERED = 0.9
# Services a topic compares ours with: naming one in a conversation ("lambda instead?") is a
# follow-up, not a question about that service alone.
COMPARED_NEIGHBOURS = frozenset({"lambda", "eks", "apprunner", "beanstalk"})


@dataclass(frozen=True)
class _Reading:
    query: Query
    scores: Scores
    combined: dict[int, float]
    focus: Focus
    scope_text: str
    asking: Focus
    learned: LearnedReading
    weakly_anchored: bool = False
    # Read with the previous question of a conversation about our services.
    in_conversation: bool = False
    # ... and that question set our services against each other ("ecs vs ec2?").
    after_comparison: bool = False


class Matcher:
    """An index over a knowledge base, built once, answering `match(question, context)`."""

    def __init__(self, kb: KnowledgeBase, *, matches_kept: int = MATCHES_KEPT) -> None:
        """Index `kb` (about a second for the shipped one); `matches_kept` verdicts are kept
        for questions asked again in the same context (0: none, every question is read)."""
        self.kb = kb
        with ThreadPoolExecutor(max_workers=1) as pool:
            # The classifier's SVM trains in the pool (without the GIL) while the lexical
            # index builds here: start-up takes the longer of the two, not their sum.
            self._learned = TopicClassifier(kb, pool=pool)
            self._lexical = LexicalIndex(kb)
            self.analyzer = self._lexical.analyzer
            self._topics = self._lexical.topics
            self._scope = ScopeGate(kb.vocabulary, self.analyzer)
            self._title_terms = [frozenset(self.analyzer.terms(t.title)) for t in self._topics]
            self._domain = self._lexical.term_set(kb.vocabulary.domain_terms)
            self._capability = self._lexical.term_set(CAPABILITY_WORDS)
            # The words of a message that only names a service ("and on ec2?", "same for ecs?").
            self._side_terms = frozenset(self.analyzer.terms(" ".join(_SIDE_WORDS))) | {"same"}
            self._learned.finish()
        # A question's focus is read for the whole and for its asking sentence, alone and
        # again with the previous turn.
        self._focus = lru_cache(maxsize=TEXTS_KEPT)(self._focus_uncached)
        # A verdict depends only on the question, its context and the index built above.
        self._kept = lru_cache(maxsize=matches_kept)(self._match) if matches_kept else None

    def _focus_uncached(self, text: str) -> Focus:
        return focus(self.analyzer.surface(text, correct=True))

    def _read(
        self, question: str, context: str | None, context_topic: str | None = None
    ) -> _Reading:
        own = self._focus(question)
        real_context = bool(context) and context != DEFAULT_COMPARISON
        before = self._focus(context) if context and real_context else None
        if context and own.sides:
            # "how is that done on ec2?" keeps the previous topic, not its service.
            context = " ".join(
                w for w in self.analyzer.surface(context, correct=True) if w not in _SIDE_WORDS
            )
        query = self._lexical.query(question, context)
        scores = self._lexical.scores(query)
        learned_reading = self._learned.read(question)
        learned = learned_reading.margins
        if len(question) > LONG_MESSAGE_CHARS:
            # In a long message the n-grams of the background drown the question's: the
            # sentence that asks is read on its own too, as the lexical reading weighs it.
            asked = self._learned.scores(asking_sentence(question))
            learned = [BACKGROUND_FACTOR * a + b for a, b in zip(learned, asked, strict=True)]
        if context:
            extra = self._learned.scores(context)
            weight = CONTEXT_LEARNED_BACK if own.refers_back else CONTEXT_LEARNED
            learned = [a + weight * b for a, b in zip(learned, extra, strict=True)]
        if context and real_context:
            # Which entry answers a follow-up depends on what it follows: "what about
            # windows?" after a billing question is about Windows billing.
            learned_reading = self._learned.read(f"{context} {question}")
        combined = {}
        for index, lexical in scores.topics.items():
            value = lexical + LEARNED_WEIGHT * learned[index]
            side = self._topics[index].side
            if own.subject and side and side != own.subject:
                value -= WRONG_SIDE_DROP
            elif not context and side and side == own.subject:
                # The only service named, or the one preferred ("ecs rather than ec2").
                value += RIGHT_SIDE_BONUS
            if own.refers_back and context_topic == self._topics[index].id:
                value += FOLLOW_UP_BONUS
            combined[index] = value
        scope_text = f"{question} {context}" if real_context else question
        return _Reading(
            query,
            scores,
            combined,
            own,
            scope_text,
            self._asking_focus(question),
            learned_reading,
            in_conversation=real_context,
            after_comparison=before is not None and before.comparative and len(before.sides) > 1,
        )

    def _asking_focus(self, question: str) -> Focus:
        """The focus of the sentence that asks (the last with a question mark, else the last)."""
        return self._focus(asking_sentence(question))

    def _about_a_neighbour(self, reading: _Reading) -> bool:
        """True when the question asks about a neighbouring service, not about ours."""
        asking, whole = reading.asking, reading.focus
        tool_only = whole.tool_only and not (
            reading.in_conversation or self._scope.names_ours(reading.scope_text)
        )
        if whole.kubernetes_only or tool_only:
            # "EKS fargate pods", "EKS windows EC2 nodes": the services are EKS's capacity;
            # "docker-compose can't reach my app": a tool's question, not AWS's (unless the
            # conversation is about ours: "and with docker compose?", or it names one of our
            # terms: "MemoryUtilization says 70%, docker stats 99%").
            return True
        if whole.leaves_a_neighbour:
            return False
        if asking.neighbours and not asking.sides:
            return not (whole.comparative and whole.sides)
        # A neighbour named anywhere with none of ours: it is about the neighbour, whatever
        # the comparison words ("... or any other way to keep EKS costs down?").
        return bool(whole.neighbours) and not whole.sides

    def _names_a_topic(self, reading: _Reading) -> bool:
        """ "tell me about security", "monitoring?": one known word, and it is in a topic's
        title — a topic named and nothing else."""
        query = reading.query
        if len(query.known) != 1 or query.unknown_weight or not reading.scores.topics:
            return False
        best = max(reading.scores.topics, key=lambda i: reading.scores.topics[i])
        return next(iter(query.known)) in self._title_terms[best]

    def _asks_about_the_unknown(self, reading: _Reading) -> bool:
        """ "does ecs support ipv6?": a short question whether something is supported, where
        beside the service named the words the knowledge base does not know outweigh those it
        does — what is asked about may not be covered, so topics are offered, not asserted."""
        query = reading.query
        if reading.in_conversation or not query.unknown_weight:
            return False
        if len(query.terms) > UNKNOWN_SUBJECT_TERMS:
            # In a longer message unknown words are mostly background (names, products).
            return False
        if not self._capability.intersection(query.terms):
            # Only "does X support Y?"-type questions make the unknown word the subject
            # ("do i have to maintain the ami" is asked in words the KB merely lacks).
            return False
        known = sum(w for t, w in query.known.items() if t not in self._domain)
        return query.unknown_weight > UNKNOWN_SUBJECT * known

    def _in_scope(self, reading: _Reading, best: float) -> bool:
        covered = reading.scores.best_phrasing >= NEIGHBOUR_COVERED
        if self._about_a_neighbour(reading) and not covered:
            return False
        if self._names_a_topic(reading) or reading.focus.leaves_a_neighbour:
            return True
        query = reading.query
        weights = QuestionWeights(
            terms=self.analyzer.terms(reading.scope_text, correct=True),
            known_terms=len(query.known),
            known_weight=query.known_weight,
            unknown_weight=query.unknown_weight,
        )
        return self._scope.allows(
            reading.scope_text, weights, best, weakly_anchored=reading.weakly_anchored
        )

    @staticmethod
    def _entry_score(reading: _Reading, key: tuple[int, int]) -> float:
        """How well a (topic, entry) group fits the question, 0..1: the mean of its readings,
        lowered for an entry about the other side of a contrast the question draws."""
        contrast = CONTRAST_PENALTY if reading.scores.other_side(key) else 1.0
        return (
            contrast
            * (
                reading.scores.phrasing(key)
                + reading.learned.similarity(key)
                + reading.scores.group(key)
                + reading.learned.answer_similarity(key)
            )
            / ENTRY_READINGS
        )

    def _entry(self, topic_index: int, reading: _Reading) -> Entry | None:
        """The topic's entry that answers the question, or None for the overview."""
        topic = self._topics[topic_index]
        if reading.focus.broad or not topic.entries:
            return None
        if reading.focus.picks_one and (reading.weakly_anchored or reading.after_comparison):
            # "which one has less to patch?" compares ECS and EC2: the overview does that.
            return None
        best, index = max(
            (self._entry_score(reading, (topic_index, i)), i) for i in range(len(topic.entries))
        )
        overview = self._entry_score(reading, (topic_index, OVERVIEW))
        if best < ENTRY_MIN or best < overview - ENTRY_MARGIN:
            return None
        # A broad question matching the overview's own phrasing as well gets the overview.
        lexical = reading.scores
        broad = lexical.phrasing((topic_index, OVERVIEW))
        vague = len(reading.query.known) < PRECISE_TERMS
        if broad >= BROAD_OVERVIEW and (vague or lexical.phrasing((topic_index, index)) < broad):
            return None
        return topic.entries[index]

    def _best_entry(self, reading: _Reading, topic_id: str) -> Entry | None:
        """The topic's entry that fits the question best, if any fits at all (ENTRY_MIN) and
        is not about the other side of a contrast, without preferring the overview; None for
        a broad question."""
        if reading.focus.broad:
            return None  # "tell me about ... on ec2" wants the overview
        index = next(i for i, topic in enumerate(self._topics) if topic.id == topic_id)
        entries = self._topics[index].entries
        scored = [
            (self._entry_score(reading, (index, n)), n)
            for n in range(len(entries))
            if not reading.scores.other_side((index, n))
        ]
        best, n = max(scored, default=(0.0, -1))
        return entries[n] if best >= ENTRY_MIN else None

    def _asked_as_phrased(self, reading: _Reading, topic_index: int, entry: Entry | None) -> bool:
        """True when the question is, term for term, one of the chosen entry's phrasings
        ("fargate windows minimum billing"): a close second topic (cost, beside Windows
        containers) leaves no doubt about what is asked."""
        if entry is None:
            return False
        entries = self._topics[topic_index].entries
        index = next(n for n, candidate in enumerate(entries) if candidate is entry)
        return reading.scores.phrasing((topic_index, index)) >= AS_PHRASED

    def _verdict(self, question: str, reading: _Reading, followed_up: bool) -> Match:
        lexical_best = max(reading.scores.topics.values(), default=0.0)
        if lexical_best < MIN_SCORE or not self._in_scope(reading, lexical_best):
            return Match(
                question=question, topic=None, score=round(lexical_best, 4), confident=False
            )
        ranked = sorted(reading.combined.items(), key=lambda item: (-item[1], item[0]))
        best = ranked[0][1]
        best_index = ranked[0][0]
        entry = self._entry(best_index, reading)
        runner_up = ranked[1][1] if len(ranked) > 1 else float("-inf")
        score = reading.scores.topics[best_index]
        close = [
            (reading.scores.topics[i], i)
            for i, _ in ranked[1 : 1 + MAX_SUGGESTIONS]
            if reading.scores.topics[i] >= SUGGESTION_RATIO * score
        ]
        suggestions = tuple(
            Suggestion(self._topics[i], round(s, 4)) for s, i in sorted(close, reverse=True)
        )
        return Match(
            question=question,
            topic=self._topics[best_index],
            score=round(score, 4),
            confident=max(score, best) >= CONFIDENT_SCORE
            and (
                best - runner_up >= CONFIDENT_GAP
                or self._asked_as_phrased(reading, best_index, entry)
            )
            and not self._asks_about_the_unknown(reading)
            and _states_the_quantity(entry, reading.asking.quantity),
            suggestions=suggestions,
            entry=entry,
            followed_up=followed_up,
        )

    def match(
        self, question: str, context: str | None = None, context_topic: str | None = None
    ) -> Match:
        """The best topic and entry for `question`, read with `context` (the previous question,
        answered with topic `context_topic`) when it does not stand on its own; no topic when
        it is out of scope. About half a millisecond; a question asked again is remembered."""
        if self._kept is None:
            return self._match(question, context, context_topic)
        return self._kept(question, context, context_topic)

    def stands_alone(self, question: str) -> bool:
        """True when `question` gets the same match whatever the conversation before it: it
        names one of our services (or a neighbour), is confidently matched on its own and
        does not point back. False when the previous turn could matter (then read it)."""
        own = self._focus(question)
        if own.follow_up or not own.names_a_service:
            return False
        return self.match(question).confident

    def _match(self, question: str, context: str | None, context_topic: str | None) -> Match:
        alone = self._read(question, None)
        own = alone.focus
        if context is None and own.comparative and own.dimension and not own.names_a_service:
            context = DEFAULT_COMPARISON
        verdict = self._verdict(question, alone, followed_up=False)
        if not verdict.confident and verdict.topic is not None:
            verdict = self._sure_of_the_asking_sentence(question, verdict)
        if not context or (verdict.confident and own.names_a_service and not own.follow_up):
            return verdict
        short = len(question.split()) <= SHORT_FOLLOW_UP_WORDS
        if not self._could_follow_up(question, alone):
            return verdict
        swapped = self._other_side(question, alone, context)
        if swapped is not None:
            # "and ec2?" after "how is fargate billed?" asks "how is ec2 billed?".
            reading = self._read(swapped, None)
            again = self._verdict(question, reading, followed_up=True)
            if again.confident:
                if again.entry is None and again.topic and again.topic.id == context_topic:
                    # The overview again, for the other side ("can ecs autoscale?", "how is
                    # that done on ec2?"): that side's own entry, when one fits.
                    again = replace(again, entry=self._best_entry(reading, context_topic))
                return replace(again, read_as=swapped)
        if own.follow_up or (not verdict.confident and short) or not own.names_a_service:
            reading = self._read(question, context, context_topic)
            if context == DEFAULT_COMPARISON:
                reading = replace(reading, weakly_anchored=True)
            followed = self._verdict(question, reading, followed_up=context != DEFAULT_COMPARISON)
            if followed.topic is not None and followed.topic.id == context_topic:
                # Staying on the conversation's topic is no guess.
                followed = replace(followed, confident=True)
            return followed
        return verdict

    def _sure_of_the_asking_sentence(self, question: str, verdict: Match) -> Match:
        """Background does not make a clear question unclear: when the sentence that asks
        is matched to the same topic with confidence on its own, so is the message."""
        asked = asking_sentence(question)
        if len(asked) >= len(question.strip()):
            return verdict
        alone = self._verdict(asked, self._read(asked, None), followed_up=False)
        if alone.confident and alone.topic == verdict.topic:
            return replace(verdict, confident=True)
        return verdict

    def _could_follow_up(self, question: str, alone: _Reading) -> bool:
        """Whether a message may lean on the conversation at all: it names one of our
        services, or most of it is the knowledge base's words ("where is the coffee
        machine?" after a cost answer is not about cost); never when it names a service we
        do not cover ("how do i tune postgres?"; a service we compare ours with, "can i use
        lambda instead?", is read in the conversation) or asks whether something unknown is
        supported ("does ecs support ipv6?"): those stand alone."""
        compared = bool(alone.focus.neighbours & COMPARED_NEIGHBOURS)
        foreign = self._scope.names_only_foreign(question) and not compared
        if foreign or self._asks_about_the_unknown(alone):
            return False
        if alone.focus.sides or compared:
            return True
        query = alone.query
        total = query.known_weight + query.unknown_weight
        return total > 0 and query.known_weight / total >= FOLLOW_UP_KNOWN_SHARE

    def _other_side(self, question: str, alone: _Reading, context: str) -> str | None:
        """For a message that only names another of our services ("and ec2?", "same for
        fargate?"), the previous question asked about that service instead; else None."""
        if context == DEFAULT_COMPARISON or not set(alone.query.terms) <= self._side_terms:
            return None
        named = {w for w in self.analyzer.surface(question, correct=True) if w in _SIDE_WORDS}
        before = self.analyzer.surface(context, correct=True)
        replaced = {w for w in before if w in _SIDE_WORDS}
        if len(named) != 1 or len(replaced) > 1 or named == replaced:
            return None
        side = next(iter(named))
        if replaced:
            # The previous question as typed, with the other service in it, when it can be
            # found there ("how is fargate billed?" -> "how is ec2 billed?").
            (old_side,) = replaced
            typed = re.compile(rf"\b{re.escape(old_side)}\b", re.IGNORECASE)
            if typed.search(context):
                return typed.sub(side, context)
        words = [side if w in _SIDE_WORDS else w for w in before]
        return " ".join(words if replaced else [*words, "on", side])

    def ranked(self, question: str) -> list[tuple[Topic, float]]:
        """Every topic sharing a term with the question, best first, with its combined score."""
        reading = self._read(question, None)
        order = sorted(reading.combined.items(), key=lambda item: (-item[1], item[0]))
        return [(self._topics[i], s) for i, s in order]

    def explain(self, question: str) -> dict[str, object]:
        """Debug view of how a question is analysed and ranked."""
        reading = self._read(question, None)
        ranked = self.ranked(question)
        best = max(reading.scores.topics.values(), default=0.0)
        return {
            "terms": reading.query.terms,
            "weights": {
                t: round(self._lexical.idf.get(t, self._lexical.unknown), 3)
                for t in reading.query.terms
            },
            "subject": reading.focus.subject,
            "top": [(t.id, round(s, 3)) for t, s in ranked[:5]],
            "in_scope": bool(ranked) and self._in_scope(reading, best),
        }


# A figure with a unit of each kind of quantity a question can ask for.
_FIGURES = {
    "duration": re.compile(
        r"\d[\d,.]*(?:\s|-)*(?:ms\b|milli|sec|s\b|min|h\b|hour|day|week|month|year)", re.I
    ),
    "size": re.compile(r"\d[\d,.]*\s*(?:[kmgtp]i?b\b|giga|mega|tera|vcpu|cpu)", re.I),
    "count": re.compile(r"\d"),
}


def _states_the_quantity(entry: Entry | None, quantity: str | None) -> bool:
    """True unless the question asks for a quantity and the entry's answer states none of
    its kind: "how long?" needs a duration, "how big?" a size, "how many?" a number (the
    overview, or an entry about something else, is not that answer)."""
    if quantity is None:
        return True
    return entry is not None and _FIGURES[quantity].search(entry.answer) is not None


_SIDE_WORDS = frozenset({"ecs", "ec2", "fargate"})
