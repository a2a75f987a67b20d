"""Passages: split a cleaned article into chat-sized pieces that never cut a sentence.

A passage is what the bot quotes, so it should read at a glance (about 40–120 words), but a
paragraph of up to 250 words stays whole: an answer is rarely far from the words that ask
for it within one paragraph, and cutting the paragraph often separates them. Section headings
never stand alone: they label the passages under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.sentences import sentence_spans
from index.text import PARAGRAPH

MIN_WORDS = 40
MAX_WORDS = 120
# Longer paragraphs are split at sentences. 250 is where `ask` hit@1 on SQuAD's tune split
# (benchmarks/qa_squad.py --split tune) stops rising as the limit grows from 120 words (the
# runs: docs/experiments.md).
PARAGRAPH_MAX_WORDS = 250
HEADING_MAX_WORDS = 14
RUN_ON_WORDS = 3 * MAX_WORDS  # longer than this without a full stop is not a sentence
_WORD = re.compile(r"\S+")
_SENTENCE_END = '.!?"”’…)]'


@dataclass(frozen=True, slots=True)
class Passage:
    """A numbered piece of an article; ``start:end`` are offsets in the cleaned text."""

    number: int
    heading: str
    text: str
    start: int
    end: int
    heading_start: int = -1  # the heading's offsets in the cleaned text; -1 when none
    heading_end: int = -1


@dataclass(frozen=True, slots=True)
class _Unit:
    """A run of text that is never split further: a sentence, or a paragraph that fits."""

    start: int
    end: int
    words: int
    paragraph_start: bool


def is_heading(block: str) -> bool:
    """Short, single-line and without closing punctuation: a section heading, not prose."""
    stripped = block.strip()
    return (
        "\n" not in stripped
        and len(stripped.split()) <= HEADING_MAX_WORDS
        and not stripped.endswith(tuple(_SENTENCE_END))
    )


def heading_spans(text: str) -> list[tuple[int, int]]:
    """Where the section headings of cleaned article text are (to show them as headings)."""
    return [block.span() for block in PARAGRAPH.finditer(text) if is_heading(block.group())]


def split_passages(text: str) -> list[Passage]:
    """Split cleaned article text (paragraphs separated by blank lines) into passages."""
    passages: list[Passage] = []
    for (h_start, h_end), units in _sections(text):
        for group in _pack(units):
            start, end = group[0].start, group[-1].end
            passages.append(
                Passage(
                    len(passages) + 1,
                    text[h_start:h_end],
                    text[start:end],
                    start,
                    end,
                    h_start,
                    h_end,
                )
            )
    return passages


def _sections(text: str) -> list[tuple[tuple[int, int], list[_Unit]]]:
    """Group paragraphs under the nearest heading before them (``(-1, -1)``: none)."""
    sections: list[tuple[tuple[int, int], list[_Unit]]] = [((-1, -1), [])]
    for block in PARAGRAPH.finditer(text):
        body = block.group()
        if is_heading(body):
            if not sections[-1][1]:  # a heading with no prose under it gives way to this one
                sections.pop()
            sections.append((block.span(), []))
            continue
        sections[-1][1].extend(_units(body, block.start()))
    return [(span, units) for span, units in sections if units]


def _units(paragraph: str, offset: int) -> list[_Unit]:
    """The paragraph whole if it has at most PARAGRAPH_MAX_WORDS words, else its sentences.

    A "sentence" of more than RUN_ON_WORDS words is text without punctuation (a pasted list,
    a broken page): it is cut into runs of MAX_WORDS words so no passage grows unbounded.
    """
    words = len(paragraph.split())
    if words <= PARAGRAPH_MAX_WORDS:
        return [_Unit(offset, offset + len(paragraph), words, True)]
    units = []
    for s, e in sentence_spans(paragraph):
        first = not units
        for start, end, count in _word_runs(paragraph, s, e):
            units.append(_Unit(offset + start, offset + end, count, first))
            first = False
    return units


def _word_runs(text: str, start: int, end: int) -> list[tuple[int, int, int]]:
    """``text[start:end]`` whole, or in runs of MAX_WORDS words if it is a run-on."""
    matches = list(_WORD.finditer(text, start, end))
    if len(matches) <= RUN_ON_WORDS:
        return [(start, end, len(matches))]
    runs = []
    for i in range(0, len(matches), MAX_WORDS):
        chunk = matches[i : i + MAX_WORDS]
        runs.append((chunk[0].start(), chunk[-1].end(), len(chunk)))
    return runs


def _pack(units: list[_Unit]) -> list[list[_Unit]]:
    """Greedy packing into passages of at most MAX_WORDS, with no runt at the end.

    A passage closes early at a paragraph boundary once it has twice MIN_WORDS, so passages
    follow the writer's paragraphs where they can; a sentence longer than MAX_WORDS (up to
    RUN_ON_WORDS) stays whole.
    """
    groups: list[list[_Unit]] = []
    current: list[_Unit] = []
    size = 0
    for unit in units:
        overflow = size + unit.words > MAX_WORDS
        if current and (overflow or (unit.paragraph_start and size >= MIN_WORDS * 2)):
            groups.append(current)
            current, size = [], 0
        current.append(unit)
        size += unit.words
    if current:
        groups.append(current)
    _rebalance_tail(groups)
    return groups


def _rebalance_tail(groups: list[list[_Unit]]) -> None:
    """Avoid a runt last passage: merge it back, or move units from the one before it."""
    if len(groups) < 2 or _words(groups[-1]) >= MIN_WORDS:
        return
    previous, last = groups[-2], groups[-1]
    if _words(previous) + _words(last) <= MAX_WORDS:
        previous.extend(groups.pop())
        return
    while (
        len(previous) > 1
        and _words(last) < MIN_WORDS
        and _words(previous) - previous[-1].words >= MIN_WORDS
        and _words(last) + previous[-1].words <= MAX_WORDS
    ):
        last.insert(0, previous.pop())


def _words(group: list[_Unit]) -> int:
    return sum(u.words for u in group)
