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
def _groups() -> dict[str, list[tuple[Phrase, tuple[Phrase, ...]]]]:
    """Groups of related phrases, keyed by each phrase's first term (for fast matching)."""
    text = resources.files("index").joinpath("data/synonyms.txt").read_text("utf-8")
    analyzer = Analyzer()
    by_first: dict[str, list[tuple[Phrase, tuple[Phrase, ...]]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        # A hyphenated item stands for its joined form ("president-elect"), as indexed.
        phrases = {tuple(analyzer.terms(item.replace("-", ""))) for item in line.split(",")}
        group = tuple(p for p in phrases if p)
        for phrase in group:
            by_first.setdefault(phrase[0], []).append((phrase, group))
    return by_first


def related_terms(terms: list[str]) -> dict[str, set[str]]:
    """For each question term, the terms of related words that the question does not use.

    Only one-word items are added: the index has no phrases, and the words of a phrase
    ("white house") would match far more than the phrase does.
    """
    present = set(terms)
    related: dict[str, set[str]] = {}
    groups = _groups()
    for i, first in enumerate(terms):
        for phrase, group in groups.get(first, ()):
            if tuple(terms[i : i + len(phrase)]) != phrase:
                continue
            extra = {p[0] for p in group if len(p) == 1 and p[0] not in present}
            for term in phrase:
                related.setdefault(term, set()).update(extra)
    return related


def expand(terms: list[str], related: dict[str, set[str]]) -> dict[str, float]:
    """The weighted query: question terms at 1, their related terms at ``EXPANSION_WEIGHT``."""
    query = dict.fromkeys(terms, 1.0)
    for extra in related.values():
        for term in extra:
            query.setdefault(term, EXPANSION_WEIGHT)
    return query
