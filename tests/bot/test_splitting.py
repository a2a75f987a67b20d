import re

from hypothesis import given
from hypothesis import strategies as st

from bot.splitting import ELLIPSIS, clip, emphasize, markdown, paginate, plain

WORDS = st.text(alphabet="abcdefghij*_~`|>#-[]()\\.!? ", min_size=1, max_size=30)
TEXTS = st.lists(WORDS, max_size=60).map(lambda words: " ".join(words))
DOCUMENTS = st.lists(
    st.one_of(TEXTS, st.just("\n\n"), st.just("\n"), st.text(max_size=300)), max_size=30
).map("".join)
SPANS = st.lists(st.tuples(st.integers(-5, 3000), st.integers(-5, 3000)), max_size=40)


def visible(pages: list[str]) -> str:
    """The characters the pages show, minus whitespace and the ellipses added at cuts."""
    return re.sub(rf"\s|{ELLIPSIS}", "", "".join(pages))


@given(DOCUMENTS, st.integers(20, 500), SPANS)
def test_pages_fit_the_limit_however_the_text_looks(text, limit, bold):
    for page in paginate(text, limit, bold=bold):
        assert len(page) <= limit


@given(DOCUMENTS.filter(lambda t: ELLIPSIS not in t), st.integers(20, 500))
def test_pages_lose_nothing(text, limit):
    assert visible(paginate(text, limit, render=plain)) == visible([text])


@given(DOCUMENTS, st.integers(20, 500), SPANS)
def test_clip_fits_and_says_when_it_cut(text, limit, bold):
    clipped = clip(text, limit, bold=bold)
    assert len(clipped) <= limit
    if clipped != markdown(text, bold):
        assert clipped.endswith(ELLIPSIS)


def test_pages_break_between_paragraphs_when_they_can():
    paragraphs = [f"Paragraph {n} says something short." for n in range(20)]
    pages = paginate("\n\n".join(paragraphs), 120, render=plain)
    assert len(pages) > 1
    for page in pages:
        assert not page.startswith(ELLIPSIS)
        assert not page.endswith(ELLIPSIS)
        assert page.split("\n\n")[0] in paragraphs


def test_a_long_paragraph_breaks_between_sentences_with_ellipses():
    sentence = "The ministry said the talks would resume on Monday."
    pages = paginate(" ".join([sentence] * 12), 160, render=plain)
    assert len(pages) > 1
    assert pages[0].endswith(f"Monday. {ELLIPSIS}")
    assert pages[1].startswith(f"{ELLIPSIS} The ministry")
    assert all(page.strip(f" {ELLIPSIS}").endswith("Monday.") for page in pages)


def test_a_huge_sentence_breaks_between_words_and_a_huge_word_anywhere():
    pages = paginate("word " * 400 + "x" * 900, 100, render=plain)
    assert all(len(page) <= 100 for page in pages)
    assert "wor …" not in "".join(pages)  # words are not cut...
    assert sum(page.count("x") for page in pages) == 900  # ...unless nothing else fits


def test_clip_leaves_short_text_alone():
    assert clip("Short *and* sweet", 100) == r"Short \*and\* sweet"
    assert clip("Short *and* sweet", 100, render=plain) == "Short *and* sweet"


def test_bold_survives_escaping():
    text = "snake_case and **stars** near Kyiv"
    rendered = markdown(text, [(30, 34)])
    assert rendered == r"snake\_case and \*\*stars\*\* near **Kyiv**"


def test_bold_runs_are_trimmed_and_merged():
    assert emphasize("hello world", [(0, 6), (6, 11)]) == "**hello** **world**"
    assert emphasize("hello world", [(0, 4), (3, 11)]) == "**hello world**"
    assert emphasize("hello world", [(0, 5), (5, 6)]) == "**hello** world"
    assert emphasize("hello", [(3, 99), (-4, 1)]) == "**h**el**lo**"
    assert emphasize("hello", [(2, 2), (9, 12)]) == "hello"


def test_bold_in_a_terminal_uses_other_marks():
    assert emphasize("a b", [(2, 3)], mark=("<", ">")) == "a <b>"


def test_bold_cut_by_a_page_break_is_closed_on_both_pages():
    text = "alpha " * 30
    pages = paginate(text, 60, bold=[(0, len(text))])
    assert len(pages) > 1
    for page in pages:
        assert page.count("**") % 2 == 0
