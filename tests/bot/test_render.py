import re

import discord
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render
from bot.replies import ArticleLink, Card, Reply
from bot.splitting import ELLIPSIS


def size(embed: discord.Embed) -> int:
    """Characters Discord counts toward the 6,000 of a message."""
    return sum(
        len(part or "")
        for part in (embed.title, embed.description, embed.footer.text, embed.author.name)
    ) + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def assert_within_limits(embeds: list[discord.Embed], *, one_message: bool = True) -> None:
    for embed in embeds:
        assert len(embed.title or "") <= 256
        assert len(embed.description or "") <= 4096
        assert len(embed.footer.text or "") <= 2048
        assert len(embed.fields) <= 25
        assert embed.url is None or re.fullmatch(r"https?://\S+", embed.url)
        assert size(embed) <= 6000
    if one_message:
        assert len(embeds) <= 10
        assert sum(map(size, embeds)) <= 6000


def long_article(kilobytes: int = 60) -> str:
    paragraphs = []
    while sum(map(len, paragraphs)) < kilobytes * 1024:
        n = len(paragraphs)
        paragraphs.append(
            f"Section {n}"
            if n % 7 == 0
            else " ".join(f"Sentence {n}.{i} reports on the *war* in Kursk." for i in range(12))
        )
    return "\n\n".join(paragraphs)


CARDS = st.builds(
    Card,
    title=st.text(min_size=1, max_size=600),
    text=st.text(max_size=9000),
    url=st.sampled_from(["", "https://example.com/a_b", "not a url", "javascript:alert(1)"]),
    footer=st.text(max_size=3000),
    bold=st.lists(st.tuples(st.integers(0, 9000), st.integers(0, 9000)), max_size=30).map(tuple),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(CARDS, max_size=30), st.text(max_size=5000))
def test_any_reply_fits_in_one_message(cards, question):
    reply = Reply(question, tuple(cards))
    assert_within_limits(render.to_embeds(reply))
    assert len(render.content(reply) or "") <= 2000


@settings(max_examples=30, deadline=None)
@given(CARDS)
def test_any_card_pages_fit(card):
    assert_within_limits(render.to_pages(Reply(cards=(card,))), one_message=False)


def test_twenty_six_results_make_ten_embeds_and_no_fields():
    cards = tuple(
        Card(f"Title {n}", "Some passage. " * 80, footer="Outlet · passage 1") for n in range(26)
    )
    embeds = render.to_embeds(Reply("q", cards))
    assert len(embeds) == 10
    assert not any(embed.fields for embed in embeds)
    assert_within_limits(embeds)


def test_a_huge_passage_is_trimmed_at_a_sentence_with_an_ellipsis():
    text = "Russia fired drones at Kyiv overnight. " * 3000
    (embed,) = render.to_embeds(Reply("q", (Card("T", text, bold=((13, 19),)),)))
    assert embed.description.startswith("Russia fired **drones** at Kyiv overnight.")
    assert embed.description.endswith(f"overnight. {ELLIPSIS}")
    assert len(embed.description) <= 4096


def test_a_sixty_kilobyte_article_is_paged_within_limits_losing_nothing():
    text = long_article()
    pages = render.to_pages(Reply(cards=(Card("A long read", text, footer="Outlet"),)))
    assert len(pages) >= 60 * 1024 // render.PAGE
    assert_within_limits(pages, one_message=False)
    assert all(len(page.description) <= render.PAGE for page in pages)
    assert pages[0].footer.text == f"Page 1/{len(pages)} · Outlet"
    shown = "".join(page.description for page in pages)
    assert shown.count("Sentence") == text.count("Sentence")


def test_long_titles_are_clipped():
    (embed,) = render.to_embeds(Reply(cards=(Card("Headline " * 100, "x"),)))
    assert len(embed.title) <= 256
    assert embed.title.endswith(ELLIPSIS)


def test_article_markdown_is_escaped_but_matched_words_stay_bold():
    text = "**Not bold** `code` ||spoiler|| > quote\n\n# Big [link](https://e.x) Kyiv"
    start = text.index("Kyiv")
    (embed,) = render.to_embeds(Reply(cards=(Card("T", text, bold=((start, start + 4),)),)))
    assert embed.description.startswith(r"\*\*Not bold\*\* \`code\` \|\|spoiler\|\|")
    assert "\n\n\\# Big" in embed.description
    assert embed.description.endswith("**Kyiv**")


def test_mentions_are_echoed_as_text():
    question = "@everyone <@&123> <@456> what happened in Kursk?"
    assert render.content(Reply(question)) == f"> {question}"


def test_a_note_on_how_the_question_was_read_goes_under_it_escaped():
    reply = Reply("who is *Gerasimof*?", note="Read “*Gerasimof*” as “Gerasimov”.")
    assert render.content(reply) == (
        "> who is \\*Gerasimof\\*?\n-# Read “\\*Gerasimof\\*” as “Gerasimov”."
    )


def test_a_long_question_and_note_fit_one_message():
    content = render.content(Reply("why " * 2000, note="Read “x” as “y”. " * 100))
    assert len(content) <= 2000
    question, note = content.split("\n-# ")
    assert question.endswith(ELLIPSIS)
    assert note.endswith(ELLIPSIS)


def test_a_long_question_is_clipped_to_one_message():
    content = render.content(Reply("why " * 2000))
    assert len(content) <= 2000
    assert content.endswith(ELLIPSIS)


def test_only_web_addresses_become_links():
    links = [
        render.to_embeds(Reply(cards=(Card("T", "x", url=url),)))[0].url
        for url in ("https://a.org/x", "ftp://a.org", "a.org", "https://a b")
    ]
    assert links == ["https://a.org/x", None, None, None]


def test_labels_fit_buttons_and_choices():
    assert len(render.label("Title " * 50)) <= 80
    assert len(render.label("Title " * 50, render.CHOICE)) <= 100
    assert render.label("  Two\nlines ") == "Two lines"


def test_console_text_shows_every_card_and_how_to_open_each_article():
    reply = Reply(
        cards=(
            Card(
                "Which?", "Russia sent drones.", "https://x.org", "Outlet · 7 passages", ((12, 18),)
            ),
            Card("Other", "Plain."),
        ),
        articles=(ArticleLink("a-b", "Title"), ArticleLink("c", "C")),
    )
    assert render.to_text(reply) == (
        "**Which?**\nRussia sent **drones**.\n— Outlet · 7 passages · https://x.org"
        "\n\n**Other**\nPlain.\n\nRead in full:\n  /source a-b\n  /source c"
    )
    assert render.to_text(reply, ansi=True).startswith(
        "\033[1mWhich?\033[0m\nRussia sent \033[1mdrones\033[0m."
    )
