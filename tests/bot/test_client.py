"""The bot as a whole: start-up, command sync, intents, errors, and ``python -m bot`` itself."""

import asyncio
import contextlib
import logging

import pytest

from bot.__main__ import main
from bot.client import serve
from bot.kit.errors import APOLOGY
from bot.settings import Settings
from devtools.discord_emulator import INTENT_MESSAGE_CONTENT, DiscordEmulator
from index.library import Library
from tests.bot.support import ASK, body, descriptions

TOKEN = "MTA5NzY1NDMyMTA5ODc2NTQzMg.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"


async def test_start_up_is_logged_in_one_line(start, caplog):
    caplog.set_level(logging.INFO, logger="bot")
    async with start():
        pass
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.client"]
    assert line.startswith("ready as Newsdesk")
    assert line.endswith(
        ": 2 articles, 15 passages (index: no saved index), 1 guilds, 5 commands synced"
    )


async def test_commands_are_synced_to_the_configured_guilds_or_globally(start):
    async with start() as (emu, _):
        assert sorted(emu.commands[emu.guild_id]) == ["ask", "help", "reload", "source", "sources"]
    async with start(guild_ids=()) as (emu, _):
        assert sorted(emu.commands[None]) == ["ask", "help", "reload", "source", "sources"]


async def test_message_content_is_requested_only_for_answer_channels(start):
    async with start() as (emu, _):
        assert not emu.has_intent(INTENT_MESSAGE_CONTENT)
    async with start(answer_channel_ids=frozenset({1})) as (emu, _):
        assert emu.has_intent(INTENT_MESSAGE_CONTENT)


async def test_a_refused_intent_is_explained_and_the_bot_carries_on(seeds, index_dir, caplog):
    async with DiscordEmulator(allow_privileged_intents=False) as emu:
        settings = Settings(
            token=emu.token,
            answer_channel_ids=frozenset({emu.channel_id}),
            seeds=seeds,
            watch_interval=0,
        )
        running = asyncio.create_task(serve(settings))
        try:
            await emu.wait_until_ready()
            assert [bool(i["intents"] & INTENT_MESSAGE_CONTENT) for i in emu.identify_payloads] == [
                True,
                False,
            ]
            await emu.message_create(f"<@{emu.bot_user_id}> {ASK}", author="bob")
            reply = await emu.wait_for_request("POST", r"/channels/\d+/messages$")
            assert "**missiles**" in descriptions(body(reply))[0]
        finally:
            running.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await running
    (warning,) = [
        r for r in caplog.records if r.levelno == logging.WARNING and r.name == "bot.client"
    ]
    assert warning.getMessage().startswith("Discord refused the Message Content intent")


class BrokenLibrary(Library):
    def ask(self, question, k=3):
        raise RuntimeError("index on fire")


async def test_a_failing_message_handler_apologises(start, seeds, index_dir, caplog):
    async with start(library=BrokenLibrary.open(seeds, index_dir)) as (emu, _):
        await emu.message_create(f"<@{emu.bot_user_id}> {ASK}", author="bob")
        reply = await emu.wait_for_request("POST", r"/channels/\d+/messages$")
        assert body(reply)["content"] == APOLOGY
    assert any("index on fire" in str(r.exc_info[1]) for r in caplog.records if r.exc_info)


@pytest.fixture
def restore_logging():
    """``main`` sets up discord.py's logging on the root logger: undo it afterwards."""
    handlers = logging.root.handlers[:]
    yield
    logging.root.handlers[:] = handlers


async def test_a_token_discord_rejects_stops_with_status_1(
    monkeypatch, tmp_path, seeds, index_dir, capsys, restore_logging
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)  # well formed, but not the emulator's
    monkeypatch.setenv("NEWSDESK_SEEDS", str(seeds))
    async with DiscordEmulator():
        status = await asyncio.wait_for(asyncio.to_thread(main), timeout=20)
    assert status == 1
    assert capsys.readouterr().err.endswith(
        "error: Discord rejected DISCORD_TOKEN; copy a fresh one "
        "from the Developer Portal (your application, Bot, Reset Token)\n"
    )


async def test_a_token_revoked_while_running_stops_with_one_line_and_status_1(
    monkeypatch, tmp_path, seeds, index_dir, capsys, restore_logging
):
    # Issue 14, defect 6: Discord closes the gateway with 4004 (authentication failed).
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NEWSDESK_SEEDS", str(seeds))
    monkeypatch.setenv("DISCORD_TOKEN", TOKEN)
    async with DiscordEmulator(TOKEN) as emu:
        running = asyncio.create_task(asyncio.to_thread(main))
        await emu.wait_until_ready(timeout=20)
        await emu.disconnect(code=4004)
        status = await asyncio.wait_for(running, timeout=20)
    assert status == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.endswith(
        "error: Discord no longer accepts DISCORD_TOKEN (it was reset or revoked); copy a "
        "fresh one from the Developer Portal (your application, Bot, Reset Token)\n"
    )
