"""What the bot says, before it is known where it is shown.

Each command builds a ``Reply`` from the library's objects; ``bot.render`` turns it into
Discord embeds or terminal text. Keeping the wording here means Discord and the console say
the same things, and Discord's size limits stay in one place (the renderer).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from index import Answer, Article, BuildReport, Citation, Retriever, heading_spans

Span = tuple[int, int]

# The Discord commands, as /help and a bare mention list them.
DISCORD_USAGE = (
    ("/ask question", "the passages that answer it, with citations"),
    ("/source article", "read a whole article, page by page"),
    ("/sources", "list the articles"),
    ("@mention", "mention me with a question, or reply to one of my answers"),
)


@dataclass(frozen=True, slots=True)
class Card:
    """A titled block of text with its source: a quoted passage, an article, a list."""

    title: str
    text: str
    url: str = ""
    footer: str = ""
    bold: tuple[Span, ...] = ()  # character spans of ``text`` to emphasise


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """An article the reader is offered to open in full."""

    id: str
    title: str


@dataclass(frozen=True, slots=True)
class Reply:
    """A whole reply: the question it answers, its cards, the articles it can open."""

    question: str = ""
    cards: tuple[Card, ...] = ()
    articles: tuple[ArticleLink, ...] = ()
    note: str = ""  # a line under the question: how it was read ("Read “tominaj” as …")


class _Writer:
    """Text built piece by piece, remembering which pieces are bold."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._bold: list[Span] = []
        self._size = 0

    def add(self, text: str, *, bold: bool = False) -> _Writer:
        if bold:
            self._bold.append((self._size, self._size + len(text)))
        self._parts.append(text)
        self._size += len(text)
        return self

    def card(self, title: str, footer: str = "") -> Card:
        return Card(title, "".join(self._parts), footer=footer, bold=tuple(self._bold))


def answer(found: Answer, library: Retriever) -> Reply:
    """Reply with the cited passages, or say the articles do not answer and what comes close."""
    if found.answered:
        return Reply(
            found.question,
            tuple(_quote(citation) for citation in found.results),
            _links((c.article, c.title) for c in found.results),
            found.note,
        )
    related = [a for a in map(library.by_id, found.related) if a is not None]
    writer = _Writer().add(found.reason)
    if related:
        writer.add("\n\nClosest articles:")
        for article in related:
            writer.add("\n• ").add(article.title, bold=True)
    return Reply(
        found.question,
        (writer.card("Not in the articles"),),
        _links((a.id, a.title) for a in related),
        found.note,
    )


def article(item: Article, text: str) -> Reply:
    """Reply with a whole article, its section headings in bold."""
    headings = tuple(heading_spans(text))
    footer = _dots(item.outlet, f"{item.passage_count} passages", item.id)
    return Reply(cards=(Card(item.title, text, item.url, footer, headings),))


def catalog(articles: Sequence[Article]) -> Reply:
    """Reply with the list of articles, one short paragraph each."""
    if not articles:
        text = "No articles yet: add .txt or .md files to the articles folder."
        return Reply(cards=(Card("No articles", text),))
    writer = _Writer()
    for number, item in enumerate(articles, 1):
        writer.add("\n\n" if number > 1 else "").add(item.title, bold=True)
        writer.add("\n" + _dots(item.outlet, item.id, f"{item.passage_count} passages"))
    count = f"{len(articles)} article" + ("s" if len(articles) != 1 else "")
    return Reply(cards=(writer.card(count, footer="Open one with /source"),))


def unmatched(ref: str, matches: Sequence[Article], close: Sequence[Article]) -> Reply:
    """Reply that ``ref`` names several articles (``matches``), or none (``close`` ones)."""
    return ambiguous(ref, matches) if matches else not_found(ref, close)


def ambiguous(ref: str, matches: Sequence[Article]) -> Reply:
    """Reply that ``ref`` names several articles, listing them to open."""
    writer = _Writer().add(f"“{ref}” is in {len(matches)} articles. Which one?")
    for item in matches:
        writer.add("\n• ").add(item.title, bold=True)
    return Reply(
        cards=(writer.card("Which article?"),), articles=_links((a.id, a.title) for a in matches)
    )


def not_found(ref: str, suggestions: Sequence[Article]) -> Reply:
    """Reply that no article matches ``ref``, with the closest ones to open instead."""
    writer = _Writer().add(f"No article matches “{ref}”.")
    if suggestions:
        writer.add(" Did you mean:")
        for item in suggestions:
            writer.add("\n• ").add(item.title, bold=True)
    else:
        writer.add(" Try /sources to see them all.")
    return Reply(
        cards=(writer.card("Article not found"),),
        articles=_links((a.id, a.title) for a in suggestions),
    )


def usage(commands: Sequence[tuple[str, str]]) -> Reply:
    """Reply with what the bot can do, one line per command."""
    writer = _Writer().add("I answer questions about the news articles I hold, quoting them.")
    for command, meaning in commands:
        writer.add("\n• ").add(command, bold=True).add(f": {meaning}")
    return Reply(cards=(writer.card("How to ask me"),))


def cooldown(wait: float) -> str:
    """Say how long a user must wait before asking again."""
    return f"You are asking quickly: try again in {math.ceil(wait)} s."


def busy() -> Reply:
    """Reply that too many questions are waiting, so this one was not taken (ask again)."""
    text = "I am answering a great many questions at once. Please ask again in a minute."
    return Reply(cards=(Card("Busy", text),))


def reloaded(report: BuildReport) -> str:
    """Say what a reload found, for the owner and the log."""
    holdings = f"{report.articles} articles, {report.passages} passages"
    if not report.rebuilt:
        return f"Nothing new: {holdings}."
    return f"Reloaded ({report.reason}): {holdings}, indexed in {report.seconds:.1f} s."


def _quote(citation: Citation) -> Card:
    footer = _dots(citation.outlet, f"passage {citation.passage}", citation.heading)
    return Card(citation.title, citation.text, citation.url, footer, citation.spans)


def _links(pairs: Iterable[tuple[str, str]]) -> tuple[ArticleLink, ...]:
    """One link per article, in order of first appearance."""
    titles: dict[str, str] = {}
    for ref, title in pairs:
        titles.setdefault(ref, title)
    return tuple(ArticleLink(ref, title) for ref, title in titles.items())


def _dots(*parts: str) -> str:
    return " · ".join(part for part in parts if part)
