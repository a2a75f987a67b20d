import logging

import pytest

from index.articles import read_article, slugify, split_header, unique_id
from index.folder import Listing


def read_folder(folder):
    return [
        article
        for path in map(folder.joinpath, Listing.read(folder).names)
        if (article := read_article(path))
    ]


HEADER = "---\ntitle: Drones over the city\noutlet: The Daily\nurl: https://example.org/a\n---\n"


def test_header_gives_metadata_and_body_stays_exactly_as_collected(tmp_path):
    body = "Follow us\n\nThe first paragraph.  Two spaces kept.\n"
    (tmp_path / "a.txt").write_text(HEADER + body, encoding="utf-8")
    article = read_article(tmp_path / "a.txt")
    assert (article.title, article.outlet, article.url) == (
        "Drones over the city",
        "The Daily",
        "https://example.org/a",
    )
    assert article.body == body
    assert article.id == "drones-over-the-city"


def test_without_header_the_title_is_inferred_and_the_id_is_a_short_slug(tmp_path):
    text = "Menu\nCity council approves new budget for schools\nThe council voted on Monday.\n"
    (tmp_path / "b.md").write_text(text, encoding="utf-8")
    article = read_article(tmp_path / "b.md")
    assert article.title == "City council approves new budget for schools"
    assert article.id == "city-council-approves-new-budget"
    assert (article.outlet, article.url) == ("", "")


def test_seed_headers_parse():
    articles = read_folder(__import__("pathlib").Path(__file__).parents[2] / "seeds")
    assert [a.outlet for a in articles] == ["Responsible Statecraft", "The Voice"]
    assert all(a.url.startswith("https://") for a in articles)


def test_slugify_is_ascii_and_short():
    assert slugify("Russia’s “win” — Über 2024!") == "russias-win-uber-2024"
    assert slugify("…") == "article"


def test_split_header_ignores_unknown_keys_and_a_missing_header():
    fields, body = split_header("---\ntitle: T\ncolor: red\n---\nbody")
    assert fields == {"title": "T"}
    assert body == "body"
    assert split_header("no header\n---\n") == ({}, "no header\n---\n")


def test_duplicate_ids_get_a_suffix():
    taken = set()
    assert [unique_id("a", taken) for _ in range(3)] == ["a", "a-2", "a-3"]
    assert unique_id("a-2-x", taken) == "a-2-x"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.txt", b"", "no text"),
        ("blank.txt", b"  \n\n \t\n", "no text"),
        ("binary.txt", bytes(range(256)) * 40, "binary"),
        ("image.md", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 100, "binary"),
    ],
)
def test_unusable_files_are_skipped_with_one_warning(tmp_path, caplog, name, data, message):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(HEADER + "Text.\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        articles = read_folder(tmp_path)
    assert [a.file for a in articles] == ["good.txt"]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert name in warnings[0]
    assert message in warnings[0]


def test_huge_file_is_skipped_without_reading_it(tmp_path, caplog):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    with caplog.at_level(logging.WARNING):
        assert read_folder(tmp_path) == []
    assert "huge.txt" in caplog.text
    assert "50.0 MB is over the 5 MB limit" in caplog.text


def test_latin1_file_falls_back_and_says_which_encoding(tmp_path, caplog):
    (tmp_path / "old.txt").write_bytes("Café owners in Zürich protest taxes.\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING):
        (article,) = read_folder(tmp_path)
    assert "Café" in article.body
    assert article.encoding == "cp1252"
    assert "old.txt" in caplog.text
    assert "cp1252" in caplog.text


def test_utf16_with_bom_is_read(tmp_path):
    (tmp_path / "w.txt").write_bytes("Kyiv’s mayor spoke.\n".encode("utf-16"))
    (article,) = read_folder(tmp_path)
    assert article.body.strip() == "Kyiv’s mayor spoke."


def test_decomposed_characters_are_read_composed(tmp_path):
    (tmp_path / "nfd.txt").write_text("Mo\u0308ngke Khan ruled.\n", encoding="utf-8")
    (article,) = read_folder(tmp_path)
    assert article.body.strip() == "M\u00f6ngke Khan ruled."


def test_a_file_that_vanishes_is_skipped(tmp_path, caplog):
    path = tmp_path / "gone.txt"
    with caplog.at_level(logging.WARNING):
        assert read_article(path) is None
    assert "gone.txt" in caplog.text


def test_hidden_and_other_files_are_ignored(tmp_path):
    (tmp_path / ".draft.txt").write_text("Hidden draft text.\n")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    (tmp_path / "sub").mkdir()
    assert read_folder(tmp_path) == []


def test_invisible_characters_and_terminal_escapes_are_not_kept(tmp_path):
    # Issue 14, defects 3 and 5: an article quoted back must neither hide a split word nor
    # drive the reader's terminal.
    text = (
        "---\ntitle: Mis\u00adsiles \x1b]0;pwned\x07over\x1b[2J Kyiv\n---\n"
        "The extra\u200bordinary\r\nnight.\x07\n"
    )
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    article = read_article(tmp_path / "a.txt")
    assert article.title == "Missiles over Kyiv"
    assert article.body == "The extraordinary\nnight.\n"
