"""The term dictionary: lookups one at a time and many at once agree with a plain dict."""

from hypothesis import given
from hypothesis import strategies as st

from index.term_ids import TermIds

# Short alphabets make shared 8-byte prefixes, terms that are prefixes of others, and misses.
words = st.text(alphabet="abé\u4e2d", min_size=1, max_size=12)


@given(st.sets(words, max_size=60), st.lists(words, max_size=40))
def test_find_and_find_many_agree_with_a_dict(terms, probes):
    mapping = {term: i for i, term in enumerate(sorted(terms, reverse=True))}
    term_ids = TermIds.from_mapping(mapping)
    asked = [*probes, *terms]
    assert term_ids.find_many(asked) == [mapping.get(t) for t in asked]
    assert [term_ids.get(t) for t in asked] == [mapping.get(t) for t in asked]


def test_terms_sharing_their_first_eight_bytes_are_told_apart():
    mapping = {"international": 0, "internationally": 1, "internat": 2, "internatio": 3}
    term_ids = TermIds.from_mapping(mapping)
    asked = ["internation", "international", "internat", "internationally", "internatio"]
    assert term_ids.find_many(asked) == [None, 0, 2, 1, 3]


def test_empty_term_ids_find_nothing():
    assert TermIds.from_mapping({}).find_many(["a", "b"]) == [None, None]
