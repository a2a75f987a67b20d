"""One question's window on the engine, shaped like the embedded collection and its index.

``index.answers.ask`` reads a collection (``passage``) and its index (``term_ids``,
``doc_freq``, ``n_docs``, ``query``, ``top``, ``contains``, ``postings``). ``QuestionView``
answers those calls from the engine, so the project's spelling, expansion, reranking and
abstention run unchanged on top of it and a citation is built by the same code.

Ranking. The engine's BM25 picks a pool of candidates (``POOL``, its ``bm25`` ranker:
k1 = 1.2, b = 0, each shard with its own idf); the client then scores the pool exactly as
rank-bm25 does (k1 = 1.5, b = 0.75) from each candidate's terms and the collection's global
statistics: document frequencies summed over the shards by the engine (``SHOW META``), and
the passage count and mean length (``Stats``). A passage rank-bm25 would rank in the top
ten but the engine below the pool is the one way the two backends can differ (measured on
SQuAD: benchmarks/README.md).

Term ids are the engine tokens (``schema.token``); document numbers are this view's own,
given to passages as the engine returns them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from index.articles import Source, source_of
from index.bm25 import BM25Params, Hit
from index.collection import Article
from index.engine import schema
from index.engine.sphinxql import Client, Row
from index.passages import Passage

POOL = 100  # candidates the engine returns per question, for exact scoring here
_FIELDS = "id, file, number, bag, article, title, outlet, url, heading, text"


@dataclass(frozen=True, slots=True)
class Stats:
    """The collection-wide figures BM25 needs besides document frequencies."""

    n_docs: int
    total_length: int  # terms in all passages (rank-bm25's average length times n_docs)


@dataclass(frozen=True, slots=True)
class _Candidate:
    row: Row
    tf: Counter[str]  # the passage's terms, as engine tokens, and how often each occurs
    length: int

    @classmethod
    def of(cls, row: Row) -> _Candidate:
        bag = str(row[3]).split()
        return cls(row, Counter(bag), len(bag))

    @property
    def order(self) -> tuple[str, int]:
        """Where the passage is in folder order (the embedded index's tie-break)."""
        return str(self.row[1]), int(self.row[2])


class EngineTermIds:
    """Term lookups as ``index.term_ids.TermIds`` answers them: a known term's id."""

    def __init__(self, index: EngineIndex) -> None:
        self._index = index

    def get(self, term: str) -> str | None:
        """The term's token if some passage has it, else ``None``."""
        tok = schema.token(term)
        return tok if self._index.doc_freq(tok) else None

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.get(term) is not None

    def __getitem__(self, term: str) -> str:
        tok = self.get(term)
        if tok is None:
            raise KeyError(term)
        return tok

    def find_many(self, terms: list[str]) -> list[str | None]:
        """Tokens of many terms (``None`` where unknown), in one round trip."""
        self._index.fetch_doc_freqs(map(schema.token, terms))
        return [self.get(t) for t in terms]


class EngineIndex:
    """BM25 over the engine for one question: candidates from it, scores as rank-bm25's."""

    def __init__(self, client: Client, stats: Stats, params: BM25Params) -> None:
        self.client = client
        self.stats = stats
        self.params = params
        self.term_ids = EngineTermIds(self)
        self._df: dict[str, int] = {}
        self.docs: list[_Candidate] = []  # this view's document numbers index this

    @property
    def n_docs(self) -> int:
        """Passages in the whole collection."""
        return self.stats.n_docs

    def fetch_doc_freqs(self, tokens: Iterable[str]) -> None:
        """Learn the document frequencies of ``tokens`` not yet known, in one round trip."""
        wanted = [t for t in dict.fromkeys(tokens) if t not in self._df]
        if wanted:
            _, meta = self.client.read(_select("id", wanted, 0), "SHOW META")
            self._learn(meta, wanted)

    def _learn(self, meta: list[Row], tokens: list[str]) -> None:
        """Document frequencies from ``SHOW META`` (summed over shards by the engine)."""
        fields = dict((str(k), str(v)) for k, v in meta)
        keywords = {
            fields[key]: int(fields[f"docs[{key[8:-1]}]"])
            for key in fields
            if key.startswith("keyword[")
        }
        for tok in tokens:
            self._df[tok] = keywords.get(tok, 0)

    def doc_freq(self, tok: str) -> int:
        """How many passages have the term (asked of the engine once per question)."""
        if tok not in self._df:
            self.fetch_doc_freqs([tok])
        return self._df[tok]

    def idf(self, tok: str) -> float:
        """rank-bm25's idf, from the global counts.

        Its floor for terms in more than half of the passages is epsilon times the mean idf
        of all its terms, which the engine cannot list; the mean is taken as the idf
        of a term in one passage, what it tends to on a large collection (most terms are
        rare). Only a collection where a question word is in most passages sees a difference.
        """
        df = self.doc_freq(tok)
        n = max(self.n_docs, df)  # the count may be a second older than a new article's terms
        value = math.log(n - df + 0.5) - math.log(df + 0.5)
        if value < 0:
            return self.params.epsilon * (math.log(n - 0.5) - math.log(1.5))
        return value

    def query(self, terms: Iterable[str] | Mapping[str, float]) -> dict[str, float]:
        """Token -> weight for the known terms, each once (as ``BM25Index.query``)."""
        weighted = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        self.fetch_doc_freqs(map(schema.token, weighted))
        query: dict[str, float] = {}
        for term, weight in weighted.items():
            tok = self.term_ids.get(term)
            if tok is not None:
                query.setdefault(tok, weight)
        return query

    def top(self, query: Mapping[str, float], k: int) -> list[Hit]:
        """The best ``k`` passages by rank-bm25's score, from the engine's pool.

        Ordered as ``BM25Index.top`` orders: score (negative as zero), overlap (query weight),
        then folder order.
        """
        if k <= 0 or not query:
            return []
        tokens = list(query)
        rows, meta = self.client.read(_select(_FIELDS, tokens, max(POOL, 5 * k)), "SHOW META")
        self._learn(meta, tokens)
        p = self.params
        mean_length = self.stats.total_length / max(self.n_docs, 1)
        idf = {t: self.idf(t) for t in tokens}
        scored = []
        for candidate in map(_Candidate.of, rows):
            norm = p.k1 * (1 - p.b + p.b * candidate.length / mean_length)
            score = overlap = 0.0
            for tok, w in query.items():
                tf = candidate.tf.get(tok, 0)
                if tf:
                    # float32, as the embedded index stores each term's weight
                    score += w * float(np.float32(idf[tok] * (tf * (p.k1 + 1) / (tf + norm))))
                    overlap += w
            scored.append((max(score, 0.0), overlap, score, candidate))
        scored.sort(key=lambda s: (-s[0], -s[1], s[3].order))
        return [Hit(self._number(c), score, m) for _, m, score, c in scored[:k]]

    def _number(self, candidate: _Candidate) -> int:
        self.docs.append(candidate)
        return len(self.docs) - 1

    def contains(self, tok: str, passage_id: int) -> bool:
        """Whether passage ``passage_id`` (one this view returned) has the term."""
        return tok in self.docs[passage_id].tf

    def postings(self, tok: str) -> tuple[np.ndarray, np.ndarray]:
        """The first passage in folder order that has the term (all a typo's wording needs)."""
        order = "ORDER BY file ASC, number ASC"
        rows = self.client.read(_select(_FIELDS, [tok], 1, ranker="none", order=order))[0]
        docs = [self._number(_Candidate.of(row)) for row in rows]
        return np.array(docs, np.int64), np.zeros(len(docs), np.float32)


class QuestionView:
    """The collection ``index.answers.ask`` reads, for one question."""

    vectors = None  # the engine keeps no passage vectors: the words are all it weighs

    def __init__(self, client: Client, stats: Stats, params: BM25Params) -> None:
        self.index = EngineIndex(client, stats, params)
        self._tokens_of: dict[str, frozenset[str]] = {}  # file -> its article's tokens

    def article_has(self, tok: str | None, passage_id: int) -> bool:
        """Whether any passage of ``passage_id``'s article has the term (``None``: unseen)."""
        return tok is not None and tok in self._article_tokens(
            str(self.index.docs[passage_id].row[1])
        )

    def _article_tokens(self, file: str) -> frozenset[str]:
        """Every token of the article in ``file``: its passages are read once per question."""
        if file not in self._tokens_of:
            client = self.index.client
            counted = client.read(
                f"SELECT passages FROM {schema.ARTICLES} WHERE id = {schema.row_id(file, 0)}"
            )[0]
            count = int(counted[0][0]) if counted else 0
            bags: list[Row] = []
            if count:
                ids = ", ".join(str(schema.row_id(file, n)) for n in range(1, count + 1))
                bags = client.read(
                    f"SELECT bag FROM {schema.PASSAGES} WHERE id IN ({ids}) "
                    f"LIMIT {count} OPTION max_matches={count}"
                )[0]
            self._tokens_of[file] = frozenset(t for (bag,) in bags for t in str(bag).split())
        return self._tokens_of[file]

    def passage(self, passage_id: int) -> tuple[Article, Passage]:
        """Passage ``passage_id`` and its article, with the fields a citation shows."""
        _, file, number, _, article, title, outlet, url, heading, text = self.index.docs[
            passage_id
        ].row
        number, text = int(number), str(text)
        source = Source(str(article), str(title), "", str(outlet), str(url), str(file), "")
        # Its first passage number makes ``passage_id == first_passage`` true for passage 1 only,
        # which is how the title is known to be indexed with it.
        owner = Article(
            **source_of(source),
            first_passage=passage_id - number + 1,
            passage_count=0,
            dropped_lines=0,
        )
        passage = Passage(number, str(heading), text, 0, len(text))
        return owner, passage


def _select(
    columns: str, tokens: list[str], limit: int, *, ranker: str = "bm25", order: str = ""
) -> str:
    """A search for passages with any of ``tokens``; ``limit`` 0 only gathers statistics."""
    match = " | ".join(f'"{t}"' for t in tokens)
    options = f"ranker={ranker}" + (f", max_matches={limit}" if limit else "")
    return (
        f"SELECT {columns} FROM {schema.PASSAGES} WHERE MATCH('{match}') {order} "
        f"LIMIT {limit} OPTION {options}"
    )
