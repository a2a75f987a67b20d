"""``/ask`` through the emulator, with the real bot."""

import logging
import time

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


async def test_asking_again_too_soon_is_acknowledged_then_refused_privately(start):
    # The acknowledgement comes first, the cooldown check after it: a refusal must still
    # reach Discord within its 3 seconds (issue 14, defect 12).
    async with start(ask_cooldown=60, ask_burst=2) as (emu, _):
        for _ in range(2):
            first = await emu.interaction_slash("ask", {"question": ASK})
            await emu.wait_for_followup(first)
        again = await emu.interaction_slash("ask", {"question": ASK})
        assert (await emu.wait_for_callback(again)).json["type"] == 5  # deferred at once
        await emu.wait_for_request("DELETE", r"/messages/@original$")  # the public "thinking"
        refusal = body(await emu.wait_for_followup(again))
        assert refusal["flags"] == EPHEMERAL
        assert refusal["content"] == "You are asking quickly: try again in 60 s."
        assert emu.original_response(again) is None
        other = await emu.interaction_slash("ask", {"question": ASK}, user="bob")
        assert "**missiles**" in descriptions(body(await emu.wait_for_followup(other)))[0]


async def test_a_private_question_asked_too_soon_is_refused_in_its_own_reply(start):
    async with start(ask_cooldown=60, ask_burst=1) as (emu, _):
        first = await emu.interaction_slash("ask", {"question": ASK, "private": True})
        await emu.wait_for_followup(first)
        again = await emu.interaction_slash("ask", {"question": ASK, "private": True})
        refusal = body(await emu.wait_for_followup(again))
        assert refusal["content"] == "You are asking quickly: try again in 60 s."
        assert not emu.find_requests("DELETE")


class SlowLibrary(Library):
    def ask(self, question, k=3, abstain=True):
        time.sleep(0.3)
        return super().ask(question, k, abstain)


async def test_a_burst_is_acknowledged_in_time_and_past_the_queue_bound_told_to_retry(
    start, seeds, index_dir
):
    # Issue 14, defect 12: searches run off the event loop, in a queue bounded by its wait.
    async with start(library=SlowLibrary.open(seeds, index_dir), queue_wait=0.5) as (emu, _):
        for _ in range(4):  # the queue learns how long an answer takes
            await emu.wait_for_followup(await emu.interaction_slash("ask", {"question": ASK}))
        asked = [await emu.interaction_slash("ask", {"question": ASK}) for _ in range(12)]
        callbacks = [await emu.wait_for_callback(inter) for inter in asked]
        assert all(c.json["type"] == 5 for c in callbacks)
        assert (
            max(c.received_at - i.dispatched_at for c, i in zip(callbacks, asked, strict=True))
            < 1.0
        )
        replies = [body(await emu.wait_for_followup(inter, timeout=20)) for inter in asked]
        busy = [r for r in replies if r["embeds"][0]["title"] == "Busy"]
        answered = [r for r in replies if "**missiles**" in descriptions(r)[0]]
        assert busy
        assert answered
        assert len(busy) + len(answered) == len(asked)


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
