"""The values the library hands out, and the limits of a question: no dependencies.

``Answer``, ``Citation``, ``Correction``, ``Article`` (with ``Source``, the part known
from its file) and ``BuildReport`` are what callers of ``index`` see; the implementation
modules import them from here, and so does ``index.retriever``'s protocol, so a caller
typed against the protocol loads none of the implementation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from index.decision import Evidence

MAX_QUESTION_CHARS = 1000
DEFAULT_K = 3
MAX_K = 20
MAY_NOT_ANSWER = "These passages come closest, but may not answer the question."


@dataclass(frozen=True, slots=True)
class Source:
    """What is known of an article file; every later form of the article carries it."""

    id: str
    title: str
    subtitle: str
    outlet: str
    url: str
    file: str  # the file's name in the articles folder
    fingerprint: str  # hash of the file's bytes: the index is rebuilt when it changes


@dataclass(frozen=True, slots=True)
class Article(Source):
    """An article as served: what is known of its file, and where its passages are."""

    first_passage: int  # index of its passage 1 in the collection
    passage_count: int
    dropped_lines: int


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What opening the library did, for the CLI's ``build`` and the bot's start-up line."""

    rebuilt: bool
    articles: int
    passages: int
    dropped_lines: int
    seconds: float
    reason: str  # "up to date", what an update did, or why it was rebuilt


@dataclass(frozen=True, slots=True)
class Citation:
    """One quoted passage and where it comes from."""

    article: str
    title: str
    outlet: str
    url: str
    passage: int
    heading: str
    text: str
    score: float
    matched: tuple[str, ...]  # question words found in the passage, as the passage writes them
    spans: tuple[tuple[int, int], ...]  # where those words are in ``text`` (for bold)


class Correction(NamedTuple):
    """A ``Typo`` as a reader sees it: the index term shown as a word of the articles."""

    typed: str  # "Oreshnikk" (typographic quotes and full-width letters folded)
    read_as: str  # "Oreshnik", as the articles write it


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to one question; ``results`` is empty when ``answered`` is false."""

    question: str  # as asked, less control characters and runs of white space
    answered: bool
    results: tuple[Citation, ...] = ()
    reason: str = ""  # why there is no answer, in words a user can act on
    related: tuple[str, ...] = field(default=())  # ids of articles that come closest
    evidence: Evidence | None = None  # what the decision to answer weighed, if it came to that
    corrections: tuple[Correction, ...] = ()  # each word taken for a typo, once
    tentative: bool = False  # the closest passages, which may not answer (shown with a caveat)

    @property
    def note(self) -> str:
        """How the question was read, and whether the passages may not answer ("" if neither).

        A correction can be wrong (a name the dictionary lacks, "Osama", read as one the
        articles have, "Obama"): saying it lets the reader see why the passages are about
        something else.
        """
        lines = []
        if self.corrections:
            readings = (f"“{c.typed}” as “{c.read_as}”" for c in self.corrections)
            lines.append("Read " + ", ".join(readings) + ".")
        if self.tentative:
            lines.append(MAY_NOT_ANSWER)
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """The CLI's ``--json`` object."""
        keep = ("article", "title", "outlet", "url", "passage", "heading", "text", "score")
        return {
            "question": self.question,
            "answered": self.answered,
            "tentative": self.tentative,
            "results": [{k: getattr(c, k) for k in keep} for c in self.results],
            "corrections": [c._asdict() for c in self.corrections],
        }
