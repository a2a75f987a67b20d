"""Cleaning: keep a scraped news article's own blocks and drop the web page around them.

Scraped pages carry navigation, share and subscribe prompts, photo credits, fundraising
appeals, teasers of other articles and footers. They are recognised by general signs (word
lists, the shape of a line, its place on the page), never by one site's wording: every
article users add later comes from a site never seen here, just as cluttered.

The page is read as one block per non-empty line (a paragraph a stray line break cut is
joined again). Each block is first classified on its own (bylines and stamps are metadata,
never headings) and by repetition across the page (menus, copies of the article). Then
position decides the rest: the article is the page's densest stretch of prose, just under
its headline (the line the page title, the address or the first paragraph echo); lines
before its first paragraph are page header, and once an end-of-article signal follows its
last stretch of prose, the page is over. ``read_page`` gives a page's headline, outlet and
address to the reader, for files without a header.

One module per step: ``blocks`` (a page read as blocks, their kinds and shapes), ``lines``
(rules reading one line at a time; their word lists ship in ``index/data/``), ``classify``
(each block on its own and by what the page repeats), ``stretch`` (position: the densest
stretch of prose and what closes it), ``headline`` (the headline, outlet and address); this
module runs them in order. The names they share are the package's, not the library's:
callers use ``clean`` and ``read_page``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from index.cleaning.blocks import Block, Kind, continues
from index.cleaning.classify import page_blocks
from index.cleaning.headline import Page, find_headline, read_page
from index.cleaning.stretch import (
    absorb_lists,
    densest,
    drop_section_names,
    drop_tail,
    extend_appeals,
    is_section_name,
    keep_densest,
    mark_teasers,
)
from index.text import title_key

log = logging.getLogger(__name__)

__all__ = ["Cleaned", "Page", "clean", "densest", "read_page"]


@dataclass(frozen=True, slots=True)
class Cleaned:
    """An article's own text, and the page lines removed around it (for the caller's log)."""

    text: str  # kept blocks joined by "\n\n"
    dropped: tuple[str, ...]  # the removed source lines (stripped), in order


def _drop_header(blocks: list[Block]) -> None:
    """Above the first paragraph of a scraped page, short lines are masthead and menus.

    Only when that stretch shows page furniture: a clean body may open with a heading.
    """
    first = next((i for i, b in enumerate(blocks) if b.article_prose), None)
    if first is None or all(
        b.kind is Kind.ARTICLE and not is_section_name(b) for b in blocks[:first]
    ):
        return
    for b in blocks[:first]:
        if b.kind is Kind.ARTICLE:
            b.kind = Kind.CHROME


def _joined(kept: list[Block]) -> list[str]:
    """Kept paragraphs, one cut by a line break or by a dropped line (a caption) joined."""
    texts: list[str] = []
    for b in kept:
        if texts and continues(texts[-1], len(texts[-1].split()), b.text):
            texts[-1] = f"{texts[-1]} {b.text}"
        else:
            texts.append(b.text)
    return texts


def clean(body: str, title: str = "", subtitle: str = "", extracted: bool = False) -> Cleaned:
    """Return the article's own blocks from a scraped page, and the lines dropped around them.

    Lines repeating ``title`` or ``subtitle`` are dropped: the title is shown separately. An
    ``extracted`` body (from a saved page, by trafilatura) is the article already: only the
    rules reading one line at a time apply to it, not those finding the article on the page
    (on the extraction benchmark they cost it more recall than they bought precision).
    """
    titles = frozenset(key for key in (title_key(title), title_key(subtitle)) if key)
    blocks = page_blocks(body, titles)
    extend_appeals(blocks)
    absorb_lists(blocks)
    mark_teasers(blocks)
    drop_section_names(blocks)
    if not extracted:
        headline, opens = find_headline(blocks, title)
        keep_densest(blocks, headline + 1 if headline is not None and opens else 0)
        drop_tail(blocks)
        _drop_header(blocks)
    kept = [b for b in blocks if b.kind in (Kind.ARTICLE, Kind.BIO)]
    dropped = tuple(
        line for b in blocks if b.kind not in (Kind.ARTICLE, Kind.BIO) for line in b.sources
    )
    if dropped:
        log.debug("dropped %d of %d lines", len(dropped), len(blocks))
    return Cleaned("\n\n".join(_joined(kept)), dropped)
