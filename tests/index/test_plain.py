"""The terminal layout of answers and article lists, shared by the CLI and the console."""

import io

from index import (
    ANSI_BOLD,
    MARKDOWN_BOLD,
    Answer,
    Article,
    Citation,
    Correction,
    answer_text,
    article_list,
    read_in_full,
    say,
)


def article(ref, title, outlet="", passages=3):
    return Article(ref, title, "", outlet, "", f"{ref}.txt", "", 0, passages, 0)


class Shelf:
    """The one thing the renderer asks of a retriever: articles by id."""

    def __init__(self, *articles):
        self.by = {a.id: a for a in articles}

    def by_id(self, ref):
        return self.by.get(ref)


SHELF = Shelf(article("kursk", "Fighting in Kursk"), article("kyiv", "Drones over Kyiv"))


def citation(ref, title, passage, text, spans=(), heading="", outlet="", url=""):
    return Citation(ref, title, outlet, url, passage, heading, text, 1.0, (), spans)


ANSWER = Answer(
    "How many lanches in October?",
    True,
    (
        citation(
            "kursk",
            "Fighting in Kursk",
            2,
            "There were 2,072 launches in October.\n\nMore followed.",
            ((17, 25), (29, 36)),
            heading="Launches",
            outlet="The Outlet",
            url="https://o.example/k",
        ),
        citation("kyiv", "Drones over Kyiv", 1, "Drones flew."),
        citation("kursk", "Fighting in Kursk", 5, "Troops massed."),
    ),
    corrections=(Correction("lanches", "launches"),),
    tentative=True,
)


def test_an_answer_quotes_each_passage_under_its_citation_after_the_note():
    assert answer_text(ANSWER, SHELF, bold=MARKDOWN_BOLD, read_with="/source") == (
        "Read “lanches” as “launches”.\n"
        "These passages come closest, but may not answer the question.\n\n"
        "[1] Fighting in Kursk — passage 2, “Launches”\n"
        "    The Outlet, https://o.example/k\n"
        "    There were 2,072 **launches** in **October**.\n"
        "\n"
        "    More followed.\n\n"
        "[2] Drones over Kyiv — passage 1\n"
        "    Drones flew.\n\n"
        "[3] Fighting in Kursk — passage 5\n"
        "    Troops massed.\n\n"
        "Read in full:\n"
        "  /source kursk\n"
        "  /source kyiv"
    )


def test_bold_is_ansi_markers_or_nothing_and_the_question_is_quoted_on_request():
    ansi = answer_text(ANSWER, SHELF, bold=ANSI_BOLD, quote_question=True)
    assert ansi.startswith("> How many lanches in October?\n\nRead “lanches”")
    assert "2,072 \033[1mlaunches\033[0m in \033[1mOctober\033[0m." in ansi
    assert "Read in full" not in ansi  # no command to offer
    plain = answer_text(ANSWER, SHELF)
    assert "There were 2,072 launches in October." in plain
    assert "*" not in plain
    assert not plain.startswith(">")


def test_an_unanswered_question_gives_the_reason_and_the_closest_articles_it_knows():
    refused = Answer(
        "Who won in France?",
        False,
        reason="The articles do not answer this.",
        related=("kyiv", "gone", "kursk"),
    )
    assert answer_text(refused, SHELF, read_with="python -m index source") == (
        "The articles do not answer this.\n"
        "Closest articles:\n"
        "• Drones over Kyiv\n"
        "• Fighting in Kursk\n\n"
        "Read in full:\n"
        "  python -m index source kyiv\n"
        "  python -m index source kursk"
    )
    alone = Answer("", False, reason="The question is empty: ask about the articles.")
    quoted = answer_text(alone, SHELF, read_with="/source", quote_question=True)
    assert quoted == "The question is empty: ask about the articles."


def test_an_article_list_is_a_line_each_with_how_to_open_one():
    articles = [article("kursk", "Fighting in Kursk", "The Outlet", 1), article("b", "B", "", 12)]
    assert (
        article_list(articles)
        == "kursk: Fighting in Kursk (The Outlet), 1 passage\nb: B, 12 passages"
    )
    assert article_list(articles[:1], read_with="/source").endswith(
        "1 passage\n\n1 article: read one with /source ID."
    )
    assert article_list([], folder="seeds") == "No articles in seeds: add .txt or .md files there."


def test_read_in_full_names_each_article_once_in_order():
    assert read_in_full(["b", "a", "b"], "/source") == "Read in full:\n  /source b\n  /source a"


def test_say_drops_control_codes_but_keeps_its_own_bold():
    out = io.StringIO()
    say("Harbour \x1b]0;owned\x07\x1b[2Jfloods \033[1mboats\033[0m\x07", out, end="\n\n")
    assert out.getvalue() == "Harbour floods \033[1mboats\033[0m\n\n"
