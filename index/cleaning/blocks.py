"""A page read as blocks: one per non-empty line, a paragraph a stray line break cut joined.

What each block is (``Kind``) decides whether it stays; its shape (prose or not, its length)
is what the rules of the other modules read first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum, auto

MIN_PROSE_WORDS = 6  # a line ending in a full stop but shorter than this is a label
SHORT_QUESTION_WORDS = 12  # "?"/"!" lines shorter than this are headlines, not paragraphs
LONG_LINE_WORDS = 20  # this long, a line is prose whatever its last character
LONG_PARAGRAPH_WORDS = 35  # one paragraph this long shows the article goes on
MAX_LABEL_WORDS = 4  # a tag, section name or breadcrumb part is no longer than this
MAX_NAV_WORDS = 12  # a breadcrumb or a header byline/date line is no longer than this
MAX_PROMPT_WORDS = 25  # link lines, comment prompts, copyright lines
MAX_PROMO_WORDS = 60  # newsletter boxes, consent notices
MAX_CAPTION_WORDS = 80  # captions, bios
MAX_APPEAL_WORDS = 150
MAX_TITLE_WORDS = 40  # a line repeating the title or subtitle is no longer than this
MAX_TEASER_PARAGRAPHS = 3


class Kind(Enum):
    """What a block is: decides whether it stays and whether it can end the article."""

    ARTICLE = auto()  # paragraph or heading, unless its position says otherwise
    CHROME = auto()  # page furniture: nav, tags, credits, share buttons, title repeats
    CLUTTER = auto()  # ads, prompts, consent notices, link lines: the article may go on
    END = auto()  # footers, appeals, comment sections, "related" lists: the article may be over
    BIO = auto()  # author boilerplate: dropped when it trails the article
    META = auto()  # byline, dateline, update stamp: the article's metadata, never a heading
    MARKER = auto()  # "keep reading": closes a teaser of another article
    TEASER = auto()  # part of a teaser of another article


ENDS = frozenset({Kind.END, Kind.MARKER, Kind.TEASER})


@dataclass(slots=True)
class Block:
    """One non-empty source line and what is known about it."""

    sources: tuple[str, ...]  # stripped source lines (several when a paragraph was broken)
    text: str  # whitespace runs collapsed, as kept
    words: int
    prose: bool  # shaped like a paragraph rather than a heading or a label
    kind: Kind = Kind.ARTICLE

    @property
    def article_prose(self) -> bool:
        """A paragraph the article keeps (so far)."""
        return self.kind is Kind.ARTICLE and self.prose


# --- line shape -----------------------------------------------------------------------------

_CLOSERS = "\"'”’»)\\]"
FULL_STOP = re.compile(rf"[.…][{_CLOSERS}]*$")
_QUESTION = re.compile(rf"[?!][{_CLOSERS}]*$")
_PUNCTUATION = re.compile(r"[.,;:!?…]")
QUOTED = re.compile(r"[“”„]|\"[^\"]+\"")
_SEPARATOR = re.compile(r"\s*[|»›•·]\s*|\s+[/>]\s+")
SEPARATOR_CHARS = "|»›•·/>"
TOKEN = re.compile(r"@?[\w'’+-]+")


def is_prose(text: str, words: int) -> bool:
    """Paragraphs end in a full stop; short questions and exclamations are headlines.

    A long line is prose whatever its end, if it has punctuation at all: one without is a
    menu or a drop-down list rendered as text ("Archives Select Month October 2019 …").
    """
    if words >= LONG_LINE_WORDS:
        return bool(_PUNCTUATION.search(text))
    if FULL_STOP.search(text):
        return words >= MIN_PROSE_WORDS
    return bool(_QUESTION.search(text)) and words >= SHORT_QUESTION_WORDS


def menu_parts(text: str) -> list[str]:
    """Split a line at menu separators (pipes, chevrons, bullets)."""
    return [part for part in _SEPARATOR.split(text) if part.strip()]


# A line break inside a sentence: the line does not end one, and the next goes on with it.
_OPEN_END = re.compile(
    r"(?:[,;–—-]|\b(?:and|or|but|nor|the|a|an|of|to|in|on|at|for|with|from|into|that|which"
    r"|who|as|by|is|are|was|were|be|has|have|had|its|their|his|her|our|this|these|those))$",
    re.I,
)
_SENTENCE_END = re.compile(rf"[.!?…][{_CLOSERS}]*(?:\s|$)")
MIN_MENU_RUN = 12  # this many capitalised words in a row open a line: a menu run into the text


def continues(previous: str, words: int, line: str) -> bool:
    """Whether ``line`` continues a paragraph that a stray line break cut after ``previous``.

    The sentence must end in ``line`` (or a later piece): a run of lower-case labels does not.
    """
    if words < MIN_PROSE_WORDS or FULL_STOP.search(previous) or _QUESTION.search(previous):
        return False
    if previous.endswith((":", *SEPARATOR_CHARS)) or not _SENTENCE_END.search(line):
        return False
    return line[0].islower() or (line[0].isalnum() and bool(_OPEN_END.search(previous)))


def _without_menu(text: str) -> str:
    """A line with the menu pasted in front of its first sentence taken off.

    A run of MIN_MENU_RUN capitalised words without punctuation is a menu ("Home News Sport
    Business …"), never a sentence or a headline ("Daily Deals: More …"). The capitalised run
    is cut before its last word, the sentence's subject ("… Weather By Jane Doe, BBC News Kyiv
    Zelensky said"): a byline run into the menu goes with it.
    """
    tokens = text.split(" ")

    def capitalised(i: int) -> bool:
        return i < len(tokens) and (tokens[i][:1].isupper() or tokens[i] == "&")

    menu = 0
    while capitalised(menu) and tokens[menu][-1].isalnum():
        menu += 1
    run = menu
    while capitalised(run):
        run += 1
    if menu < MIN_MENU_RUN or run == len(tokens):
        return text
    return " ".join(tokens[run - 1 :])


def page_lines(body: str) -> list[tuple[tuple[str, ...], str]]:
    """The page's lines, stripped, a paragraph cut by line breaks joined again.

    Returns the source lines of each and its text (whitespace runs collapsed).
    """
    lines: list[tuple[tuple[str, ...], str]] = []
    for line in body.splitlines():
        source = line.strip()
        if not source:
            continue
        text = " ".join(source.split())
        if lines and continues(lines[-1][1], len(lines[-1][1].split()), text):
            sources, previous = lines.pop()
            lines.append(((*sources, source), f"{previous} {text}"))
        else:
            lines.append(((source,), _without_menu(text)))
    return lines


def neighbours(blocks: list[Block], i: int) -> list[Block]:
    """The blocks just above and just below block ``i``."""
    return blocks[max(i - 1, 0) : i] + blocks[i + 1 : i + 2]
