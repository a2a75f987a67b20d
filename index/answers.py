"""Answers: the best passages for a question, each cited, or an honest "not in the articles".

``ask`` runs five stages, each a function here or in its own module:

1. read the question (``read``): its terms as typed, typos corrected (``index.spelling``;
   the reply says so, with the word as the articles write it), related words added
   (``index.expansion``);
2. retrieve candidates (``retrieve``): BM25's best, exactly rank-bm25's scores, and, with
   the sentence model on, the passages nearest in meaning (``index.semantic``), which may
   share no word with the question;
3. rerank them (``index.rerank``) by how a passage answers, not only what it shares;
4. decide (``index.decision``) whether the first passage answers, may answer, or the
   articles are silent;
5. cite the passages kept.

A citation's score is the reranker's (BM25's own when nothing could be weighed).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources

import numpy as np

from index.analysis import Analyzer
from index.bm25 import BM25Index, Hit
from index.collection import Collection
from index.config import SearchConfig
from index.decision import Evidence, Verdict
from index.expansion import expand, related_terms
from index.information import information
from index.rerank import Features, Question, Ranked, answer_kind, rerank, word_pairs
from index.semantic import encoder
from index.spelling import Typo, corrected_terms, word_of
from index.text import clean_question, fold
from index.types import (
    DEFAULT_K,
    MAX_K,
    MAX_QUESTION_CHARS,
    Answer,
    Citation,
    Correction,
)

GENERIC_SHARE = 0.2  # weight of an unseen everyday word, relative to a seen one
RELATED_COVERAGE = 0.25  # an abstention names the articles whose passages cover this much
UNSEEN_BOOST = 1.5  # an unseen topical word is the surest sign the articles do not answer
_STUTTER = re.compile(r"\b(\w+)(?:\W+\1\b)+", re.IGNORECASE)


@cache
def generic_terms() -> frozenset[str]:
    """Index terms of the shipped everyday filler words (``data/generic.txt``)."""
    text = resources.files("index").joinpath("data/generic.txt").read_text("utf-8")
    words = " ".join(line for line in text.splitlines() if not line.startswith("#"))
    return frozenset(Analyzer().terms(words))


@dataclass(frozen=True, slots=True)
class Reading:
    """A question as the stages after reading need it."""

    text: str  # cleaned
    terms: list[str]  # index terms, typos corrected
    related: dict[str, set[str]]  # term -> related words the query is expanded with
    joined: set[str]  # joined forms of hyphenated words ("ceasefir"), see ``read``
    typos: list[Typo]


def coverage(collection: Collection, reading: Reading, passage_id: int) -> float:
    """Share of the question's information that passage ``passage_id`` covers.

    A question term is covered when the passage has it or one of its related words. A term
    its article never uses weighs the most (the article cannot speak to it), unless it is
    everyday filler, which weighs little. Both are judged within the passage's article, so
    other articles joining the folder change nothing.
    """
    index = collection.index
    total = covered = 0.0
    generic = generic_terms()
    for term in dict.fromkeys(reading.terms):
        tid = index.term_ids.get(term)
        if tid is None and term in reading.joined:
            continue  # "halloweenthem" unseen: "halloween" and "theme" speak for it
        weight = information(term)
        if not collection.article_has(tid, passage_id):
            weight *= GENERIC_SHARE if term in generic else UNSEEN_BOOST
        total += weight
        related = reading.related.get(term, ())
        alternatives = (index.term_ids.get(t) for t in (term, *related))
        if any(a is not None and index.contains(a, passage_id) for a in alternatives):
            covered += weight
    return covered / total if total else 0.0


def question_terms(analyzer: Analyzer, question: str) -> list[str]:
    """The question's terms as typed (no typo reading), within the length a question may have."""
    return analyzer.terms(clean_question(question)[:MAX_QUESTION_CHARS])


def read(index: BM25Index, analyzer: Analyzer, question: str) -> Reading | Answer:
    """Stage 1: the question's terms, or the reply to a question that cannot be asked."""
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
    spans = analyzer.spans(question)
    # The joined form of a hyphenated word ("ceasefir" for "cease-fire") lets both spellings
    # match, but says nothing its parts do not: abstention ignores it when unseen, and it is
    # never read as a typo (its parts are).
    joined = {ts[-1] for (s, e), ts in spans if len(ts) > 1 and "-" in fold(question[s:e])}
    terms, typos = corrected_terms(index, analyzer, question, spans, keep=joined)
    if not terms:
        return Answer(question, False, reason="The question has no words to search for.")
    return Reading(question, terms, related_terms(terms), joined, typos)


def retrieve(
    collection: Collection, analyzer: Analyzer, reading: Reading, config: SearchConfig, k: int
) -> tuple[list[Hit], dict[int, float]]:
    """Stage 2: candidates, and each one's cosine with the question (with the model).

    BM25's best come first, then the passages nearest in meaning that BM25 did not find.
    """
    index = collection.index
    query = index.query(expand(reading.terms, reading.related))
    hits = index.top(query, max(k, config.candidates))
    vectors = collection.vectors
    if not config.semantic or vectors is None:
        return hits, {}
    question = encoder().encode([_as_the_model_reads(collection, analyzer, reading)])[0]
    if config.dense_candidates and len(vectors) <= config.scan_limit:
        cosines = vectors @ question  # every passage: a scan of the whole vector file
        nearest = _best(cosines, max(k, config.dense_candidates))
        found = {h.passage_id for h in hits}
        hits += index.hits_for(query, (p for p in nearest if p not in found))
        return hits, {h.passage_id: float(cosines[h.passage_id]) for h in hits}
    ids = [h.passage_id for h in hits]
    return hits, dict(zip(ids, (vectors[ids] @ question).tolist(), strict=True))


def _as_the_model_reads(collection: Collection, analyzer: Analyzer, reading: Reading) -> str:
    """The question as the sentence model reads it: as BM25 searches it.

    A typo is spelled as the articles spell the word it was read as ("Gerasimof" as
    "Gerasimov"), and a word typed twice in a row counts once: BM25 counts each question
    word once, however often it is typed, and the model would read "Kursk Kursk troops" as
    a question about something else than "Kursk troops".
    """
    text = reading.text
    for typo in reading.typos:
        written = _as_written(collection, analyzer, typo, []).read_as
        text = re.sub(rf"(?<!\w){re.escape(typo.typed)}(?!\w)", written, text, flags=re.I)
    return _STUTTER.sub(r"\1", text)


def _best(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the ``k`` highest scores, highest first."""
    if len(scores) > k:
        top = np.argpartition(-scores, k)[:k]
        return top[np.argsort(-scores[top], kind="stable")].tolist()
    return np.argsort(-scores, kind="stable").tolist()


def rank(
    collection: Collection, analyzer: Analyzer, reading: Reading, config: SearchConfig, k: int
) -> tuple[list[Ranked], dict[int, float]]:
    """Stages 2 and 3: every candidate reranked, best first, and the candidates' cosines."""
    candidates, cosines = retrieve(collection, analyzer, reading, config, k)
    weights = {t: information(t) for t in reading.terms}
    stands_for = {r: t for t, words in reading.related.items() for r in words}
    question = Question(
        tuple(reading.terms),
        weights,
        answer_kind(reading.text),
        stands_for,
        word_pairs(reading.text),
    )
    return rerank(collection, analyzer, question, candidates, config.weights, cosines), cosines


def ask(
    collection: Collection,
    analyzer: Analyzer,
    question: str,
    k: int = DEFAULT_K,
    config: SearchConfig | None = None,
    abstain: bool = True,
) -> Answer:
    """Answer ``question`` with up to ``k`` cited passages, best first, or abstain.

    ``abstain=False`` cites the best passages whatever the evidence (benchmarks use it to
    measure the ranking apart from the decision); bad questions are still refused.
    """
    config = config or SearchConfig()
    reading = read(collection.index, analyzer, question)
    if isinstance(reading, Answer):
        return reading
    k = max(1, min(k, MAX_K))
    ranked, cosines = rank(collection, analyzer, reading, config, k)
    ranked = ranked[:k]
    hits = [r.hit for r in ranked]

    evidence = weigh(collection, reading, ranked[0], cosines) if ranked else None
    corrections = tuple(_as_written(collection, analyzer, typo, hits) for typo in reading.typos)
    verdict = Verdict.ANSWERS
    if evidence is None:
        verdict = Verdict.SILENT
    elif abstain:
        verdict = config.decision.verdict(evidence)
    if verdict is Verdict.SILENT:
        close = (h for h in hits if coverage(collection, reading, h.passage_id) >= RELATED_COVERAGE)
        nearby = tuple(dict.fromkeys(collection.passage(h.passage_id)[0].id for h in close))
        return Answer(
            reading.text,
            False,
            reason="The articles do not answer this.",
            related=nearby,
            evidence=evidence,
            corrections=corrections,
        )
    citations = tuple(cite(collection, analyzer, reading.terms, h) for h in hits)
    return Answer(
        reading.text,
        True,
        citations,
        evidence=evidence,
        corrections=corrections,
        tentative=verdict is Verdict.MAY_ANSWER,
    )


def weigh(
    collection: Collection, reading: Reading, ranked: Ranked, cosines: dict[int, float]
) -> Evidence:
    """What the decision weighs about a passage, were it the first (stage 4's input)."""
    features = ranked.features
    passage_id = ranked.hit.passage_id
    return Evidence(
        coverage=coverage(collection, reading, passage_id),
        log_words=math.log(len(set(reading.terms))),
        phrases=features.phrases if features else 0.0,
        bigrams=features.bigrams if features else 0.0,
        similarity=cosines.get(passage_id, 0.0),
    )


def bm25_alone(
    collection: Collection, analyzer: Analyzer, question: str, k: int = DEFAULT_K
) -> list[Citation]:
    """The first stage on its own: BM25's best ``k`` passages for the question's words, cited.

    Exactly rank-bm25's scores over the passages, without typo reading, related words,
    meaning, reranking or decision: the yardstick the later stages are measured against.
    """
    terms = question_terms(analyzer, question)
    index = collection.index
    hits = index.top(index.query(terms), max(1, k))  # no MAX_K: comparisons rank deep
    return [cite(collection, analyzer, terms, h) for h in hits]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A reranked candidate as the fit scripts see it."""

    citation: Citation
    features: Features  # what the reranker's weights multiply
    evidence: Evidence  # what the decision would weigh, were it the first passage


def candidates(
    collection: Collection, analyzer: Analyzer, question: str, config: SearchConfig
) -> list[Candidate]:
    """Every candidate for ``question``, reranked, best first (none if it cannot be asked)."""
    reading = read(collection.index, analyzer, question)
    if isinstance(reading, Answer):
        return []
    ranked, cosines = rank(collection, analyzer, reading, config, DEFAULT_K)
    return [
        Candidate(
            cite(collection, analyzer, reading.terms, r.hit),
            r.features,
            weigh(collection, reading, r, cosines),
        )
        for r in ranked
        if r.features is not None
    ]


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

    words = [w for h in hits for w in _words_for(collection, analyzer, h.passage_id, typo.term)]
    if not words:
        index = collection.index
        first_with_it = int(index.postings(index.term_ids[typo.term])[0][0])
        words = _words_for(collection, analyzer, first_with_it, typo.term)
    return Correction(typo.typed, max(words, key=nearness, default=typo.term))


def _likeness(a: str, b: str) -> float:
    """How alike two strings are, from 0 to 1 (difflib's ratio: matching characters' share)."""
    return SequenceMatcher(None, a, b).ratio()


def _words_for(collection: Collection, analyzer: Analyzer, passage_id: int, term: str) -> list[str]:
    """The words yielding ``term`` in what passage ``passage_id`` is indexed with, in order.

    That is its heading and text and, for an article's first passage, the title.
    """
    article, passage = collection.passage(passage_id)
    title = article.title if passage_id == article.first_passage else ""
    return [
        word_of(analyzer, text[start:end], term)
        for text in (passage.heading, passage.text, title)
        for (start, end), terms in analyzer.spans(text)
        if term in terms
    ]


def cite(collection: Collection, analyzer: Analyzer, terms: list[str], hit: Hit) -> Citation:
    article, passage = collection.passage(hit.passage_id)
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
