"""New articles without a restart: ``/reload`` for the owner, and the folder watcher."""

import asyncio
import threading

from index.library import Library
from tests.bot.support import ASK, EPHEMERAL, body, descriptions, eventually

NEW_ARTICLE = """---
title: Grain deal collapses
id: grain-deal
---
The grain deal collapsed on Monday after talks in Istanbul failed.
"""


async def test_the_owner_reloads_and_new_articles_can_be_read(start, seeds):
    async with start() as (emu, bot):
        (seeds / "grain.txt").write_text(NEW_ARTICLE)
        inter = await emu.interaction_slash("reload")  # the emulator's owner is alice
        assert (await emu.wait_for_callback(inter)).json == {
            "type": 5,
            "data": {"flags": EPHEMERAL},
        }
        done = body(await emu.wait_for_followup(inter))
        assert done["content"].startswith(
            "Reloaded (updated, 1 new or changed, 0 removed): 3 articles"
        )
        assert bot.library.report.articles == 3
        inter = await emu.interaction_slash("source", {"article": "grain-deal"})
        shown = (await emu.wait_for_callback(inter)).json["data"]
        assert shown["embeds"][0]["title"] == "Grain deal collapses"


async def test_reload_with_nothing_new(start):
    async with start() as (emu, _):
        inter = await emu.interaction_slash("reload")
        assert (
            body(await emu.wait_for_followup(inter))["content"]
            == "Nothing new: 2 articles, 15 passages."
        )


async def test_others_may_not_reload(start, seeds):
    async with start() as (emu, bot):
        (seeds / "grain.txt").write_text(NEW_ARTICLE)
        inter = await emu.interaction_slash("reload", user="bob")
        refusal = (await emu.wait_for_callback(inter)).json
        assert refusal["type"] == 4
        assert refusal["data"]["flags"] == EPHEMERAL
        assert refusal["data"]["content"] == "Only the bot's owner can reload the articles."
        assert bot.library.report.articles == 2


async def test_the_watcher_picks_up_changes_by_itself(start, seeds):
    async with start(watch_interval=0.05) as (_, bot):
        (seeds / "grain.txt").write_text(NEW_ARTICLE)
        await eventually(lambda: bot.library.report.articles == 3)
        (seeds / "grain.txt").unlink()
        await eventually(lambda: bot.library.report.articles == 2)


async def test_questions_during_a_reload_are_answered_from_the_old_library(start, seeds, index_dir):
    reloading, finish = threading.Event(), threading.Event()

    class SlowToReload(Library):
        def reload(self):
            reloading.set()
            finish.wait(timeout=5)
            return super().reload()

    async with start(library=SlowToReload.open(seeds, index_dir)) as (emu, bot):
        (seeds / "grain.txt").write_text(NEW_ARTICLE)
        reload = await emu.interaction_slash("reload")
        assert await asyncio.to_thread(reloading.wait, 5), "the reload never started"
        ask = await emu.interaction_slash("ask", {"question": ASK})
        answer = body(await emu.wait_for_followup(ask))
        assert "**missiles**" in descriptions(answer)[0]
        assert bot.library.report.articles == 2
        finish.set()
        await emu.wait_for_followup(reload)
        assert bot.library.report.articles == 3
