"""Loaders and metrics of the public-data benchmarks (qa_squad, ir_cranfield, fit_abstention).

Fast checks only: the benchmark runs themselves take minutes and are not tests. Tests that
need the data sets skip when ``../shared/data`` (beside the repository) is absent.
"""

import math

import numpy as np
import pytest

from benchmarks import common, fit_abstention, ir_cranfield, metrics, qa_squad
from index.articles import read_article

SQUAD_DIR = common.find_data(qa_squad.DATASET, None, qa_squad.FILES)
CRANFIELD_DIR = common.find_data(ir_cranfield.DATASET, None, ir_cranfield.FILES)
needs_squad = pytest.mark.skipif(SQUAD_DIR is None, reason="SQuAD data not in ../shared/data")
needs_cranfield = pytest.mark.skipif(
    CRANFIELD_DIR is None, reason="Cranfield data not in ../shared/data"
)


@pytest.fixture(scope="module")
def squad():
    if SQUAD_DIR is None:
        pytest.skip("SQuAD data not in ../shared/data")
    return qa_squad.load(SQUAD_DIR)


@pytest.fixture(scope="module")
def cranfield():
    if CRANFIELD_DIR is None:
        pytest.skip("Cranfield data not in ../shared/data")
    return ir_cranfield.load(CRANFIELD_DIR)


# --- SQuAD ---------------------------------------------------------------------------------


@needs_squad
def test_squad_counts(squad):
    assert len(squad.articles) == 48
    assert len(squad.paragraphs) == 2067
    assert len(squad.questions) == 10570
    assert sum(len(q.answers) for q in squad.questions) == 34726
    assert squad.title(0) == "Super Bowl 50"
    assert squad.articles[0][0].id == "0_0"


@needs_squad
def test_squad_questions_point_at_their_paragraph(squad):
    paragraphs = {p.id: p for p in squad.paragraphs}
    first = squad.questions[0]
    assert first.text == "Which NFL team represented the AFC at Super Bowl 50?"
    assert first.paragraph == "0_0"
    assert first.answers == ("Denver Broncos",) * 3
    for q in squad.questions:
        paragraph = paragraphs[q.paragraph]
        assert paragraph.article == q.article
        assert metrics.answer_rank([paragraph.text], q.answers) == 1


@needs_squad
def test_squad_article_files_read_back(squad, tmp_path):
    paths = qa_squad.write_articles(squad, tmp_path)
    assert len(paths) == 48
    raw = read_article(paths[0])
    assert raw is not None
    assert (raw.id, raw.title) == ("squad-00", "Super Bowl 50")
    assert len(raw.body.strip().split("\n\n")) == len(squad.articles[0])


def test_paragraph_ids_map_pieces_back():
    paragraphs = [("0_0", "One two. Three four."), ("0_1", "Five six.")]
    assert qa_squad.paragraph_ids("Three four.\n\nFive six.", paragraphs) == ("0_0", "0_1")
    assert qa_squad.paragraph_ids("One two.", paragraphs) == ("0_0",)
    assert qa_squad.paragraph_ids("Seven.", paragraphs) == ()


# --- Cranfield -----------------------------------------------------------------------------


@needs_cranfield
def test_cranfield_counts(cranfield):
    assert len(cranfield.docs) == 1400
    assert [d.number for d in cranfield.docs] == list(range(1, 1401))
    assert [d.number for d in cranfield.docs if not d.text] == [471, 995]
    assert len(cranfield.queries) == 225
    assert sum(len(cranfield.gains(q)) for q in cranfield.queries) == 1612
    codes = [c for judged in cranfield.qrels.values() for c in judged.values()]
    assert {c: codes.count(c) for c in (1, 2, 3, 4, -1)} == {
        1: 128,
        2: 387,
        3: 734,
        4: 363,
        -1: 225,
    }


@needs_cranfield
def test_cranfield_qrels_use_query_positions(cranfield):
    # cran.qry numbers its queries 001, 002, 004, 008 ... 365; cranqrel counts them 1..225
    assert [q.number for q in cranfield.queries[:4]] == [1, 2, 4, 8]
    assert cranfield.queries[-1].number == 365
    assert set(cranfield.qrels) == set(range(1, 226))
    third = cranfield.queries[2]
    assert (third.position, third.number) == (3, 4)
    assert "composite slabs" in third.text
    # cranqrel "3 5 3": query position 3, document 5 (a composite-slab paper), code 3
    assert cranfield.gains(third)[5] == 2.0
    assert "heat conduction" in cranfield.docs[4].title
    assert all(cranfield.gains(q) for q in cranfield.queries)


@needs_cranfield
def test_cranfield_paragraphs_start_with_the_title(cranfield):
    doc = cranfield.docs[0]
    assert doc.title == "experimental investigation of the aerodynamics of a wing in a slipstream ."
    parts = ir_cranfield.paragraphs(doc.text)
    assert parts[0] == doc.title
    assert len(parts) == 4


# --- metrics -------------------------------------------------------------------------------


def test_answer_rank_is_case_and_quote_insensitive():
    texts = ["Nothing here.", "The DENVER Broncos won.", "Denver Broncos again."]
    assert metrics.answer_rank(texts, ["denver broncos"]) == 2
    assert metrics.answer_rank(["the \u201cgolden\u201d year"], ['"Golden"']) == 1
    assert metrics.answer_rank(texts, ["Carolina"]) is None
    assert metrics.answer_rank([], ["x"]) is None


def test_hit_at():
    ranks = [1, 3, None, 2]
    assert metrics.hit_at(ranks, 1) == 0.25
    assert metrics.hit_at(ranks, 2) == 0.5
    assert metrics.hit_at(ranks, 20) == 0.75
    assert metrics.hit_at([], 1) == 0.0


def test_average_precision():
    # relevant at ranks 1 and 3, one relevant never retrieved: (1/1 + 2/3) / 3
    assert metrics.average_precision(["a", "b", "c", "d"], {"a", "c", "e"}) == pytest.approx(5 / 9)
    assert metrics.average_precision([], {"a"}) == 0.0
    assert metrics.average_precision(["a"], set()) == 0.0
    assert metrics.average_precision(["a", "b"], {"a", "b"}) == 1.0


def test_ndcg_at():
    gains = {"a": 3.0, "b": 1.0, "c": 2.0}
    # DCG = 0 + 3/log2(3) + 1/log2(4); ideal = 3 + 2/log2(3) + 1/log2(4)
    expected = (3 / math.log2(3) + 0.5) / (3 + 2 / math.log2(3) + 0.5)
    assert metrics.ndcg_at(["x", "a", "b"], gains, 3) == pytest.approx(expected)
    assert expected == pytest.approx(0.50249, abs=1e-5)
    assert metrics.ndcg_at(["a", "c", "b"], gains, 3) == pytest.approx(1.0)
    assert metrics.ndcg_at(["a"], gains, 1) == pytest.approx(1.0)
    assert metrics.ndcg_at(["x"], {}, 10) == 0.0


def test_first_occurrences_keeps_best_rank():
    assert metrics.first_occurrences([3, 1, 3, 2, 1]) == [3, 1, 2]


# --- data folder ---------------------------------------------------------------------------


def test_find_data_accepts_the_set_or_its_parent(tmp_path):
    folder = tmp_path / "cranfield"
    folder.mkdir()
    assert common.find_data("cranfield", tmp_path, ir_cranfield.FILES) is None
    for name in ir_cranfield.FILES:
        (folder / name).write_text("")
    assert common.find_data("cranfield", tmp_path, ir_cranfield.FILES) == folder
    assert common.find_data("cranfield", folder, ir_cranfield.FILES) == folder


@pytest.mark.parametrize("script", [qa_squad, ir_cranfield, fit_abstention])
def test_scripts_exit_cleanly_without_data(script, tmp_path, capsys):
    assert script.main(["--data", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "data not found" in out


def test_abstention_fit_finds_the_rule_that_made_the_labels():
    """Labels drawn from a known logistic model: the fit recovers its weights and bias."""
    rng = np.random.default_rng(3)
    x = rng.uniform(0, 1, size=(20_000, 2))
    truth, bias = np.array([8.0, -3.0]), -2.0
    y = (rng.uniform(size=len(x)) < 1 / (1 + np.exp(-(x @ truth + bias)))).astype(float)
    # Unanswerable examples are split between the two unanswerable kinds independently of
    # the features, so each kind's weight only restores the answerable share overall.
    unanswerable = np.where(
        np.arange(len(x)) % 2, fit_abstention.OTHER_TOPIC, fit_abstention.SAME_TOPIC
    )
    kinds = np.where(y == 1, fit_abstention.ANSWERABLE_KIND, unanswerable)
    # Reweighting to the answerable share moves only the bias, by the log of the odds ratio.
    shift = math.log(fit_abstention.ANSWERABLE / (1 - fit_abstention.ANSWERABLE)) - math.log(
        y.mean() / (1 - y.mean())
    )
    weights, fitted_bias = fit_abstention.fit(x, kinds)
    assert weights == pytest.approx(truth, abs=0.4)
    assert fitted_bias == pytest.approx(bias + shift, abs=0.3)


@pytest.mark.parametrize(
    ("x", "kinds", "why"),
    [
        (np.array([[0.1], [0.9]]), np.array([0, 0]), "answerable and unanswerable"),
        (np.array([[0.1], [0.2], [0.8], [0.9]]), np.array([1, 2, 0, 0]), "converge"),
    ],
)
def test_abstention_fit_refuses_data_that_give_no_model(x, kinds, why):
    with pytest.raises(ValueError, match=why):
        fit_abstention.fit(x, kinds)
