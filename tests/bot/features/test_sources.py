"""``/source``, ``/sources``, autocomplete and the article buttons, with the real bot."""

import asyncio

from bot.kit.paginator import NOT_YOURS
from index.library import Library
from tests.bot.support import (
    ASK,
    EPHEMERAL,
    assert_no_pings,
    button,
    custom_ids,
    descriptions,
    eventually,
)

RAMPS = "russia-ramps-up-attacks-on"


def write_long_article(seeds, paragraphs=120):
    text = "\n\n".join(
        f"Section {n}"
        if n % 10 == 0
        else " ".join(
            f"Paragraph {n} sentence {i} covers the *front* and the talks (@everyone)."
            for i in range(8)
        )
        for n in range(paragraphs)
    )
    (seeds / "long.txt").write_text(f"---\ntitle: The long read\nid: long-read\n---\n{text}\n")


async def suggestions(emu, typed):
    inter = await emu.interaction_autocomplete("source", {"article": typed})
    await emu.wait_for_callback(inter)
    return emu.autocomplete_results[inter.id]


async def test_autocomplete_offers_exact_then_prefix_then_fragment_then_fuzzy(
    start, seeds, index_dir
):
    titles = {
        "kurks-offensive": "Kurks offensive",  # fuzzy
        "battle-near-kursk": "Battle near Kursk",  # fragment
        "kursk-front": "Kursk front lines",  # prefix
        "kursk": "Kursk",  # exact
    }
    for ref, title in titles.items():
        (seeds / f"{ref}.txt").write_text(f"---\ntitle: {title}\nid: {ref}\n---\nText.\n")
    async with start(library=Library.open(seeds, index_dir)) as (emu, _):
        choices = await suggestions(emu, "kursk")
        assert [c["value"] for c in choices] == list(reversed(titles))
        assert choices[0] == {"name": "Kursk", "value": "kursk"}
        assert (await suggestions(emu, "rusia rmps"))[0]["value"] == RAMPS


async def test_autocomplete_offers_at_most_25_short_choices(start, seeds, index_dir):
    for n in range(30):
        (seeds / f"extra{n:02}.txt").write_text(
            f"---\ntitle: Extra story number {n} {'with a long title ' * 10}\n---\nText.\n"
        )
    async with start(library=Library.open(seeds, index_dir)) as (emu, _):
        choices = await suggestions(emu, "extra story")
        assert len(choices) == 25
        assert all(len(c["name"]) <= 100 for c in choices)
        assert all(len(c["value"]) <= 100 for c in choices)


async def test_an_article_is_paged_and_only_the_asker_turns_pages(start, seeds, index_dir):
    write_long_article(seeds)
    async with start(library=Library.open(seeds, index_dir)) as (emu, _):
        inter = await emu.interaction_slash("source", {"article": "long-read"})
        first = (await emu.wait_for_callback(inter)).json
        assert first["type"] == 4
        page = first["data"]["embeds"][0]
        assert page["title"] == "The long read"
        total = int(page["footer"]["text"].split(" ")[1].split("/")[1])
        assert total > 5
        assert button(first["data"], "Previous")["disabled"]
        assert button(first["data"], f"1/{total}")["disabled"]
        message_id = emu.original_response(inter)["id"]

        nosy = await emu.interaction_component(
            int(message_id), button(first["data"], "Next")["custom_id"], user="bob"
        )
        refusal = (await emu.wait_for_callback(nosy)).json
        assert refusal["type"] == 4
        assert refusal["data"] == {**refusal["data"], "content": NOT_YOURS, "flags": EPHEMERAL}

        seen = [descriptions(first["data"])[0]]
        for number in range(2, total + 1):
            data = emu.get_message(int(message_id))
            click = await emu.interaction_component(
                int(message_id), button(data, "Next")["custom_id"]
            )
            turned = (await emu.wait_for_callback(click)).json
            assert turned["type"] == 7
            assert turned["data"]["embeds"][0]["footer"]["text"].startswith(
                f"Page {number}/{total}"
            )
            seen += descriptions(turned["data"])
        assert button(turned["data"], "Next")["disabled"]
        assert all(len(text) <= 4096 for text in seen)
        shown = "".join(seen)
        assert shown.count("sentence") == 108 * 8
        assert "**Section 10**" in shown
        assert r"the \*front\*" in shown
        assert_no_pings(emu)


async def test_page_buttons_are_removed_after_the_timeout(start, seeds, index_dir):
    write_long_article(seeds)
    async with start(library=Library.open(seeds, index_dir), page_timeout=0.3) as (emu, _):
        inter = await emu.interaction_slash("source", {"article": "The long read"})
        await emu.wait_for_callback(inter)
        edit = await emu.wait_for_original_edit(inter)
        assert edit.json["components"] == []
        assert emu.original_response(inter)["components"] == []
        assert_no_pings(emu)


async def test_a_short_article_has_no_buttons(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("source", {"article": RAMPS})
        shown = (await emu.wait_for_callback(inter)).json["data"]
        assert "components" not in shown or shown["components"] == []
        assert "**Rising Casualties and Territorial Gains**" in shown["embeds"][0]["description"]


async def test_an_unknown_article_gets_private_suggestions(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("source", {"article": "rusia intensifies"})
        shown = (await emu.wait_for_callback(inter)).json["data"]
        assert shown["flags"] == EPHEMERAL
        assert "Did you mean:\n• **Russia intensifies" in shown["embeds"][0]["description"]
        assert custom_ids(shown) == ["article:russia-intensifies-fighting-after-trumps"]


async def test_an_ambiguous_name_offers_each_article_it_names(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("source", {"article": "russia"})
        shown = (await emu.wait_for_callback(inter)).json["data"]
        assert shown["embeds"][0]["title"] == "Which article?"
        assert custom_ids(shown) == [
            "article:russia-intensifies-fighting-after-trumps",
            f"article:{RAMPS}",
        ]


async def test_sources_lists_the_articles(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("sources")
        shown = (await emu.wait_for_callback(inter)).json["data"]
        (embed,) = shown["embeds"]
        assert embed["title"] == "2 articles"
        assert f"The Voice · {RAMPS} · 8 passages" in embed["description"]


async def test_an_answer_button_opens_the_article_privately(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("ask", {"question": ASK})
        answer = await emu.wait_for_followup(inter)
        click = await emu.interaction_component(
            int(answer.response["id"]), f"article:{RAMPS}", user="carol"
        )
        shown = (await emu.wait_for_callback(click)).json
        assert shown["type"] == 4
        assert shown["data"]["flags"] == EPHEMERAL
        assert shown["data"]["embeds"][0]["title"].startswith("Russia ramps up attacks")


async def test_an_answer_button_still_works_after_the_article_is_gone(start, seeds, index_dir):
    async with start() as (emu, bot):
        inter = await emu.interaction_slash("ask", {"question": ASK})
        answer = await emu.wait_for_followup(inter)
        for path in seeds.iterdir():
            if "93190b9e" in path.name:
                path.unlink()
        bot.library = await asyncio.to_thread(bot.library.reload)
        click = await emu.interaction_component(int(answer.response["id"]), f"article:{RAMPS}")
        shown = (await emu.wait_for_callback(click)).json["data"]
        assert shown["embeds"][0]["title"] == "Article not found"
        await eventually(lambda: bot.library.report.articles == 1)
