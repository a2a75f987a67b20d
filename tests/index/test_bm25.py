"""The index's scores are rank-bm25's: checked against BM25Okapi on the same tokens."""

from collections import Counter

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from index.bm25 import BM25Index, BM25Params

WORDS = [f"w{i}" for i in range(12)]
corpora = st.lists(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=20), min_size=1, max_size=40
)
EPS = 1e-9  # rank-bm25 sums floating point noise: an average idf of 4e-17 is zero
queries = st.lists(st.sampled_from([*WORDS, "unknown"]), min_size=1, max_size=6, unique=True)


def zipf_corpus(seed, words, passages, length):
    """A seeded collection with Zipf word frequencies, like news text (and its generator)."""
    rng = np.random.default_rng(seed)
    vocab = [f"t{i}" for i in range(words)]
    weights = 1 / np.arange(1, words + 1)
    docs = [
        list(rng.choice(vocab, size=rng.integers(*length), p=weights / weights.sum()))
        for _ in range(passages)
    ]
    return rng, vocab, docs


def reference_top(okapi, query, k):
    """rank-bm25's own ranking: positive scores, best first, ties by passage order."""
    scores = okapi.get_scores(query)
    order = sorted(
        (i for i in range(len(scores)) if scores[i] > EPS), key=lambda i: (-scores[i], i)
    )
    return order[:k], scores


@settings(max_examples=300, deadline=None)
@given(corpora, queries, st.sampled_from([BM25Params(), BM25Params(1.2, 0.5, 0.1)]))
def test_scores_match_get_scores_and_get_batch_scores(docs, query, params):
    index = BM25Index.build(docs, params)
    okapi = BM25Okapi(docs, k1=params.k1, b=params.b, epsilon=params.epsilon)
    candidates, scores, matched = index.scores(index.query(query))
    expected = okapi.get_scores(query)
    np.testing.assert_allclose(scores, expected[candidates], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(
        scores, okapi.get_batch_scores(query, candidates.tolist()), rtol=1e-6, atol=1e-6
    )
    outside = np.setdiff1d(np.arange(len(docs)), candidates)
    assert np.all(expected[outside] == 0), "passages sharing no term score 0 in rank-bm25 too"
    assert all(
        m == sum(t in docs[c] for t in query) for c, m in zip(candidates, matched, strict=True)
    )


@settings(max_examples=300, deadline=None)
@given(corpora, queries, st.integers(1, 10))
def test_top_k_is_get_scores_ranking_when_scores_are_distinct(docs, query, k):
    index = BM25Index.build(docs)
    okapi = BM25Okapi(docs)
    expected, scores = reference_top(okapi, query, k)
    top = [h.passage_id for h in index.top(index.query(query), k) if h.score > EPS]
    # Ties (at the top or at the k-th place) are ordered differently on purpose.
    boundary = reference_top(okapi, query, k + 1)[0]
    distinct = len({round(s, 5) for s in scores[boundary]}) == len(boundary)
    if distinct:
        assert top == expected
    assert len(set(top)) == len(top), "no passage twice"


def test_seed_sized_collection_matches_rank_bm25():
    rng, vocab, docs = zipf_corpus(seed=7, words=400, passages=300, length=(40, 120))
    index, okapi = BM25Index.build(docs), BM25Okapi(docs)
    for _ in range(50):
        query = list(rng.choice(vocab, size=4, replace=False))
        expected, scores = reference_top(okapi, query, 10)
        hits = index.top(index.query(query), 10)
        assert [h.passage_id for h in hits] == expected
        np.testing.assert_allclose([h.score for h in hits], scores[expected], rtol=1e-6)


# --- rank-bm25's quirks, each handled on purpose -------------------------------------------


def test_term_in_exactly_half_the_passages_has_idf_zero_but_still_counts_as_matched():
    docs = [["kursk", "troops"], ["kursk", "drones"], ["missiles"], ["talks"]]
    index = BM25Index.build(docs)
    assert BM25Okapi(docs).idf["kursk"] == 0
    hits = index.top(index.query(["kursk", "troops"]), 4)
    assert [h.passage_id for h in hits] == [0, 1]
    assert hits[1].score == 0
    assert hits[1].overlap == 1


def test_negative_idf_is_floored_to_epsilon_times_average_idf():
    docs = [["war", "a"], ["war", "b"], ["war", "c"], ["d"], ["e"]]
    okapi = BM25Okapi(docs, epsilon=0.25)
    index = BM25Index.build(docs)
    war = index.term_ids["war"]
    assert index.idf[war] == pytest.approx(okapi.idf["war"])
    assert index.idf[war] == pytest.approx(0.25 * okapi.average_idf)
    assert index.idf[war] > 0


def test_two_passage_collection_scores_nothing_so_overlap_decides():
    docs = [["kyiv", "drones"], ["kursk", "troops", "north", "korea"]]
    assert not BM25Okapi(docs).get_scores(["kursk", "troops", "korea"]).any()
    index = BM25Index.build(docs)
    hits = index.top(index.query(["kursk", "troops", "korea", "drones"]), 2)
    assert [h.passage_id for h in hits] == [1, 0]
    assert [h.overlap for h in hits] == [3, 1]


def test_a_repeated_question_word_counts_once():
    docs = [["kursk", "kursk", "a"], ["kursk", "troops"], ["b"], ["c"], ["d"]]
    okapi = BM25Okapi(docs)
    assert okapi.get_scores(["kursk", "kursk"])[0] == pytest.approx(
        2 * okapi.get_scores(["kursk"])[0]
    )
    index = BM25Index.build(docs)
    assert index.query(["kursk", "kursk", "troops"]) == index.query(["kursk", "troops"])
    assert index.top(index.query(["kursk", "kursk"]), 5) == index.top(index.query(["kursk"]), 5)


def test_ties_are_broken_by_passage_order():
    docs = [["x", "y"], ["a"], ["x", "y"], ["b"], ["x", "y"]]
    index = BM25Index.build(docs)
    assert [h.passage_id for h in index.top(index.query(["x"]), 3)] == [0, 2, 4]


def test_unknown_terms_and_empty_queries_find_nothing():
    index = BM25Index.build([["a"], ["b"], ["c"]])
    assert index.top(index.query(["zzz"]), 3) == []
    assert index.top({}, 3) == []


def test_contains_answers_membership():
    docs = [["a", "b"], ["b"], ["c"]]
    index = BM25Index.build(docs)
    b = index.term_ids["b"]
    assert [index.contains(b, d) for d in range(3)] == [True, True, False]


def test_weighted_query_scales_each_terms_contribution():
    docs = [["troops", "a"], ["soldiers", "b"], ["c"], ["d"], ["e"]]
    index = BM25Index.build(docs)
    plain = {h.passage_id: h.score for h in index.top(index.query(["troops", "soldiers"]), 5)}
    weighted = {
        h.passage_id: h.score for h in index.top(index.query({"troops": 1, "soldiers": 0.4}), 5)
    }
    assert weighted[0] == pytest.approx(plain[0])
    assert weighted[1] == pytest.approx(0.4 * plain[1])


@pytest.mark.parametrize("dense_share", [0, 10**9])  # 0: always merge by sorting; else dense
def test_sparse_and_dense_scoring_agree_with_rank_bm25(monkeypatch, dense_share):
    monkeypatch.setattr("index.bm25._DENSE_SHARE", dense_share)
    rng, vocab, docs = zipf_corpus(seed=3, words=300, passages=400, length=(20, 80))
    index, okapi = BM25Index.build(docs), BM25Okapi(docs)
    for _ in range(30):
        query = list(rng.choice(vocab, size=3, replace=False))
        candidates, scores, matched = index.scores(index.query(query))
        np.testing.assert_allclose(scores, okapi.get_scores(query)[candidates], rtol=1e-6)
        assert all(
            m == sum(t in docs[c] for t in query) for c, m in zip(candidates, matched, strict=True)
        )


added_passages = st.lists(
    st.lists(st.sampled_from([*WORDS, "new1", "new2"]), min_size=1, max_size=20), max_size=8
)


@settings(max_examples=200, deadline=None)
@given(corpora, added_passages, queries, st.data())
def test_an_updated_index_scores_as_rank_bm25_on_the_new_collection(old_docs, added, query, data):
    """Passages removed, others inserted anywhere: the merge equals indexing from scratch."""
    keep = data.draw(st.lists(st.booleans(), min_size=len(old_docs), max_size=len(old_docs)))
    places = data.draw(
        st.lists(st.integers(0, len(old_docs)), min_size=len(added), max_size=len(added))
    )
    new_at = {
        i: [doc for doc, place in zip(added, places, strict=True) if place == i]
        for i in range(len(old_docs) + 1)
    }
    order = []  # the new collection: (old passage number or None, tokens)
    for i, doc in enumerate(old_docs):
        order += [(None, new) for new in new_at[i]]
        order += [(i, doc)] if keep[i] else []
    order += [(None, new) for new in new_at[len(old_docs)]]
    assume(order)
    old = BM25Index.build(old_docs)
    term_ids = dict(old.term_ids.items())
    renumber = np.full(len(old_docs), -1, np.int32)
    terms, docs, counts = [], [], []
    for position, (was, tokens) in enumerate(order):
        if was is not None:
            renumber[was] = position
            continue
        for term, count in Counter(tokens).items():
            terms.append(term_ids.setdefault(term, len(term_ids)))
            docs.append(position)
            counts.append(count)
    lengths = np.array([len(tokens) for _, tokens in order], np.int32)
    arrays = (np.array(a, np.int32) for a in (terms, docs, counts))
    index = BM25Index.updated(old, renumber, term_ids, *arrays, lengths, BM25Params())
    okapi = BM25Okapi([tokens for _, tokens in order])
    candidates, scores, _ = index.scores(index.query(query))
    sharing = [d for d, (_, tokens) in enumerate(order) if set(tokens).intersection(query)]
    assert candidates.tolist() == sharing
    np.testing.assert_allclose(scores, okapi.get_scores(query)[candidates], rtol=1e-6, atol=1e-6)
    assert set(dict(index.term_ids.items())) == {t for _, tokens in order for t in tokens}
