"""Arbitrary Unicode, bytes and file names: nothing raises, nothing yields a control character.

Drives the analyzer, the article reader and the cleaner behind it (the cleaner only ever
sees what the reader gives it), and ``Library.ask``, ``sources`` and ``text`` over folders of
arbitrary files. A control character here would reach a terminal through ``search``,
``source`` or the console (issue 14, defect 5).
"""

import os
import re
import shutil
import tempfile
from dataclasses import asdict
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.analysis import Analyzer
from index.articles import display_name, read_article
from index.cleaning import clean
from index.folder import Listing
from index.library import Library

SEEDS = Path(__file__).parents[2] / "seeds"
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # line feed and tab are text
TRICKY = "\x00\x07\x1b[2J\x1b]0;t\x07\r\n\t \u00ad\u200b\u200d\u2060\ufeff\u202e’'-.,%…"

characters = st.characters(blacklist_categories=("Cs",)) | st.sampled_from(TRICKY)
texts = st.text(characters, max_size=300)
contents = st.binary(max_size=2000) | texts.map(lambda t: t.encode("utf-8"))
names = (
    st.binary(min_size=1, max_size=40)
    .filter(lambda b: b"/" not in b and b"\0" not in b)
    .map(lambda b: b + b".txt")
)
A = Analyzer()
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def strings(value):
    """Every string in a nest of dicts, lists and tuples."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def assert_printable(value):
    for text in strings(value):
        assert not CONTROL.search(text), repr(text)


@FUZZ
@given(texts)
def test_the_analyzer_takes_any_text(text):
    terms = A.terms(text)
    assert all(terms), terms
    assert_printable(terms)
    for (start, end), span_terms in A.spans(text):
        assert 0 <= start < end <= len(text)
        assert_printable(span_terms)


def write(folder: Path, name: bytes, data: bytes) -> None:
    fd = os.open(os.path.join(os.fsencode(folder), name), os.O_WRONLY | os.O_CREAT, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


@FUZZ
@given(name=names, data=contents)
def test_the_reader_and_the_cleaner_take_any_file(tmp_path, name, data):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    write(folder, name, data)
    for listed in Listing.read(folder).names:
        assert_printable(display_name(listed))
        raw = read_article(folder / listed)
        if raw is None:
            continue
        fields = asdict(raw)
        del fields["file"]  # the name as listed, to open it again (shown with display_name)
        assert_printable(fields)
        cleaned = clean(raw.body, raw.title, raw.subtitle)
        assert_printable(cleaned.text)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(SEEDS, folder / "seeds")
    return Library.open(folder / "seeds", folder / "index")


@FUZZ
@given(question=texts)
def test_ask_takes_any_question(library, question):
    answer = library.ask(question)
    assert_printable(answer.to_json())
    assert_printable([answer.reason, answer.note])


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(files=st.lists(st.tuples(names, contents), max_size=4), question=texts)
def test_a_library_of_any_files_answers_lists_and_shows(tmp_path, files, question):
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    seeds = folder / "seeds"
    seeds.mkdir()
    for name, data in files:
        write(seeds, name, data)
    library = Library.open(seeds, folder / "index")
    answer = library.ask(question)
    assert_printable(answer.to_json())
    for article in library.articles():
        shown = {k: v for k, v in asdict(article).items() if k != "file"}
        assert_printable(shown)
        assert_printable(library.text(article))
        assert library.find(article.title)
