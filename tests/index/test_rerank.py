"""The second stage: each feature moves the passage that answers ahead of one BM25 ties with it.

Every case is two articles whose passages BM25 scores exactly alike for the question (same
question words, same counts, same length, the title's words included); the one
that does not answer comes first in the folder, so BM25's tie-break (passage order) puts it
first and only the reranker can swap them. Unrelated articles beside them give the question's
words a positive idf, as in any real collection (in two passages that both have a word,
rank-bm25's idf for it is negative).
"""

from dataclasses import replace
from pathlib import Path

import pytest

from index.analysis import Analyzer
from index.config import SearchConfig
from index.library import Library
from index.rerank import (
    AnswerKind,
    Question,
    answer_kind,
    bigrams,
    is_kind,
    phrases,
    proximity,
    word_pairs,
)

FILLER = (  # 31 index terms: more than the proximity window
    "Officials gave no further details about the matter on Monday afternoon, and residents "
    "were asked to follow updates from the council while crews continued their work nearby. "
    "Local schools reopened, shops kept normal hours, buses ran late, and volunteers handed "
    "out blankets, water and hot soup."
)


UNRELATED = {
    "7.txt": ("Chess", "The chess olympiad ended with a draw between the two top seeds. " * 3),
    "8.txt": ("Baking", "Bakers prefer rye flour for dense loaves with a dark crust. " * 3),
    "9.txt": ("Rail", "A new tram line links the airport with the central station. " * 3),
}


def library_of(
    tmp_path: Path, articles: dict[str, tuple[str, str]], config: SearchConfig | None = None
) -> Library:
    """A library of articles (file name -> title, text) and unrelated ones."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, (title, text) in (articles | UNRELATED).items():
        (folder / name).write_text(f"---\ntitle: {title}\n---\n{text}\n", encoding="utf-8")
    return Library.open(folder, tmp_path / "index", config)


def first_two(library: Library, question: str) -> tuple[list[str], list[str]]:
    """Titles of BM25's two best passages, and of the first two the answer cites."""
    analyzer, index = Analyzer(), library.collection.index
    engine = index.top(index.query(analyzer.terms(question)), 2)
    bm25 = [library.collection.passage(h.passage_id)[0].title for h in engine]
    answer = library.ask(question, k=2)
    assert answer.answered, answer.reason
    return bm25, [c.title for c in answer.results]


def test_question_words_close_together_outrank_scattered_ones(tmp_path):
    library = library_of(
        tmp_path,
        {
            "1.txt": ("Scattered", f"The walls stood. {FILLER} Later the cracked harbour closed."),
            "2.txt": ("Together", f"The cracked harbour walls closed. {FILLER} Later it stood."),
        },
    )
    # Question order (wall, harbour, crack) matches neither passage's pairs: proximity alone.
    bm25, reranked = first_two(library, "Which walls of the harbour cracked?")
    assert bm25 == ["Scattered", "Together"]
    assert reranked == ["Together", "Scattered"]


def test_question_word_pairs_in_order_outrank_the_same_words_reordered(tmp_path):
    library = library_of(
        tmp_path,
        {
            "1.txt": ("Reordered", f"Fans of the Broncos in Denver cheered loudly. {FILLER}"),
            "2.txt": ("In order", f"Fans of the Denver Broncos cheered loudly in town. {FILLER}"),
        },
    )
    bm25, reranked = first_two(library, "Where did fans of the Denver Broncos cheer?")
    assert bm25 == ["Reordered", "In order"]
    assert reranked == ["In order", "Reordered"]


def test_the_questions_phrase_as_written_outranks_the_same_terms_without_it(tmp_path):
    library = library_of(
        tmp_path,
        {
            "1.txt": ("Without", f"The capital, France, is Paris, officials noted. {FILLER}"),
            "2.txt": ("As written", f"The capital of France is Paris, officials noted. {FILLER}"),
        },
    )
    # Index terms are the same in both (capit, franc, pari, ...): "of" makes the difference.
    bm25, reranked = first_two(library, "What is the capital of France?")
    assert bm25 == ["Without", "As written"]
    assert reranked == ["As written", "Without"]


def test_word_pairs_keep_small_words_and_fold_case():
    assert word_pairs("Capital of FRANCE?") == {"capital of", "of france"}
    assert word_pairs("Paris") == frozenset()


def test_phrases_are_found_with_or_without_accents():
    question = Question(("mongk", "khan"), {"mongk": 1.0, "khan": 1.0}, None, {})
    typed = replace(question, phrases=word_pairs("Did Mongke Khan rule?"))
    written = replace(question, phrases=word_pairs("Did Möngke Khan rule?"))
    for asked in (typed, written):  # "mongke khan" and "khan rule" found, "did mongke" not
        assert phrases(asked, "Möngke Khan ruled the empire.") == 2 / 3
        assert phrases(asked, "Mongke Khan ruled the empire.") == 2 / 3


def test_a_question_word_in_the_article_title_counts_for_the_passage(tmp_path):
    """BM25 sees the title in an article's first passage only; the reranker in every one."""
    opening = f"{FILLER} {FILLER} {FILLER}\n\n"  # a passage of its own: the answer is the second
    library = library_of(
        tmp_path,
        {
            "1.txt": ("Coastal weather", f"{opening}Floods closed the harbour on Sunday. {FILLER}"),
            "2.txt": ("Portmere storm", f"{opening}Floods closed the harbour on Friday. {FILLER}"),
            "3.txt": ("Elections", f"Portmere voters chose a new mayor. {FILLER} {FILLER}"),
        },
    )
    bm25, reranked = first_two(library, "What did the floods close in Portmere?")
    assert bm25 == ["Coastal weather", "Portmere storm"]
    assert reranked[0] == "Portmere storm"


@pytest.mark.parametrize(
    ("question", "loser", "winner"),
    [
        ("How many boats capsized in the harbour?", "Several", "12"),
        ("When did boats capsize in the harbour?", "Recently", "In 1998"),
    ],
)
def test_a_number_or_date_near_the_question_words_answers_how_many_and_when(
    tmp_path, question, loser, winner
):
    loser_text = f"{loser} boats capsized in the harbour. {FILLER}"
    winner_text = f"{winner} boats capsized in the harbour. {FILLER}"
    assert len(Analyzer().terms(loser_text)) == len(Analyzer().terms(winner_text))
    library = library_of(
        tmp_path, {"1.txt": ("No figure", loser_text), "2.txt": ("Figure", winner_text)}
    )
    bm25, reranked = first_two(library, question)
    assert bm25 == ["No figure", "Figure"]
    assert reranked == ["Figure", "No figure"]


def test_a_question_without_evidence_of_either_kind_keeps_bm25_order(tmp_path):
    """Words only: the sentence model's cosine is evidence, and tells Monday from Friday."""
    library = library_of(
        tmp_path,
        {
            "1.txt": ("First", f"Boats sank in the harbour. {FILLER}"),
            "2.txt": ("Second", f"Boats sank in the harbour. {FILLER.replace('Monday', 'Friday')}"),
        },
        SearchConfig(semantic=False),
    )
    bm25, reranked = first_two(library, "Which boats sank in the harbour?")
    assert reranked == bm25 == ["First", "Second"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("How many soldiers were sent?", AnswerKind.NUMBER),
        ("What percentage of voters turned out?", AnswerKind.NUMBER),
        ("In what year did the war end?", AnswerKind.DATE),
        ("When does Trump take office?", AnswerKind.DATE),
        ("Who won the election?", None),
        ("What did Putin say?", None),
    ],
)
def test_the_kind_of_answer_comes_from_the_question_wording(question, kind):
    assert answer_kind(question) is kind


def test_years_and_months_are_dates_and_any_number_is_a_number():
    analyzer = Analyzer()
    assert all(is_kind(t, AnswerKind.DATE) for t in analyzer.terms("1998 2024 January October"))
    assert not any(is_kind(t, AnswerKind.DATE) for t in analyzer.terms("12 3000 Monday spring"))
    assert all(is_kind(t, AnswerKind.NUMBER) for t in analyzer.terms("12 1998 4.5 2,072"))
    assert not is_kind("twelv", AnswerKind.NUMBER)


def test_proximity_and_bigrams_are_shares_of_the_question_information():
    question = Question(("denver", "bronco"), {"denver": 1.0, "bronco": 3.0}, None, {})
    assert proximity(question, ["denver", "bronco"]) == 1.0
    assert proximity(question, ["bronco", *["x"] * 30, "denver"]) == 0.75
    assert bigrams(question, ["denver", "bronco"]) == 1.0
    assert bigrams(question, ["bronco", "denver"]) == 0.0
