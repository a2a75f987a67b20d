"""Answers: the best passages for a question, each cited, or an honest "not in the articles".

The question's terms are read as typed, typos corrected (``index.spelling``; the reply says
so, with the word as the articles write it) and related words added (``index.expansion``).
The passages are BM25's best candidates re-ordered by ``index.rerank``; a citation's score
is the reranker's (BM25's own when no candidate scores above zero and nothing is re-ordered).

Abstention weighs the evidence that the first passage answers (``Evidence``): above all how
much of the question it covers, weighted by how informative each question word is (its idf;
words the collection has never seen weigh the most, since they are the ones the articles
cannot speak to). A passage that matches only the generic words of an off-topic question
("Who won the last election in France?") is not an answer, however it scores.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

from index.analysis import Analyzer, fold
from index.bm25 import BM25Index, Hit
from index.collection import Collection
from index.expansion import expand, related_terms
from index.printable import visible
from index.rerank import (
    CANDIDATES,
    Question,
    Ranked,
    answer_kind,
    rerank,
    weighted_sum,
    word_pairs,
)
from index.spelling import Typo, corrected_terms, word_of

MAX_QUESTION_CHARS = 1000
DEFAULT_K = 3
MAX_K = 20
GENERIC_SHARE = 0.2  # weight of an unseen everyday word, relative to a seen one
RELATED_COVERAGE = 0.25  # an abstention names the articles whose passages cover this much
UNSEEN_BOOST = 1.5  # an unseen topical word is the surest sign the articles do not answer
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069]")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What abstention weighs about the first passage; also the shape of its weights."""

    coverage: float  # share of the question's information it covers (``coverage``)
    log_words: float  # ln of the question's distinct terms: long questions rarely match whole
    phrases: float  # the reranker's features (``index.rerank``): the question's phrases...
    bigrams: float  # ...and word pairs, found in the passage

    def answers(self) -> bool:
        """Whether the passage answers: the abstention model's odds are at least even."""
        return weighted_sum(self, ABSTENTION_WEIGHTS) + ABSTENTION_BIAS >= 0


# The abstention model: a logistic regression over ``Evidence``, fitted by
# ``benchmarks/fit_abstention.py`` on SQuAD's tune split, each question asked once with its
# article and once without, weighted as if 72% of questions were answerable (as in the
# project's own question sets), at commit 759c99f; a refit since the dictionary rule for typos
# (``index.spelling``) moves them slightly with the same errors. Length matters: with none of
# its phrases or word pairs found, a 2-term question needs 68% of its information covered, a
# 12-term one 51%; the more of its phrases and pairs the passage has, the lower the bar.
# Figures, and what did not help: benchmarks/README.md.
ABSTENTION_WEIGHTS = Evidence(coverage=9.935, log_words=0.981, phrases=3.750, bigrams=1.573)
ABSTENTION_BIAS = -7.470


@dataclass(frozen=True, slots=True)
class Citation:
    """One quoted passage and where it comes from."""

    article: str
    title: str
    outlet: str
    url: str
    passage: int
    heading: str
    text: str
    score: float
    matched: tuple[str, ...]  # question words found in the passage, as the passage writes them
    spans: tuple[tuple[int, int], ...]  # where those words are in ``text`` (for bold)


class Correction(NamedTuple):
    """A ``Typo`` as a reader sees it: the index term shown as a word of the articles."""

    typed: str  # "Oreshnikk" (typographic quotes and full-width letters folded)
    read_as: str  # "Oreshnik", as the articles write it


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to one question; ``results`` is empty when ``answered`` is false."""

    question: str  # as asked, less control characters and runs of white space
    answered: bool
    results: tuple[Citation, ...] = ()
    reason: str = ""  # why there is no answer, in words a user can act on
    related: tuple[str, ...] = field(default=())  # ids of articles that come closest
    evidence: Evidence | None = None  # what the decision to answer weighed, if it came to that
    corrections: tuple[Correction, ...] = ()  # each word taken for a typo, once

    @property
    def note(self) -> str:
        """How the question was read, when a word was taken for a typo ("" otherwise).

        A correction can be wrong (a name the dictionary lacks, "Osama", read as one the
        articles have, "Obama"): saying it lets the reader see why the passages are about
        something else.
        """
        if not self.corrections:
            return ""
        readings = (f"“{c.typed}” as “{c.read_as}”" for c in self.corrections)
        return "Read " + ", ".join(readings) + "."

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` object."""
        keep = ("article", "title", "outlet", "url", "passage", "heading", "text", "score")
        return {
            "question": self.question,
            "answered": self.answered,
            "results": [{k: getattr(c, k) for k in keep} for c in self.results],
            "corrections": [c._asdict() for c in self.corrections],
        }


def clean_question(question: str) -> str:
    """What the user meant to type: control characters out, whitespace folded.

    Invisible characters (a soft hyphen, a zero-width space) are dropped without splitting
    their word. Characters are composed (NFC), as articles are when read (``index.articles``).
    """
    return " ".join(_CONTROL.sub(" ", unicodedata.normalize("NFC", visible(question))).split())


def _information(index: BM25Index, tid: int | None) -> float:
    """How much a term tells, as a smoothed idf that stays positive in any collection.

    rank-bm25's idf is zero or floored for terms in half the passages or more, and
    degenerate in a collection of one or two passages, so it cannot weigh question words.
    """
    n = 0 if tid is None else index.doc_freq(tid)
    return math.log(1 + (index.n_docs - n + 0.5) / (n + 0.5))


@cache
def generic_terms() -> frozenset[str]:
    """Index terms of the shipped everyday filler words (``data/generic.txt``)."""
    text = resources.files("index").joinpath("data/generic.txt").read_text("utf-8")
    words = " ".join(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(Analyzer().terms(words))


def coverage(
    index: BM25Index,
    terms: list[str],
    related: dict[str, set[str]],
    doc: int,
    joined: set[str] | frozenset[str] = frozenset(),
) -> float:
    """Share of the question's information (idf mass) that passage ``doc`` covers.

    A question term is covered when the passage has it or one of its related words. A term
    no passage has weighs the most (the articles cannot speak to it), unless it is everyday
    filler, which weighs little.
    """
    total = covered = 0.0
    generic = generic_terms()
    for term in dict.fromkeys(terms):
        tid = index.vocabulary.get(term)
        if tid is None and term in joined:
            continue  # "halloweenthem" unseen: "halloween" and "theme" speak for it
        weight = _information(index, tid)
        if tid is None:
            weight *= GENERIC_SHARE if term in generic else UNSEEN_BOOST
        total += weight
        alternatives = (index.vocabulary.get(t) for t in (term, *related.get(term, ())))
        if any(a is not None and index.contains(a, doc) for a in alternatives):
            covered += weight
    return covered / total if total else 0.0


def ask(
    collection: Collection,
    analyzer: Analyzer,
    question: str,
    k: int = DEFAULT_K,
    abstain: bool = True,
) -> Answer:
    """Answer ``question`` with up to ``k`` cited passages, best first, or abstain.

    ``abstain=False`` cites the best passages whatever the evidence (benchmarks use it to
    measure the ranking apart from abstention); bad questions are still refused.
    """
    question = clean_question(question)
    if not question:
        return Answer(question, False, reason="The question is empty: ask about the articles.")
    if len(question) > MAX_QUESTION_CHARS:
        return Answer(
            question[:MAX_QUESTION_CHARS],
            False,
            reason=f"The question is {len(question):,} characters long; please keep it under "
            f"{MAX_QUESTION_CHARS:,}.",
        )
    index = collection.index
    spans = analyzer.spans(question)
    # The joined form of a hyphenated word ("ceasefir" for "cease-fire") lets both spellings
    # match, but says nothing its parts do not: abstention ignores it when unseen, and it is
    # never read as a typo (its parts are).
    joined = {ts[-1] for (s, e), ts in spans if len(ts) > 1 and "-" in fold(question[s:e])}
    terms, typos = corrected_terms(index, analyzer, question, spans, keep=joined)
    if not terms:
        return Answer(question, False, reason="The question has no words to search for.")
    related = related_terms(terms)
    k = max(1, min(k, MAX_K))
    candidates = index.top(index.query(expand(terms, related)), max(k, CANDIDATES))
    weights = {t: _information(index, index.vocabulary.get(t)) for t in terms}
    stands_for = {r: t for t, words in related.items() for r in words}
    asked = Question(tuple(terms), weights, answer_kind(question), stands_for, word_pairs(question))
    ranked = rerank(collection, analyzer, asked, candidates)[:k]
    hits = [r.hit for r in ranked]

    def covered(hit: Hit) -> float:
        return coverage(index, terms, related, hit.doc, joined)

    evidence = _evidence(ranked[0], covered(hits[0]), len(set(terms))) if ranked else None
    corrections = tuple(_as_written(collection, analyzer, typo, hits) for typo in typos)
    if evidence is None or (abstain and not evidence.answers()):
        close = (h for h in hits if covered(h) >= RELATED_COVERAGE)
        nearby = tuple(dict.fromkeys(collection.passage(h.doc)[0].id for h in close))
        reason = "The articles do not answer this."
        return Answer(
            question,
            False,
            reason=reason,
            related=nearby,
            evidence=evidence,
            corrections=corrections,
        )
    citations = tuple(_cite(collection, analyzer, terms, h) for h in hits)
    return Answer(question, True, citations, evidence=evidence, corrections=corrections)


def _evidence(first: Ranked, covered: float, words: int) -> Evidence:
    features = first.features
    return Evidence(
        coverage=covered,
        log_words=math.log(words),
        phrases=features.phrases if features else 0.0,
        bigrams=features.bigrams if features else 0.0,
    )


def _as_written(
    collection: Collection, analyzer: Analyzer, typo: Typo, hits: list[Hit]
) -> Correction:
    """The typo, and the word it was read as spelled as the articles spell it ("Tomingaj").

    A term stands for several words ("playr" is read as "play", which the passages write
    "played" and "plays"): the one nearest to what was typed is named. Words are taken from
    the passages about to be quoted or, when none has the term, from the first passage that
    does (a typo is only ever read as a term the index has).
    """

    def nearness(word: str) -> tuple[float, float]:
        """Likeness of the letters, then of their case ("launches", not "Launches")."""
        return _likeness(typo.typed.casefold(), word.casefold()), _likeness(typo.typed, word)

    words = [w for h in hits for w in _words_for(collection, analyzer, h.doc, typo.term)]
    if not words:
        index = collection.index
        first_with_it = int(index.postings(index.vocabulary[typo.term])[0][0])
        words = _words_for(collection, analyzer, first_with_it, typo.term)
    return Correction(typo.typed, max(words, key=nearness, default=typo.term))


def _likeness(a: str, b: str) -> float:
    """How alike two strings are, from 0 to 1 (difflib's ratio: matching characters' share)."""
    return SequenceMatcher(None, a, b).ratio()


def _words_for(collection: Collection, analyzer: Analyzer, doc: int, term: str) -> list[str]:
    """The words yielding ``term`` in what passage ``doc`` is indexed with, in order.

    That is its heading and text and, for an article's first passage, the title.
    """
    article, passage = collection.passage(doc)
    title = article.title if doc == article.first_passage else ""
    return [
        word_of(analyzer, text[start:end], term)
        for text in (passage.heading, passage.text, title)
        for (start, end), terms in analyzer.spans(text)
        if term in terms
    ]


def _cite(collection: Collection, analyzer: Analyzer, terms: list[str], hit: Hit) -> Citation:
    article, passage = collection.passage(hit.doc)
    wanted = set(terms)
    spans = tuple(span for span, ts in analyzer.spans(passage.text) if wanted.intersection(ts))
    matched = tuple(dict.fromkeys(passage.text[s:e] for s, e in spans))
    return Citation(
        article=article.id,
        title=article.title,
        outlet=article.outlet,
        url=article.url,
        passage=passage.number,
        heading=passage.heading,
        text=passage.text,
        score=round(hit.score, 6),
        matched=matched,
        spans=spans,
    )
