"""Text analysis for matching: Slack markup out, typos fixed, synonyms folded, words stemmed."""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.knowledge import Vocabulary
from bot.matching.text import strip_slack_markup, words

TYPO_MIN_LENGTH = 4
NAME_MIN_LENGTH = 6
# Abbreviations such as "ecs", "eks" and "ami" must not be stemmed like plurals.
STEM_MIN_LENGTH = 4
# Texts whose analysis is kept: enough for the few readings of one question (whole, asking
# sentence, with the previous turn), not a cache of questions.
TEXTS_KEPT = 8


# An EC2 instance type ("t3.medium", "m7g.2xlarge", "c5n.metal") names EC2 as surely as the
# word does, unless the message is about a service that sells the same sizes ("db.t3.medium",
# "an m5.large rds instance", "cache.t3.micro").
_INSTANCE_FAMILY = re.compile(r"[a-z]{1,2}\d[a-z0-9]{0,4}")
_INSTANCE_SIZE = re.compile(r"nano|micro|small|medium|large|\d*xlarge|metal")
_SAME_SIZES_ELSEWHERE = frozenset(
    {"db", "rds", "aurora", "cache", "elasticache", "redshift", "search", "opensearch"}
)
INSTANCE_TYPE_WORDS = ("ec2", "instance")


def _is_instance_type(tokens: list[str], i: int) -> bool:
    """True when tokens[i:i+2] is an EC2 instance type split at its dot ("t3", "medium") in
    a message about no other service with instance sizes."""
    return (
        i + 1 < len(tokens)
        and _INSTANCE_FAMILY.fullmatch(tokens[i]) is not None
        and _INSTANCE_SIZE.fullmatch(tokens[i + 1]) is not None
        and _SAME_SIZES_ELSEWHERE.isdisjoint(tokens)
    )


class Analyzer:
    """Turns text into weighted-term candidates: typo-corrected, synonym-folded, stemmed."""

    def __init__(
        self, vocabulary: Vocabulary, corpus_words: set[str], lexicon_words: set[str]
    ) -> None:
        """`corpus_words` are never corrected; typos are corrected towards `lexicon_words`."""
        self._stemmer = snowballstemmer.stemmer("english")
        # Words repeat across thousands of phrasings; the pure-Python stemmer is the slow part.
        self._stem = lru_cache(maxsize=65536)(self._stem_uncached)
        self._stopwords = frozenset(vocabulary.stopwords)
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in vocabulary.synonyms.items():
            target = tuple(words(canonical))
            for variant in variants:
                self._phrases[tuple(words(variant))] = target
        # Most words start no synonym: look up only the phrase lengths that start with a word.
        sizes: dict[str, set[int]] = {}
        for phrase in self._phrases:
            if phrase:
                sizes.setdefault(phrase[0], set()).add(len(phrase))
        self._sizes_by_first = {w: tuple(sorted(n, reverse=True)) for w, n in sizes.items()}
        lexicon = set(lexicon_words)
        for source, folded in self._phrases.items():
            lexicon.update(source)
            lexicon.update(folded)
        for term in [*vocabulary.domain_terms, *vocabulary.related_terms]:
            lexicon.update(words(term))
        # Only the domain's own words are correction targets: everyday words in example
        # questions ("rest", "shoes") would otherwise swallow real words ("rent", "shows").
        # Three-letter targets too: "ecss" is a typo of "ecs".
        self._typo_choices = sorted(w for w in lexicon if len(w) >= 3 and w.isalpha())
        # The domain's own long names ("fargate", "awsvpc") are misspelt worst and matter most:
        # for them two edits in six letters or more still count ("farget", "fragate").
        self._name_choices = sorted(
            {t for t in vocabulary.domain_terms if len(t) >= NAME_MIN_LENGTH and t.isalpha()}
        )
        known = corpus_words | lexicon | self._stopwords
        for term in vocabulary.out_of_scope_terms:
            known.update(words(term))
        self.known_words = frozenset(known)
        # A word sharing its stem with a phrasing word ("renting", "rent") is no typo.
        # (Words a synonym folds away are left out: their stems never reach the index.)
        self._known_stems = frozenset(
            self.stem(w) for w in corpus_words if (w,) not in self._phrases
        )
        self._correct = lru_cache(maxsize=8192)(self._correct_uncached)
        # One question is analysed several times over (its focus, its terms, its scope).
        self._surface = lru_cache(maxsize=TEXTS_KEPT)(self._surface_uncached)
        self._terms = lru_cache(maxsize=TEXTS_KEPT)(self._terms_uncached)

    def _correct_uncached(self, word: str) -> str:
        if word in self.known_words or len(word) < TYPO_MIN_LENGTH or not word.isalpha():
            return word
        if self.stem(word) in self._known_stems:
            return word
        # One edit (a swap counts as one) in four or five letters, about one in five beyond.
        # Typos rarely hit the first two letters; requiring them keeps "lunch" from "launch".
        cutoff = 0.75 if len(word) == TYPO_MIN_LENGTH else 0.79
        candidates = process.extract(
            word, self._typo_choices, scorer=OSA.normalized_similarity, score_cutoff=cutoff, limit=5
        )
        for candidate, _, _ in candidates:
            if candidate[:2] == word[:2]:
                return str(candidate)
        if len(word) >= NAME_MIN_LENGTH:
            names = process.extract(
                word, self._name_choices, scorer=OSA.normalized_similarity, score_cutoff=0.7
            )
            for candidate, _, _ in names:
                if candidate[:2] == word[:2]:
                    return str(candidate)
        return word

    def fold(self, tokens: list[str]) -> list[str]:
        """Replace abbreviations and synonyms, longest phrase first, by canonical words, and an
        EC2 instance type ("t3", "medium") by "ec2 instance"."""
        out: list[str] = []
        i = 0
        while i < len(tokens):
            if _is_instance_type(tokens, i):
                out.extend(INSTANCE_TYPE_WORDS)
                i += 2
                continue
            for size in self._sizes_by_first.get(tokens[i], ()):
                target = self._phrases.get(tuple(tokens[i : i + size]))
                if target is not None:
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def surface(self, text: str, *, correct: bool) -> list[str]:
        """Words of `text` after markup removal, typo correction and synonym folding."""
        return list(self._surface(text, correct))

    def _surface_uncached(self, text: str, correct: bool) -> tuple[str, ...]:
        tokens = words(strip_slack_markup(text))
        if correct:
            tokens = [self._correct(t) for t in tokens]
        return tuple(self.fold(tokens))

    def terms(self, text: str, *, correct: bool = False) -> list[str]:
        """Stemmed content terms of `text`, stopwords removed, in order."""
        return list(self._terms(text, correct))

    def _terms_uncached(self, text: str, correct: bool) -> tuple[str, ...]:
        content = [t for t in self._surface(text, correct) if t not in self._stopwords]
        return tuple(self.stem(t) for t in content)

    def stem(self, word: str) -> str:
        """The stem of one word; short words and words with digits stay as they are."""
        if len(word) < STEM_MIN_LENGTH or not word.isalpha():
            return word
        return self._stem(word)

    def _stem_uncached(self, word: str) -> str:
        return str(self._stemmer.stemWord(word))
