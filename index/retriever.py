"""What the bot needs from a retrieval engine, as a protocol.

``Library`` (BM25 over the articles folder) and ``EngineLibrary`` (the same answers from an
engine cluster) implement it; the bot is typed against this protocol only, so another engine
can stand behind it without touching the bot. It imports nothing but the value types.
"""

from __future__ import annotations

from typing import Protocol

from index.types import Answer, Article, BuildReport


class Retriever(Protocol):
    """Answer questions, list and read articles, and pick up changes to them."""

    @property
    def report(self) -> BuildReport:
        """What the last open or reload did (articles, passages, time)."""
        ...

    def ask(self, question: str, k: int = ...) -> Answer:
        """The best ``k`` passages for ``question``, cited, or why there are none."""
        ...

    def articles(self) -> list[Article]:
        """Every article, in a stable order."""
        ...

    def by_id(self, article_id: str) -> Article | None:
        """The article with exactly this id."""
        ...

    def article(self, ref: str) -> Article | None:
        """The one article an id, title or fragment names."""
        ...

    def matches(self, ref: str) -> list[Article]:
        """The article ``ref`` names exactly, else all it could name (several: ambiguous)."""
        ...

    def find(self, query: str, limit: int = ...) -> list[Article]:
        """Articles matching ``query``, best first (for autocomplete and suggestions)."""
        ...

    def text(self, article: Article) -> str:
        """An article's whole cleaned text."""
        ...

    def changed(self) -> bool:
        """Whether the articles changed since this retriever was opened (cheap)."""
        ...

    def reload(self) -> Retriever:
        """A new retriever over the articles as they are now; this one stays usable."""
        ...
