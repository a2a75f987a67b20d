"""BM25 ranking with rank-bm25's definition, precomputed so a question costs a few array sums.

``rank_bm25.BM25Okapi`` is the definition: its idf (with the epsilon floor for terms in more
than half the passages) is computed by rank-bm25 itself, and the term-frequency part is its
formula evaluated once per (term, passage) at build time. The tests check scores against
``BM25Okapi.get_scores`` on the same tokens.

Layout (compressed sparse rows by term, so memory-mappable and pickle-free):
``term_ptr[t]:term_ptr[t+1]`` slices ``post_docs`` (ascending passage numbers),
``post_weights`` (the term's score contribution in that passage) and ``post_tf`` (how often
the term occurs there: what an update needs to recompute the weights without re-reading).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from index.term_ids import TermIds

_SLICE = 1 << 22  # postings per slice when computing weights (bounds build memory)
_DENSE_SHARE = 8  # sum into dense arrays once postings reach 1/8 of the collection

Query = dict[int, float]  # term id -> weight (1 for the question's own words)


@dataclass(frozen=True, slots=True)
class BM25Params:
    """rank-bm25's defaults: k1 saturates term frequency, b normalizes passage length."""

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage that shares at least one term with the question."""

    passage_id: int  # its place in the collection (``Citation.passage``: number in its article)
    score: float
    overlap: float  # the query weight of the terms the passage contains


def okapi_idf(doc_freq: np.ndarray, n_docs: int, params: BM25Params) -> np.ndarray:
    """Per-term idf exactly as ``BM25Okapi`` computes it, floor included.

    rank-bm25 computes idf from document frequencies alone, so it is asked directly with the
    counts; building a full ``BM25Okapi`` would keep a dict per passage in memory.
    """
    okapi = BM25Okapi.__new__(BM25Okapi)
    okapi.k1, okapi.b, okapi.epsilon = params.k1, params.b, params.epsilon
    okapi.corpus_size, okapi.idf = n_docs, {}
    okapi._calc_idf(dict(enumerate(doc_freq.tolist())))
    return np.fromiter((okapi.idf[t] for t in range(len(doc_freq))), np.float64, len(doc_freq))


class BM25Index:
    """Passage scores for a bag of question terms; terms are ids from ``term_ids``."""

    def __init__(
        self,
        term_ids: TermIds,
        idf: np.ndarray,
        term_ptr: np.ndarray,
        post_docs: np.ndarray,
        post_weights: np.ndarray,
        post_tf: np.ndarray,
        doc_len: np.ndarray,
        params: BM25Params,
    ) -> None:
        self.term_ids = term_ids
        self.idf = idf
        self.term_ptr = term_ptr
        self.post_docs = post_docs
        self.post_weights = post_weights
        self.post_tf = post_tf
        self.doc_len = doc_len
        self.params = params

    @property
    def n_docs(self) -> int:
        """Number of passages indexed."""
        return len(self.doc_len)

    @classmethod
    def build(cls, docs: Iterable[Sequence[str]], params: BM25Params | None = None) -> BM25Index:
        """Index tokenized passages (one token list per passage, in passage order)."""
        term_ids: dict[str, int] = {}
        terms, docs_of, counts, lengths = [], [], [], []
        for doc, tokens in enumerate(docs):
            ids = np.fromiter(
                (term_ids.setdefault(t, len(term_ids)) for t in tokens), np.int32, len(tokens)
            )
            unique, tally = np.unique(ids, return_counts=True)
            terms.append(unique)
            counts.append(tally)
            docs_of.append(np.full(len(unique), doc, np.int32))
            lengths.append(len(tokens))
        if not lengths:
            raise ValueError("cannot index an empty collection")
        return cls.from_postings(
            term_ids,
            np.concatenate(terms),
            np.concatenate(docs_of),
            np.concatenate(counts),
            np.array(lengths, np.int32),
            params or BM25Params(),
        )

    @classmethod
    def from_postings(
        cls,
        term_ids: dict[str, int],
        terms: np.ndarray,
        docs: np.ndarray,
        counts: np.ndarray,
        doc_len: np.ndarray,
        params: BM25Params,
    ) -> BM25Index:
        """Index (term, passage, count) triples given in passage order.

        A stable sort by term keeps each term's passages ascending, which is the layout.
        """
        doc_freq = np.bincount(terms, minlength=len(term_ids))
        order = np.argsort(terms, kind="stable")
        post_docs = docs[order].astype(np.int32, copy=False)
        post_tf = counts[order]
        del order
        return cls._weighted(term_ids, doc_freq, post_docs, post_tf, doc_len, params)

    @classmethod
    def updated(
        cls,
        old: BM25Index,
        renumber: np.ndarray,
        term_ids: dict[str, int],
        terms: np.ndarray,
        docs: np.ndarray,
        counts: np.ndarray,
        doc_len: np.ndarray,
        params: BM25Params,
    ) -> BM25Index:
        """``old`` with its passages renumbered and new (term, passage, count) triples added.

        ``renumber`` maps each old passage to its new number (-1: gone) and increases where
        it is kept; ``term_ids`` keeps the old terms' ids and numbers new terms after them.
        Each term's kept postings stay in order, so the new ones are merged in without
        sorting the whole index: what makes adding an article to a large index cheap.
        """
        n_terms, n_docs = len(term_ids), len(doc_len)
        moved = renumber[old.post_docs]
        keep = moved >= 0
        kept = np.zeros(n_terms + 1, np.int64)  # kept postings before each term
        kept[1 : len(old.term_ptr)] = np.concatenate([[0], np.cumsum(keep)])[old.term_ptr[1:]]
        kept[len(old.term_ptr) :] = kept[len(old.term_ptr) - 1]
        old_docs, old_tf = moved[keep].astype(np.int32), np.asarray(old.post_tf)[keep]
        del moved, keep
        order = np.argsort(terms, kind="stable")
        new_terms, new_docs, new_tf = terms[order], docs[order], counts[order]
        # Where each new posting goes: before the first kept posting of a later (term, doc).
        old_keys = np.repeat(np.arange(n_terms, dtype=np.int64), np.diff(kept)) * n_docs
        old_keys += old_docs
        slots = np.searchsorted(old_keys, new_terms.astype(np.int64) * n_docs + new_docs)
        del old_keys
        slots += np.arange(len(slots))
        post_docs = np.empty(len(old_docs) + len(new_docs), np.int32)
        post_tf = np.empty(len(post_docs), np.result_type(old_tf, new_tf))
        rest = np.ones(len(post_docs), bool)
        rest[slots] = False
        post_docs[slots], post_docs[rest] = new_docs, old_docs
        post_tf[slots], post_tf[rest] = new_tf, old_tf
        doc_freq = np.diff(kept) + np.bincount(new_terms, minlength=n_terms)
        return cls._weighted(term_ids, doc_freq, post_docs, post_tf, doc_len, params)

    @classmethod
    def _weighted(
        cls,
        term_ids: dict[str, int],
        doc_freq: np.ndarray,
        post_docs: np.ndarray,
        post_tf: np.ndarray,
        doc_len: np.ndarray,
        params: BM25Params,
    ) -> BM25Index:
        """The index over term-major postings: idf, and each posting's weight.

        Terms no passage uses (left by an update that removed articles) are dropped: rank-bm25
        would not know them, and its idf floor averages over the terms it knows. Weights are
        computed in slices so a large build needs no full-size temporaries.
        """
        n_docs = len(doc_len)
        if not doc_freq.all():
            used = doc_freq > 0
            new_id, keep = (np.cumsum(used) - 1).tolist(), used.tolist()
            term_ids = {t: new_id[i] for t, i in term_ids.items() if keep[i]}
            doc_freq = doc_freq[used]
        term_ptr = np.zeros(len(doc_freq) + 1, np.int64)
        np.cumsum(doc_freq, out=term_ptr[1:])
        post_tf = post_tf.astype(np.min_scalar_type(int(post_tf.max(initial=0))))
        idf = okapi_idf(doc_freq, n_docs, params)
        # k1 * (1 - b + b * dl / avgdl) per passage: BM25's length normalization.
        norm = params.k1 * (1 - params.b + params.b * doc_len / (doc_len.sum() / n_docs))
        weights = np.empty(len(post_docs), np.float32)
        for lo in range(0, len(post_docs), _SLICE):
            hi = min(lo + _SLICE, len(post_docs))
            # The terms whose postings overlap [lo, hi), each repeated for its share of it.
            first = int(np.searchsorted(term_ptr, lo, side="right")) - 1
            last = int(np.searchsorted(term_ptr, hi, side="left"))
            idf_part = np.repeat(
                idf[first:last], np.diff(np.clip(term_ptr[first : last + 1], lo, hi))
            )
            tf = post_tf[lo:hi].astype(np.float64)
            weights[lo:hi] = idf_part * (tf * (params.k1 + 1) / (tf + norm[post_docs[lo:hi]]))
        return cls(
            TermIds.from_mapping(term_ids),
            idf,
            term_ptr,
            post_docs,
            weights,
            post_tf,
            doc_len.astype(np.int32),
            params,
        )

    def query(self, terms: Iterable[str] | Mapping[str, float]) -> Query:
        """Term id -> weight for the known terms (weight 1 for a plain list of terms).

        Each term counts once: a repeated question word does not count twice, unlike in
        ``BM25Okapi.get_scores``.
        """
        weighted = terms if isinstance(terms, Mapping) else dict.fromkeys(terms, 1.0)
        query: Query = {}
        for term, weight in weighted.items():
            tid = self.term_ids.get(term)
            if tid is not None:
                query.setdefault(tid, weight)
        return query

    def doc_freq(self, term_id: int) -> int:
        """How many passages contain the term."""
        return int(self.term_ptr[term_id + 1] - self.term_ptr[term_id])

    def postings(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        """Passages containing the term (ascending) and the term's weight in each."""
        lo, hi = self.term_ptr[term_id], self.term_ptr[term_id + 1]
        return self.post_docs[lo:hi], self.post_weights[lo:hi]

    def scores(self, query: Query) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Candidates (passages sharing a term), their scores and overlaps (as ``Hit``'s).

        With every weight 1 the score is exactly ``BM25Okapi.get_scores`` for those terms.
        Few postings are merged by sorting them; many are summed into collection-sized arrays
        (cheaper than sorting once they cover a fair share of the collection).
        """
        lists = [(*self.postings(tid), weight) for tid, weight in query.items()]
        total = sum(len(docs) for docs, _, _ in lists)
        if total * _DENSE_SHARE >= self.n_docs:
            score = np.zeros(self.n_docs, np.float64)
            overlap = np.zeros(self.n_docs, np.float64)
            for docs, weights, weight in lists:
                score[docs] += weight * weights.astype(np.float64)
                overlap[docs] += weight
            candidates = np.flatnonzero(overlap)
            return candidates, score[candidates], overlap[candidates]
        if not lists:
            return np.zeros(0, np.int64), np.zeros(0), np.zeros(0)
        docs = np.concatenate([d for d, _, _ in lists])
        contributions = np.concatenate([w * ws.astype(np.float64) for _, ws, w in lists])
        per_term = np.concatenate([np.full(len(d), w) for d, _, w in lists])
        candidates, slot = np.unique(docs, return_inverse=True)
        score = np.bincount(slot, contributions, len(candidates))
        overlap = np.bincount(slot, per_term, len(candidates))
        return candidates, score, overlap

    def top(self, query: Query, k: int) -> list[Hit]:
        """The best ``k`` candidates, best first.

        Order: score (a negative score, possible only when rank-bm25's floored idf is itself
        negative in a tiny collection, counts as zero), then overlap, then passage
        order: ties are broken stably, and a collection too small for idf to discriminate
        still ranks by overlap.
        """
        candidates, score, overlap = self.scores(query)
        if k <= 0 or len(candidates) == 0:
            return []
        key = np.maximum(score, 0.0)
        if len(candidates) > k:
            threshold = np.partition(key, len(key) - k)[len(key) - k]
            keep = key >= threshold
            candidates, score, overlap, key = (
                candidates[keep],
                score[keep],
                overlap[keep],
                key[keep],
            )
        order = np.lexsort((candidates, -overlap, -key))[:k]
        return [Hit(int(candidates[i]), float(score[i]), float(overlap[i])) for i in order]

    def hits_for(self, query: Query, passage_ids: Iterable[int]) -> list[Hit]:
        """The scores of chosen passages (found another way than by their terms), in order."""
        hits = []
        for passage_id in passage_ids:
            score = overlap = 0.0
            for tid, weight in query.items():
                weights = self.weight_in(tid, passage_id)
                if weights is not None:
                    score += weight * weights
                    overlap += weight
            hits.append(Hit(passage_id, score, overlap))
        return hits

    def weight_in(self, term_id: int, passage_id: int) -> float | None:
        """The term's BM25 weight in a passage, ``None`` if the passage lacks it."""
        docs, weights = self.postings(term_id)
        i = int(np.searchsorted(docs, passage_id))
        return float(weights[i]) if i < len(docs) and int(docs[i]) == passage_id else None

    def contains(self, term_id: int, passage_id: int) -> bool:
        """Whether a passage contains a term (binary search in the term's postings)."""
        return self.weight_in(term_id, passage_id) is not None
