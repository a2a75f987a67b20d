import re
from pathlib import Path

import pytest

from index.articles import read_article
from index.cleaning import clean
from index.folder import Listing
from index.passages import MAX_WORDS, MIN_WORDS, PARAGRAPH_MAX_WORDS, is_heading, split_passages

SEEDS = Path(__file__).parents[2] / "seeds"


def para(n, word="word"):
    return " ".join(f"{word}{i}" for i in range(n - 1)) + " end."


def seed_passages():
    for article in map(read_article, map(SEEDS.joinpath, Listing.read(SEEDS).names)):
        text = clean(article.body, article.title, article.subtitle).text
        yield text, split_passages(text)


def test_headings_are_detected_by_shape():
    assert is_heading("Rising Casualties and Territorial Gains")
    assert is_heading("Other News This Week:")
    assert not is_heading("Russia gained ground in October.")
    assert not is_heading("“We will respond,” he said.”")


def test_passages_are_numbered_from_one_and_offsets_point_into_the_text():
    for text, passages in seed_passages():
        assert [p.number for p in passages] == list(range(1, len(passages) + 1))
        for p in passages:
            assert text[p.start : p.end] == p.text
            if p.heading:
                assert text[p.heading_start : p.heading_end] == p.heading


def test_seed_passages_are_chat_sized_and_end_at_sentence_ends():
    for _, passages in seed_passages():
        for p in passages:
            assert len(p.text.split()) <= MAX_WORDS
            assert re.search(r"[.!?…][”\"’)]?$", p.text), p.text[-40:]


def test_a_heading_is_never_a_passage_but_labels_the_ones_under_it():
    text = f"Intro\n\n{para(50)}\n\nFirst Section\n\n{para(60)}\n\nSecond Section\n\n{para(70)}"
    passages = split_passages(text)
    assert [p.heading for p in passages] == ["Intro", "First Section", "Second Section"]
    assert all(not is_heading(p.text) for p in passages)


def test_consecutive_headings_keep_the_nearest():
    text = f"Part One\n\nChapter A\n\n{para(50)}"
    (passage,) = split_passages(text)
    assert passage.heading == "Chapter A"


def test_long_paragraph_is_split_between_sentences():
    sentences = [f"Sentence {i} has exactly eight words in it." for i in range(40)]
    passages = split_passages(" ".join(sentences))
    assert len(passages) > 1
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages) == " ".join(sentences)


@pytest.mark.parametrize("sentences", [PARAGRAPH_MAX_WORDS // 8, PARAGRAPH_MAX_WORDS // 8 + 1])
def test_a_paragraph_stays_whole_up_to_its_limit(sentences):
    paragraph = " ".join(f"Sentence {i} has exactly eight words in it." for i in range(sentences))
    passages = split_passages(f"{para(50)}\n\n{paragraph}\n\n{para(50)}")
    whole = sentences * 8 <= PARAGRAPH_MAX_WORDS
    assert (paragraph in [p.text for p in passages]) is whole
    assert all(len(p.text.split()) <= (MAX_WORDS, PARAGRAPH_MAX_WORDS)[whole] for p in passages)


def test_short_paragraphs_are_merged_and_no_runt_is_left_at_the_end():
    paragraphs = [para(25) for _ in range(5)]
    passages = split_passages("\n\n".join(paragraphs))
    sizes = [len(p.text.split()) for p in passages]
    assert all(MIN_WORDS <= s <= MAX_WORDS for s in sizes), sizes


def test_a_single_overlong_sentence_stays_whole():
    sentence = " ".join(["word"] * 200) + "."
    (passage,) = split_passages(sentence)
    assert passage.text == sentence


def test_splitting_is_stable():
    for text, passages in seed_passages():
        assert split_passages(text) == passages


def test_text_without_any_full_stop_is_cut_into_bounded_passages():
    text = " ".join(f"word{i}" for i in range(5000))
    passages = split_passages(text)
    assert all(len(p.text.split()) <= MAX_WORDS for p in passages)
    assert " ".join(p.text for p in passages) == text
