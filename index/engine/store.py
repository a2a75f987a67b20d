"""Reading and writing the engine's indexes: the article registry, passages, statistics.

Writes go to the shard an article's file name hashes to (``schema.shard_of``), on every
node holding a copy of it; a node that does not answer stops the write (a mirror left behind
would answer questions differently), and the next sync redoes it. An article's passages are
replaced in one transaction per copy, together with the deletion of those it no longer has,
so a question never sees half an article. Its registry row is written after: until then
the next sync sees the old fingerprint and writes the article again.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain

import numpy as np

from index.engine import schema
from index.engine.sphinxql import Client, EngineError, Node, Row, literal, values
from index.engine.view import Stats
from index.ingest import Ingested
from index.passages import Passage

STATS_TTL = 1.0  # seconds a process reuses the collection's size (other writers' lag)
BATCH_BYTES = 1 << 20  # SQL per transaction: large enough to be fast, small for the engine


@dataclass(frozen=True, slots=True)
class Registered:
    """An article file as the engine holds it: what a sync compares with the folder."""

    file: str
    article: str  # its id (made unique in folder order)
    base: str  # its id before that
    title: str
    subtitle: str
    outlet: str
    url: str
    fingerprint: str
    size: int
    mtime: int
    passages: int
    dropped: int


_REGISTRY_COLUMNS = [f for f in schema.ARTICLE_COLUMNS if f not in ("id", "body", "text")]


@dataclass(slots=True)
class _Batch:
    """Rows waiting to be written to one shard, and the passage ids to delete there."""

    passages: list[tuple[str | int, ...]] = field(default_factory=list)
    articles: list[tuple[str | int, ...]] = field(default_factory=list)
    deleted: list[int] = field(default_factory=list)
    gone_articles: list[int] = field(default_factory=list)
    size: int = 0


class EngineStore:
    """The engine's indexes, read through any node and written to every copy of a shard."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self._stats: tuple[float, Stats] | None = None
        self._lock = threading.Lock()
        self._pending: dict[int, _Batch] = defaultdict(_Batch)
        self._copies: dict[int, list[Node]] | None = None
        self._tokens = _Tokens()

    # --- reading ---------------------------------------------------------------------------

    def stats(self) -> Stats:
        """Passages and their total length, from the engine at most ``STATS_TTL`` ago."""
        cached = self._stats
        if cached is None or time.monotonic() - cached[0] > STATS_TTL:
            [rows] = self.client.read(f"SELECT COUNT(*), SUM(dl) FROM {schema.PASSAGES}")
            count, total = rows[0] if rows else (0, 0)
            cached = self._stats = (time.monotonic(), Stats(int(count or 0), int(total or 0)))
        return cached[1]

    def registry(self) -> list[Registered]:
        """Every article file the engine holds, in folder (file name) order."""
        [rows] = self.client.read(f"SELECT COUNT(*) FROM {schema.ARTICLES}")
        count = int(rows[0][0]) if rows else 0
        if not count:
            return []
        [rows] = self.client.read(
            f"SELECT {', '.join(_REGISTRY_COLUMNS)} FROM {schema.ARTICLES} "
            f"LIMIT {count} OPTION max_matches={count}"
        )
        return sorted((_registered(row) for row in rows), key=lambda r: r.file)

    def version(self) -> tuple[int, int, int]:
        """Articles, passages and the sum of file times: changes when any writer syncs.

        What a process without the folder polls to know the list of articles changed.
        """
        [rows] = self.client.read(
            f"SELECT COUNT(*), SUM(passages), SUM(mtime) FROM {schema.ARTICLES}"
        )
        count, passages, mtimes = rows[0] if rows else (0, 0, 0)
        return int(count or 0), int(passages or 0), int(mtimes or 0)

    def text(self, file: str) -> str:
        """The whole cleaned text of an article file ("" if the engine no longer has it)."""
        [rows] = self.client.read(
            f"SELECT text FROM {schema.ARTICLES} WHERE id = {schema.row_id(file, 0)}"
        )
        return str(rows[0][0]) if rows else ""

    def passages(self, file: str, count: int) -> list[Passage]:
        """The passages of an article file, in order (found by their ids)."""
        ids = _ids([schema.row_id(file, n) for n in range(1, count + 1)])
        [rows] = self.client.read(
            f"SELECT number, heading, text FROM {schema.PASSAGES} WHERE id IN ({ids}) "
            f"ORDER BY number ASC LIMIT {count} OPTION max_matches={count}"
        )
        return [Passage(int(n), str(h), str(t), 0, len(str(t))) for n, h, t in rows]

    # --- writing ---------------------------------------------------------------------------

    def copies(self) -> dict[int, list[Node]]:
        """The nodes holding each shard, asked of every node once; all must answer."""
        if self._copies is None:
            held: dict[int, list[Node]] = defaultdict(list)
            for node in self.client.nodes:
                try:
                    [tables] = self.client.run(node, "SHOW TABLES")
                except Exception as exc:
                    raise EngineError(
                        f"engine node {node} does not answer ({exc}): writes need every copy"
                    ) from exc
                for name, _ in tables:
                    shard = schema.parse_shard(str(name))
                    if shard and shard[0] == schema.PASSAGES:
                        held[shard[1]].append(node)
            if not held or sorted(held) != list(range(len(held))):
                raise EngineError(f"the engine's shards are incomplete: {dict(held)}")
            self._copies = dict(held)
        return self._copies

    def put(self, item: Ingested, article: str, base: str, size: int, mtime: int, old: int) -> None:
        """Queue ``item``'s passages and registry row; ``old``: how many passages it had."""
        shard = schema.shard_of(item.file, len(self.copies()))
        batch = self._pending[shard]
        bags = self._tokens.bags(item)
        for number, (start, end, h_start, h_end) in enumerate(item.spans.tolist(), 1):
            bag = bags[number - 1]
            row = (
                schema.row_id(item.file, number),
                bag,
                bag,
                item.file,
                article,
                number,
                item.text[h_start:h_end] if h_start >= 0 else "",
                item.text[start:end],
                item.title,
                item.outlet,
                item.url,
                int(item.lengths[number - 1]),
            )
            batch.passages.append(row)
            batch.size += sum(len(v) for v in row if isinstance(v, str))
        count = len(item.spans)
        batch.deleted += [schema.row_id(item.file, n) for n in range(count + 1, old + 1)]
        batch.articles.append(
            (
                schema.row_id(item.file, 0),
                "",
                item.file,
                article,
                base,
                item.title,
                item.subtitle,
                item.outlet,
                item.url,
                item.fingerprint,
                size,
                mtime,
                count,
                item.dropped,
                item.text,
            )
        )
        batch.size += len(item.text)
        if batch.size >= BATCH_BYTES:
            self._flush(shard)

    def remove(self, file: str, passages: int) -> None:
        """Queue the deletion of an article file's passages and registry row."""
        batch = self._pending[schema.shard_of(file, len(self.copies()))]
        batch.deleted += [schema.row_id(file, n) for n in range(1, passages + 1)]
        batch.gone_articles.append(schema.row_id(file, 0))

    def flush(self) -> None:
        """Write everything queued."""
        for shard in list(self._pending):
            self._flush(shard)

    def _flush(self, shard: int) -> None:
        batch = self._pending.pop(shard)
        passages = schema.shard_index(schema.PASSAGES, shard)
        articles = schema.shard_index(schema.ARTICLES, shard)
        text = ["BEGIN"]
        if batch.passages:
            columns = ", ".join(schema.PASSAGE_COLUMNS)
            text.append(f"REPLACE INTO {passages} ({columns}) VALUES {values(batch.passages)}")
        if batch.deleted:
            text.append(f"DELETE FROM {passages} WHERE id IN ({_ids(batch.deleted)})")
        text.append("COMMIT")
        registry = []
        if batch.articles:
            columns = ", ".join(schema.ARTICLE_COLUMNS)
            registry.append(f"REPLACE INTO {articles} ({columns}) VALUES {values(batch.articles)}")
        if batch.gone_articles:
            registry.append(f"DELETE FROM {articles} WHERE id IN ({_ids(batch.gone_articles)})")
        for node in self.copies()[shard]:
            self.client.run(node, *text, *registry)
        self._stats = None


class _Tokens:
    """Engine tokens of an ingest's growing numbering of terms, each term encoded once."""

    def __init__(self) -> None:
        self._terms_by_id: Sequence[str] = ()
        self._tokens: list[str] = []

    def bags(self, item: Ingested) -> list[str]:
        """Each passage's terms as engine tokens, repeated as often as they occur."""
        if item.terms_by_id is not self._terms_by_id:
            self._terms_by_id, self._tokens = item.terms_by_id, []
        known = len(self._tokens)
        self._tokens += map(schema.token, item.terms_by_id[known:])
        tokens, terms, counts = self._tokens, item.terms.tolist(), item.counts.tolist()
        ends = np.cumsum(item.distinct).tolist()
        return [
            " ".join(
                tokens[t]
                for t, c in zip(terms[lo:hi], counts[lo:hi], strict=True)
                for _ in range(c)
            )
            for lo, hi in zip(chain([0], ends[:-1]), ends, strict=True)
        ]


def _ids(ids: list[int]) -> str:
    return ", ".join(map(literal, ids))


def _registered(row: Row) -> Registered:
    fields = dict(zip(_REGISTRY_COLUMNS, row, strict=True))
    ints = {"size", "mtime", "passages", "dropped"}
    return Registered(**{k: int(v) if k in ints else str(v) for k, v in fields.items()})
