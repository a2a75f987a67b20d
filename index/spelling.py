"""Typos in questions: a term no passage has is read as the indexed term one edit away.

People type fast in a chat ("tominaj" for "Tomingaj", "depedent", "archeaologists"). A term
the index has never seen gets no score and, for abstention, weighs as a topic the articles
do not know; read as the indexed term it was probably meant as, it does what the user meant.
Edits are counted on index terms (stems), Norvig-style: every string one deletion,
transposition, replacement or insertion away is looked up among the index terms, and the term
most passages use wins.

A real word the articles do not use must stay what it is ("plane" is not "plan", "court"
not "count"), or abstention would answer questions the articles cannot. So a word found in
pyspellchecker's English dictionary (160,000 words, loaded at the first suspected typo:
0.11-0.14 s, 35-40 MB) is never a typo. Names the dictionary lacks are the remaining risk; two
more rules narrow it: the first letter is kept (people rarely mistype it, and one edit there
turns many words into others), and short terms are left alone. The joined form of a
hyphenated word is never corrected either (its parts are). What is left ("Osama" read as
"Obama") is said in the reply: every correction is returned as a ``Typo``, which
``index.answers`` shows as the articles write the word.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence, Set
from functools import cache
from string import ascii_lowercase
from typing import NamedTuple

from spellchecker import SpellChecker

from index.analysis import Analyzer
from index.bm25 import BM25Index
from index.text import fold

MIN_LENGTH = 5  # shorter unseen terms are not corrected


class Typo(NamedTuple):
    """A word of the question read as another: what was typed, and the index term searched."""

    typed: str  # "tominaj", folded as ``word_of`` folds it
    term: str  # "tomingaj", the index term (a stem)


def one_edit(term: str) -> set[str]:
    """Every string one deletion, transposition, replacement or insertion from ``term``.

    The first letter is kept: it is the one people rarely mistype.
    """
    first, rest = term[:1], term[1:]
    splits = [(rest[:i], rest[i:]) for i in range(len(rest) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ascii_lowercase}
    inserts = {a + c + b for a, b in splits for c in ascii_lowercase}
    return {first + edit for edit in deletes | transposes | replaces | inserts} - {term}


def corrected(index: BM25Index, term: str, keep: Set[str] = frozenset()) -> str:
    """The indexed term ``term`` was probably meant as; ``term`` itself if none, or in ``keep``."""
    plain = term.isascii() and term.isalpha()
    if len(term) < MIN_LENGTH or not plain or term in keep or term in index.term_ids:
        return term
    candidates = list(one_edit(term))
    known = {
        candidate: index.doc_freq(tid)
        for candidate, tid in zip(candidates, index.term_ids.find_many(candidates), strict=True)
        if tid is not None
    }
    return max(known, key=lambda t: (known[t], t), default=term)


def corrected_terms(
    index: BM25Index,
    analyzer: Analyzer,
    question: str,
    spans: Sequence[tuple[tuple[int, int], Sequence[str]]],
    keep: Set[str] = frozenset(),
) -> tuple[list[str], tuple[Typo, ...]]:
    """The question's terms (``analyzer.spans``), in order, typos read as the terms meant.

    A correction is dropped when the word typed is an English word: the dictionary is only
    consulted then, so most questions never load it. The corrections made are returned too,
    each word once (as first typed), so the reply can say how the question was read.
    """
    terms: list[str] = []
    typos: dict[tuple[str, str], Typo] = {}  # one per word, whatever its case
    for (start, end), span_terms in spans:
        for term in span_terms:
            meant = corrected(index, term, keep)
            if meant != term:
                typed = word_of(analyzer, question[start:end], term)
                if is_english(typed):
                    meant = term
                else:
                    typos.setdefault((typed.casefold(), meant), Typo(typed, meant))
            terms.append(meant)
    return terms, tuple(typos.values())


_LOADING = threading.Lock()


def is_english(word: str) -> bool:
    """Whether ``word``, as typed (any case, "'s" allowed), is in the English dictionary."""
    with _LOADING:  # the bot asks from worker threads: load the dictionary once
        dictionary = _english()
    return fold(word).casefold().removesuffix("'s") in dictionary


@cache
def _english() -> SpellChecker:
    return SpellChecker(language="en")


def word_of(analyzer: Analyzer, word: str, term: str) -> str:
    """The part of a perhaps hyphenated word that yields ``term``, folded (``fold``).

    Less any "'s" (or "'S"): a possessive is the same word, for the dictionary and the reader.
    """
    folded = fold(word)
    part = next((p for p in folded.split("-") if term in analyzer.terms(p)), folded)
    return part[:-2] if part[-2:].casefold() == "'s" else part
