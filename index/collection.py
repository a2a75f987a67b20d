"""The collection: cleaned articles, their passages and the BM25 index, as one value.

Built from article files (``build``) or restored from disk (``from_stored``). Article texts
live in one UTF-8 blob and passages are offset arrays into it, so a large collection costs
a few arrays rather than an object per passage.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from index import analysis, cleaning, passages, sentences
from index.analysis import Analyzer
from index.articles import RawArticle
from index.bm25 import BM25Index, BM25Params
from index.cleaning import clean
from index.passages import Passage, split_passages
from index.store import Stored

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Article:
    """An article as served: metadata and where its passages are."""

    id: str
    title: str
    subtitle: str
    outlet: str
    url: str
    file: str
    fingerprint: str
    first_passage: int  # index of its passage 1 in the collection
    passage_count: int
    dropped_lines: int


@cache
def pipeline_version() -> str:
    """Hash of the code and word lists that shape the index: any change forces a rebuild."""
    digest = hashlib.blake2b(digest_size=8)
    for module in (analysis, cleaning, passages, sentences):
        digest.update(Path(module.__file__ or "").read_bytes())
    for word_list in sorted((Path(analysis.__file__ or "").parent / "data").glob("*.txt")):
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
        articles: list[Article],
        texts: bytes,
        arrays: dict[str, np.ndarray],
        index: BM25Index,
        fingerprint: str,
    ) -> None:
        self.articles = articles
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

    def passages_of(self, position: int) -> list[Passage]:
        """All passages of the article at ``position``, in order."""
        article = self.articles[position]
        first = article.first_passage
        return [self.passage(d)[1] for d in range(first, first + article.passage_count)]

    def to_stored(self) -> Stored:
        """The persistent form (see ``index.store``)."""
        ix = self.index
        meta = {
            "fingerprint": self.fingerprint,
            "params": asdict(ix.params),
            "articles": [asdict(a) for a in self.articles],
        }
        arrays = {
            "text_ptr": self._text_ptr,
            "passage_article": self._passage_article,
            "passage_spans": self._spans,
            "idf": ix.idf,
            "term_ptr": ix.term_ptr,
            "post_docs": ix.post_docs,
            "post_weights": ix.post_weights,
            "doc_len": ix.doc_len,
        }
        vocabulary = "\n".join(sorted(ix.vocabulary, key=ix.vocabulary.__getitem__))
        return Stored(
            meta, arrays, {"texts.bin": self._texts, "vocabulary.txt": vocabulary.encode()}
        )

    @classmethod
    def from_stored(cls, stored: Stored) -> Collection:
        """Rebuild the in-memory collection from a verified ``Stored``; KeyError if incomplete."""
        meta, arrays = stored.meta, stored.arrays
        words = stored.blobs["vocabulary.txt"].decode("utf-8")
        vocabulary = {w: i for i, w in enumerate(words.split("\n"))} if words else {}
        index = BM25Index(
            vocabulary,
            arrays["idf"],
            arrays["term_ptr"],
            arrays["post_docs"],
            arrays["post_weights"],
            arrays["doc_len"],
            BM25Params(**meta["params"]),
        )
        articles = [Article(**a) for a in meta["articles"]]
        return cls(articles, stored.blobs["texts.bin"], arrays, index, meta["fingerprint"])


def build(
    raw: Sequence[RawArticle], analyzer: Analyzer, params: BM25Params, fingerprint: str
) -> Collection:
    """Clean, split, analyze and index articles (those that yield no passage are skipped)."""
    articles: list[Article] = []
    texts: list[bytes] = []
    passage_article: list[int] = []
    spans: list[tuple[int, int, int, int]] = []
    docs: list[list[str]] = []
    for item in raw:
        cleaned = clean(item.body, item.title, item.subtitle)
        pieces = split_passages(cleaned.text)
        log.info(
            "%s: kept %d passages, dropped %d lines of clutter",
            item.path.name,
            len(pieces),
            len(cleaned.dropped),
        )
        if not pieces:
            log.warning("skipped %s: no article text left after cleaning", item.path.name)
            continue
        position = len(articles)
        articles.append(
            Article(
                item.id,
                item.title,
                item.subtitle,
                item.outlet,
                item.url,
                item.path.name,
                item.fingerprint,
                len(passage_article),
                len(pieces),
                len(cleaned.dropped),
            )
        )
        texts.append(cleaned.text.encode("utf-8"))
        for piece in pieces:
            passage_article.append(position)
            spans.append((piece.start, piece.end, piece.heading_start, piece.heading_end))
            docs.append(analyzer.terms(f"{piece.heading}\n{piece.text}"))
    if not docs:
        return None
    text_ptr = np.zeros(len(texts) + 1, np.int64)
    np.cumsum([len(t) for t in texts], out=text_ptr[1:])
    arrays = {
        "text_ptr": text_ptr,
        "passage_article": np.asarray(passage_article, np.int32),
        "passage_spans": np.asarray(spans, np.int32).reshape(-1, 4),
    }
    return Collection(articles, b"".join(texts), arrays, BM25Index.build(docs, params), fingerprint)
