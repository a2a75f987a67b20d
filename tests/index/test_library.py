"""Persistence: the saved index is reused when current, rebuilt when stale or damaged."""

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from index import collection, pipeline, store
from index.articles import UNREADABLE, read_article
from index.folder import FolderState, Listing
from index.library import Library

ARTICLE = (
    "---\ntitle: Floods close the harbour\noutlet: Coast Post\n---\n"
    "Heavy floods closed the harbour of Portmere on Sunday, stranding 14 fishing boats and "
    "their crews. The harbour master said the water rose 2.5 metres in four hours.\n"
)


def build_dir(index_dir):
    return index_dir / "builds" / (index_dir / "CURRENT").read_text()


def test_first_open_builds_and_second_open_loads(seeds, index_dir):
    first = Library.open(seeds, index_dir)
    assert first.report.rebuilt
    assert first.report.articles == 2
    second = Library.open(seeds, index_dir)
    assert not second.report.rebuilt
    assert second.report.reason == "up to date"
    question = "How many launches were there in October?"
    assert second.ask(question) == first.ask(question)


@pytest.mark.parametrize("change", ["add", "edit", "remove"])
def test_adding_changing_or_removing_an_article_rebuilds(seeds, index_dir, change):
    Library.open(seeds, index_dir)
    target = seeds / "new.txt"
    if change == "add":
        target.write_text(ARTICLE, encoding="utf-8")
    elif change == "edit":
        path = sorted(seeds.iterdir())[1]
        path.write_text(
            path.read_text(encoding="utf-8").replace("45,680", "45,999"), encoding="utf-8"
        )
    else:
        sorted(seeds.iterdir())[1].unlink()
    library = Library.open(seeds, index_dir)
    assert library.report.rebuilt
    if change == "add":
        answer = library.ask("How many fishing boats were stranded in Portmere?")
        assert answer.answered
        assert answer.results[0].title == "Floods close the harbour"
    elif change == "edit":
        assert "45,999" in library.ask("soldiers killed or wounded November").results[0].text
    else:
        assert library.report.articles == 1


def test_a_touched_but_unchanged_file_does_not_rebuild(seeds, index_dir):
    Library.open(seeds, index_dir)
    path = next(seeds.iterdir())
    os.utime(path, ns=(1, 1))
    assert not Library.open(seeds, index_dir).report.rebuilt


def test_a_pipeline_change_rebuilds(seeds, index_dir, monkeypatch):
    Library.open(seeds, index_dir)
    monkeypatch.setattr("index.pipeline.pipeline_version", lambda: "another-analyzer")
    assert Library.open(seeds, index_dir).report.rebuilt


def test_every_word_list_either_shapes_the_index_or_is_read_per_question():
    """A new list must be placed: hashed (a change rebuilds) or read only when asking."""
    shipped = {path.name for path in (Path(collection.__file__).parent / "data").glob("*.txt")}
    per_question = {"synonyms.txt", "generic.txt"}  # index.expansion, index.answers
    assert shipped == set(pipeline.PIPELINE_WORD_LISTS) | per_question


def damage_truncate(folder):
    path = folder / "post_weights.npy"
    path.write_bytes(path.read_bytes()[:-7])


def damage_flip(folder):
    path = folder / "post_docs.npy"
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def damage_manifest(folder):
    path = folder / store.MANIFEST
    path.write_bytes(path.read_bytes()[:50])


def damage_missing(folder):
    (folder / "texts.bin").unlink()


def damage_pointer(folder):
    (folder.parent.parent / "CURRENT").write_text("no-such-build")


@pytest.mark.parametrize(
    "damage", [damage_truncate, damage_flip, damage_manifest, damage_missing, damage_pointer]
)
def test_a_damaged_index_is_reported_in_one_line_and_rebuilt(seeds, index_dir, caplog, damage):
    expected = Library.open(seeds, index_dir).ask("North Korean troops in Kursk")
    damage(build_dir(index_dir))
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "cannot be used" in warnings[0].getMessage()
    assert "\n" not in warnings[0].getMessage()
    assert library.report.rebuilt
    assert library.ask("North Korean troops in Kursk") == expected
    assert not Library.open(seeds, index_dir).report.rebuilt, "the rebuilt index was saved"


def test_an_interrupted_save_leaves_the_previous_index_current(seeds, index_dir, monkeypatch):
    Library.open(seeds, index_dir)
    before = (index_dir / "CURRENT").read_text()
    (seeds / "new.txt").write_text(ARTICLE, encoding="utf-8")

    def crash(*args):
        raise KeyboardInterrupt  # the process dies between writing the build and switching

    monkeypatch.setattr(store.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        Library.open(seeds, index_dir)
    monkeypatch.undo()
    assert (index_dir / "CURRENT").read_text() == before
    library = Library.open(seeds, index_dir)
    assert library.report.rebuilt
    assert library.report.articles == 3


def test_a_save_removes_the_build_it_replaced_but_not_a_concurrent_one(seeds, index_dir):
    Library.open(seeds, index_dir)
    replaced = build_dir(index_dir)
    # Another process has just finished a build and is about to make it current.
    concurrent = index_dir / "builds" / "20991231-235959-0ther000"
    shutil.copytree(replaced, concurrent)
    in_progress = index_dir / "builds" / "20991231-235959-0ther001.tmp"
    in_progress.mkdir()
    (seeds / "new.txt").write_text(ARTICLE, encoding="utf-8")
    Library.open(seeds, index_dir)
    assert not replaced.exists()
    assert concurrent.exists()
    assert in_progress.exists()
    assert sorted(p.name for p in (index_dir / "builds").iterdir()) == sorted(
        [build_dir(index_dir).name, concurrent.name, in_progress.name]
    )


@pytest.mark.parametrize("removal", ["whole", "half done"])
def test_a_build_replaced_while_it_is_opened_gives_way_to_the_new_one(
    seeds, index_dir, monkeypatch, removal
):
    Library.open(seeds, index_dir)
    opened = build_dir(index_dir)
    newer = index_dir / "builds" / "20991231-235959-newer000"
    real_load_build = store.load_build

    def replaced_meanwhile(folder):
        if folder == opened:  # another process saves a newer build and removes this one
            shutil.copytree(opened, newer)
            (index_dir / "CURRENT").write_text(newer.name)
            if removal == "whole":
                shutil.rmtree(opened)
            else:  # rmtree deletes the files first: the folder is still there
                (opened / store.MANIFEST).unlink()
        return real_load_build(folder)

    monkeypatch.setattr(store, "load_build", replaced_meanwhile)
    assert store.load(index_dir) is not None
    assert not Library.open(seeds, index_dir).report.rebuilt


def test_a_damaged_build_still_current_is_opened_once(seeds, index_dir, monkeypatch):
    Library.open(seeds, index_dir)
    tried = []

    def damaged(folder):
        tried.append(folder.name)
        raise store.CorruptIndex("checksum mismatch")

    monkeypatch.setattr(store, "load_build", damaged)
    with pytest.raises(store.CorruptIndex, match="checksum"):
        store.load(index_dir)
    assert tried == [build_dir(index_dir).name]


def test_opening_gives_up_when_every_build_is_replaced_as_it_is_opened(
    seeds, index_dir, monkeypatch
):
    Library.open(seeds, index_dir)
    tried = []

    def always_replaced(folder):  # each time, another save has replaced it meanwhile
        tried.append(folder.name)
        newer = folder.parent / f"20991231-235959-newer{len(tried):03d}"
        shutil.copytree(folder, newer)
        (index_dir / "CURRENT").write_text(newer.name)
        raise store.CorruptIndex("half removed")

    monkeypatch.setattr(store, "load_build", always_replaced)
    with pytest.raises(store.CorruptIndex):
        store.load(index_dir)
    assert len(tried) == store._LOAD_ATTEMPTS


def test_builds_left_by_a_crash_are_removed_at_the_next_save(seeds, index_dir):
    Library.open(seeds, index_dir)
    left = [index_dir / "builds" / "20000101-000000-crashed0", index_dir / "builds" / "x.tmp"]
    for folder in left:
        folder.mkdir()
        os.utime(folder, (0, 0))
    (seeds / "new.txt").write_text(ARTICLE, encoding="utf-8")
    Library.open(seeds, index_dir)
    assert not any(folder.exists() for folder in left)


def test_an_unwritable_index_dir_still_serves(seeds, tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, blocker / "index")
    assert library.ask("North Korean troops in Kursk").answered
    assert "could not save" in caplog.text


def test_a_pickled_array_is_never_loaded(seeds, index_dir):
    Library.open(seeds, index_dir)
    folder = build_dir(index_dir)
    evil = folder / "idf.npy"
    np.save(evil, np.array([object()], dtype=object), allow_pickle=True)
    manifest = json.loads((folder / store.MANIFEST).read_text())
    size = evil.stat().st_size
    manifest["files"]["idf.npy"] = {"bytes": size, "digest": store.file_digest(evil)}
    (folder / store.MANIFEST).write_text(json.dumps(manifest))
    library = Library.open(seeds, index_dir)  # checksum passes, pickle refused: rebuilt
    assert library.report.rebuilt


def test_empty_or_missing_folder_serves_a_clear_message(tmp_path):
    library = Library.open(tmp_path / "nothing", tmp_path / "index")
    answer = library.ask("anything?")
    assert not answer.answered
    assert "No articles" in answer.reason
    assert library.articles() == []


def test_find_and_article_lookup(seeds, index_dir):
    library = Library.open(seeds, index_dir)
    ids = [a.id for a in library.articles()]
    assert library.article(ids[0]).id == ids[0]
    assert library.article("ramps up").id == ids[1]
    assert library.article("russia") is None  # ambiguous fragment
    assert [a.id for a in library.find("russia")] == ids
    assert library.find("rusia ramps")[0].id == ids[1]  # fuzzy
    assert library.find("") == library.articles()


def test_changed_notices_files_without_reading_them(seeds, index_dir):
    library = Library.open(seeds, index_dir)
    assert not library.changed()
    (seeds / "new.txt").write_text(ARTICLE, encoding="utf-8")
    assert library.changed()
    assert not library.reload().changed()


def test_articles_with_the_same_title_get_distinct_ids(seeds, index_dir):
    for name in ("x.txt", "y.txt"):
        (seeds / name).write_text(ARTICLE, encoding="utf-8")
    ids = [a.id for a in Library.open(seeds, index_dir).articles()]
    assert ids[-2:] == ["floods-close-the-harbour", "floods-close-the-harbour-2"]


def test_worker_processes_build_the_same_index_and_relay_warnings(
    seeds, tmp_path, caplog, monkeypatch
):
    (seeds / "broken.txt").write_bytes(b"\x00\x01" * 100)
    serial = Library.open(seeds, tmp_path / "serial")
    monkeypatch.setattr("index.ingest.PARALLEL_MIN_FILES", 1)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        parallel = Library.open(seeds, tmp_path / "parallel")
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        "skipped broken.txt: binary data, not text"
    ]
    a, b = serial.collection, parallel.collection
    assert list(a.articles) == list(b.articles)
    assert list(a.index.term_ids.items()) == list(b.index.term_ids.items())
    for name in ("term_ptr", "post_docs", "post_weights", "idf", "doc_len"):
        assert np.array_equal(getattr(a.index, name), getattr(b.index, name)), name
    question = "How many launches were there in October?"
    assert serial.ask(question) == parallel.ask(question)


def test_a_huge_file_is_skipped_once_and_not_seen_as_a_change(seeds, index_dir):
    with open(seeds / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    library = Library.open(seeds, index_dir)
    assert library.report.articles == 2
    assert not library.changed()
    assert not Library.open(seeds, index_dir).report.rebuilt


def test_a_build_records_each_files_content_hash(seeds, index_dir):
    """The hashes a build takes from the articles it read are the files' own hashes."""
    (seeds / "broken.txt").write_bytes(b"\x00\x01" * 100)  # gives no article: hashed apart
    library = Library.open(seeds, index_dir)
    assert library.folder == FolderState.read(seeds)
    assert len(library.folder.hashes) == 3


def test_a_file_that_could_not_be_read_is_tried_again(seeds, index_dir, monkeypatch):
    (seeds / "late.txt").write_text(ARTICLE, encoding="utf-8")
    with monkeypatch.context() as failing:  # an I/O error while the index is made
        failing.setattr("index.folder.fingerprint_file", lambda path: UNREADABLE)
        failing.setattr(
            "index.ingest.read_article",
            lambda path: None if path.name == "late.txt" else read_article(path),
        )
        assert Library.open(seeds, index_dir).report.articles == 2
    library = Library.open(seeds, index_dir)  # same size and time, readable now
    assert library.report.articles == 3
    assert library.report.reason == "updated, 1 new or changed, 0 removed"


def test_a_folder_emptied_after_indexing_serves_a_clear_message(seeds, index_dir, caplog):
    Library.open(seeds, index_dir)
    for path in seeds.iterdir():
        path.unlink()
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    assert "no usable articles" in caplog.text
    assert "No articles are loaded" in library.ask("anything at all?").reason


def test_many_touched_files_are_hashed_once_not_at_every_open(seeds, index_dir, monkeypatch):
    monkeypatch.setattr("index.library.RESAVE_RETIMED", 2)
    Library.open(seeds, index_dir)
    for path in seeds.iterdir():
        os.utime(path, ns=(7, 7))
    assert not Library.open(seeds, index_dir).report.rebuilt
    stored = store.load(index_dir)
    assert FolderState.from_stored(stored.arrays, stored.blobs).listing == Listing.read(seeds)


def test_folders_may_be_given_as_strings(seeds, index_dir):
    library = Library.open(str(seeds), str(index_dir))
    assert library.report.articles == 2
    assert library.articles_dir == seeds
    assert library.seeds == seeds  # its old name


def test_names_match_whatever_the_quotes_and_an_ambiguous_one_lists_its_matches(seeds, index_dir):
    library = Library.open(seeds, index_dir)
    trump = library.article("TRUMP'S WIN")
    assert trump is not None
    assert trump.title == "Russia intensifies fighting after Trump’s win"
    assert [a.id for a in library.find("trump's win")] == [trump.id]
    assert library.article("russia") is None
    assert len(library.matches("russia")) == 2
    assert library.matches("russia intensifies fighting after trump’s win") == [trump]


def test_a_flipped_byte_anywhere_in_a_large_file_is_caught_at_load(tmp_path):
    # Every byte is checked, not a sample of blocks: a flip between samples went unnoticed
    # (issue 14, defect 8).
    text = bytearray(b"a" * (40 << 20))
    store.save(tmp_path, store.Stored({}, {}, {"texts.bin": text}))
    path = build_dir(tmp_path) / "texts.bin"
    with open(path, "r+b") as fh:
        fh.seek(len(text) // 2 + 1234)  # between any two sampled blocks
        fh.write(b"\xff")
    with pytest.raises(store.CorruptIndex, match="checksum"):
        store.load(tmp_path)


def test_a_text_damaged_after_the_load_is_read_not_crashed_on(seeds, index_dir):
    library = Library.open(seeds, index_dir)
    article = library.articles()[0]
    with open(build_dir(index_dir) / "texts.bin", "r+b") as fh:  # under the live map
        fh.seek(5)
        fh.write(b"\xff")
    assert "\ufffd" in library.text(article)


def test_a_file_cut_short_is_never_mapped(seeds, index_dir, tmp_path):
    # Truncated in place under a live index, then read (in a subprocess: without the check
    # it dies of SIGBUS), and opened again (issue 14, defect 9).
    Library.open(seeds, index_dir)
    script = f"""
import os
from index.library import Library
from index.store import CorruptIndex
library = Library.open({str(seeds)!r}, {str(index_dir)!r})
article = library.articles()[-1]
texts = [p for p in library.index_dir.rglob("texts.bin")][0]
os.truncate(texts, 10)
try:
    library.text(article)
except CorruptIndex as exc:
    print("refused:", exc)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused: texts.bin was cut short")
    assert Library.open(seeds, index_dir).report.rebuilt


def test_a_header_id_of_another_article_does_not_take_it_over(seeds, index_dir, caplog):
    # Issue 14, defect 11: old buttons carry the id; they must keep opening the real article.
    real = Library.open(seeds, index_dir).by_id("russia-ramps-up-attacks-on")
    (seeds / "000-impostor.txt").write_text(  # listed, and read, before the real one
        "---\nid: russia-ramps-up-attacks-on\ntitle: Coins\n---\nBuy coins, said nobody.\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    assert library.by_id(real.id).file == real.file
    assert library.by_id(f"{real.id}-2").title == "Coins"
    (warning,) = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "000-impostor.txt" in warning
    assert real.file in warning


def test_pointers_left_by_a_killed_save_are_removed_at_the_next_open(seeds, index_dir):
    # Issue 14, defect 7: kill -9 between writing CURRENT.<id>.tmp and renaming it.
    Library.open(seeds, index_dir)
    stale, fresh = index_dir / "CURRENT.dead0001.tmp", index_dir / "CURRENT.live0001.tmp"
    for pointer in (stale, fresh):
        pointer.write_text("20990101-000000-dead0001")
    os.utime(stale, (1, 1))
    assert not Library.open(seeds, index_dir).report.rebuilt
    assert not stale.exists()
    assert fresh.exists()  # possibly another process's save in progress
