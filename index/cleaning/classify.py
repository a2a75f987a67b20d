"""Each block classified on its own (``lines``) and by what the page repeats.

Menus repeated above and below the article, copies of its paragraphs (a teaser, a
run-together paste), captions beside a photo credit and teasers of other articles.
"""

from __future__ import annotations

from functools import lru_cache

from index.cleaning.blocks import (
    MAX_CAPTION_WORDS,
    MAX_LABEL_WORDS,
    MAX_TITLE_WORDS,
    Block,
    Kind,
    is_prose,
    neighbours,
    page_lines,
)
from index.cleaning.lines import GALLERY, RULES, is_credit
from index.text import title_key


def page_blocks(body: str, titles: frozenset[str]) -> list[Block]:
    """One classified block per paragraph (non-empty line, or lines a stray break cut).

    Lines repeating one of ``titles`` are page furniture: the title is shown apart.
    """
    blocks = [Block(b.sources, b.text, b.words, b.prose, b.kind) for b in _classified(body)]
    for b in blocks:
        if b.words <= MAX_TITLE_WORDS and title_key(b.text) in titles:
            b.kind = Kind.CHROME
    return blocks


@lru_cache(maxsize=4)
def _classified(body: str) -> tuple[Block, ...]:
    """Each block classified on its own and by its repeats.

    Cached: the reader reads a page for its headline just before the cleaner reads it.
    """
    blocks: list[Block] = []
    for sources, text in page_lines(body):
        words = len(text.split())
        block = Block(sources, text, words, is_prose(text, words))
        block.kind = next((kind for rule, kind in RULES if rule(block)), Kind.ARTICLE)
        blocks.append(block)
    _mark_repeats(blocks)
    _mark_copies(blocks)
    _mark_captions_and_teasers(blocks)
    return tuple(blocks)


MIN_COPY_WORDS = 8
MIN_COPY_PARAGRAPHS = 2
MIN_RUN_TOGETHER_WORDS = 250  # longer than any paragraph the passages keep whole
_ELLIPSES = ("...", "…")


def _mark_copies(blocks: list[Block]) -> None:
    """Copies of the article further down the page, which a stretch of prose would take in.

    A teaser cut short ("Good morning! This is…") of an earlier paragraph, or the paragraphs
    run together into one too long to be a paragraph (a description, a second rendering).
    """
    earlier: dict[str, Block] = {}
    for b in blocks:
        if b.words < MIN_COPY_WORDS or not (b.prose or b.text.endswith(_ELLIPSES)):
            continue
        words = b.text.split()
        key = title_key(" ".join(words[:MIN_COPY_WORDS]))
        first = earlier.get(key)
        cut_short = b.text.endswith(_ELLIPSES) and first is not None and b.words <= first.words
        if cut_short or (b.words > MIN_RUN_TOGETHER_WORDS and _holds_paragraphs(words, earlier)):
            b.kind = Kind.CLUTTER
        else:
            earlier.setdefault(key, b)


def _holds_paragraphs(words: list[str], earlier: dict[str, Block]) -> bool:
    """Whether MIN_COPY_PARAGRAPHS earlier paragraphs are in this text, word for word.

    Looked up by the words each starts with: linear in the text, whatever the page's length.
    """
    text = " ".join(words)
    found: set[int] = set()
    for i in range(len(words) - MIN_COPY_WORDS + 1):
        paragraph = earlier.get(title_key(" ".join(words[i : i + MIN_COPY_WORDS])))
        if paragraph is not None and paragraph.text in text:
            found.add(id(paragraph))
            if len(found) >= MIN_COPY_PARAGRAPHS:
                return True
    return False


MIN_TEASER_WORDS = 12  # a summary cut short under a headline; shorter: a breadcrumb, a label
MIN_CAPTION_WORDS = 7  # a heading is shorter; a line this long beside a photo credit is its caption


def _mark_captions_and_teasers(blocks: list[Block]) -> None:
    """Captions and teasers, by what is next to them.

    Captions sit beside a photo credit or under a gallery's counter ("Image 2 of 5"); a teaser
    is a headline over a summary cut short ("…").
    """
    for i, b in enumerate(blocks):
        if b.kind is not Kind.ARTICLE:
            continue
        if i and GALLERY.match(blocks[i - 1].text) and b.words <= MAX_CAPTION_WORDS:
            b.kind = Kind.CHROME
        elif not b.prose and b.words >= MIN_CAPTION_WORDS:
            if any(_is_bare_credit(n) for n in neighbours(blocks, i)):
                b.kind = Kind.CHROME
        elif (
            b.words >= MIN_TEASER_WORDS
            and b.text.endswith(_ELLIPSES)
            and i
            and not blocks[i - 1].prose
        ):
            b.kind = Kind.TEASER
            if blocks[i - 1].kind is Kind.ARTICLE:
                blocks[i - 1].kind = Kind.TEASER


def _is_bare_credit(b: Block) -> bool:
    """A credit on its own ("Getty Images"), whose caption is a line beside it.

    A credit ending a caption ("Photo: Crews clear the road … / AP") has its caption in it,
    and the line above may well be the headline.
    """
    return b.kind is Kind.CHROME and b.words <= MAX_LABEL_WORDS and is_credit(b)


def _mark_repeats(blocks: list[Block]) -> None:
    """Short lines said twice on one page are its furniture (menus, teasers), not headings.

    Unless a paragraph follows each time: an article may repeat a heading over its parts.
    """
    places: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        if not b.prose:
            places.setdefault(title_key(b.text), []).append(i)
    for where in places.values():
        if len(where) > 1 and not all(
            i + 1 < len(blocks) and blocks[i + 1].article_prose for i in where
        ):
            for i in where:
                if blocks[i].kind is Kind.ARTICLE:
                    blocks[i].kind = Kind.CHROME
