"""The library: everything the CLI and the bot need, behind one small object.

``Library.open`` loads the persisted index when it matches the articles folder (content
fingerprints, pipeline code, ranking parameters) and rebuilds it otherwise, so adding,
changing or removing a file is picked up on the next open or ``reload``.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from stat import S_ISREG

from rapidfuzz import fuzz, process, utils

from index import answers, store
from index.analysis import Analyzer
from index.articles import discover, fingerprint_file, is_article_name
from index.bm25 import BM25Params
from index.collection import Article, Collection, build, collection_fingerprint
from index.ingest import Progress, ingest_all
from index.passages import Passage

log = logging.getLogger(__name__)

SEEDS_ENV = "NEWSDESK_SEEDS"
INDEX_ENV = "NEWSDESK_INDEX_DIR"
FUZZY_CUTOFF = 75  # rapidfuzz partial_ratio: typos and word fragments, not unrelated titles
FILES_KEY = "files"  # manifest entry: name -> [size, mtime_ns, content hash]


def default_seeds() -> Path:
    """The articles folder: ``$NEWSDESK_SEEDS`` or ``./seeds``."""
    return Path(os.environ.get(SEEDS_ENV) or "seeds")


def default_index_dir(seeds: Path) -> Path:
    """Where the index is kept: ``$NEWSDESK_INDEX_DIR`` or ``.index/`` beside the folder."""
    configured = os.environ.get(INDEX_ENV)
    if configured:
        return Path(configured)
    seeds = seeds.resolve()
    return seeds.parent / ".index" / seeds.name


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What opening the library did, for the CLI's ``build`` and the bot's start-up line."""

    rebuilt: bool
    articles: int
    passages: int
    dropped_lines: int
    seconds: float
    reason: str  # why it was rebuilt, or "up to date"


class Library:
    """Ask questions, list and read articles; immutable, so a reload swaps in a new one."""

    def __init__(
        self,
        seeds: Path,
        index_dir: Path,
        collection: Collection | None,
        report: BuildReport,
        params: BM25Params,
        files: dict[str, list],
    ) -> None:
        self.seeds = seeds
        self.files = files
        self.index_dir = index_dir
        self.collection = collection
        self.report = report
        self.params = params
        self._analyzer = Analyzer()

    @classmethod
    def open(
        cls,
        seeds: Path | None = None,
        index_dir: Path | None = None,
        params: BM25Params | None = None,
        *,
        force: bool = False,
        progress: Progress | None = None,
    ) -> Library:
        """Load the persisted index if it is current, else build (and persist) it."""
        started = time.perf_counter()
        seeds = seeds or default_seeds()
        index_dir = index_dir or default_index_dir(seeds)
        params = params or BM25Params()
        stored, reason = _load(index_dir)
        known = stored.meta.get(FILES_KEY, {}) if stored else {}
        files = _scan(seeds, known)
        fingerprint = collection_fingerprint([(n, f[2]) for n, f in files.items()], params)
        if stored and not force and stored.meta.get("fingerprint") == fingerprint:
            try:
                collection = Collection.from_stored(stored)
                return cls._opened(
                    seeds, index_dir, collection, params, files, False, "up to date", started
                )
            except (KeyError, TypeError, ValueError) as exc:
                reason = f"the saved index is incomplete ({exc})"
                log.warning("rebuilding: %s", reason)
        elif stored:
            reason = "forced" if force else "the articles or the pipeline changed"
        collection = cls._build(seeds, index_dir, params, files, fingerprint, progress)
        return cls._opened(seeds, index_dir, collection, params, files, True, reason, started)

    @classmethod
    def _opened(
        cls,
        seeds: Path,
        index_dir: Path,
        collection: Collection | None,
        params: BM25Params,
        files: dict[str, list],
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
        return cls(seeds, index_dir, collection, report, params, files)

    @staticmethod
    def _build(
        seeds: Path,
        index_dir: Path,
        params: BM25Params,
        files: dict[str, list],
        fingerprint: str,
        progress: Progress | None,
    ) -> Collection | None:
        if not seeds.is_dir():
            log.warning("articles folder %s does not exist: no articles to serve", seeds)
            return None
        collection = build(ingest_all(discover(seeds), progress), params, fingerprint)
        if collection is None:
            log.warning("no usable articles in %s (add .txt or .md files)", seeds)
            return None
        stored = collection.to_stored()
        stored.meta[FILES_KEY] = files
        try:
            store.save(index_dir, stored)
        except OSError as exc:
            log.warning("could not save the index to %s (%s): serving from memory", index_dir, exc)
        return collection

    def changed(self) -> bool:
        """Whether the folder's files differ from what is loaded (by name, size and mtime).

        Cheap enough to poll: it reads no article, only the folder listing and file stats.
        """
        return _stats(self.seeds) != {name: f[:2] for name, f in self.files.items()}

    def reload(self) -> Library:
        """A library reflecting the folder now (cheap when nothing changed)."""
        return type(self).open(self.seeds, self.index_dir, self.params)

    # --- questions -------------------------------------------------------------------------

    def ask(self, question: str, k: int = answers.DEFAULT_K) -> answers.Answer:
        """The best passages for ``question``, cited, or a reason there are none."""
        if self.collection is None:
            return answers.Answer(
                question,
                False,
                reason=f"No articles are loaded: add .txt or .md files to {self.seeds}.",
            )
        return answers.ask(self.collection, self._analyzer, question, k)

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
        q = query.strip().casefold()
        if not q:
            return list(items[:limit])
        ranked: dict[str, Article] = {}
        tiers = (
            lambda a: q in (a.id.casefold(), a.title.casefold()),
            lambda a: a.id.casefold().startswith(q) or a.title.casefold().startswith(q),
            lambda a: q in a.id.casefold() or q in a.title.casefold(),
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
        q = ref.strip().casefold()
        if not q:
            return None
        for article in self._all_articles:
            if q in (article.id.casefold(), article.title.casefold()):
                return article
        fragments = [a for a in self._all_articles if q in f"{a.id} {a.title}".casefold()]
        return fragments[0] if len(fragments) == 1 else None


def _load(index_dir: Path) -> tuple[store.Stored | None, str]:
    """The saved index, or ``None`` with the reason it cannot be used (logged once)."""
    try:
        stored = store.load(index_dir)
    except store.CorruptIndex as exc:
        log.warning("the saved index in %s cannot be used (%s): rebuilding", index_dir, exc)
        return None, f"the saved index could not be used ({exc})"
    return stored, "no saved index" if stored is None else ""


def _stats(seeds: Path) -> dict[str, list[int]]:
    """Name -> [size, mtime_ns] of each article file (vanished ones left out).

    Runs on every open, so it is the cheapest form there is: one listing, then one ``stat``
    per file relative to the open folder.
    """
    try:
        folder = os.open(seeds, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return {}
    stats = {}
    try:
        for name in os.listdir(folder):
            if not is_article_name(name):
                continue
            try:
                stat = os.stat(name, dir_fd=folder)
            except OSError:
                continue  # vanished or unreadable: the build reports it if it is still there
            if S_ISREG(stat.st_mode):
                stats[name] = [stat.st_size, stat.st_mtime_ns]
    finally:
        os.close(folder)
    return stats


def _scan(seeds: Path, known: dict[str, list]) -> dict[str, list]:
    """Name -> [size, mtime_ns, content hash]; unchanged files (size, mtime) are not re-read.

    Every listed file gets an entry (an unreadable one a marker instead of a hash), so the
    same file list is what ``changed`` compares against.
    """
    files: dict[str, list] = {}
    for name, stat in _stats(seeds).items():
        previous = known.get(name)
        if previous and previous[:2] == stat:
            files[name] = previous
        else:
            files[name] = [*stat, fingerprint_file(seeds / name)]
    return files
