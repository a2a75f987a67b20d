"""Sharding settings, and a sharded bot answering through the emulator."""

import asyncio
import contextlib

import pytest

from bot.client import NewsBot, ShardedNewsBot, make_bot, serve
from bot.settings import Settings, SettingsError, load_settings
from devtools.discord_emulator import DiscordEmulator
from tests.bot.support import ASK, body, descriptions


def test_shards_are_off_unless_asked_for():
    assert load_settings({}).shard_count is None
    assert load_settings({"DISCORD_SHARD_COUNT": "auto"}).shard_count == 0
    settings = load_settings({"DISCORD_SHARD_COUNT": "4", "DISCORD_SHARD_IDS": "2, 3"})
    assert (settings.shard_count, settings.shard_ids) == (4, (2, 3))


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"DISCORD_SHARD_IDS": "0"}, "needs DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "2"}, "below"),
        ({"DISCORD_SHARD_COUNT": "auto", "DISCORD_SHARD_IDS": "0"}, "not auto"),
        ({"DISCORD_SHARD_COUNT": "two"}, "DISCORD_SHARD_COUNT"),
        ({"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": "a"}, "numbers"),
        ({"NEWSDESK_ENGINE": "sphinx://localhost"}, "NEWSDESK_ENGINE"),
    ],
)
def test_bad_shard_and_engine_settings_are_named(environ, named):
    with pytest.raises(SettingsError, match=named):
        load_settings(environ)


def test_the_sharded_bot_is_made_only_when_asked_for(seeds):
    library = object()
    assert type(make_bot(Settings(), library)) is NewsBot
    bot = make_bot(Settings(shard_count=4, shard_ids=(1, 2)), library)
    assert isinstance(bot, ShardedNewsBot)
    assert (bot.shard_count, bot.shard_ids) == (4, [1, 2])


async def test_a_sharded_process_answers(seeds, index_dir):
    async with DiscordEmulator() as emu:
        settings = Settings(
            token=emu.token, seeds=seeds, watch_interval=0, ask_cooldown=0, shard_count=1,
            shard_ids=(0,),
        )  # fmt: skip
        running = asyncio.create_task(serve(settings))
        try:
            await emu.wait_until_ready()
            assert [i.get("shard") for i in emu.identify_payloads] == [[0, 1]]
            await emu.message_create(f"<@{emu.bot_user_id}> {ASK}", author="bob")
            reply = await emu.wait_for_request("POST", r"/channels/\d+/messages$")
            assert "**missiles**" in descriptions(body(reply))[0]
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
