"""What the articles folder may hold: only its own regular files are ever read or served."""

import logging
import os
import subprocess
import sys
import threading

import pytest

from index.articles import read_article
from index.library import Library

GOATS = (
    "Goats climb the mountains of Wales\n\nGoats are climbing the Welsh mountains, farmers say.\n"
)


def served_text(library):
    return "\n".join(library.text(a) for a in library.articles())


def test_a_link_out_of_the_folder_is_never_read_or_served(seeds, index_dir, tmp_path, caplog):
    secret = tmp_path / ".env"
    secret.write_text("DISCORD_TOKEN=abc.def.ghi secret token of the bot\n")
    (seeds / "notes.txt").symlink_to(secret)
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    assert "DISCORD_TOKEN" not in served_text(library)
    assert [a.file for a in library.articles()] == sorted(p.name for p in seeds.glob("0*.txt"))
    assert "skipped notes.txt: a symbolic link" in caplog.text
    assert not library.ask("DISCORD_TOKEN secret token").answered


def test_a_link_inside_the_folder_is_not_followed_either(seeds, index_dir, caplog):
    (seeds / "copy.txt").symlink_to(seeds / "000_583b53af50651cc4.txt")
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    assert len(library.articles()) == 2
    assert "skipped copy.txt: a symbolic link" in caplog.text


def test_a_link_added_later_is_noticed_and_named_once_per_reload(seeds, index_dir, caplog):
    library = Library.open(seeds, index_dir)
    (seeds / "late.txt").symlink_to("/etc/hostname")
    assert library.changed()
    with caplog.at_level(logging.WARNING):
        library = library.reload()
    assert caplog.text.count("skipped late.txt") == 1
    assert not library.changed()
    assert not library.report.rebuilt


def test_a_file_name_that_is_not_utf8_is_read_and_saved(seeds, index_dir):
    name = os.fsdecode(b"\xff-goats.txt")
    (seeds / name).write_text(GOATS)
    library = Library.open(seeds, index_dir)
    assert library.report.rebuilt
    assert library.ask("Where are the goats climbing?").answered
    reopened = Library.open(seeds, index_dir)
    assert not reopened.report.rebuilt
    assert name in [a.file for a in reopened.articles()]
    (seeds / "more.txt").write_text(GOATS.replace("Goats", "Sheep"))
    updated = Library.open(seeds, index_dir)  # an update carries the odd name over
    assert len(updated.articles()) == 4


def test_build_prints_an_odd_file_name_readably(seeds, index_dir):
    (seeds / os.fsdecode(b"\xff\x1b[2J.txt")).write_bytes(b"\x00\x01 binary")
    env = {**os.environ, "NEWSDESK_SEEDS": str(seeds), "NEWSDESK_INDEX_DIR": str(index_dir)}
    done = subprocess.run(
        [sys.executable, "-m", "index", "build"],
        capture_output=True,
        timeout=120,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert "skipped \ufffd[2J.txt: binary data".encode() in done.stderr
    assert b"\x1b" not in done.stderr
    assert b"Indexed 2 articles" in done.stdout


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: os.mkfifo(p), "not a regular file"),
        (lambda p: p.mkdir(), "a folder, not a file"),
        (lambda p: p.symlink_to(p.parent / "missing.txt"), "a symbolic link"),
    ],
    ids=["fifo", "folder", "broken link"],
)
def test_other_entries_named_like_articles_are_named_and_skipped(
    seeds, index_dir, caplog, make, reason
):
    make(seeds / "odd.txt")
    with caplog.at_level(logging.WARNING):
        library = Library.open(seeds, index_dir)
    assert len(library.articles()) == 2
    assert f"skipped odd.txt: {reason}" in caplog.text


def test_a_fifo_swapped_in_after_the_listing_does_not_block(tmp_path):
    fifo = tmp_path / "late.txt"
    os.mkfifo(fifo)
    result = []
    reader = threading.Thread(target=lambda: result.append(read_article(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert not reader.is_alive(), "opening a FIFO blocked"
    assert result == [None]


def test_a_file_over_the_limit_says_its_size(tmp_path, caplog):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (1_150_000))  # 5.5 MB
    with caplog.at_level(logging.WARNING):
        assert read_article(big) is None
    assert "5.5 MB is over the 5 MB limit" in caplog.text
