"""``/ask`` through the emulator, with the real bot."""

import logging

from bot.kit.errors import APOLOGY
from index.library import Library
from tests.bot.support import (
    ASK,
    EPHEMERAL,
    assert_no_pings,
    body,
    custom_ids,
    descriptions,
)


async def test_an_answer_quotes_passages_with_citations_and_buttons(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("ask", {"question": ASK})
        deferred = await emu.wait_for_callback(inter)
        assert deferred.json == {"type": 5}
        assert deferred.received_at - inter.dispatched_at < 1.0
        answer = body(await emu.wait_for_followup(inter))
        assert answer["content"] == f"> {ASK}"
        first = answer["embeds"][0]
        assert first["title"] == "Russia intensifies fighting after Trump’s win"
        assert first["url"] == "https://responsiblestatecraft.org/russia-fighting-in-kursk/"
        assert first["footer"]["text"] == "Responsible Statecraft · passage 1"
        assert "a reported 96 **missiles** and **drones** **toward**" in first["description"]
        assert len(answer["embeds"]) == 3
        assert custom_ids(answer) == [
            "article:russia-intensifies-fighting-after-trumps",
            "article:russia-ramps-up-attacks-on",
        ]
        assert_no_pings(emu)


async def test_a_word_read_as_another_is_said_under_the_question(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("ask", {"question": "What is the Oreshnikk?"})
        answer = body(await emu.wait_for_followup(inter))
        assert answer["content"] == "> What is the Oreshnikk?\n-# Read “Oreshnikk” as “Oreshnik”."


async def test_a_private_answer_is_ephemeral(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("ask", {"question": ASK, "private": True})
        assert (await emu.wait_for_callback(inter)).json["data"]["flags"] == EPHEMERAL
        await emu.wait_for_followup(inter)
        assert emu.original_response(inter)["flags"] & EPHEMERAL


async def test_a_question_the_articles_do_not_answer(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash(
            "ask", {"question": "Who will be Trump's defense secretary?"}
        )
        answer = body(await emu.wait_for_followup(inter))
        (embed,) = answer["embeds"]
        assert embed["title"] == "Not in the articles"
        assert embed["description"].startswith("The articles do not answer this.")
        assert "Closest articles:\n• **Russia" in embed["description"]
        assert custom_ids(answer)


async def test_mentions_in_a_question_ping_nobody(start):
    async with start() as (emu, _):
        question = f"@everyone @here <@&{emu.role_id}> <@{emu.user('bob').id}> {ASK}"
        inter = await emu.interaction_slash("ask", {"question": question})
        answer = body(await emu.wait_for_followup(inter))
        assert "**missiles**" in descriptions(answer)[0]  # the mentions were not searched
        assert_no_pings(emu)


async def test_asking_again_too_soon_is_refused_privately(start):
    async with start(ask_cooldown=60) as (emu, _):
        first = await emu.interaction_slash("ask", {"question": ASK})
        await emu.wait_for_followup(first)
        again = await emu.interaction_slash("ask", {"question": ASK})
        refusal = (await emu.wait_for_callback(again)).json
        assert refusal["type"] == 4
        assert refusal["data"]["flags"] == EPHEMERAL
        assert refusal["data"]["content"] == "You just asked: try again in 60 s."
        other = await emu.interaction_slash("ask", {"question": ASK}, user="bob")
        assert (await emu.wait_for_callback(other)).json["type"] == 5  # per user


class BrokenLibrary(Library):
    def ask(self, question, k=3):
        raise RuntimeError("index on fire")


async def test_a_failure_is_logged_and_apologised_for(start, seeds, index_dir, caplog):
    async with start(library=BrokenLibrary.open(seeds, index_dir)) as (emu, _):
        inter = await emu.interaction_slash("ask", {"question": ASK})
        apology = body(await emu.wait_for_followup(inter))
        assert apology["content"] == APOLOGY
        assert apology["flags"] == EPHEMERAL
    failure = next(r for r in caplog.records if r.levelno == logging.ERROR)
    assert "index on fire" in str(failure.exc_info[1])


async def test_a_server_error_is_retried_and_the_bot_carries_on(start):
    async with start() as (emu, _):
        emu.fail_next("POST", r"^/webhooks/", 500)
        await emu.interaction_slash("ask", {"question": ASK})
        answer = await emu.wait_for_request(
            "POST", r"^/webhooks/", predicate=lambda r: r.status == 200
        )
        assert "**missiles**" in descriptions(body(answer))[0]


async def test_a_lasting_server_error_gets_an_apology_and_the_bot_carries_on(start):
    async with start() as (emu, _):
        emu.fail_next("POST", r"^/webhooks/", 503, times=5)  # discord.py tries 5 times
        await emu.interaction_slash("ask", {"question": ASK})
        apology = await emu.wait_for_request(
            "POST", r"^/webhooks/", predicate=lambda r: r.status == 200
        )
        assert body(apology)["content"] == APOLOGY
        later = await emu.interaction_slash("ask", {"question": ASK})
        assert "**missiles**" in descriptions(body(await emu.wait_for_followup(later)))[0]
