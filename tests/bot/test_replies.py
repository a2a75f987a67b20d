from bot import replies
from index.answers import Answer, Citation, Correction
from index.collection import Article


def citation(article="a", passage=1, **fields) -> Citation:
    values = dict(
        article=article,
        title=f"Title {article}",
        outlet="Outlet",
        url="https://example.com/a",
        passage=passage,
        heading="",
        text="Russia sent drones.",
        score=1.0,
        matched=("drones",),
        spans=((12, 18),),
    )
    return Citation(**{**values, **fields})


def article(ref="a", **fields) -> Article:
    values = dict(
        id=ref,
        title=f"Title {ref}",
        subtitle="",
        outlet="Outlet",
        url="",
        file=f"{ref}.txt",
        fingerprint="f",
        first_passage=0,
        passage_count=3,
        dropped_lines=0,
    )
    return Article(**{**values, **fields})


def test_an_answer_quotes_each_passage_with_its_citation():
    found = Answer("drones?", True, (citation(heading="Air war"), citation("b", passage=4)))
    reply = replies.answer(found, library=None)
    assert reply.question == "drones?"
    first, second = reply.cards
    assert (first.title, first.text, first.url) == (
        "Title a",
        "Russia sent drones.",
        found.results[0].url,
    )
    assert first.footer == "Outlet · passage 1 · Air war"
    assert first.bold == ((12, 18),)
    assert second.footer == "Outlet · passage 4"
    assert [link.id for link in reply.articles] == ["a", "b"]


def test_each_cited_article_is_offered_once_in_order():
    found = Answer("q", True, (citation("b"), citation("a"), citation("b", passage=2)))
    assert [link.id for link in replies.answer(found, None).articles] == ["b", "a"]


def test_no_answer_gives_the_reason_and_the_closest_articles(library):
    related = library.articles()[1]
    found = Answer(
        "Who won in France?",
        False,
        reason="The articles do not answer this.",
        related=(related.id, "gone-since"),
    )
    reply = replies.answer(found, library)
    (card,) = reply.cards
    assert card.title == "Not in the articles"
    assert card.text.startswith("The articles do not answer this.")
    start = card.text.index(related.title)
    assert card.bold == ((start, start + len(related.title)),)
    assert [link.id for link in reply.articles] == [related.id]


def test_an_article_has_its_headings_in_bold():
    text = "First paragraph, with a full stop.\n\nA Heading\n\nMore text follows here."
    (card,) = replies.article(article(url="https://x.org/a"), text).cards
    assert [card.text[s:e] for s, e in card.bold] == ["A Heading"]
    assert card.url == "https://x.org/a"
    assert card.footer == "Outlet · 3 passages · a"


def test_the_catalog_lists_every_article():
    (card,) = replies.catalog([article("a"), article("b", outlet="")]).cards
    assert card.title == "2 articles"
    assert [card.text[s:e] for s, e in card.bold] == ["Title a", "Title b"]
    assert "b · 3 passages" in card.text
    assert replies.catalog([]).cards[0].title == "No articles"


def test_not_found_suggests_articles_to_open():
    reply = replies.not_found("kursk", [article("a")])
    assert "No article matches “kursk”. Did you mean:" in reply.cards[0].text
    assert [link.id for link in reply.articles] == ["a"]
    assert "/sources" in replies.not_found("zzz", []).cards[0].text


def test_cooldown_rounds_up():
    assert replies.cooldown(0.2) == "You are asking quickly: try again in 1 s."


def test_how_the_question_was_read_is_carried_answered_or_not(library):
    corrections = (Correction("Oreshnikk", "Oreshnik"),)
    found = Answer("Oreshnikk?", True, (citation(),), corrections=corrections)
    refused = Answer("Oreshnikk?", False, reason="No.", corrections=corrections)
    assert replies.answer(found, library).note == "Read “Oreshnikk” as “Oreshnik”."
    assert replies.answer(refused, library).note == found.note
    assert replies.answer(Answer("q", False, reason="No."), library).note == ""
