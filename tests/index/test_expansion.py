"""Related words: what a question is also matched on, and the shipped list they come from."""

from importlib import resources

import pytest

from index.analysis import Analyzer
from index.expansion import EXPANSION_WEIGHT, expand, related_terms

A = Analyzer()


def test_a_question_word_brings_the_other_words_of_its_group():
    related = related_terms(A.terms("How many soldiers died?"))
    assert {"troop", "fighter"} <= related["soldier"]
    assert {"casualti", "kill"} <= related["die"]


def test_a_phrase_of_the_question_brings_its_group_to_each_of_its_words():
    related = related_terms(A.terms("What did North Korea send?"))
    assert related["north"] == related["korea"]
    assert "pyongyang" in related["korea"]
    assert "north" not in related_terms(A.terms("Which way is north?"))  # "north" alone: no


def test_only_one_word_items_are_added():
    """The index has no phrases: "white house" as two words would match far more."""
    related = related_terms(A.terms("What did Washington say?"))
    assert "america" in related["washington"]
    assert not {"white", "hous"} & related["washington"]


def test_words_the_question_already_has_are_not_added_again():
    related = related_terms(A.terms("troops and soldiers"))
    assert "soldier" not in related["troop"]
    assert "troop" not in related["soldier"]


def test_the_query_weighs_related_words_less_than_the_questions_own():
    terms = A.terms("soldiers killed")
    query = expand(terms, related_terms(terms))
    assert query["soldier"] == query["kill"] == 1.0
    assert query["troop"] == query["casualti"] == EXPANSION_WEIGHT


def shipped_groups() -> list[tuple[int, str]]:
    text = resources.files("index").joinpath("data/synonyms.txt").read_text("utf-8")
    return [
        (number, line)
        for number, line in enumerate(text.splitlines(), 1)
        if line.strip() and not line.startswith("#")
    ]


@pytest.mark.parametrize(("number", "line"), shipped_groups())
def test_every_shipped_item_is_searchable(number, line):
    """An item that analyzes to nothing ("us" in lower case is a stopword; "US" is the
    country), a group of one or a group of phrases alone would silently do nothing."""
    items = [item.strip() for item in line.split(",")]
    assert len(items) >= 2, f"line {number}: a group needs two items"
    analyzed = [A.terms(item.replace("-", "")) for item in items]
    for item, terms in zip(items, analyzed, strict=True):
        assert terms, f"line {number}: {item!r} has no index terms"
    # Only one-word items are added to a query: a group of phrases alone adds nothing.
    assert any(len(terms) == 1 for terms in analyzed), f"line {number}: no one-word item"
