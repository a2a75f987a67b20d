"""Ingest: what one article file contributes to the index."""

from index.ingest import Terms, ingest
from index.library import Library

PARAGRAPHS = (
    "The airship took off from Friedrichshafen on Sunday morning with twelve passengers aboard,"
    " the first commercial flight over the lake in three years after a long repair of its gas"
    " cells, a hangar fire and a winter of waiting for spare parts from abroad.",
    "Tickets for the two-hour tour sell for 995 euros, and the operator says the summer season is"
    " already fully booked, with more flights planned for the autumn if the weather allows it and"
    " the crew of four can be trained in time for the longer days.",
    "Residents of the towns along the shore gathered on the piers to watch the slow climb over"
    " the harbour, and the local museum, which keeps an older craft's gondola, says visits have"
    " doubled since the return was announced in the spring by the company.",
)
ARTICLE = (
    "---\ntitle: Zeppelin returns to Lake Constance\nurl: https://example.org/airship\n---\n"
    + "\n\n".join(PARAGRAPHS * 2)
)


def passage_terms(path):
    vocabulary = Terms()
    article = ingest(path, vocabulary)
    assert article is not None
    out, start = [], 0
    for n in article.distinct:
        out.append({vocabulary.terms[t] for t in article.terms[start : start + n]})
        start += n
    return out


def test_the_title_is_indexed_with_the_first_passage_only(tmp_path):
    """The headline opens the article, so its words count once, with the lede."""
    (tmp_path / "airship.txt").write_text(ARTICLE, "utf-8")
    passages = passage_terms(tmp_path / "airship.txt")
    assert len(passages) > 1
    assert "zeppelin" in passages[0]
    assert all("zeppelin" not in terms for terms in passages[1:])


def test_a_word_only_the_title_has_finds_the_article(tmp_path):
    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "airship.txt").write_text(ARTICLE, "utf-8")
    library = Library.open(tmp_path / "seeds", tmp_path / "index")
    answer = library.ask("Is the Zeppelin back at Lake Constance?")
    assert answer.answered
    assert answer.results[0].passage == 1


def test_a_title_taken_from_the_first_line_is_not_counted_twice(tmp_path):
    # Too long for a title: the title is its first words, and the line stays in the text.
    opening = (
        "Zeppelin returns to Lake Constance this week after years of repairs and many delays "
        "for the whole fleet of airships."
    )
    (tmp_path / "plain.txt").write_text(f"{opening}\n\n" + "\n\n".join(PARAGRAPHS), "utf-8")
    vocabulary = Terms()
    article = ingest(tmp_path / "plain.txt", vocabulary)
    assert article is not None
    assert article.title.startswith("Zeppelin returns")
    first = article.distinct[0]
    terms = [vocabulary.terms[t] for t in article.terms[:first]]
    counts = dict(zip(terms, article.counts[:first].tolist(), strict=True))
    assert counts["zeppelin"] == 1
