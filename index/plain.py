"""Answers and article lists as terminal text: what ``python -m index`` and the console print.

One layout for both, so an answer reads the same whichever way it was asked: the note on how
the question was read first, then each quoted passage under its citation (title, passage
number, heading; outlet and address), or the reason there is none and the closest articles;
last, how to read the cited articles in full, in the caller's own command. Discord's layout
is ``bot.render``'s (embeds, with their own limits). Bold is ANSI on a terminal or ``**``
markers elsewhere; ``say`` prints, dropping any control code an article smuggled in.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from typing import TextIO

from index.retriever import Retriever
from index.text import ANSI_BOLD, emphasize, printable
from index.types import Answer, Article, Citation

Mark = tuple[str, str]  # what goes before and after a bold run
MARKDOWN_BOLD: Mark = ("**", "**")
_INDENT = "    "  # a quoted passage, under its citation


def answer_text(
    answer: Answer,
    library: Retriever,
    *,
    bold: Mark | None = None,
    read_with: str = "",
    quote_question: bool = False,
) -> str:
    """``answer`` for a terminal: blocks separated by blank lines.

    ``bold`` marks the question's words in each passage (none if ``None``); ``read_with`` is
    the command that opens an article ("/source"), offered for each one cited or closest;
    ``quote_question`` opens with the question, for a console whose input may be piped.
    """
    blocks = [f"> {answer.question}"] if quote_question and answer.question else []
    blocks += [answer.note] if answer.note else []
    if answer.answered:
        blocks += [_quote(rank, c, bold) for rank, c in enumerate(answer.results, 1)]
        ids = [c.article for c in answer.results]
    else:
        related = [a for a in map(library.by_id, answer.related) if a is not None]
        lines = [answer.reason] if answer.reason else []
        lines += ["Closest articles:", *(f"• {a.title}" for a in related)] if related else []
        blocks += ["\n".join(lines)] if lines else []
        ids = [a.id for a in related]
    if read_with and ids:
        blocks.append(read_in_full(ids, read_with))
    return "\n\n".join(blocks)


def _quote(rank: int, c: Citation, bold: Mark | None) -> str:
    where = f"passage {c.passage}" + (f", “{c.heading}”" if c.heading else "")
    source = ", ".join(part for part in (c.outlet, c.url) if part)
    text = emphasize(c.text, c.spans, mark=bold) if bold else c.text
    lines = [f"[{rank}] {c.title} — {where}"] + ([_INDENT + source] if source else [])
    lines += [_INDENT + line if line else "" for line in text.split("\n")]
    return "\n".join(lines)


def article_list(
    articles: Sequence[Article], *, folder: str = "the articles folder", read_with: str = ""
) -> str:
    """One line per article (id, title, outlet, passages); how to add some when there are none.

    ``read_with``, the command that opens an article, is said under the list.
    """
    if not articles:
        return f"No articles in {folder}: add .txt or .md files there."
    lines = [
        f"{a.id}: {a.title}{f' ({a.outlet})' if a.outlet else ''}, "
        f"{counted(a.passage_count, 'passage')}"
        for a in articles
    ]
    if read_with:
        lines += ["", f"{counted(len(articles), 'article')}: read one with {read_with} ID."]
    return "\n".join(lines)


def read_in_full(ids: Iterable[str], command: str) -> str:
    """How to open each article in full: ``command`` and its id, one line each, once each."""
    return "Read in full:" + "".join(f"\n  {command} {ref}" for ref in dict.fromkeys(ids))


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: "1 passage", "1,204 passages"."""
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def say(text: str, file: TextIO | None = None, *, end: str = "\n") -> None:
    """Print text that may quote articles: their control codes never reach the terminal.

    The bold codes this module writes are kept; the stream is flushed, so a reader on the
    other end of a pipe sees each reply as it is made.
    """
    print(printable(text, keep=ANSI_BOLD), file=file or sys.stdout, end=end, flush=True)
