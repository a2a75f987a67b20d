"""Question expansion with a shipped list of related news words.

Plain BM25 only sees shared words, so "How many soldiers died?" misses a passage about
"troops" and "casualties". Each question word or phrase found in a group of
``data/synonyms.txt`` adds the group's other words to the query at a lower weight, and counts
as covered when a passage has any of them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from index.analysis import Analyzer

EXPANSION_WEIGHT = 0.4  # an expansion term counts this much of an original question term

Phrase = tuple[str, ...]


@cache
def _groups() -> tuple[tuple[Phrase, ...], ...]:
    text = resources.files("index").joinpath("data/synonyms.txt").read_text("utf-8")
    analyzer = Analyzer()
    groups = []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrases = {tuple(analyzer.terms(item)) for item in line.split(",")}
        groups.append(tuple(p for p in phrases if p))
    return tuple(groups)


def _contains(terms: list[str], phrase: Phrase) -> bool:
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == phrase for i in range(len(terms) - n + 1))


def related_terms(terms: list[str]) -> dict[str, set[str]]:
    """For each question term, the terms of related words that the question does not use."""
    present = set(terms)
    related: dict[str, set[str]] = {}
    for group in _groups():
        matched = [p for p in group if _contains(terms, p)]
        if not matched:
            continue
        # Only one-word items are added: the index has no phrases, and the words of a phrase
        # ("white house") would match far more than the phrase does.
        extra = {p[0] for p in group if p not in matched and len(p) == 1} - present
        for phrase in matched:
            for term in phrase:
                related.setdefault(term, set()).update(extra)
    return related


def expand(terms: list[str]) -> dict[str, float]:
    """The weighted query: question terms at 1, related terms at ``EXPANSION_WEIGHT``."""
    query = dict.fromkeys(terms, 1.0)
    for extra in related_terms(terms).values():
        for term in extra:
            query.setdefault(term, EXPANSION_WEIGHT)
    return query
