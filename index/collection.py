"""The collection: cleaned articles, their passages and the BM25 index, as one value.

Built from article files (``build``) or restored from disk (``from_stored``). Article texts
live in one UTF-8 blob and passages are offset arrays into it, so a large collection costs
a few arrays rather than an object per passage.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, astuple, dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import overload

import numpy as np

from index.articles import Source, source_of, unique_id
from index.bm25 import BM25Index, BM25Params
from index.ingest import Ingested
from index.passages import Passage
from index.store import Blob, Stored
from index.vocabulary import Vocabulary

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Article(Source):
    """An article as served: what is known of its file, and where its passages are."""

    first_passage: int  # index of its passage 1 in the collection
    passage_count: int
    dropped_lines: int


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
        lines = [json.dumps(astuple(a), ensure_ascii=False).encode() for a in articles]
        offsets = np.zeros(len(lines) + 1, np.int64)
        np.cumsum([len(line) for line in lines], out=offsets[1:])
        return cls(b"".join(lines), offsets)

    def _parse_line(self, i: int) -> Article:
        line = self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])]
        return Article(*json.loads(line))

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


# Modules whose code decides what the saved index holds (store.py has FORMAT_VERSION).
PIPELINE_MODULES = (
    "analysis.py",
    "articles.py",
    "bm25.py",
    "cleaning.py",
    "collection.py",
    "ingest.py",
    "passages.py",
    "sentences.py",
    "vocabulary.py",
)


@cache
def pipeline_version() -> str:
    """Hash of the code and word lists that shape the index: any change forces a rebuild."""
    digest = hashlib.blake2b(digest_size=8)
    package = Path(__file__).parent
    for name in PIPELINE_MODULES:
        digest.update((package / name).read_bytes())
    for word_list in sorted((package / "data").glob("*.txt")):
        digest.update(word_list.read_bytes())
    return digest.hexdigest()


def collection_fingerprint(articles: Sequence[tuple[str, str]], params: BM25Params) -> str:
    """Identifies an index's inputs: files and contents, pipeline code, ranking parameters."""
    digest = hashlib.blake2b(digest_size=12)
    digest.update(f"{pipeline_version()}|{params}".encode())
    for name, content_hash in sorted(articles):
        digest.update(f"|{name}:{content_hash}".encode())
    return digest.hexdigest()


class Collection:
    """Articles, passages and their index; immutable once built."""

    def __init__(
        self,
        articles: ArticleTable,
        texts: Blob,
        arrays: dict[str, np.ndarray],
        index: BM25Index,
        fingerprint: str,
        dropped_lines: int,
    ) -> None:
        self.articles = articles
        self.dropped_lines = dropped_lines  # clutter removed from all articles, for reports
        self.fingerprint = fingerprint
        self.index = index
        self._texts = texts
        self._text_ptr = arrays["text_ptr"]
        self._passage_article = arrays["passage_article"]
        self._spans = arrays["passage_spans"]  # start, end, heading start, heading end
        self.text = lru_cache(maxsize=64)(self._decode_text)

    @property
    def passage_count(self) -> int:
        """Number of passages in the whole collection."""
        return len(self._passage_article)

    def _decode_text(self, article: int) -> str:
        """The cleaned text of the article at position ``article``."""
        lo, hi = int(self._text_ptr[article]), int(self._text_ptr[article + 1])
        return self._texts[lo:hi].decode("utf-8")

    def passage(self, doc: int) -> tuple[Article, Passage]:
        """The passage at collection position ``doc`` and its article."""
        position = int(self._passage_article[doc])
        article = self.articles[position]
        text = self.text(position)
        start, end, h_start, h_end = (int(x) for x in self._spans[doc])
        heading = text[h_start:h_end] if h_start >= 0 else ""
        number = doc - article.first_passage + 1
        return article, Passage(number, heading, text[start:end], start, end, h_start, h_end)

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
        ix, vocabulary = self.index, self.index.vocabulary
        meta = {
            "fingerprint": self.fingerprint,
            "params": asdict(ix.params),
            "dropped_lines": self.dropped_lines,
        }
        arrays = {
            "text_ptr": self._text_ptr,
            "passage_article": self._passage_article,
            "passage_spans": self._spans,
            "article_offsets": self.articles.offsets,
            "vocab_offsets": vocabulary.offsets,
            "vocab_ids": vocabulary.ids,
            "idf": ix.idf,
            "term_ptr": ix.term_ptr,
            "post_docs": ix.post_docs,
            "post_weights": ix.post_weights,
            "doc_len": ix.doc_len,
        }
        blobs = {
            "texts.bin": self._texts,
            "articles.jsonl": self.articles.blob,
            "vocabulary.bin": vocabulary.blob,
        }
        return Stored(meta, arrays, blobs)

    @classmethod
    def from_stored(cls, stored: Stored) -> Collection:
        """The collection over a checked ``Stored`` (no copying); KeyError if incomplete."""
        meta, arrays, blobs = stored.meta, stored.arrays, stored.blobs
        vocabulary = Vocabulary(
            blobs["vocabulary.bin"], arrays["vocab_offsets"], arrays["vocab_ids"]
        )
        index = BM25Index(
            vocabulary,
            arrays["idf"],
            arrays["term_ptr"],
            arrays["post_docs"],
            arrays["post_weights"],
            arrays["doc_len"],
            BM25Params(**meta["params"]),
        )
        articles = ArticleTable(blobs["articles.jsonl"], arrays["article_offsets"])
        return cls(
            articles, blobs["texts.bin"], arrays, index, meta["fingerprint"], meta["dropped_lines"]
        )


def _global_ids(vocabulary: dict[str, int], terms: tuple[str, ...]) -> np.ndarray:
    """Collection-wide ids of an article's terms, adding the new ones (C-speed mapping)."""
    new = [t for t in terms if t not in vocabulary]
    vocabulary.update(zip(new, itertools.count(len(vocabulary))))
    return np.fromiter(map(vocabulary.__getitem__, terms), np.int32, len(terms))


def build(items: Iterable[Ingested], params: BM25Params, fingerprint: str) -> Collection | None:
    """Assemble ingested articles into a collection; ``None`` when there are none.

    Streams: each article's terms are mapped to collection-wide ids as it arrives, and only
    compact arrays are kept, so memory grows with the index, not with Python objects.
    """
    articles: list[Article] = []
    texts = bytearray()
    text_ptr = [0]
    vocabulary: dict[str, int] = {}
    seen_ids: set[str] = set()
    parts: dict[str, list[np.ndarray]] = {
        k: [] for k in ("spans", "terms", "counts", "docs", "lengths", "owner")
    }
    n_docs = 0
    for item in items:
        n = len(item.lengths)
        position = len(articles)
        unique = unique_id(item.id, seen_ids)
        articles.append(
            Article(
                **{**source_of(item), "id": unique},
                first_passage=n_docs,
                passage_count=n,
                dropped_lines=item.dropped,
            )
        )
        texts += item.text.encode("utf-8")
        text_ptr.append(len(texts))
        to_global = _global_ids(vocabulary, item.vocabulary)
        parts["spans"].append(item.spans)
        parts["terms"].append(to_global[item.terms])
        parts["counts"].append(item.counts)
        parts["docs"].append(
            np.repeat(np.arange(n_docs, n_docs + n, dtype=np.int32), item.distinct)
        )
        parts["lengths"].append(item.lengths)
        parts["owner"].append(np.full(n, position, np.int32))
        n_docs += n
    if not articles:
        return None
    joined = {k: np.concatenate(parts.pop(k)) for k in list(parts)}  # one copy at a time
    index = BM25Index.from_postings(
        vocabulary, joined["terms"], joined["docs"], joined["counts"], joined["lengths"], params
    )
    arrays = {
        "text_ptr": np.array(text_ptr, np.int64),
        "passage_article": joined["owner"],
        "passage_spans": joined["spans"].reshape(-1, 4),
    }
    return Collection(
        ArticleTable.of(articles),
        bytes(texts),
        arrays,
        index,
        fingerprint,
        sum(a.dropped_lines for a in articles),
    )
