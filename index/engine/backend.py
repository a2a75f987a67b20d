"""The engine behind the ``Retriever`` interface: ``EngineLibrary``, and the choice of backend.

``open_retriever`` is what the CLI and the bot call: the embedded ``Library`` by default, an
``EngineLibrary`` when ``--engine URL`` or ``NEWSDESK_ENGINE`` names a cluster. Opening one
syncs the engine with the articles folder the way the embedded index syncs its files: new
and changed files are read, cleaned and split by the project's own pipeline
(``index.ingest``) and written whole, removed ones deleted, unchanged ones (same size and
time, or same bytes) left alone. A process without the folder serves what the engine holds
and writes nothing, so bot processes on other machines can share one cluster.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import numpy as np

from index import answers
from index.articles import unique_id
from index.collection import Article
from index.config import IndexSettings, SearchConfig
from index.engine.sphinxql import Client, parse_url
from index.engine.store import EngineStore, Registered
from index.engine.view import QuestionView
from index.expansion import related_terms
from index.folder import FolderState, Listing
from index.ingest import Ingested, Progress, ingest_all
from index.library import BuildReport, Library, default_articles
from index.passages import Passage


def open_retriever(
    articles_dir: Path | None = None,
    index_dir: Path | None = None,
    *,
    config: SearchConfig | None = None,
    engine: str | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> Library:
    """The embedded library, or the engine ``engine`` (else ``$NEWSDESK_ENGINE``) names.

    ``ValueError`` for a malformed URL, ``EngineError`` when no node answers.
    """
    url = (engine if engine is not None else IndexSettings.from_env().engine).strip()
    if not url:
        return Library.open(articles_dir, index_dir, config, force=force, progress=progress)
    return EngineLibrary.connect(
        url, articles_dir, index_dir, config, force=force, progress=progress
    )


class EngineLibrary(Library):
    """A ``Library`` whose passages live in the engine; lookups by id and title are shared."""

    def __init__(
        self,
        url: str,
        store: EngineStore,
        registered: list[Registered],
        articles_dir: Path,
        index_dir: Path | None,
        report: BuildReport,
        config: SearchConfig,
        folder: FolderState,
    ) -> None:
        super().__init__(articles_dir, index_dir or Path(), None, report, config, folder)
        self.url = url
        self.store = store
        self._registered = registered

    @classmethod
    def connect(
        cls,
        url: str,
        articles_dir: Path | None = None,
        index_dir: Path | None = None,
        config: SearchConfig | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> EngineLibrary:
        """Open the engine at ``url``, first syncing it with ``articles_dir`` if that exists."""
        started = time.perf_counter()
        articles_dir = articles_dir or default_articles()
        store = EngineStore(Client(parse_url(url)))
        registered = store.registry()
        previous = _state(registered)
        if articles_dir.is_dir():
            folder, reason = _sync(store, articles_dir, registered, previous, force, progress)
            if reason != "up to date":
                registered = store.registry()
        else:
            folder, reason = previous, f"serving the engine's articles ({articles_dir} is not here)"
        report = BuildReport(
            rebuilt=reason != "up to date" and articles_dir.is_dir(),
            articles=len(registered),
            passages=sum(r.passages for r in registered),
            dropped_lines=sum(r.dropped for r in registered),
            seconds=time.perf_counter() - started,
            reason=reason,
        )
        # The engine holds no passage vectors: its answers are the words' alone.
        config = replace(config or SearchConfig(), semantic=False)
        return cls(url, store, registered, articles_dir, index_dir, report, config, folder)

    def changed(self) -> bool:
        """Whether the folder changed since the sync; without it, whether the engine did."""
        if self.articles_dir.is_dir():
            return super().changed()
        return self.store.version() != _version(self._registered)

    def reload(self) -> EngineLibrary:
        """The engine synced with the folder as it is now."""
        return type(self).connect(self.url, self.articles_dir, self.index_dir, self.config)

    def ask(
        self, question: str, k: int = answers.DEFAULT_K, abstain: bool = True
    ) -> answers.Answer:
        """As ``Library.ask``: the same pipeline, over this question's view of the engine."""
        stats = self.store.stats()  # now, not at open: another process may be writing
        if not stats.n_docs:
            return answers.Answer(
                question,
                False,
                reason=f"No articles are in the engine: add files to {self.articles_dir}.",
            )
        view = QuestionView(self.store.client, stats, self.config.bm25)
        # Most questions need no more than their own words' and related words' counts: one
        # round trip before the search (typos may take one more).
        terms = answers.question_terms(self._analyzer, question)
        related = related_terms(terms)
        view.index.term_ids.find_many([*terms, *(t for ts in related.values() for t in ts)])
        return answers.ask(view, self._analyzer, question, k, self.config, abstain)

    @cached_property
    def _all_articles(self) -> tuple[Article, ...]:
        firsts = np.concatenate([[0], np.cumsum([r.passages for r in self._registered])])
        return tuple(
            Article(
                id=r.article,
                title=r.title,
                subtitle=r.subtitle,
                outlet=r.outlet,
                url=r.url,
                file=r.file,
                fingerprint=r.fingerprint,
                first_passage=int(first),
                passage_count=r.passages,
                dropped_lines=r.dropped,
            )
            for r, first in zip(self._registered, firsts.tolist(), strict=False)
        )

    def text(self, article: Article) -> str:
        """The cleaned text of an article, from the engine."""
        return self.store.text(article.file)

    def passages(self, article: Article) -> list[Passage]:
        """An article's passages, numbered from 1, from the engine."""
        return (
            self.store.passages(article.file, article.passage_count)
            if article.passage_count
            else []
        )


def _version(registered: list[Registered]) -> tuple[int, int, int]:
    """What ``EngineStore.version`` says of the registry as it was read."""
    return len(registered), sum(r.passages for r in registered), sum(r.mtime for r in registered)


def _state(registered: list[Registered]) -> FolderState:
    """The folder as the engine last saw it (names, sizes, times, hashes)."""
    stats = np.array([(r.size, r.mtime) for r in registered], np.int64).reshape(-1, 2)
    listing = Listing([r.file for r in registered], stats)
    return FolderState(listing, [r.fingerprint for r in registered])


def _sync(
    store: EngineStore,
    articles_dir: Path,
    registered: list[Registered],
    previous: FolderState,
    force: bool,
    progress: Progress | None,
) -> tuple[FolderState, str]:
    """Write new and changed files, delete removed ones; the folder state and what was done.

    Ids are made unique in folder order, as the embedded index makes them: an unchanged file
    whose id must change (another file took it) is written again.
    """
    folder = FolderState.read(articles_dir, previous)
    folder.listing.warn_skipped()
    names = folder.listing.names
    changed = set(names) if force else folder.changed_since(previous)
    gone = set(previous.listing.names) - set(names)
    if not changed and not gone:
        return folder, "up to date"
    old = {r.file: r for r in registered}
    stats = dict(zip(names, folder.listing.stats.tolist(), strict=True))
    taken: set[str] = set()
    written: set[str] = set()
    renamed = []

    def write(item: Ingested, article: str) -> None:
        before = old.get(item.file)
        store.put(item, article, item.id, *stats[item.file], before.passages if before else 0)
        written.add(item.file)

    fresh: Iterator[Ingested] = ingest_all(
        [articles_dir / n for n in names if n in changed], progress
    )
    item = next(fresh, None)
    for name in names:
        if item is not None and item.file == name:
            write(item, unique_id(item.id, taken))
            item = next(fresh, None)
        elif name in old and name not in changed:
            article = unique_id(old[name].base, taken)
            if article != old[name].article:
                renamed.append((name, article))
    for item in ingest_all([articles_dir / n for n, _ in renamed]):
        write(item, dict(renamed)[item.file])
    for name in gone | (changed & old.keys()) - written:  # removed, or no longer an article
        store.remove(name, old[name].passages)
    store.flush()
    return folder, f"updated, {len(changed)} new or changed, {len(gone)} removed"
