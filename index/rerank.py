"""Second stage: re-order BM25's best candidates by how a passage answers, not only what it shares.

BM25 scores a passage by its question words alone, wherever they are. A passage that answers
usually has more: the question's words close together (the answer sentence restates the
question), its word pairs in order ("Super Bowl", "Denver Broncos"), the question's topic in
its article's title or heading where the passage itself does not repeat it, its phrases
as written, small words included ("Bank of England", "in 1998"), and, for "how many" or
"when" questions, a number or a date among those words. Each is a feature in [0, 1], mostly
a share of the question's information (how much each word tells, ``index.information``:
the same in every collection, so adding articles moves no answer about the others); BM25's
formula with those word weights is one of them. The new score is their weighted sum.

The weights were tuned on half of SQuAD v1.1 dev (``benchmarks/qa_squad.py --split tune``,
the articles at even positions in title order) by coordinate ascent over the grid
0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 4, 6 with hit@1 as the objective; the other half
(``--split report``) was never used to choose anything. Figures in benchmarks/README.md.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from itertools import pairwise

from index.analysis import Analyzer
from index.bm25 import Hit
from index.collection import Collection
from index.information import PASSAGE_TERMS
from index.linear import weighted_sum
from index.text import as_compared

WINDOW = 20  # proximity: question words within this many index terms of each other
REACH = 10  # answer type: a number or date this close (in index terms) to question words
OKAPI_K1, OKAPI_B = 1.5, 0.75  # BM25's usual constants, for the ``okapi`` feature


class AnswerKind(Enum):
    """What a question asks for, when its wording says.

    No "who" kind: preferring passages with capitalized names near the question's words did
    not change hit@1 on SQuAD (tune split, 839 "who" questions, earlier weights: 704 right
    without, 702 with).
    """

    NUMBER = re.compile(r"\bhow (?:many|much)\b|\bwhat (?:percentage|percent|number)\b")
    DATE = re.compile(r"\bwhen\b|\b(?:what|which) (?:year|century|decade|date|month|day)\b")


_YEAR = re.compile(r"1\d{3}|20\d{2}")
_WORD = re.compile(r"\w+")
_MONTHS = frozenset(
    Analyzer().terms(
        "January February March April May June July August September October November December"
    )
)


def answer_kind(question: str) -> AnswerKind | None:
    """The kind of answer ``question`` wants ("how many": a number), or ``None``."""
    folded = question.casefold()
    return next((kind for kind in AnswerKind if kind.value.search(folded)), None)


def is_kind(term: str, kind: AnswerKind) -> bool:
    """Whether an index term could answer a question of ``kind`` (a year is a number too)."""
    if kind is AnswerKind.NUMBER:
        return term[0].isdigit()
    return term in _MONTHS or _YEAR.fullmatch(term) is not None


@dataclass(frozen=True, slots=True)
class Question:
    """What the features need of a question: its terms, their information, its answer kind."""

    terms: tuple[str, ...]  # in question order, repeats included (for the word pairs)
    weights: Mapping[str, float]  # each distinct term's information (``index.information``)
    kind: AnswerKind | None
    stands_for: Mapping[str, str]  # a related word (``index.expansion``) -> its question term
    phrases: frozenset[str] = frozenset()  # its adjacent words as written, "capital of"

    @property
    def total(self) -> float:
        """The question's whole information: features are shares of it."""
        return sum(self.weights.values()) or 1.0


def word_pairs(text: str) -> frozenset[str]:
    """Adjacent words as written (case folded, one space apart), small words included."""
    words = _WORD.findall(as_compared(text))
    return frozenset(f"{a} {b}" for a, b in pairwise(words))


def phrases(question: Question, text: str) -> float:
    """Share of the question's phrases (adjacent words, stopwords too) the passage has.

    Index terms drop "of" and "the", so "capital of France" and "capital, France" look the
    same to the other features; the words as written tell them apart. A phrase counts where
    the passage has it verbatim (a substring search: no tokenizing of every candidate).
    """
    if not question.phrases:
        return 0.0
    folded = as_compared(text)
    return sum(phrase in folded for phrase in question.phrases) / len(question.phrases)


def proximity(question: Question, terms: Sequence[str]) -> float:
    """Most information any ``WINDOW`` consecutive passage terms hold (distinct words)."""
    weights, best, mass, first = question.weights, 0.0, 0.0, 0
    inside: dict[str, int] = {}
    hits = [(i, t) for i, t in enumerate(terms) if t in weights]
    for position, term in hits:
        inside[term] = inside.get(term, 0) + 1
        mass += weights[term] if inside[term] == 1 else 0.0
        while hits[first][0] <= position - WINDOW:
            gone = hits[first][1]
            inside[gone] -= 1
            mass -= weights[gone] if inside[gone] == 0 else 0.0
            first += 1
        best = max(best, mass)
    return best / question.total


def okapi(question: Question, terms: Sequence[str], length: int) -> float:
    """BM25's formula over what BM25 indexes of a passage, with the word information as idf.

    Term frequency saturates and long passages are discounted as BM25 does, but with a fixed
    average length and no idf from the collection, so a passage's evidence stays the same
    when unrelated articles join the folder (BM25's own scores do not).
    """
    counts = Counter(terms)
    norm = OKAPI_K1 * (1 - OKAPI_B + OKAPI_B * length / PASSAGE_TERMS)
    return sum(
        weight * counts[t] * (OKAPI_K1 + 1) / (counts[t] + norm)
        for t, weight in question.weights.items()
        if counts[t]
    )


def found_share(question: Question, found_in: set[str]) -> float:
    """Share of the question's information among ``found_in`` (passage, title, heading)."""
    found = sum(w for t, w in question.weights.items() if t in found_in)
    return found / question.total


def bigrams(question: Question, terms: Sequence[str]) -> float:
    """Information of the question's adjacent term pairs that the passage has adjacent too."""
    found = set(pairwise(question.terms)).intersection(pairwise(terms))
    weights = question.weights
    return sum(weights[a] + weights[b] for a, b in found) / question.total


def answer_type(question: Question, terms: Sequence[str]) -> float:
    """Most information within ``REACH`` terms of a number or date, as the question wants.

    0 for a question of no kind. The question's own numbers do not count: "how many" asks
    for a number the question does not already give.
    """
    if question.kind is None:
        return 0.0
    weights = question.weights
    positions = [i for i, t in enumerate(terms) if t in weights]
    best = 0.0
    for i, term in enumerate(terms):
        if term not in weights and is_kind(term, question.kind):
            near = positions[bisect_left(positions, i - REACH) : bisect_right(positions, i + REACH)]
            best = max(best, sum(weights[t] for t in {terms[j] for j in near}))
    return best / question.total


@dataclass(frozen=True, slots=True)
class Features:
    """One candidate's evidence, each a share in [0, 1] (also the weights' shape)."""

    bm25: float  # its ``okapi`` score as a share of the best candidate's
    proximity: float
    coverage: float  # in the passage, its heading or its article's title
    bigrams: float
    phrases: float  # a share of the question's phrases, not of its information
    answer_type: float
    semantic: float = 0.0  # cosine of question and passage vectors (0 without the model)


# Words only (the sentence model off). BM25 is the yardstick (weight 1); the others were tuned
# as the module docstring says; a refit with today's features moved SQuAD's halves by less than
# its noise, so these stay (the runs: docs/experiments.md).
WEIGHTS = Features(
    bm25=1.0, proximity=2.0, coverage=3.0, bigrams=1.0, phrases=1.5, answer_type=0.3, semantic=0.0
)
# With the sentence model: refitted with its cosine by ``python -m benchmarks.fit_ranking``
# (the same grid and objective), which prints these.
WEIGHTS_WITH_MEANING = Features(
    bm25=1.0, proximity=1.5, coverage=2.0, bigrams=0.75, phrases=2.0, answer_type=1.0, semantic=6.0
)


def features(
    collection: Collection,
    analyzer: Analyzer,
    question: Question,
    passage_id: int,
    similarity: float,
) -> Features:
    """The evidence that passage ``passage_id`` answers, ``bm25`` unscaled (``okapi``).

    A related word the query was expanded with counts as the question word it stands for
    ("drones" for "unmanned"), as it does for BM25 and for abstention.
    """
    article, passage = collection.passage(passage_id)
    terms = [t for _, ts in analyzer.spans(passage.text) for t in ts]  # cached for the citation
    title, heading = analyzer.terms(article.title), analyzer.terms(passage.heading)
    context = {*title, *heading}  # where the question's topic may stand instead of the text
    # BM25 indexes an article's title and outlet with its first passage (``index.ingest``).
    labels = [*title, *analyzer.terms(article.outlet)] if passage.number == 1 else []
    if question.stands_for:
        terms, heading, labels = (
            [question.stands_for.get(t, t) for t in ts] for ts in (terms, heading, labels)
        )
    return Features(
        bm25=okapi(question, [*heading, *terms, *labels], len(heading) + len(terms)),
        proximity=proximity(question, terms),
        coverage=found_share(question, {*terms, *context}),
        bigrams=bigrams(question, terms),
        phrases=phrases(question, passage.text),
        answer_type=answer_type(question, terms),
        semantic=similarity,
    )


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate in its new place: the hit carries the new score; its evidence, if weighed."""

    hit: Hit
    features: Features | None  # None when no candidate had BM25 evidence to weigh


def rerank(
    collection: Collection,
    analyzer: Analyzer,
    question: Question,
    hits: Sequence[Hit],
    weights: Features = WEIGHTS,
    similarity: Mapping[int, float] | None = None,
) -> list[Ranked]:
    """``hits`` (BM25's best first) re-ordered by their new scores.

    ``similarity`` (passage -> cosine with the question) comes from the sentence model when
    it is on; without it, candidates no BM25 term reached keep BM25's order.
    """
    top = max((h.score for h in hits), default=0.0)
    if top <= 0 and not similarity:
        return [Ranked(h, None) for h in hits]  # nothing to weigh: BM25's order (ties by overlap)
    meaning = similarity or {}
    weighed = [
        (h, features(collection, analyzer, question, h.passage_id, meaning.get(h.passage_id, 0.0)))
        for h in hits
    ]
    best = max(f.bm25 for _, f in weighed)
    weighed = [(h, replace(f, bm25=f.bm25 / best if best > 0 else 0.0)) for h, f in weighed]
    ranked = [Ranked(Hit(h.passage_id, weighted_sum(f, weights), h.overlap), f) for h, f in weighed]
    return sorted(ranked, key=lambda r: -r.hit.score)
