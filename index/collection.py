"""The collection: cleaned articles, their passages and the BM25 index, as one value.

Built from article files (``build``) or restored from disk (``from_stored``). Article texts
live in one UTF-8 blob and passages are offset arrays into it, so a large collection costs
a few arrays rather than an object per passage.
"""

from __future__ import annotations

import json
import logging
import mmap
from collections.abc import Callable, Iterable, Sequence, Set
from dataclasses import asdict, fields
from functools import lru_cache
from typing import overload

import numpy as np

from index.articles import Source, display_name, source_of, unique_id
from index.bm25 import BM25Index, BM25Params
from index.ingest import Ingested
from index.passages import Passage
from index.semantic import model_text
from index.store import Blob, CorruptIndex, Stored
from index.term_ids import TermIds
from index.types import Article

log = logging.getLogger(__name__)

Embed = Callable[[list[str]], np.ndarray]  # texts -> unit vectors (``index.semantic``)
_EMBED_BATCH = 2048  # passages encoded together during a build (bounds memory)


class ArticleTable(Sequence[Article]):
    """Article metadata as JSON lines, each parsed when first needed.

    Parsing a hundred thousand articles would dominate start-up, and a question only ever
    needs the few articles it cites.
    """

    def __init__(self, blob: Blob, offsets: np.ndarray) -> None:
        self.blob = blob  # one JSON array of field values per article
        self.offsets = offsets  # article i is blob[offsets[i]:offsets[i + 1]]
        self._parse = lru_cache(maxsize=4096)(self._parse_line)

    @classmethod
    def of(cls, articles: Sequence[Article]) -> ArticleTable:
        """A table holding ``articles``, in order."""
        names = [f.name for f in fields(Article)]  # astuple would deep-copy every field
        # A file name that is not UTF-8 holds lone surrogates (Python's surrogateescape):
        # written and read back as such, so the article still matches its file.
        lines = [
            json.dumps([getattr(a, n) for n in names], ensure_ascii=False).encode(
                "utf-8", "surrogatepass"
            )
            for a in articles
        ]
        offsets = np.zeros(len(lines) + 1, np.int64)
        np.cumsum([len(line) for line in lines], out=offsets[1:])
        return cls(b"".join(lines), offsets)

    def _parse_line(self, i: int) -> Article:
        line = self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])]
        return Article(*json.loads(bytes(line).decode("utf-8", "surrogatepass")))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> list[Article]: ...
    def __getitem__(self, i: int | slice) -> Article | list[Article]:
        if isinstance(i, slice):
            return [self._parse(j) for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._parse(i % len(self))


class Collection:
    """Articles, passages and their index; immutable once built."""

    def __init__(
        self,
        articles: ArticleTable,
        texts: Blob,
        arrays: dict[str, np.ndarray],
        index: BM25Index,
        base_ids: Blob,
        dropped_lines: int,
    ) -> None:
        self.articles = articles
        self.dropped_lines = dropped_lines  # clutter removed from all articles, for reports
        self.index = index
        self._base_ids = base_ids  # ids before de-duplication, for updates (one per line)
        self._texts = texts
        self._text_ptr = arrays["text_ptr"]
        self._passage_article = arrays["passage_article"]
        self._spans = arrays["passage_spans"]  # start, end, heading start, heading end
        self.vectors: np.ndarray | None = arrays.get("vectors")  # a unit vector per passage
        self.text = lru_cache(maxsize=64)(self._decode_text)

    @property
    def passage_count(self) -> int:
        """Number of passages in the whole collection."""
        return len(self._passage_article)

    def _decode_text(self, article: int) -> str:
        """The cleaned text of the article at position ``article``.

        The load checked every byte, but an outside writer can change the files under the
        map later: a damaged byte reads as U+FFFD, and a text file cut short is refused
        before it is read past its end (which would kill the process with SIGBUS).
        """
        lo, hi = int(self._text_ptr[article]), int(self._text_ptr[article + 1])
        if isinstance(self._texts, mmap.mmap) and self._texts.size() < hi:
            raise CorruptIndex("texts.bin was cut short while in use: open the index again")
        return self._texts[lo:hi].decode("utf-8", "replace")

    def passage(self, passage_id: int) -> tuple[Article, Passage]:
        """The passage at collection position ``passage_id`` and its article."""
        position = int(self._passage_article[passage_id])
        article = self.articles[position]
        text = self.text(position)
        start, end, h_start, h_end = (int(x) for x in self._spans[passage_id])
        heading = text[h_start:h_end] if h_start >= 0 else ""
        number = passage_id - article.first_passage + 1
        return article, Passage(number, heading, text[start:end], start, end, h_start, h_end)

    def article_has(self, term_id: int | None, passage_id: int) -> bool:
        """Whether any passage of ``passage_id``'s article has the term (``None``: unseen).

        The decision asks this of the article, not the collection, so that what it weighs
        does not change when other articles join the folder.
        """
        if term_id is None:
            return False
        article = self.articles[int(self._passage_article[passage_id])]
        docs = self.index.postings(term_id)[0]
        at = int(np.searchsorted(docs, article.first_passage))
        return at < len(docs) and int(docs[at]) < article.first_passage + article.passage_count

    def position(self, article: Article) -> int:
        """Where ``article`` is in ``articles`` (via its first passage)."""
        return int(self._passage_article[article.first_passage])

    def passages_of(self, position: int) -> list[Passage]:
        """All passages of the article at ``position``, in order."""
        article = self.articles[position]
        first = article.first_passage
        return [self.passage(d)[1] for d in range(first, first + article.passage_count)]

    def to_stored(self) -> Stored:
        """The persistent form (see ``index.store``)."""
        ix, term_ids = self.index, self.index.term_ids
        meta = {
            "params": asdict(ix.params),
            "dropped_lines": self.dropped_lines,
        }
        arrays = {
            "text_ptr": self._text_ptr,
            "passage_article": self._passage_article,
            "passage_spans": self._spans,
            "article_offsets": self.articles.offsets,
            "vocab_offsets": term_ids.offsets,
            "vocab_ids": term_ids.ids,
            "idf": ix.idf,
            "term_ptr": ix.term_ptr,
            "post_docs": ix.post_docs,
            "post_weights": ix.post_weights,
            "post_tf": ix.post_tf,
            "doc_len": ix.doc_len,
        }
        if self.vectors is not None:
            arrays["vectors"] = self.vectors
        blobs = {
            "texts.bin": self._texts,
            "articles.jsonl": self.articles.blob,
            "base_ids.txt": self._base_ids,
            "vocabulary.bin": term_ids.blob,  # stored names are the format (store.FORMAT_VERSION)
        }
        return Stored(meta, arrays, blobs)

    @classmethod
    def from_stored(cls, stored: Stored) -> Collection:
        """The collection over a checked ``Stored`` (no copying); KeyError if incomplete."""
        meta, arrays, blobs = stored.meta, stored.arrays, stored.blobs
        term_ids = TermIds(blobs["vocabulary.bin"], arrays["vocab_offsets"], arrays["vocab_ids"])
        index = BM25Index(
            term_ids,
            arrays["idf"],
            arrays["term_ptr"],
            arrays["post_docs"],
            arrays["post_weights"],
            arrays["post_tf"],
            arrays["doc_len"],
            BM25Params(**meta["params"]),
        )
        articles = ArticleTable(blobs["articles.jsonl"], arrays["article_offsets"])
        return cls(
            articles,
            blobs["texts.bin"],
            arrays,
            index,
            blobs["base_ids.txt"],
            meta["dropped_lines"],
        )


def build(
    items: Iterable[Ingested], params: BM25Params, embed: Embed | None = None
) -> Collection | None:
    """Assemble ingested articles into a collection; ``None`` when there are none.

    Streams: each article's terms are mapped to collection-wide ids as it arrives, and only
    compact arrays are kept, so memory grows with the index, not with Python objects. With
    ``embed``, every passage gets a vector too.
    """
    assembly = _Assembly(embed=embed)
    for item in items:
        assembly.add(item)
    return assembly.finish(params)


def update(
    old: Collection,
    names: Sequence[str],
    changed: Set[str],
    fresh: Iterable[Ingested],
    params: BM25Params,
    embed: Embed | None = None,
) -> Collection | None:
    """The collection a full ``build`` would give, re-using ``old`` for unchanged files.

    The same articles, texts, passages, postings and scores; only the internal term ids
    differ (old terms keep theirs), so scores can differ in the last float bits.

    ``names`` are the folder's article files in order, ``changed`` the new or changed ones
    and ``fresh`` their ingested articles, in the same order (unusable files left out).
    Unchanged files are carried over from ``old`` as arrays, without reading or analysis
    (their vectors too: only fresh passages are encoded).
    """
    assembly = _Assembly(old, names, embed)
    position = {article.file: i for i, article in enumerate(assembly.old_articles)}
    items = iter(fresh)
    item = next(items, None)
    run: list[int] = []  # consecutive old positions, carried over in one go
    for name in names:
        old_position = None if name in changed else position.get(name)
        if run and old_position != run[-1] + 1:
            assembly.carry(run[0], run[-1] + 1)
            run = []
        if item is not None and item.file == name:
            assembly.add(item)
            item = next(items, None)
        elif old_position is not None:
            run.append(old_position)
    if run:
        assembly.carry(run[0], run[-1] + 1)
    return assembly.finish(params)


class _Assembly:
    """Articles in folder order, fresh from ``ingest`` or carried over from an old collection.

    Carried articles keep their postings in the old index (renumbered at the end); only the
    fresh ones contribute new (term, passage, count) triples.
    """

    def __init__(
        self,
        old: Collection | None = None,
        names: Sequence[str] = (),
        embed: Embed | None = None,
    ) -> None:
        self.old = old
        self.embed = embed
        self.vector_parts: list[np.ndarray] = []
        self.unembedded: list[str] = []  # fresh passages' model texts, encoded in batches
        self.articles: list[Article] = []
        self.base_ids: list[str] = []
        self.taken: set[str] = set()  # ids given or reserved so far
        self.holders: dict[str, str] = {}  # the file each id was given to (or reserved for)
        self.texts = bytearray()
        self.text_ptr = [0]
        self.term_ids: dict[str, int] = {}
        self._mapped: Sequence[str] = ()  # the terms ``_ids`` maps, as last seen
        self._ids = np.zeros(0, np.int32)
        self.passage_parts: dict[str, list[np.ndarray]] = {
            k: [] for k in ("spans", "lengths", "owner")
        }
        self.posting_parts: dict[str, list[np.ndarray]] = {
            k: [] for k in ("terms", "counts", "docs")
        }
        self.n_docs = 0
        if old is not None:
            # Old terms keep their ids, which lets the update merge rather than re-sort.
            self.term_ids = dict(old.index.term_ids.items())
            self.old_articles = list(old.articles)  # parsed once: every one is carried or not
            self.old_base_ids = bytes(old._base_ids).decode("utf-8").split("\n")
            self.renumber = np.full(old.passage_count, -1, np.int32)  # old passage -> new
            # An id stays with the file that had it, while that file is there: a new file
            # claiming it (a header ``id:``) must not take over the old answers' buttons.
            present = set(names)
            self.holders = {
                a.id: a.file
                for a, base in zip(self.old_articles, self.old_base_ids, strict=True)
                if a.id == base and a.file in present
            }
            self.taken = set(self.holders)

    def _article(self, source: Source, passages: int, dropped: int) -> None:
        """Record an article; an id another file has gets ``-2``, ``-3``… and a warning.

        The file that had the id first keeps it: in an update, the one the old collection
        gave it to; in a full build, the first in folder order.
        """
        if self.holders.get(source.id) == source.file:
            unique = source.id  # reserved for it
        else:
            unique = unique_id(source.id, self.taken)
            if unique != source.id:
                log.warning(
                    "%s has the id %r of %s: served as %r",
                    display_name(source.file),
                    source.id,
                    display_name(self.holders[source.id]),
                    unique,
                )
            self.holders[unique] = source.file
        self.base_ids.append(source.id)
        self.articles.append(
            Article(
                **{**source_of(source), "id": unique},
                first_passage=self.n_docs,
                passage_count=passages,
                dropped_lines=dropped,
            )
        )
        self.n_docs += passages

    def _passages(self, spans: np.ndarray, lengths: np.ndarray, owner: np.ndarray) -> None:
        for key, value in (("spans", spans), ("lengths", lengths), ("owner", owner)):
            self.passage_parts[key].append(value)

    def add(self, item: Ingested) -> None:
        """Append one freshly ingested article."""
        first = self.n_docs
        self._article(item, len(item.lengths), item.dropped)
        self.texts += item.text.encode("utf-8")
        self.text_ptr.append(len(self.texts))
        if self.embed is not None:
            self.unembedded.extend(
                model_text(item.title, item.text, *span) for span in item.spans.tolist()
            )
            if len(self.unembedded) >= _EMBED_BATCH:
                self._embed_pending()
        owner = np.full(len(item.lengths), len(self.articles) - 1, np.int32)
        self._passages(item.spans, item.lengths, owner)
        docs = np.repeat(np.arange(first, self.n_docs, dtype=np.int32), item.distinct)
        terms = self._to_global(item.terms_by_id)[item.terms]
        for key, value in (("terms", terms), ("counts", item.counts), ("docs", docs)):
            self.posting_parts[key].append(value)

    def _to_global(self, terms: Sequence[str]) -> np.ndarray:
        """Collection-wide ids for the terms an article's ids index into, adding new ones.

        Articles from worker processes share one growing numbering of terms: only the terms added
        since the previous article are mapped.
        """
        if terms is not self._mapped:
            self._mapped, self._ids = terms, np.zeros(0, np.int32)
        if len(self._ids) < len(terms):
            new = terms[len(self._ids) :]
            ids = np.fromiter(map(self._id, new), np.int32, len(new))
            self._ids = np.concatenate([self._ids, ids])
        return self._ids

    def _id(self, term: str) -> int:
        return self.term_ids.setdefault(term, len(self.term_ids))

    def carry(self, start: int, stop: int) -> None:
        """Append the old collection's articles ``start:stop`` (consecutive) unchanged."""
        old = self.old
        assert old is not None
        position, new_first = len(self.articles), self.n_docs
        if self.embed is not None:
            assert old.vectors is not None  # the pipeline key has the index rebuilt otherwise
            self._embed_pending()  # keeps the vectors in passage order
        for i, article in enumerate(self.old_articles[start:stop], start):
            source = Source(**{**source_of(article), "id": self.old_base_ids[i]})
            self._article(source, article.passage_count, article.dropped_lines)
        lo, hi = int(old._text_ptr[start]), int(old._text_ptr[stop])
        self.text_ptr.extend((old._text_ptr[start + 1 : stop + 1] - lo + len(self.texts)).tolist())
        self.texts += old._texts[lo:hi]
        first = self.old_articles[start].first_passage  # the run's passages, old numbering
        last = first + self.n_docs - new_first
        self.renumber[first:last] = np.arange(new_first, self.n_docs, dtype=np.int32)
        if self.embed is not None:
            self.vector_parts.append(old.vectors[first:last])
        self._passages(
            old._spans[first:last],
            old.index.doc_len[first:last],
            old._passage_article[first:last] - start + position,
        )

    def _embed_pending(self) -> None:
        if self.unembedded:
            assert self.embed is not None
            self.vector_parts.append(self.embed(self.unembedded))
            self.unembedded = []

    def finish(self, params: BM25Params) -> Collection | None:
        """The collection, with its index; ``None`` if no article was added."""
        if not self.articles:
            return None
        passages = {k: np.concatenate(v) for k, v in self.passage_parts.items()}
        terms, docs, counts = (
            np.concatenate(self.posting_parts[k] or [np.zeros(0, np.int32)])
            for k in ("terms", "docs", "counts")
        )
        self.posting_parts.clear()
        if self.old is None:
            index = BM25Index.from_postings(
                self.term_ids, terms, docs, counts, passages["lengths"], params
            )
        else:
            index = BM25Index.updated(
                self.old.index,
                self.renumber,
                self.term_ids,
                terms,
                docs,
                counts,
                passages["lengths"],
                params,
            )
        arrays = {
            "text_ptr": np.array(self.text_ptr, np.int64),
            "passage_article": passages["owner"].astype(np.int32),
            "passage_spans": passages["spans"].reshape(-1, 4),
        }
        if self.embed is not None:
            self._embed_pending()
            arrays["vectors"] = np.concatenate(self.vector_parts)
        return Collection(
            ArticleTable.of(self.articles),
            self.texts,  # not copied: half a gigabyte at a million passages
            arrays,
            index,
            "\n".join(self.base_ids).encode("utf-8"),
            sum(a.dropped_lines for a in self.articles),
        )
