"""Word information from the shipped frequency table: fixed, and in step with the analyzer."""

import hashlib
import re
from importlib import resources

from index.analysis import Analyzer
from index.information import RAREST_ZIPF, information, zipf_values


def test_rarer_words_tell_more():
    terms = Analyzer().terms("said Ukraine Rutte")
    assert len(terms) == 3
    said, ukraine, rutte = map(information, terms)
    assert 0 < said < ukraine < rutte


def test_a_word_the_table_does_not_know_counts_as_its_rarest():
    assert "zxqvkl" not in zipf_values()
    rarest = next(t for t, z in zipf_values().items() if z == RAREST_ZIPF)
    assert information("zxqvkl") == information(rarest)


def test_every_common_word_of_a_news_sentence_is_in_the_table():
    """The table is keyed by index terms: an analyzer that stems otherwise needs a new table."""
    sentence = (
        "The government announced on Monday that the elections would be delayed by two "
        "months, after heavy flooding destroyed roads and bridges across the northern provinces"
    )
    terms = Analyzer().terms(sentence)
    assert len(terms) >= 15
    assert [t for t in terms if t not in zipf_values()] == []


def test_the_table_is_the_one_its_notice_describes():
    data = resources.files("index").joinpath("data/wordfreq")
    notice = data.joinpath("NOTICE").read_text("utf-8")
    stated = re.search(r"frequencies\.tsv\.gz, sha256 ([0-9a-f]{64})", notice)
    assert stated is not None
    table = data.joinpath("frequencies.tsv.gz").read_bytes()
    assert hashlib.sha256(table).hexdigest() == stated[1]
    assert "Attribution-ShareAlike 4.0" in notice
