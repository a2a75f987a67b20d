"""Position on the page: the article is its densest stretch of prose.

Lines around it are kept or dropped by where they sit: appeals and lists that close the
article, teasers, section names, the tail once an end-of-article signal follows.
"""

from __future__ import annotations

from index.cleaning.blocks import (
    ENDS,
    LONG_PARAGRAPH_WORDS,
    MAX_LABEL_WORDS,
    MAX_TEASER_PARAGRAPHS,
    QUOTED,
    Block,
    Kind,
    neighbours,
)
from index.cleaning.lines import ADDRESS, SECTION_WORDS, fund_terms
from index.text import word_list_form

HEADLINE_REACH = 10  # lines above the article a headline may be

# --- position on the page -------------------------------------------------------------------


def extend_appeals(blocks: list[Block]) -> None:
    """Extend appeals to the paragraphs around them: the later ones ask less explicitly."""
    for i, b in enumerate(blocks):
        if (
            b.kind is Kind.ARTICLE
            and any(n.kind is Kind.END and fund_terms(n.text) for n in neighbours(blocks, i))
            and ADDRESS.search(b.text)
            and not QUOTED.search(b.text)
            and fund_terms(b.text)
        ):
            b.kind = Kind.END


def absorb_lists(blocks: list[Block]) -> None:
    """Drop the short lines right under a list header ("Most read", "Tags"): its items."""
    in_list = False
    for b in blocks:
        if b.kind is Kind.END and not b.prose:
            in_list = True
        elif b.article_prose or b.kind in ENDS:
            in_list = False
        elif in_list and b.kind is Kind.ARTICLE:
            b.kind = Kind.CLUTTER


def _is_teaser_label(b: Block) -> bool:
    """Headline, section, credit or label lines at the top of a teaser."""
    return b.kind is Kind.CHROME or (b.kind in (Kind.ARTICLE, Kind.CLUTTER) and not b.prose)


def _teaser_start(blocks: list[Block], marker: int) -> int | None:
    """Where the teaser closed by ``marker`` starts, or ``None`` if there is no teaser.

    Walking back: up to three paragraphs, then headline/label/credit lines. It is a teaser
    only if it has such lines and either follows another end signal (or starts the page) or
    carries page furniture (an image credit, a category tag); otherwise the marker just
    closes a collapsed article and only the marker goes.
    """
    i = marker - 1
    paragraphs = 0
    while i >= 0 and paragraphs < MAX_TEASER_PARAGRAPHS and blocks[i].article_prose:
        i -= 1
        paragraphs += 1
    labels_end = i
    while i >= 0 and _is_teaser_label(blocks[i]):
        i -= 1
    if i == labels_end:
        return None
    run = blocks[i + 1 : marker]
    after_end = i < 0 or blocks[i].kind in ENDS
    return i + 1 if after_end or any(b.kind is Kind.CHROME for b in run) else None


def mark_teasers(blocks: list[Block]) -> None:
    for marker, b in enumerate(blocks):
        if b.kind is Kind.MARKER:
            start = _teaser_start(blocks, marker)
            for teaser in blocks[marker if start is None else start : marker]:
                teaser.kind = Kind.TEASER


def is_section_name(b: Block) -> bool:
    if b.prose or b.kind is not Kind.ARTICLE or b.words > MAX_LABEL_WORDS:
        return False
    tokens = word_list_form(b.text).split()
    return 0 < len(tokens) <= MAX_LABEL_WORDS and all(
        t in SECTION_WORDS or t.isdigit() for t in tokens
    )


def drop_section_names(blocks: list[Block]) -> None:
    """Drop section names next to page furniture: categories there, headings elsewhere."""
    furniture = (Kind.CHROME, Kind.TEASER, Kind.MARKER)
    for i, b in enumerate(blocks):
        if is_section_name(b) and any(n.kind in furniture for n in neighbours(blocks, i)):
            b.kind = Kind.CHROME


def _article_end(blocks: list[Block]) -> int:
    """Index of the first end signal after the article's last stretch of long-form prose.

    Long-form prose is two paragraphs in a row (page clutter in between does not count) or
    one long paragraph; an end signal followed by such prose was a box inside the article.
    """
    last_prose = -1
    run = 0
    for i, b in enumerate(blocks):
        if b.article_prose:
            run += 1
            if run >= 2 or b.words >= LONG_PARAGRAPH_WORDS:
                last_prose = i
        elif b.kind not in (Kind.CHROME, Kind.CLUTTER):
            run = 0
    return next(
        (i for i in range(last_prose + 1, len(blocks)) if blocks[i].kind in ENDS), len(blocks)
    )


def drop_tail(blocks: list[Block]) -> None:
    """Everything after the article's end, and headings/bios left dangling before it."""
    end = _article_end(blocks)
    for b in blocks[end:]:
        if b.kind in (Kind.ARTICLE, Kind.BIO):
            b.kind = Kind.CLUTTER
    last = next((i for i in range(end - 1, -1, -1) if blocks[i].article_prose), None)
    if last is None:
        return
    for b in blocks[last + 1 : end]:
        if b.kind in (Kind.ARTICLE, Kind.BIO):
            b.kind = Kind.CLUTTER


# The article is the page's densest stretch of prose: each paragraph adds its words beyond
# PROSE_OFFSET, every other line costs a little, a byline or date (which repeat down lists
# of teasers and comments) more. The best-scoring stretch is the article (Kadane's maximum
# subarray); a paragraph must be long to bridge a list of short lines.
PROSE_OFFSET = 8
LINE_COST = 2
LIST_COST = 1
META_COST = 6
END_COST = 25  # "Related stories", "34 comments", a copyright line: the article is over


def block_score(b: Block) -> int:
    if b.article_prose:
        return b.words - PROSE_OFFSET
    if b.kind is Kind.META:
        return -META_COST
    if b.kind is Kind.TEASER or (b.kind is Kind.END and not fund_terms(b.text)):
        return -END_COST  # an appeal box or a "show more" button may sit inside the article
    if b.kind is Kind.ARTICLE and (b.words > MAX_LABEL_WORDS or any(c.isdigit() for c in b.text)):
        return -LIST_COST  # a row of a table or list in the article, or a menu's longer item
    return -LINE_COST


def densest(scores: list[int], start: int = 0, reach: int | None = None) -> tuple[int, int, int]:
    """The best stretch of lines from ``start`` on, beginning within ``reach`` lines of it.

    ``scores`` are the lines' ``block_score``; returns the stretch's first index, end, and score.
    """
    best = (start, start, 0)
    run_start, total = start, 0
    latest = len(scores) if reach is None else start + reach
    for i in range(start, len(scores)):
        if total <= 0 and i <= latest:
            run_start, total = i, 0
        total += scores[i]
        if total > best[2]:
            best = (run_start, i + 1, total)
    return best


def keep_densest(blocks: list[Block], start: int) -> None:
    """Drop what lies outside the article's stretch (just under the headline, if found).

    Headings right above the stretch stay when nothing before them is page furniture: a
    clean article may open with a heading.
    """
    scores = [block_score(b) for b in blocks]
    first, end, score = densest(scores, start, None if start == 0 else HEADLINE_REACH)
    if score <= 0:  # no paragraph long enough to tell the article by: the other rules decide
        return
    while (
        first > 0
        and blocks[first - 1].kind is Kind.ARTICLE
        and all(b.kind is Kind.ARTICLE for b in blocks[:first])
    ):
        first -= 1
    end = _closing_list(blocks, end)
    for b in blocks[:first] + blocks[end:]:
        if b.kind in (Kind.ARTICLE, Kind.BIO):
            b.kind = Kind.CLUTTER


def _closing_list(blocks: list[Block], end: int) -> int:
    """Take in a list the article's last paragraph introduces ("Tour dates:").

    Its items, up to the next piece of furniture, are the article's, and read as its text by
    the rules after this one.
    """
    if end >= len(blocks) or blocks[end].kind is not Kind.ARTICLE:
        return end
    if not blocks[end].text.endswith(":") or not blocks[end - 1].article_prose:
        return end
    while end < len(blocks) and blocks[end].kind is Kind.ARTICLE:
        blocks[end].prose = True
        end += 1
    return end
