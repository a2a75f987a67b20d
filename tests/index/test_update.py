"""Updates: re-reading only changed files gives exactly the index a full rebuild gives."""

import random

import numpy as np
import pytest

from index.library import Library

WORDS = [
    "harbour",
    "flood",
    "council",
    "budget",
    "railway",
    "strike",
    "minister",
    "election",
    "drought",
    "wheat",
    "export",
    "vaccine",
    "clinic",
    "school",
    "teacher",
    "bridge",
    "tunnel",
    "storm",
    "coast",
    "river",
    "police",
    "court",
    "verdict",
    "museum",
    "festival",
    "stadium",
    "league",
    "transfer",
    "pension",
    "tariff",
    "factory",
    "battery",
    "solar",
    "wind",
]


def marker(i: int) -> str:
    """A word only article ``i`` uses (letters only, so the analyzer keeps it whole)."""
    return "zz" + "".join(chr(ord("a") + int(d)) for d in f"{i:02}")


def article(rng: random.Random, title: str, unique_word: str = "") -> str:
    """A small article file: header, then three paragraphs of seeded random words."""
    paragraphs = []
    for _ in range(3):
        words = rng.choices(WORDS, k=rng.randint(45, 70))
        if unique_word:
            words[rng.randrange(len(words))] = unique_word
        paragraphs.append(" ".join(words).capitalize() + ".")
    return f"---\ntitle: {title}\noutlet: Test Wire\n---\n" + "\n\n".join(paragraphs) + "\n"


@pytest.fixture
def folder(tmp_path):
    rng = random.Random(5)
    seeds = tmp_path / "articles"
    seeds.mkdir()
    for i in range(0, 40, 2):  # even numbers, so new files can sort in between
        title = "Same title" if i in (4, 10) else f"Story {i}"
        (seeds / f"{i:03}.txt").write_text(article(rng, title, marker(i)), encoding="utf-8")
    (seeds / "050.txt").write_bytes(b"\x00\x01" * 50)  # never usable
    return seeds


def change(seeds) -> None:
    """Add (one sorting first, one taking an id a later file had), edit, remove."""
    rng = random.Random(9)
    (seeds / "001.txt").write_text(article(rng, "Brand new", "fresh"), encoding="utf-8")
    (seeds / "007.txt").write_text(article(rng, "Same title"), encoding="utf-8")
    (seeds / "012.txt").write_text(article(rng, "Story 12 revised", "edited"), encoding="utf-8")
    (seeds / "020.txt").unlink()  # its marker was in no other article: it must leave the index


def assert_same_index(a, b) -> None:
    """Same articles, texts, passages and, term by term, the same postings and weights."""
    assert list(a.articles) == list(b.articles)
    for position in range(len(a.articles)):
        assert a.text(position) == b.text(position)
        assert a.passages_of(position) == b.passages_of(position)
    ia, ib = a.index, b.index
    assert np.array_equal(ia.doc_len, ib.doc_len)
    terms_a, terms_b = dict(ia.term_ids.items()), dict(ib.term_ids.items())
    assert terms_a.keys() == terms_b.keys()
    for term, ta in terms_a.items():
        tb = terms_b[term]
        docs_a, weights_a = ia.postings(ta)
        docs_b, weights_b = ib.postings(tb)
        assert np.array_equal(docs_a, docs_b), term
        np.testing.assert_allclose(weights_a, weights_b, rtol=1e-6)
        assert ia.idf[ta] == pytest.approx(ib.idf[tb], rel=1e-9)


def test_an_update_equals_a_full_rebuild(folder, tmp_path):
    index_dir = tmp_path / "index"
    before = Library.open(folder, index_dir)
    change(folder)
    updated = Library.open(folder, index_dir)
    assert updated.report.rebuilt
    assert updated.report.reason == "updated, 3 new or changed, 1 removed"
    rebuilt = Library.open(folder, tmp_path / "fresh")
    assert_same_index(updated.collection, rebuilt.collection)
    assert [a.id for a in updated.articles() if a.title == "Same title"] == [
        "same-title",
        "same-title-2",
        "same-title-3",
    ]
    assert marker(20) not in updated.collection.index.term_ids
    assert marker(20) in before.collection.index.term_ids
    for question in ("fresh harbour", "edited flood council", marker(12), "solar wind tariff"):
        assert updated.ask(question, k=10) == rebuilt.ask(question, k=10)


def test_an_update_is_saved_and_reopens_as_current(folder, tmp_path):
    index_dir = tmp_path / "index"
    Library.open(folder, index_dir)
    change(folder)
    updated = Library.open(folder, index_dir)
    reopened = Library.open(folder, index_dir)
    assert not reopened.report.rebuilt
    assert_same_index(updated.collection, reopened.collection)


def test_one_added_article_is_an_update(folder, tmp_path):
    index_dir = tmp_path / "index"
    Library.open(folder, index_dir)
    rng = random.Random(3)
    (folder / "003.txt").write_text(article(rng, "Late news", "latest"), encoding="utf-8")
    library = Library.open(folder, index_dir)
    assert library.report.reason == "updated, 1 new or changed, 0 removed"
    assert library.ask("latest harbour").results[0].title == "Late news"
    assert_same_index(library.collection, Library.open(folder, tmp_path / "fresh").collection)
