"""The library: everything the CLI and the bot need, behind one small object.

``Library.open`` loads the persisted index when it matches the articles folder (file
contents, pipeline code, ranking parameters). Otherwise it updates it, reading only the new
and changed files, or builds it from every file when there is no usable saved index (or the
pipeline changed); so adding, changing or removing a file is picked up on the next open or
``reload``.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process, utils

from index import answers, store
from index.analysis import Analyzer
from index.collection import Article, Collection, Embed, build, update
from index.config import IndexSettings, SearchConfig
from index.folder import FolderState, Listing
from index.ingest import Progress, ingest_all
from index.passages import Passage
from index.pipeline import pipeline_key
from index.semantic import ModelUnavailable, encoder
from index.text import name_key
from index.types import BuildReport

log = logging.getLogger(__name__)

FUZZY_CUTOFF = 75  # rapidfuzz partial_ratio: typos and word fragments, not unrelated titles
PIPELINE_KEY = "pipeline"  # manifest entry: what made the index besides the articles
# Files whose times changed but not their bytes (a checkout, a copy) are hashed at every open
# to find that out; from this many on, saving the new times once costs less.
RESAVE_RETIMED = 1000


def default_articles() -> Path:
    """The articles folder: ``$NEWSDESK_ARTICLES`` (or ``$NEWSDESK_SEEDS``), else ``./seeds``."""
    return IndexSettings.from_env().articles


def default_index_dir(articles: Path) -> Path:
    """Where the index is kept: ``$NEWSDESK_INDEX_DIR`` or ``.index/`` beside the folder."""
    return IndexSettings.from_env().index_for(articles)


class Library:
    """Ask questions, list and read articles; immutable, so a reload swaps in a new one."""

    def __init__(
        self,
        articles_dir: Path,
        index_dir: Path,
        collection: Collection | None,
        report: BuildReport,
        config: SearchConfig,
        folder: FolderState,
    ) -> None:
        self.articles_dir = articles_dir
        self.folder = folder  # the articles folder as this library reflects it
        self.index_dir = index_dir
        self.collection = collection
        self.report = report
        self.config = config
        self._analyzer = Analyzer()

    @property
    def seeds(self) -> Path:
        """The articles folder, by its old name (``articles_dir``)."""
        return self.articles_dir

    @classmethod
    def open(
        cls,
        articles_dir: Path | str | None = None,
        index_dir: Path | str | None = None,
        config: SearchConfig | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> Library:
        """Load the persisted index if it is current, else update or build (and persist) it.

        Folders may be given as strings, as scripts usually do.
        """
        started = time.perf_counter()
        articles_dir = Path(articles_dir) if articles_dir else default_articles()
        index_dir = Path(index_dir) if index_dir else default_index_dir(articles_dir)
        config = _usable(config or SearchConfig())
        loaded, reason = _load(index_dir, config, force)
        if loaded is None:
            collection, folder = cls._build(articles_dir, index_dir, config, progress)
            return cls._opened(
                articles_dir, index_dir, collection, config, folder, True, reason, started
            )
        old, seen = loaded
        folder = FolderState.read(articles_dir, seen)
        folder.listing.warn_skipped()
        if folder.same_contents(seen):
            if _retimed(folder, seen) >= RESAVE_RETIMED:
                old = _saved(index_dir, old, folder) or old
            return cls._opened(articles_dir, index_dir, old, config, folder, False, reason, started)
        changed = folder.changed_since(seen)
        fresh = ingest_all(
            [articles_dir / n for n in folder.listing.names if n in changed], progress
        )
        updated = update(old, folder.listing.names, changed, fresh, config.bm25, _embed(config))
        collection = _saved(index_dir, updated, folder)
        if collection is None:
            log.warning("no usable articles in %s (add .txt or .md files)", articles_dir)
        reason = f"updated, {len(changed)} new or changed, {_gone(folder, seen)} removed"
        return cls._opened(
            articles_dir, index_dir, collection, config, folder, True, reason, started
        )

    @classmethod
    def _opened(
        cls,
        articles_dir: Path,
        index_dir: Path,
        collection: Collection | None,
        config: SearchConfig,
        folder: FolderState,
        rebuilt: bool,
        reason: str,
        started: float,
    ) -> Library:
        articles = collection.articles if collection else []
        report = BuildReport(
            rebuilt,
            len(articles),
            collection.passage_count if collection else 0,
            collection.dropped_lines if collection else 0,
            time.perf_counter() - started,
            reason,
        )
        return cls(articles_dir, index_dir, collection, report, config, folder)

    @staticmethod
    def _build(
        articles_dir: Path, index_dir: Path, config: SearchConfig, progress: Progress | None
    ) -> tuple[Collection | None, FolderState]:
        """Index every file; the folder state is completed with the hashes the build saw."""
        listing = Listing.read(articles_dir)
        listing.warn_skipped()
        if not articles_dir.is_dir():
            log.warning("articles folder %s does not exist: no articles to serve", articles_dir)
            return None, FolderState(listing, [])
        ingested = ingest_all([articles_dir / n for n in listing.names], progress)
        collection = build(ingested, config.bm25, _embed(config))
        read = {a.file: a.fingerprint for a in collection.articles} if collection else {}
        folder = FolderState.of(articles_dir, listing, read)
        if collection is None:
            log.warning("no usable articles in %s (add .txt or .md files)", articles_dir)
            return None, folder
        return _saved(index_dir, collection, folder), folder

    def changed(self) -> bool:
        """Whether the folder's files differ from what is loaded (by name, size and mtime).

        Cheap enough to poll: it reads no article, only the folder listing and file stats.
        """
        return Listing.read(self.articles_dir) != self.folder.listing

    def reload(self) -> Library:
        """A library reflecting the folder now (cheap when nothing changed)."""
        return type(self).open(self.articles_dir, self.index_dir, self.config)

    # --- questions -------------------------------------------------------------------------

    def ask(
        self, question: str, k: int = answers.DEFAULT_K, abstain: bool = True
    ) -> answers.Answer:
        """The best passages for ``question``, cited, or a reason there are none."""
        if self.collection is None:
            return answers.Answer(
                answers.clean_question(question),
                False,
                reason=f"No articles are loaded: add .txt or .md files to {self.articles_dir}.",
            )
        return answers.ask(self.collection, self._analyzer, question, k, self.config, abstain)

    def bm25(self, question: str, k: int = answers.DEFAULT_K) -> list[answers.Citation]:
        """BM25 alone (rank-bm25's scores): the first stage of ``ask``, for comparisons."""
        if self.collection is None:
            return []
        return answers.bm25_alone(self.collection, self._analyzer, question, k)

    def candidates(self, question: str) -> list[answers.Candidate]:
        """Every candidate for ``question`` reranked, with its features and evidence.

        For fitting the reranker's weights and the decision (``benchmarks.fit_ranking``,
        ``benchmarks.fit_abstention``): the features and evidence are what they multiply.
        """
        if self.collection is None:
            return []
        return answers.candidates(self.collection, self._analyzer, question, self.config)

    # --- articles --------------------------------------------------------------------------

    def articles(self) -> list[Article]:
        """All articles, in folder order (a copy: the library stays immutable)."""
        return list(self._all_articles)

    @cached_property
    def _all_articles(self) -> tuple[Article, ...]:
        """Every article parsed, once: listings and lookups need them all, questions do not."""
        return tuple(self.collection.articles) if self.collection else ()

    @cached_property
    def _by_id(self) -> dict[str, Article]:
        return {a.id: a for a in self._all_articles}

    def text(self, article: Article) -> str:
        """The cleaned text of an article (what ``source`` shows)."""
        assert self.collection is not None
        return self.collection.text(self._position(article))

    def passages(self, article: Article) -> list[Passage]:
        """An article's passages, numbered from 1."""
        assert self.collection is not None
        return self.collection.passages_of(self._position(article))

    def _position(self, article: Article) -> int:
        assert self.collection is not None
        return self.collection.position(article)

    def find(self, query: str, limit: int = 25) -> list[Article]:
        """Articles matching ``query``: exact id or title, then prefix, then fragment, then fuzzy.

        Serves autocomplete and "did you mean" suggestions; an empty query lists all.
        """
        items = self._all_articles
        q = name_key(query)
        if not q:
            return list(items[:limit])
        ranked: dict[str, Article] = {}
        tiers = (
            lambda a: q in (a.id.casefold(), name_key(a.title)),
            lambda a: a.id.casefold().startswith(q) or name_key(a.title).startswith(q),
            lambda a: q in a.id.casefold() or q in name_key(a.title),
        )
        for tier in tiers:
            for article in items:
                if tier(article):
                    ranked.setdefault(article.id, article)
        choices = {i: f"{a.id} {a.title}" for i, a in enumerate(items)}
        for _, _, i in process.extract(
            q,
            choices,
            scorer=fuzz.partial_ratio,
            limit=limit,
            processor=utils.default_process,
            score_cutoff=FUZZY_CUTOFF,
        ):
            ranked.setdefault(items[i].id, items[i])
        return list(ranked.values())[:limit]

    def by_id(self, article_id: str) -> Article | None:
        """The article with exactly this id (as carried in buttons and autocomplete values)."""
        return self._by_id.get(article_id)

    def article(self, ref: str) -> Article | None:
        """The one article ``ref`` names (id, title or a fragment of either), else ``None``."""
        found = self.matches(ref)
        return found[0] if len(found) == 1 else None

    def matches(self, ref: str) -> list[Article]:
        """The article whose id or title ``ref`` is, else every one with ``ref`` in either.

        More than one means ``ref`` is ambiguous: the caller lists them rather than saying
        nothing matches.
        """
        q = name_key(ref)
        if not q:
            return []
        for article in self._all_articles:
            if q in (article.id.casefold(), name_key(article.title)):
                return [article]
        return [a for a in self._all_articles if q in f"{a.id} {name_key(a.title)}"]


def _load(
    index_dir: Path, config: SearchConfig, force: bool
) -> tuple[tuple[Collection, FolderState] | None, str]:
    """The saved collection and the folder state it was made from, or why there is none."""
    try:
        stored = store.load(index_dir)
    except store.CorruptIndex as exc:
        log.warning("the saved index in %s cannot be used (%s): rebuilding", index_dir, exc)
        return None, f"the saved index could not be used ({exc})"
    if stored is None:
        return None, "no saved index"
    if force:
        return None, "forced"
    if stored.meta.get(PIPELINE_KEY) != pipeline_key(config.bm25, config.semantic):
        return None, "the pipeline or its parameters changed"
    try:
        seen = FolderState.from_stored(stored.arrays, stored.blobs)
        return (Collection.from_stored(stored), seen), "up to date"
    except (KeyError, TypeError, UnicodeDecodeError, ValueError) as exc:
        log.warning("rebuilding: the saved index is incomplete (%s)", exc)
        return None, f"the saved index is incomplete ({exc})"


def _saved(
    index_dir: Path, collection: Collection | None, folder: FolderState
) -> Collection | None:
    """Persist a collection with the folder state it was made from (best effort).

    Returns it as loaded back from disk: memory-mapped, so the process does not keep the
    in-memory copy the build made (and shares pages with other processes).
    """
    if collection is None:
        return None
    stored = collection.to_stored()
    stored.meta[PIPELINE_KEY] = pipeline_key(
        collection.index.params, collection.vectors is not None
    )
    arrays, blobs = folder.to_stored()
    stored.arrays.update(arrays)
    stored.blobs.update(blobs)
    try:
        saved = store.load_build(store.save(index_dir, stored))
    except (OSError, store.CorruptIndex) as exc:
        log.warning("could not save the index to %s (%s): serving from memory", index_dir, exc)
        return collection
    return Collection.from_stored(saved)


def _usable(config: SearchConfig) -> SearchConfig:
    """``config``, or words only (said in one warning) if the sentence model cannot load.

    Missing or damaged model files are an installation fault: the articles can still be
    searched by their words, so the bot keeps answering rather than stopping.
    """
    if not config.semantic:
        return config
    try:
        encoder()
    except ModelUnavailable as exc:
        log.warning("%s: answering with words only", exc)
        return replace(config, semantic=False)
    return config


def _embed(config: SearchConfig) -> Embed | None:
    """How passages get their vectors at build time (none with the sentence model off)."""
    if not config.semantic:
        return None
    return lambda texts: encoder().encode(texts)


def _retimed(folder: FolderState, seen: FolderState) -> int:
    """How many files have other sizes or times than when the index was saved.

    Asked at every open of an up-to-date index, so the usual case (the same names) compares
    the stat arrays row by row instead of building sets of a million versions.
    """
    now, then = folder.listing, seen.listing
    if now.names == then.names:
        return int(np.any(now.stats != then.stats, axis=1).sum())
    return len(set(now.versions()) - set(then.versions()))


def _gone(folder: FolderState, seen: FolderState) -> int:
    return len(set(seen.listing.names) - set(folder.listing.names))
