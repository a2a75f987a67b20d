"""The sentence model as shipped: the published files, the float model's vectors, and their use."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from index import semantic
from index.config import SearchConfig
from index.library import Library
from index.semantic import DIMENSIONS, Encoder, ModelUnavailable, encoder, model_dir, model_text

REFERENCE = Path(__file__).parents[1] / "data" / "minilm_reference.npz"


def test_vectors_match_the_float_model_on_a_fixed_sample():
    """The reference vectors come from the upstream torch model (scripts/export_minilm.py)."""
    reference = np.load(REFERENCE)
    texts = [str(t) for t in reference["texts"]]
    vectors = encoder().encode(texts)
    cosines = (vectors * reference["vectors"]).sum(axis=1)
    assert len(texts) >= 20
    assert cosines.min() >= 0.99, dict(zip(texts, cosines.round(4), strict=True))


def test_vectors_are_unit_length_in_order_and_independent_of_batch_mates():
    texts = ["Who leads NATO?", "A long passage " * 200, "", "Möngke Khan", "2,072 launches"]
    together = Encoder().encode(texts)
    alone = np.vstack([Encoder().encode([t]) for t in texts])
    assert together.shape == (len(texts), DIMENSIONS)
    np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(together, alone, atol=1e-5)
    assert Encoder().encode([]).shape == (0, DIMENSIONS)


def test_a_model_file_that_is_not_the_published_one_is_refused(tmp_path):
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy(model_dir() / name, tmp_path / name)
    with open(tmp_path / "model.onnx", "r+b") as fh:
        fh.seek(4096)
        byte = fh.read(1)
        fh.seek(4096)
        fh.write(bytes([byte[0] ^ 1]))
    with pytest.raises(ModelUnavailable, match="not the published"):
        Encoder(tmp_path)
    shutil.copy(model_dir() / "model.onnx", tmp_path / "model.onnx")
    (tmp_path / "tokenizer.json").unlink()
    with pytest.raises(ModelUnavailable, match="cannot be read"):
        Encoder(tmp_path)


def test_passage_vectors_are_saved_and_updated_for_changed_files_only(seeds, index_dir):
    library = Library.open(seeds, index_dir)
    collection = library.collection
    assert collection.vectors is not None
    assert collection.vectors.shape == (collection.passage_count, DIMENSIONS)
    before = np.array(collection.vectors)
    reopened = Library.open(seeds, index_dir)
    assert not reopened.report.rebuilt
    assert not reopened.collection.vectors.flags.owndata  # a view of the mapped file
    (seeds / "zz_new.txt").write_text(
        "Goats climb the mountains of Wales\n\nGoats are climbing the Welsh hills, farmers say.\n"
    )
    updated = Library.open(seeds, index_dir).collection
    np.testing.assert_array_equal(updated.vectors[: len(before)], before)
    article, passage = updated.passage(updated.passage_count - 1)
    text = model_text(
        article.title, updated.text(len(updated.articles) - 1), passage.start, passage.end, -1, -1
    )
    np.testing.assert_allclose(updated.vectors[-1], encoder().encode([text])[0], atol=1e-6)


def test_the_switch_for_small_machines_builds_without_vectors(seeds, index_dir):
    words = Library.open(seeds, index_dir, SearchConfig(semantic=False))
    assert words.collection.vectors is None
    assert words.ask("How many launches were there in October?").answered
    meaning = Library.open(seeds, index_dir)
    assert meaning.report.rebuilt
    assert meaning.report.reason == "the pipeline or its parameters changed"


def test_config_from_env():
    assert SearchConfig.from_env({}).semantic
    assert SearchConfig.from_env({"NEWSDESK_SEMANTIC": "On"}).semantic
    assert not SearchConfig.from_env({"NEWSDESK_SEMANTIC": "off"}).semantic
    assert not SearchConfig.from_env({"NEWSDESK_SEMANTIC": " 0 "}).semantic
    with pytest.raises(ValueError, match="NEWSDESK_SEMANTIC must be on or off, not 'of'"):
        SearchConfig.from_env({"NEWSDESK_SEMANTIC": "of"})


TOPICS = {
    "clinic.txt": "Rural clinic hires staff\n\n"
    "The village physician prescribed antibiotics to the feverish children after the "
    "outbreak, and the regional health board sent two extra nurses to the clinic.",
    "harbour.txt": "Harbour reopens after storm\n\n"
    "Fishing boats returned to the harbour on Monday once the storm had passed and the "
    "coast guard lifted its warning for small vessels.",
    "budget.txt": "Council passes budget\n\n"
    "The council approved a budget that raises spending on roads and libraries while "
    "cutting the parks department's grant for the coming year.",
}


@pytest.fixture
def topics(tmp_path):
    folder = tmp_path / "topics"
    folder.mkdir()
    for name, text in TOPICS.items():
        (folder / name).write_text(text)
    return folder


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("What pills did the medic hand out to ill youngsters?", "rural-clinic-hires-staff"),
        ("When could the trawlers go back out to sea?", "harbour-reopens-after-storm"),
    ],
)
def test_a_passage_sharing_no_word_with_the_question_is_found_by_meaning(
    topics, tmp_path, question, article
):
    words = Library.open(topics, tmp_path / "words", SearchConfig(semantic=False))
    assert not words.ask(question, abstain=False).answered  # BM25 has nothing to go on
    meaning = Library.open(topics, tmp_path / "meaning")
    found = meaning.ask(question, abstain=False)
    assert found.answered
    assert found.results[0].article == article


def test_past_the_scan_limit_the_model_only_reranks_what_bm25_found(topics, tmp_path):
    bounded = Library.open(topics, tmp_path / "meaning", SearchConfig(scan_limit=2))
    assert not bounded.ask("When could the trawlers go back out to sea?", abstain=False).answered
    found = bounded.ask("When could fishing boats go back out?", abstain=False)
    assert found.results[0].article == "harbour-reopens-after-storm"
    assert found.evidence.similarity > 0.3


def test_a_damaged_model_leaves_the_words_with_one_warning(
    seeds, index_dir, tmp_path, monkeypatch, caplog
):
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("model.onnx", "tokenizer.json"):
        shutil.copy(model_dir() / name, folder / name)
    (folder / "model.onnx").write_bytes(b"not a model")
    monkeypatch.setattr("index.semantic.model_dir", lambda: folder)
    semantic._shared.cache_clear()
    try:
        library = Library.open(seeds, index_dir)
    finally:
        semantic._shared.cache_clear()
    assert not library.config.semantic
    assert library.collection.vectors is None
    assert library.ask("How many launches were there in October?").answered
    assert caplog.text.count("answering with words only") == 1
