"""Text that must fit a size limit: split into pages or clipped, at the cleanest boundary.

Text is cut at a paragraph break if it can be, else between sentences, else between
words, and only as a last resort inside a word; a cut inside a paragraph is marked with an
ellipsis on both sides. Limits apply to the *rendered* text (Markdown escapes and bold
markers included), because that is what Discord counts, so every piece is rendered before
it is measured rather than estimated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from discord.utils import escape_markdown

from index import PARAGRAPH, Span, emphasize, sentence_spans

# Turns a piece of text and the spans to emphasise in it (relative to the piece) into output.
Render = Callable[[str, Sequence[Span]], str]

ELLIPSIS = "…"
_WORD = re.compile(r"\S+")
_MARKERS = len(ELLIPSIS) + 1  # " …" at a page's end, "… " at the next page's start


def markdown(text: str, bold: Sequence[Span] = ()) -> str:
    """Render for Discord: the text's own Markdown characters escaped, the spans in bold."""
    return emphasize(text, bold, escape=escape_markdown)


def plain(text: str, bold: Sequence[Span] = ()) -> str:
    """Render as is, for places Discord shows without Markdown (footers, labels, choices)."""
    return text


def paginate(
    text: str, limit: int, *, bold: Sequence[Span] = (), render: Render = markdown
) -> list[str]:
    """Split ``text`` into rendered pages of at most ``limit`` characters each, losing nothing."""
    budget = limit - 2 * _MARKERS  # room for the ellipses of a page cut inside a paragraph
    pages: list[list[_Piece]] = []
    size = 0
    for unit in _pieces(text, sorted(bold), budget, render):
        grown = size + len(unit.gap) + len(unit.text)
        if pages and grown <= budget:
            pages[-1].append(unit)
            size = grown
        else:
            pages.append([unit])
            size = len(unit.text)
    return [
        _join(page, continued=i + 1 < len(pages) and pages[i + 1][0].gap != "\n\n")
        for i, page in enumerate(pages)
    ]


def clip(text: str, limit: int, *, bold: Sequence[Span] = (), render: Render = markdown) -> str:
    """Render the start of ``text`` within ``limit`` characters, with an ellipsis if cut."""
    whole = render(text, bold)
    if len(whole) <= limit:
        return whole
    first = paginate(text, limit, bold=bold, render=render)[0]
    return first if first.endswith(ELLIPSIS) else f"{first} {ELLIPSIS}"


@dataclass(frozen=True, slots=True)
class _Piece:
    """A rendered piece that is never split further, and what separates it from the last."""

    text: str
    gap: str  # "\n\n" before a paragraph, else the line break or space the text had


def _join(page: list[_Piece], *, continued: bool) -> str:
    """Join a page's units, with ellipses where it starts or ends inside a paragraph."""
    body = page[0].text + "".join(unit.gap + unit.text for unit in page[1:])
    opening = "" if page[0].gap == "\n\n" else f"{ELLIPSIS} "
    return opening + body + (f" {ELLIPSIS}" if continued else "")


def _pieces(text: str, bold: list[Span], limit: int, render: Render) -> Iterator[_Piece]:
    """Yield the paragraphs that fit, else their sentences, else words, else characters."""
    for paragraph in PARAGRAPH.finditer(text):
        previous_end = -1
        for start, end, rendered in _fit(
            text, paragraph.start(), paragraph.end(), bold, limit, render, 0
        ):
            if previous_end < 0:
                gap = "\n\n"  # a paragraph's first piece
            elif "\n" in text[previous_end:start]:
                gap = "\n"
            else:
                gap = " "
            previous_end = end
            yield _Piece(rendered, gap)


def _fit(
    text: str, start: int, end: int, bold: list[Span], limit: int, render: Render, level: int
) -> Iterator[tuple[int, int, str]]:
    """Render ``text[start:end]`` in pieces within ``limit``, splitting finer at each level."""
    rendered = render(text[start:end], _within(bold, start, end))
    if len(rendered) <= limit:
        yield start, end, rendered
    elif level == len(_SPLITTERS):
        yield from _cut(text, start, end, bold, limit, render)
    else:
        pieces = _SPLITTERS[level](text[start:end])
        if len(pieces) < 2:  # nothing to split at this level: try the next one
            pieces = [(0, end - start)]
        for piece_start, piece_end in pieces:
            yield from _fit(
                text, start + piece_start, start + piece_end, bold, limit, render, level + 1
            )


def _cut(
    text: str, start: int, end: int, bold: list[Span], limit: int, render: Render
) -> Iterator[tuple[int, int, str]]:
    """Cut inside a word: the longest runs of characters that fit, found by bisection.

    Rendering never shrinks as characters are added, and never makes a run shorter, so
    a run longer than ``limit`` cannot fit and the search stays within ``limit`` characters.
    """

    def rendered(length: int) -> str:
        return render(text[start : start + length], _within(bold, start, start + length))

    while start < end:
        low, high = 1, min(end - start, limit)
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if len(rendered(middle)) <= limit else (low, middle - 1)
        yield start, start + low, rendered(low)
        start += low


def _words(text: str) -> list[Span]:
    return [match.span() for match in _WORD.finditer(text)]


_SPLITTERS: tuple[Callable[[str], list[Span]], ...] = (sentence_spans, _words)


def _within(bold: list[Span], start: int, end: int) -> list[Span]:
    """Clip the spans overlapping ``start:end`` to it, relative to ``start``."""
    return [(max(s, start) - start, min(e, end) - start) for s, e in bold if s < end and e > start]
