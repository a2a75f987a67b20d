"""Retrieval metrics shared by the public-data benchmarks (``qa_squad.py``, ``ir_cranfield.py``).

Kept apart from the scripts so the tests can check them on hand-computed cases, and so both
benchmarks score with one definition. Ranks are 1-based; ``None`` means "not retrieved".
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

from index.evaluate import fold  # the project's own answer-matching rule (``python -m index eval``)

T = TypeVar("T", bound=Hashable)


def answer_rank(texts: Iterable[str], answers: Iterable[str]) -> int | None:
    """Rank of the first text containing one of the answer strings, or ``None``.

    Matching is case-, quote- and white-space-insensitive, as in the project's ``eval``: a
    passage "answers" when a reader would find the answer in it verbatim.
    """
    wanted = [w for w in (fold(a) for a in answers) if w]
    for rank, text in enumerate(texts, 1):
        folded = _fold_cached(text)
        if any(w in folded for w in wanted):
            return rank
    return None


@lru_cache(maxsize=1 << 16)
def _fold_cached(text: str) -> str:
    """``fold`` once per distinct passage: a benchmark sees the same passages over and over."""
    return fold(text)


def hit_at(ranks: Sequence[int | None], k: int) -> float:
    """Share of questions answered within the first ``k`` results (``None`` is a miss)."""
    if not ranks:
        return 0.0
    return sum(r is not None and r <= k for r in ranks) / len(ranks)


def first_occurrences(ranking: Iterable[T]) -> list[T]:
    """The ranking with repeats dropped: a document counts at its best passage's rank."""
    return list(dict.fromkeys(ranking))


def average_precision(ranking: Sequence[T], relevant: Iterable[T]) -> float:
    """Average precision of a ranking of distinct documents, over all relevant documents.

    Relevant documents never retrieved contribute zero precision, so a short ranking (or an
    abstention, an empty ranking) is penalised for what it leaves out.
    """
    wanted = set(relevant)
    if not wanted:
        return 0.0
    found, total = 0, 0.0
    for rank, doc in enumerate(ranking, 1):
        if doc in wanted:
            found += 1
            total += found / rank
    return total / len(wanted)


def ndcg_at(ranking: Sequence[T], gains: Mapping[T, float], k: int) -> float:
    """nDCG@k with linear gains and a log2(rank + 1) discount (trec_eval's definition).

    The ideal ranking orders every judged document of the query by gain, retrieved or not.
    """
    ideal = _dcg(sorted((g for g in gains.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return _dcg([gains.get(doc, 0.0) for doc in ranking[:k]]) / ideal


def _dcg(gains: Sequence[float]) -> float:
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(gains, 1))


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean; 0 for no values (a table cell, not an error)."""
    items = list(values)
    return sum(items) / len(items) if items else 0.0
