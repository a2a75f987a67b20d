"""Typos: an unseen question term is read as the indexed term one edit away."""

import pytest

from index.analysis import Analyzer
from index.bm25 import BM25Index
from index.spelling import Typo, corrected, corrected_terms, is_english, one_edit

PASSAGES = [
    "Archaeologists found the palace of the khan near the river in Russia.",
    "The archaeologist said the palace walls were older than thought.",
    "Tomingaj is a village where the inventor spent a summer.",
    "The plan was to count the votes before the fight over the theme began.",
    "The economy depends on water from the mountains and the river.",
    "An archipelago of small islands lies off the coast.",
]


@pytest.fixture(scope="module")
def index():
    analyzer = Analyzer()
    return BM25Index.build([analyzer.terms(p) for p in PASSAGES])


def test_one_edit_covers_the_four_kinds_of_edit_after_the_first_letter():
    edits = one_edit("abcd")
    assert {"acd", "acbd", "abxd", "abcxd", "abcdx"} <= edits  # delete, swap, replace, insert
    assert "abcd" not in edits
    assert "cabd" not in edits  # two edits away
    assert not {"bcd", "xbcd", "xabcd", "bacd"} & edits  # the first letter is kept


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("archeaologist", "archaeologist"),  # transposed letters
        ("tominaj", "tomingaj"),  # a letter left out
        ("depnd", "depend"),  # a letter left out, short stem
        ("riverr", "river"),  # a letter too many
    ],
)
def test_a_typo_is_read_as_the_indexed_term(index, typed, meant):
    assert typed not in index.term_ids
    assert corrected(index, typed) == meant


@pytest.mark.parametrize(
    ("passages", "meant"),
    [
        (["a stone wall", "a stone bridge", "a hot stove"], "stone"),
        (["a stone wall", "a hot stove", "a cold stove"], "stove"),
    ],
)
def test_of_two_terms_one_edit_away_the_one_more_passages_use_wins(passages, meant):
    analyzer = Analyzer()
    index = BM25Index.build([analyzer.terms(p) for p in passages])
    assert corrected(index, "stonve") == meant  # "stone" and "stove" are both one edit away


@pytest.mark.parametrize(
    "term",
    [
        "river",  # indexed: kept
        "rivr",  # shorter than five letters: at that length one edit makes most words another
        "zzzzzzz",  # nothing one edit away
        "kyïv",  # not plain ASCII letters
        "2024",  # a number
        "prussia",  # "russia" is one edit away, but at the first letter
    ],
)
def test_terms_that_are_left_alone(index, term):
    assert corrected(index, term) == term


def test_terms_the_caller_keeps_are_left_alone(index):
    assert corrected(index, "riverr") == "river"
    assert corrected(index, "riverr", keep={"riverr"}) == "riverr"


def ask_terms(index, question):
    analyzer = Analyzer()
    terms, _ = corrected_terms(index, analyzer, question, analyzer.spans(question))
    return terms


def test_each_correction_is_reported_once_with_the_word_as_typed(index):
    analyzer = Analyzer()
    question = "Riverr's palace, riverr walls and the ARCHEAOLOGIST'S plane"
    terms, typos = corrected_terms(index, analyzer, question, analyzer.spans(question))
    assert terms == ["river", "palac", "river", "wall", "archaeologist", "plane"]
    assert typos == (Typo("Riverr", "river"), Typo("ARCHEAOLOGIST", "archaeologist"))


def test_real_words_stay_what_they_are_even_one_edit_from_an_indexed_term(index):
    # On their own, the terms would be corrected:
    assert [corrected(index, t) for t in ("plane", "flight", "court")] == ["plan", "fight", "count"]
    assert ask_terms(index, "the plane flight court") == ["plane", "flight", "court"]


@pytest.mark.parametrize(
    "question",
    [
        "the court\u02bcs ruling",  # a modifier-letter apostrophe
        "the court\u2018s ruling",  # a left quote typed as an apostrophe
        "\uff43\uff4f\uff55\uff52\uff54",  # full-width letters
    ],
)
def test_a_real_word_is_recognized_however_its_characters_were_typed(index, question):
    assert "court" in ask_terms(index, question)


def test_typos_in_a_question_are_read_as_meant(index):
    assert ask_terms(index, "Archeaologists by the riverr") == ["archaeologist", "river"]


@pytest.mark.parametrize(
    ("question", "meant"),
    [
        ("a halloween-themd party", ["halloween", "theme", "halloweenthemd", "parti"]),
        ("a fighter-plane", ["fighter", "plane", "fighterplan"]),  # "plane" is a word
        ("a fighter\u2212plane", ["fighter", "plane", "fighterplan"]),  # a minus sign typed
    ],
)
def test_each_part_of_a_hyphenated_word_is_judged_as_typed(index, question, meant):
    """Real words are kept, typos corrected; the joined form (last) is the caller's to keep."""
    analyzer = Analyzer()
    spans = analyzer.spans(question)
    joined = {ts[-1] for _, ts in spans if len(ts) > 1}
    assert corrected_terms(index, analyzer, question, spans, keep=joined)[0] == meant


@pytest.mark.parametrize(
    ("word", "english"),
    [("Plane", True), ("court's", True), ("court’s", True), ("depedent", False)],
)
def test_the_dictionary_knows_words_in_any_case_and_possessive(word, english):
    assert is_english(word) is english
