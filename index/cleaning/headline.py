"""The headline and what the page says of itself: outlet and address.

The headline is the line the page title, the address or the first paragraph echoes, above
the byline (else the first headline-shaped line above the article); ``read_page`` gives it
with the outlet and the address to the reader, for files without a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.cleaning.blocks import (
    FULL_STOP,
    MAX_PROMPT_WORDS,
    MAX_TITLE_WORDS,
    Block,
    Kind,
    menu_parts,
)
from index.cleaning.classify import page_blocks
from index.cleaning.lines import is_breadcrumb, is_fragment
from index.cleaning.stretch import HEADLINE_REACH, block_score, densest, is_section_name
from index.text import title_key, word_list_form

# --- the headline and what the page says of itself --------------------------------------

MIN_HEADLINE_WORDS = 3
STRONG_ECHO = 0.75  # share of words a headline has in common with the page title or its slug
LEDE_ECHO = 0.5  # share of a headline's words its first paragraph uses
LEDE_LINES = 3  # a headline pasted under the first paragraph is this close under it
HEADER_LINES = 6  # a headline is this close above the byline (or the article, without one)
FALLBACK_TITLE_WORDS = 12
MAX_HEADLINES = 20  # candidates weighed
HEADLINE_SHARE = 0.9  # of the best article found under a headline candidate
_URL = re.compile(r"https?://[^\s\"'<>]+")
_OUTLET_LINE = re.compile(
    r"(?:©|\(c\)|\bcopyright\b)\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?[,.]?\s*"
    r"(?P<a>[^.|©]{2,60}?)\s*(?:[.|,]|all\s+rights|$)|^published\s+by\s+(?P<b>[^.|]{2,60})",
    re.I,
)
MAX_OUTLET_WORDS = 6


@dataclass(frozen=True, slots=True)
class Page:
    """What a page without a header says of itself: its headline, outlet and address."""

    headline: str
    outlet: str
    url: str


def _content(text: str) -> set[str]:
    """A line's words as an echo is measured: longer than two letters, and cut to five.

    Five letters are stem enough for "guarantees" to echo "guaranteed".
    """
    return {w[:5] for w in word_list_form(text).split() if len(w) > 2}


def _main_part(text: str) -> str:
    """The headline part of a page title ("Headline | Site" → "Headline")."""
    parts = [p.strip() for p in re.split(r"\s+[|–—-]\s+|\s*[|»]\s*", text) if p.strip()]
    return max(parts, key=len) if parts else text


def _echo(line: str, reference: set[str]) -> float:
    words = _content(line)
    return len(words & reference) / max(len(words), len(reference), 1)


def _may_be_headline(b: Block) -> bool:
    return (
        MIN_HEADLINE_WORDS <= b.words <= MAX_TITLE_WORDS
        and b.kind not in (Kind.META, Kind.END, Kind.MARKER)
        and not is_fragment(b)
        and not (b.prose and FULL_STOP.search(b.text))
    )


def _references(blocks: list[Block], title: str) -> list[tuple[int, set[str]]]:
    """What a headline echoes: the given title, the page title (first line), URL slugs.

    Each with the line it comes from (-1: none), which cannot echo itself.
    """
    references = [(-1, _content(title))] if title else []
    if blocks and _may_be_headline(blocks[0]) and blocks[0].kind in (Kind.ARTICLE, Kind.CHROME):
        references.append((0, _content(_main_part(blocks[0].text))))
    for i, b in enumerate(blocks):
        for url in _URL.findall(b.text):
            slug = url.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
            if slug.count("-") >= MIN_HEADLINE_WORDS:
                references.append((i, _content(slug.replace("-", " "))))
    return [(i, r) for i, r in references if len(r) >= MIN_HEADLINE_WORDS - 1]


def find_headline(blocks: list[Block], title: str) -> tuple[int | None, bool]:
    """Where the page's headline is, and whether the article starts under it.

    A line the page title or address echoes, the one best placed above the article; else a
    short line just above the article (or just under its first paragraph, the headline of a
    page pasted from its menu on) that the first paragraph echoes; else the first
    headline-shaped line just above the byline, or the article.
    """
    references = _references(blocks, title)
    scores = [block_score(b) for b in blocks]
    strong = [
        i
        for i, b in enumerate(blocks)
        if _may_be_headline(b)
        and any(_echo(b.text, r) >= STRONG_ECHO for at, r in references if at != i)
    ]
    strong = [i for i in strong if i > 0] or strong  # the first line: a page title, if no other
    del strong[MAX_HEADLINES:]  # a headline is near the top; a page of repeats stays linear
    if strong:
        # the last one with most of the article under it: a headline may also open the page
        # (a page title) or sit in a breadcrumb above the real one
        under = {i: densest(scores, i + 1, HEADLINE_REACH)[2] for i in strong}
        at = max(i for i in strong if under[i] >= HEADLINE_SHARE * max(under.values()))
        return at, not (
            at > 0 and blocks[at - 1].article_prose and _echoes_lede(blocks, at, at - 1)
        )
    first, _, _ = densest(scores)
    if first >= len(blocks):
        return None, False
    near = range(max(first - HEADLINE_REACH, 0), min(first + LEDE_LINES + 1, len(blocks)))
    echoed = [
        i
        for i in near
        if i != first and _is_header_title(blocks[i]) and _echoes_lede(blocks, i, first)
    ]
    if echoed:
        above = [i for i in echoed if i < first]
        return (above[-1], True) if above else (echoed[0], False)
    meta = next((i for i in range(first) if blocks[i].kind is Kind.META), first)
    above = (i for i in range(max(meta - HEADER_LINES, 0), meta) if _is_header_title(blocks[i]))
    return next(above, None), True


def _echoes_lede(blocks: list[Block], headline: int, lede: int) -> bool:
    words = _content(blocks[headline].text)
    shared = len(words & _content(blocks[lede].text))
    return shared >= MIN_HEADLINE_WORDS and shared >= LEDE_ECHO * len(words)


def _is_header_title(b: Block) -> bool:
    return (
        _may_be_headline(b)
        and not b.prose
        and b.kind is Kind.ARTICLE
        and not is_section_name(b)
        and not is_breadcrumb(b)
    )


def read_page(body: str) -> Page:
    """The page's own headline, outlet and address, for a file without a header.

    Without a headline, the first headline-shaped line above the article stands for it (the
    page title, if the page starts with it), else the article's first words.
    """
    blocks = page_blocks(body, frozenset())
    at, _ = find_headline(blocks, "")
    first, end, _ = densest([block_score(b) for b in blocks])
    if at is None:  # the first headline-shaped line above the article, the page title first
        at = next(
            (i for i in range(first if end else len(blocks)) if _is_header_title(blocks[i])), None
        )
    if at is None and blocks and blocks[0].kind is Kind.ARTICLE and not blocks[0].article_prose:
        at = 0  # a short first line: "Harbour news"
    if at is not None:
        headline = _main_part(blocks[at].text) if at == 0 else blocks[at].text
    else:
        lead = blocks[first if end else 0].text.split() if blocks else []
        headline = " ".join(lead[:FALLBACK_TITLE_WORDS]) + (
            "…" if len(lead) > FALLBACK_TITLE_WORDS else ""
        )
    return Page(headline, _outlet(blocks, headline), _url(blocks))


def _outlet(blocks: list[Block], headline: str) -> str:
    """The outlet where the page names itself: its title's other part, copyright, publisher."""
    if blocks and headline:
        rest = title_key(blocks[0].text).replace(title_key(headline), " ", 1)
        if rest != title_key(blocks[0].text):
            parts = menu_parts(rest) + [p for p in re.split(r"\s+[–—-]\s+", rest) if p.strip()]
            for part in parts:
                words = part.strip(" -–—|:").split()
                if 0 < len(words) <= MAX_OUTLET_WORDS:
                    start = blocks[0].text.casefold().find(" ".join(words))
                    if start >= 0:
                        return blocks[0].text[start : start + len(" ".join(words))]
    for b in reversed(blocks):
        match = _OUTLET_LINE.search(b.text) if b.words <= MAX_PROMPT_WORDS else None
        if match:
            name = (match.group("a") or match.group("b") or "").strip(" ,.")
            if 0 < len(name.split()) <= MAX_OUTLET_WORDS and not name[0].isdigit():
                return name
    return ""


def _url(blocks: list[Block]) -> str:
    """The page's address, if a line of it is one (a saved page's address bar, a link)."""
    return next((b.text for b in blocks if _URL.fullmatch(b.text)), "")
