"""The whole pipeline on the seeds: cited answers, abstention, bad questions."""

import math
from pathlib import Path

import pytest

from index.answers import MAX_QUESTION_CHARS
from index.config import SearchConfig
from index.decision import Evidence, Verdict
from index.evaluate import evaluate, fold, load_questions
from index.library import Library

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return Library.open(Path(__file__).parents[2] / "seeds", tmp_path_factory.mktemp("index"))


def test_seed_question_set_is_answered_from_the_right_passage(library):
    """The seed set: almost every answer first, and no answerable question refused.

    A floor, not every answer: "When did North Korean troops enter combat in Kursk?" is
    answered "On the day of the U.S. election", a date no date feature sees, and a passage
    with a date near the question's words comes first.
    """
    report = evaluate(library, load_questions(DATA / "seed_questions.jsonl"))
    assert report.answerable >= 30
    assert report.questions - report.answerable >= 6
    assert report.reworded >= 10
    assert report.hit_at_1 >= 0.97, report.misses
    assert report.wrongly_abstained == 0, report.misses
    assert report.ranking_hit_at_1 >= 0.97
    assert report.abstain_recall >= 0.75


@pytest.mark.parametrize(
    ("name", "hit_at_1", "reworded"),
    [("heldout_questions.jsonl", 0.65, 0.45), ("heldout2_questions.jsonl", 0.8, 0.65)],
)
def test_held_out_sets_stay_above_the_level_reached(library, name, hit_at_1, reworded):
    """Floors a little under what was measured, so a principled change may move one answer."""
    report = evaluate(library, load_questions(DATA / name))
    assert report.hit_at_1 >= hit_at_1, report.misses
    assert report.reworded_hit_at_1 >= reworded, report.misses


@pytest.mark.parametrize(
    "name", ["seed_questions.jsonl", "heldout_questions.jsonl", "heldout2_questions.jsonl"]
)
def test_each_answerable_question_of_a_shipped_set_has_an_answer_in_a_passage(library, name):
    """A question about page clutter (a teaser for another story) is not about the articles."""
    texts = [fold(p.text) for a in library.articles() for p in library.passages(a)]
    for q in load_questions(DATA / name):
        assert not q.answers or any(fold(a) in t for a in q.answers for t in texts), q.question


def test_citation_carries_everything_a_reader_needs(library):
    answer = library.ask("How many North Korean soldiers were sent to Kursk?")
    assert answer.answered
    first = answer.results[0]
    assert first.article == "russia-intensifies-fighting-after-trumps"
    assert first.title == "Russia intensifies fighting after Trump’s win"
    assert first.outlet == "Responsible Statecraft"
    assert first.url == "https://responsiblestatecraft.org/russia-fighting-in-kursk/"
    assert first.heading == "From State Department Briefing on Nov. 12"
    assert "10,000 North Korean soldiers were sent to Kursk" in first.text
    assert first.score > 0
    assert {"North", "Korean", "soldiers", "sent", "Kursk"} <= set(first.matched)
    assert all(first.text[s:e] in first.matched for s, e in first.spans)


def test_results_are_distinct_best_first_and_limited_to_k(library):
    answer = library.ask("Russia drones missiles Ukraine", k=5)
    keys = [(c.article, c.passage) for c in answer.results]
    assert len(keys) == len(set(keys)) == 5
    scores = [c.score for c in answer.results]
    assert scores == sorted(scores, reverse=True)


def test_repeating_a_word_does_not_change_the_answer(library):
    assert library.ask("Kursk troops").results == library.ask("Kursk Kursk Kursk troops").results


def test_json_form_matches_the_cli_contract(library):
    data = library.ask("How many launches were there in October?").to_json()
    assert set(data) == {"question", "answered", "tentative", "results", "corrections"}
    assert data["corrections"] == []
    assert set(data["results"][0]) == {
        "article",
        "title",
        "outlet",
        "url",
        "passage",
        "heading",
        "text",
        "score",
    }
    assert library.ask("How do I reset my router?").to_json()["results"] == []


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ("", "empty"),
        ("   \n\t ", "empty"),
        ("\x00\x07\x1b\x7f", "empty"),
        ("?!… — ###", "no words"),
        ("🎉🔥🚀", "no words"),
        ("x" * 10_000, "under 1,000"),
        ("Кто выиграл выборы?", "do not answer"),
        ("谁赢得了选举", "do not answer"),
    ],
)
def test_bad_questions_get_a_clear_reason(library, question, reason):
    answer = library.ask(question)
    assert not answer.answered
    assert answer.results == ()
    assert reason in answer.reason


def test_control_characters_inside_a_real_question_are_ignored(library):
    clean = library.ask("How many launches were there in October?")
    dirty = library.ask("How many\x00 launches\u200b were there in\x1b October?")
    assert dirty.results == clean.results


def test_a_word_split_by_an_invisible_character_is_one_word(library):
    # Issue 14, defect 3: a soft hyphen or zero-width space typed inside a word is dropped.
    clean = library.ask("How many launches were there in October?")
    for invisible in ("\u00ad", "\u200b", "\u2060", "\ufeff"):
        dirty = library.ask(f"How many laun{invisible}ches were there in Octo{invisible}ber?")
        assert dirty.results == clean.results
        assert dirty.question == clean.question


def test_the_question_is_echoed_without_control_characters(library):
    assert library.ask("what\u202eis\x00 this?").question == "what is this?"


def test_longest_accepted_question_still_answers(library):
    question = ("Kursk troops " * 200)[:MAX_QUESTION_CHARS]
    assert library.ask(question).answered


def test_evaluation_harness_on_a_hand_computed_case(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text(
        "---\ntitle: Harbour floods\n---\n"
        + "Floods closed the harbour of Portmere on Sunday, stranding fourteen fishing boats. " * 3
        + "\n\nThe mayor of Portmere promised new sea walls by spring, at a cost of 2 million. " * 3
        + "\n",
        encoding="utf-8",
    )
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"question": "How many fishing boats were stranded?", "answers": ["fourteen"]}\n'
        '{"question": "What did the mayor of Portmere promise?", "answers": ["SEA WALLS"]}\n'
        '{"question": "Who won the chess olympiad?", "unanswerable": true}\n'
        '{"question": "harbour", "answers": ["no passage says this"]}\n',
        encoding="utf-8",
    )
    library = Library.open(seeds, tmp_path / "index")
    report = evaluate(library, load_questions(questions))
    # Two answerable questions found first, one unanswerable abstained, the last one missed
    # (answered, but no passage holds the answer string).
    assert (report.questions, report.answerable) == (4, 3)
    assert report.hit_at_1 == pytest.approx(2 / 3)
    assert report.mrr_at_10 == pytest.approx(2 / 3)
    assert report.abstain_precision == 1.0
    assert report.abstain_recall == 1.0
    assert report.misses == ("harbour",)


@pytest.mark.parametrize(
    "bad",
    [
        "[1]",
        '{"question": 5, "answers": ["x"]}',
        '{"question": "q", "answers": "text"}',
        '{"question": "q"}',
        "not json",
    ],
)
def test_question_lines_of_the_wrong_shape_are_refused(tmp_path, bad):
    path = tmp_path / "bad.jsonl"
    path.write_text(bad + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 1"):
        load_questions(path)


def test_question_file_errors_name_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"question": "ok", "answers": ["x"]}\n{"answers": []}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        load_questions(path)


def test_an_abstention_names_only_articles_that_come_close(library):
    near = library.ask("Who will be Trump's defense secretary?")
    assert not near.answered
    assert near.related
    far = library.ask("Who won the last Champions League final?")
    assert not far.answered
    assert far.related == ()


def test_answers_do_not_depend_on_earlier_questions(library):
    question = "How many launches did Zorblatt make in October?"
    before = library.ask(question)
    library.ask("What about the zorb-latt programme?")
    assert library.ask(question) == before


def test_an_unseen_hyphenated_word_is_judged_by_its_parts(library):
    assert library.ask("How many drone-launches were there in October?").answered


def evidence(
    coverage: float, words: int = 4, phrases: float = 0.0, similarity: float = 0.5
) -> Evidence:
    return Evidence(
        coverage=coverage,
        log_words=math.log(words),
        phrases=phrases,
        bigrams=0.0,
        similarity=similarity,
    )


def answers(e: Evidence) -> bool:
    return SearchConfig().decision.verdict(e) is Verdict.ANSWERS


def test_a_passage_close_in_meaning_needs_less_of_the_questions_wording():
    """Checks the shipped constants: a refit that moves these thresholds must revisit them."""
    assert not answers(evidence(0.6, similarity=0.3))
    assert answers(evidence(0.6, similarity=0.7))
    assert answers(evidence(0.95, similarity=0.3))
    assert not answers(evidence(0.3, similarity=0.5))


def test_the_questions_phrases_found_as_written_lower_the_bar():
    """Checks the shipped constants, like the test above."""
    assert not answers(evidence(0.6, 3, similarity=0.35))
    assert answers(evidence(0.6, 3, phrases=0.5, similarity=0.35))


def test_the_decision_has_three_outcomes_in_order_of_its_odds():
    model = SearchConfig().decision
    ladder = [model.verdict(evidence(c, similarity=c)) for c in (0.1, 0.45, 0.55, 0.9)]
    order = [Verdict.SILENT, Verdict.MAY_ANSWER, Verdict.ANSWERS]
    assert ladder == sorted(ladder, key=order.index)
    assert set(ladder) == set(order)


def test_with_abstention_off_the_best_passages_are_cited_whatever_the_evidence(library):
    question = "Who won the last Champions League final?"
    refused = library.ask(question)
    cited = library.ask(question, abstain=False)
    assert not refused.answered
    assert cited.answered
    assert cited.evidence == refused.evidence
    assert not answers(cited.evidence)
    assert not library.ask("   ", abstain=False).answered  # bad questions are still refused


def test_an_answer_carries_what_its_abstention_weighed(library):
    answered = library.ask("How many launches were there in October?")
    refused = library.ask("Who won the last Champions League final?")
    assert answered.evidence is not None
    assert answers(answered.evidence)
    assert refused.evidence is not None
    assert not answers(refused.evidence)
    assert answered.evidence.coverage > refused.evidence.coverage


def test_a_question_with_typos_gets_the_answer_the_right_spelling_gets(library):
    right = library.ask("How many launches were there in October?")
    typed = library.ask("How many lanches were there in Octobr?")
    assert typed.answered
    assert [c.text for c in typed.results] == [c.text for c in right.results]


def test_a_reply_says_how_a_typo_was_read_spelled_as_the_articles_spell_it(library):
    answer = library.ask("What missile is the Oreshnikk? Is the oreshnikk new?")
    assert answer.answered
    assert answer.corrections == (("Oreshnikk", "Oreshnik"),)  # once, as first typed
    assert answer.note == "Read “Oreshnikk” as “Oreshnik”."
    assert answer.to_json()["corrections"] == [{"typed": "Oreshnikk", "read_as": "Oreshnik"}]


def test_a_name_typed_without_its_accents_is_found_as_written(seeds, index_dir):
    (seeds / "khan.txt").write_text(
        "The Mongol court\n\nMöngke Khan ruled the Mongol Empire from 1251 to 1259.\n",
        encoding="utf-8",
    )
    library = Library.open(seeds, index_dir)
    answer = library.ask("When did Mongke rule?")
    assert answer.answered
    assert answer.corrections == ()
    assert answer.results[0].matched == ("Möngke", "ruled")
    decomposed = library.ask("When did Mo\u0308ngke rule?")  # "ö" typed as "o" and a mark
    assert decomposed.question == "When did Möngke rule?"
    assert decomposed.results == answer.results


@pytest.mark.parametrize(
    ("question", "read_as"),
    [
        ("How many lanches were there in October?", "launches"),  # not "Launches", met first
        ("How many missiles were lanched?", "launched"),  # not "launches"
        ("Why did Russia rammp up attacks on Ukraine?", "ramps"),  # only in a title
        ("What were the Retaliatry Moves?", "Retaliatory"),  # only in a section heading
    ],
)
def test_a_term_is_named_by_the_articles_word_nearest_to_what_was_typed(library, question, read_as):
    (typo,) = library.ask(question).corrections
    assert typo.read_as == read_as


def test_a_word_not_in_the_quoted_passages_is_named_from_a_passage_that_has_it(library):
    question = "How many launches were there in October, and the Oreshnikk?"
    answer = library.ask(question, k=1, abstain=False)
    assert "Oreshnik" not in answer.results[0].text
    assert answer.corrections == (("Oreshnikk", "Oreshnik"),)


def test_every_word_read_as_another_is_named(library):
    answer = library.ask("Who is Valery Gerasimof and what is the Oreshnikk?")
    assert answer.note == "Read “Gerasimof” as “Gerasimov”, “Oreshnikk” as “Oreshnik”."


def test_a_question_read_as_typed_has_no_note(library):
    answer = library.ask("What missile is the Oreshnik?")
    assert answer.corrections == ()
    assert answer.note == ""


def test_a_refused_question_still_says_how_it_was_read(library):
    """A name misread as another is why a reply is off: the reader is told, answer or not."""
    answer = library.ask("What did Gerasimof eat for breakfast?")
    assert not answer.answered
    assert answer.note == "Read “Gerasimof” as “Gerasimov”."


@pytest.mark.parametrize(
    "question",
    [
        "What did Prussia do in the war?",  # not "Russia"
        "Where did the plane land after the flight?",  # not "plan" and "fight"
    ],
)
def test_a_real_word_the_articles_do_not_use_is_not_read_as_a_typo(library, question):
    assert not library.ask(question).answered


def test_the_joined_form_of_a_hyphenated_word_is_not_read_as_a_typo(library):
    """Unseen, "reelect" says nothing "re" and "election" do not ("reflect" is one edit away)."""
    hyphenated = library.ask("When will Trump take office after his re-election?")
    apart = library.ask("When will Trump take office after his re election?")
    assert hyphenated.evidence is not None
    assert apart.evidence is not None
    assert hyphenated.evidence.coverage == apart.evidence.coverage


def test_adding_unrelated_articles_changes_no_answer_on_the_seed_set(seeds, tmp_path, library):
    """What the decision weighs must not depend on which other articles share the folder."""
    for page in (Path(__file__).parent / "pages").glob("*.txt"):
        (seeds / f"zz_{page.name}").write_bytes(page.read_bytes())
    crowded = Library.open(seeds, tmp_path / "crowded")
    assert len(crowded.articles()) > len(library.articles()) + 3
    for q in load_questions(DATA / "seed_questions.jsonl"):
        alone, among = library.ask(q.question), crowded.ask(q.question)
        assert (alone.answered, alone.tentative) == (among.answered, among.tentative), q.question
        first = [(c.article, c.passage) for c in alone.results[:1]]
        assert first == [(c.article, c.passage) for c in among.results[:1]], q.question


def test_bm25_alone_ranks_by_rank_bm25s_score_without_the_later_stages(library):
    """The first stage on its own: every passage sharing a word, best score first."""
    index = library.collection.index
    words = ["oreshnik", "missil", "rang"]
    sharing = {
        p
        for p in range(library.collection.passage_count)
        if any(index.contains(index.term_ids[w], p) for w in words if w in index.term_ids)
    }
    found = library.bm25("Oreshnik missile range", 20)
    assert len(found) == len(sharing) > 1
    scores = [c.score for c in found]
    assert scores == sorted(scores, reverse=True)
    assert "Oreshnik" in found[0].matched
    assert library.bm25("", 5) == []


def test_a_word_is_unseen_for_the_decision_when_its_article_never_uses_it(library):
    """Judged within the article, so other articles joining the folder change nothing."""
    collection = library.collection
    index = collection.index
    term = index.term_ids.get("oreshnik")
    assert term is not None
    holder, other = sorted(
        library.articles(), key=lambda a: not collection.article_has(term, a.first_passage)
    )
    passages = range(holder.first_passage, holder.first_passage + holder.passage_count)
    without = [p for p in passages if not index.contains(term, p)]
    assert without, "a passage of the Oreshnik article that does not name it"
    assert collection.article_has(term, without[0])
    assert not any(
        collection.article_has(term, p)
        for p in range(other.first_passage, other.first_passage + other.passage_count)
    )
    assert not collection.article_has(None, holder.first_passage)
