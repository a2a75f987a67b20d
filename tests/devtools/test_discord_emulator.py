"""Tests for the Discord emulator, driven by a real discord.py bot (no mocks)."""

from __future__ import annotations

import asyncio
import io
import re
import threading
import time

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.ext import commands

from devtools.discord_emulator import INTENT_GUILD_MESSAGES, INTENT_MESSAGE_CONTENT, DiscordEmulator

CALLBACK = r"/interactions/\d+/[^/]+/callback$"
CHANNEL_MESSAGES = r"/channels/\d+/messages$"


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="Yes", custom_id="vote:yes", style=discord.ButtonStyle.success)
    async def yes(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(
            content=f"{interaction.user.name} voted yes", view=None
        )
        self.stop()

    @discord.ui.button(label="No", custom_id="vote:no", style=discord.ButtonStyle.danger)
    async def no(self, interaction: discord.Interaction, button: discord.ui.Button) -> None:
        await interaction.response.edit_message(content=f"{interaction.user.name} voted no")


class NewsBot(commands.Bot):
    """A small bot exercising every path the emulator has to support."""

    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            guild_ready_timeout=0.05,
        )
        self.guild_id = guild_id
        self.errors: asyncio.Queue[Exception] = asyncio.Queue()
        self.seen: asyncio.Queue[discord.Message] = asyncio.Queue()
        self.views: list[discord.ui.View] = []
        self._add_commands()

    async def setup_hook(self) -> None:
        guild = discord.Object(self.guild_id)
        self.tree.copy_global_to(guild=guild)
        await self.tree.sync(guild=guild)

    def _add_commands(self) -> None:
        tree = self.tree

        @tree.command(description="Answer with pong.")
        async def ping(interaction: discord.Interaction, text: str) -> None:
            await interaction.response.send_message(
                f"pong: {text} {interaction.user.mention}",
                allowed_mentions=discord.AllowedMentions.none(),
            )

        @tree.command(description="Search the news.")
        async def search(interaction: discord.Interaction, query: str, limit: int = 3) -> None:
            await interaction.response.defer(thinking=True)
            embed = discord.Embed(title=f"Top {limit}", description=f"Stories about {query}")
            await interaction.followup.send(f"Results for {query}", embed=embed)
            await interaction.followup.send("Anything else?", ephemeral=True)

        @search.autocomplete("query")
        async def search_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=f"{current} {suffix}", value=f"{current}-{suffix}")
                for suffix in ("news", "analysis")
            ]

        @tree.command(description="Post a draft, then finalise it.")
        async def draft(interaction: discord.Interaction) -> None:
            await interaction.response.send_message("draft")
            await interaction.edit_original_response(content="final")

        @tree.command(description="Start a vote.")
        async def vote(interaction: discord.Interaction) -> None:
            view = VoteView()
            self.views.append(view)
            await interaction.response.send_message("Vote now", view=view)

        @tree.command(description="Reply and record any HTTP error.")
        async def fragile(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("made it")
            except discord.HTTPException as exc:
                await self.errors.put(exc)

        @tree.command(description="Send a reply that is too long.")
        async def verbose(interaction: discord.Interaction) -> None:
            try:
                await interaction.response.send_message("x" * 2001)
            except discord.HTTPException as exc:
                await self.errors.put(exc)

        @tree.command(description="Attach a report file.")
        async def export(interaction: discord.Interaction) -> None:
            report = discord.File(io.BytesIO(b"headline,source\n"), filename="report.csv")
            await interaction.response.send_message("Here you go", file=report)

        @tree.command(description="Describe a member.")
        async def whois(interaction: discord.Interaction, member: discord.Member) -> None:
            roles = ",".join(r.name for r in member.roles if not r.is_default())
            await interaction.response.send_message(f"{member.name} roles={roles}")

        @tree.command(description="Send a follow-up before responding.")
        async def early(interaction: discord.Interaction) -> None:
            try:
                await interaction.followup.send("too early")
            except discord.HTTPException as exc:
                await self.errors.put(exc)

    async def close(self) -> None:
        # Client.close() leaves View timeout tasks pending; stop them ourselves.
        for view in self.views:
            view.stop()
        await super().close()

    async def on_message(self, message: discord.Message) -> None:
        await self.seen.put(message)
        if message.author == self.user:
            return
        if self.user in message.mentions:
            await message.reply("Hi! Try /search.", mention_author=False)


async def next_item(queue: asyncio.Queue, timeout: float = 5.0):
    return await asyncio.wait_for(queue.get(), timeout)


@pytest.fixture
async def emu():
    async with DiscordEmulator() as emulator:
        yield emulator


@pytest.fixture
async def bot(emu: DiscordEmulator):
    client = NewsBot(emu.guild_id)
    async with emu.running(client):
        yield client


async def test_login_connect_and_sync(emu: DiscordEmulator, bot: NewsBot) -> None:
    assert emu.find_requests("GET", r"^/users/@me$")[0].status == 200
    assert emu.find_requests("GET", r"^/oauth2/applications/@me$")
    (sync,) = emu.find_requests("PUT", rf"^/applications/{emu.application_id}/guilds/\d+/commands$")
    assert sync.path.endswith(f"/guilds/{emu.guild_id}/commands")
    names = {c["name"] for c in sync.response}
    assert {"ping", "search", "draft", "vote"} <= names
    assert all(c["id"].isdigit() and c["guild_id"] == str(emu.guild_id) for c in sync.response)

    assert bot.user is not None
    assert bot.user.id == emu.bot_user_id
    assert bot.application_id == emu.application_id
    assert bot.application is not None
    assert bot.application.owner.id == emu.owner.id
    guild = bot.get_guild(emu.guild_id)
    assert guild is not None
    assert guild.get_channel(emu.channel_id).name == "general"
    assert guild.get_role(emu.role_id).name == "Moderators"
    assert guild.me is not None

    assert emu.has_intent(INTENT_GUILD_MESSAGES)
    assert not emu.has_intent(INTENT_MESSAGE_CONTENT)
    (conn,) = emu.gateway_connections
    assert conn.path == "/"
    assert conn.query["v"] == "10"
    assert conn.query["encoding"] == "json"
    assert conn.compress == conn.query["compress"] == "zlib-stream"
    assert emu.unhandled == []


async def test_slash_reply_with_allowed_mentions(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("ping", {"text": "hello"}, user="bob")
    cb = await emu.wait_for_callback(inter)

    assert cb.query == {"with_response": "1"}
    assert cb.json["type"] == 4
    assert cb.json["data"]["content"] == f"pong: hello <@{emu.user('bob').id}>"
    assert cb.json["data"]["allowed_mentions"] == {"parse": []}
    assert cb.received_at - inter.dispatched_at < 1.0
    message = emu.original_response(inter)
    assert message is not None
    assert message["mentions"] == []  # the mention is rendered but pings nobody
    assert cb.response["interaction"]["response_message_id"] == message["id"]
    assert cb.response["resource"]["message"]["content"] == message["content"]


async def test_deferred_reply_then_followups(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("search", {"query": "elections", "limit": 5})
    cb = await emu.wait_for_callback(inter)
    assert cb.json == {"type": 5}
    assert cb.response["interaction"]["response_message_loading"] is True

    first = await emu.wait_for_followup(inter)
    assert first.query["wait"] == "1"
    assert first.json["content"] == "Results for elections"
    assert first.json["embeds"][0]["title"] == "Top 5"
    # The first follow-up after a thinking defer replaces the loading message.
    assert first.response["id"] == str(inter.original_message_id)
    assert emu.original_response(inter)["flags"] == 0

    second = await emu.wait_for_followup(inter)
    assert second.json["flags"] == 64
    assert second.response["id"] != first.response["id"]


async def test_edit_original_response(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("draft")
    cb = await emu.wait_for_callback(inter)
    assert cb.json["data"]["content"] == "draft"
    edit = await emu.wait_for_original_edit(inter)
    assert edit.json["content"] == "final"
    original = emu.original_response(inter)
    assert original["content"] == "final"
    assert original["edited_timestamp"] is not None


async def test_autocomplete(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_autocomplete("search", {"query": "elec"})
    assert inter.payload["data"]["options"] == [
        {"name": "query", "type": 3, "value": "elec", "focused": True}
    ]
    cb = await emu.wait_for_callback(inter)
    assert cb.json["type"] == 8
    assert cb.json["data"]["choices"] == [
        {"name": "elec news", "value": "elec-news"},
        {"name": "elec analysis", "value": "elec-analysis"},
    ]
    assert emu.autocomplete_results[inter.id] == cb.json["data"]["choices"]


async def test_button_view_edits_message(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("vote")
    cb = await emu.wait_for_callback(inter)
    rows = cb.json["data"]["components"]
    assert [c["custom_id"] for row in rows for c in row["components"]] == ["vote:yes", "vote:no"]

    click = await emu.interaction_component(inter.original_message_id, "vote:yes", user="carol")
    update = await emu.wait_for_callback(click)
    assert update.json["type"] == 7
    assert update.json["data"]["content"] == "carol voted yes"
    assert update.json["data"]["components"] == []
    message = emu.get_message(inter.original_message_id)
    assert message["content"] == "carol voted yes"
    assert message["components"] == []


async def test_mention_gets_a_reply_and_intents_are_honoured(
    emu: DiscordEmulator, bot: NewsBot
) -> None:
    plain = await emu.message_create("hello all", author="bob")
    seen = await next_item(bot.seen)
    assert seen.id == int(plain["id"])
    assert seen.content == ""  # no message_content intent and the bot is not mentioned

    sent = await emu.message_create(f"{emu.bot.mention} what's new?", author="bob")
    seen = await next_item(bot.seen)
    assert seen.content.endswith("what's new?")
    reply = await emu.wait_for_request("POST", CHANNEL_MESSAGES)
    assert reply.path == f"/channels/{emu.channel_id}/messages"
    assert reply.json["content"] == "Hi! Try /search."
    assert int(reply.json["message_reference"]["message_id"]) == int(sent["id"])
    assert reply.json["allowed_mentions"]["replied_user"] is False
    assert reply.response["referenced_message"]["id"] == sent["id"]
    assert reply.response["mentions"] == []

    echoed = await next_item(bot.seen)  # Discord echoes the bot's own message back
    assert echoed.author == bot.user
    assert echoed.reference is not None
    assert echoed.reference.message_id == int(sent["id"])


async def test_multipart_upload_and_attachment_download(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("export")
    cb = await emu.wait_for_callback(inter)
    assert cb.headers["Content-Type"].startswith("multipart/form-data")
    assert cb.json["type"] == 4
    assert cb.json["data"]["content"] == "Here you go"
    assert [(f.field, f.filename, f.content) for f in cb.files] == [
        ("files[0]", "report.csv", b"headline,source\n")
    ]
    (attachment,) = emu.original_response(inter)["attachments"]
    assert attachment["filename"] == "report.csv"

    channel = bot.get_channel(emu.channel_id)
    message = await asyncio.wait_for(channel.fetch_message(inter.original_message_id), 5)
    assert await asyncio.wait_for(message.attachments[0].read(), 5) == b"headline,source\n"


async def test_user_option_is_resolved(emu: DiscordEmulator, bot: NewsBot) -> None:
    carol = emu.user("carol")
    inter = await emu.interaction_slash("whois", {"member": carol}, user="bob")
    assert inter.payload["data"]["options"] == [
        {"name": "member", "type": 6, "value": str(carol.id)}
    ]
    cb = await emu.wait_for_callback(inter)
    assert cb.json["data"]["content"] == "carol roles=Moderators"


async def test_direct_messages_and_replies(emu: DiscordEmulator, bot: NewsBot) -> None:
    dm = await emu.message_create("psst", "bob", dm=True)
    seen = await next_item(bot.seen)
    assert isinstance(seen.channel, discord.DMChannel)
    assert seen.content == "psst"  # DMs carry content without the privileged intent

    first = await emu.message_create("first!", "carol")
    await next_item(bot.seen)
    reply = await emu.message_create("replying", "bob", referenced_message=first)
    seen = await next_item(bot.seen)
    assert seen.type is discord.MessageType.reply
    assert seen.reference is not None
    assert seen.reference.message_id == int(first["id"])
    assert reply["mentions"][0]["id"] == first["author"]["id"]
    assert dm["channel_id"] == str(emu.dm_channel(emu.user("bob")).id)


async def test_wrong_token_raises_login_failure(emu: DiscordEmulator) -> None:
    client = NewsBot(emu.guild_id)
    with pytest.raises(discord.LoginFailure):
        async with emu.running(client, token="not-the-token"):
            pass
    assert client.is_closed()
    (login,) = emu.find_requests("GET", "^/users/@me$")
    assert login.status == 401
    assert login.response == {"message": "401: Unauthorized", "code": 0}

    other = NewsBot(emu.guild_id)
    with pytest.raises(discord.LoginFailure):
        await other.login("also-wrong")
    await other.close()


async def test_callback_server_errors_surface_after_retries(
    emu: DiscordEmulator, bot: NewsBot
) -> None:
    emu.fail_next("POST", CALLBACK, 500, times=5)
    started = time.monotonic()
    inter = await emu.interaction_slash("fragile")
    error = await next_item(bot.errors)
    assert isinstance(error, discord.DiscordServerError)
    assert error.status == 500
    attempts = emu.find_requests("POST", re.escape(inter.callback_path))
    assert len(attempts) == 5
    assert all(a.fault and a.status == 500 for a in attempts)
    assert time.monotonic() - started < 2.0  # back-off sleeps are scaled down


async def test_single_callback_500_is_retried(emu: DiscordEmulator, bot: NewsBot) -> None:
    emu.fail_next("POST", CALLBACK, 500)
    inter = await emu.interaction_slash("fragile")
    failed, ok = await emu.wait_for_requests("POST", re.escape(inter.callback_path), 2)
    assert (failed.status, ok.status) == (500, 200)
    assert ok.json["data"]["content"] == "made it"
    assert bot.errors.empty()


async def test_rest_errors_and_rate_limits(emu: DiscordEmulator, bot: NewsBot) -> None:
    channel = bot.get_channel(emu.channel_id)
    assert isinstance(channel, discord.TextChannel)

    emu.fail_next("POST", CHANNEL_MESSAGES, 503)  # not in discord.py's retry set
    with pytest.raises(discord.DiscordServerError):
        await asyncio.wait_for(channel.send("first"), 5)

    emu.fail_next("POST", CHANNEL_MESSAGES, 429)
    message = await asyncio.wait_for(channel.send("second"), 5)
    assert message.content == "second"
    statuses = [r.status for r in emu.find_requests("POST", CHANNEL_MESSAGES)]
    assert statuses == [503, 429, 200]

    await asyncio.wait_for(message.edit(content="second, edited"), 5)
    edit = await emu.wait_for_request("PATCH", rf"{CHANNEL_MESSAGES[:-1]}/{message.id}$")
    assert edit.json["content"] == "second, edited"
    assert emu.get_message(message.id)["content"] == "second, edited"
    await asyncio.wait_for(message.delete(), 5)
    deleted = await emu.wait_for_request("DELETE", rf"/messages/{message.id}$")
    assert deleted.status == 204
    assert message.id not in emu.messages

    emu.fail_next("POST", CHANNEL_MESSAGES, 403, body={"message": "Missing Access", "code": 50001})
    with pytest.raises(discord.Forbidden):
        await asyncio.wait_for(channel.send("third"), 5)


async def test_discord_validation_errors(emu: DiscordEmulator, bot: NewsBot) -> None:
    inter = await emu.interaction_slash("verbose")
    error = await next_item(bot.errors)
    assert isinstance(error, discord.HTTPException)
    assert error.status == 400
    assert error.code == 50035
    assert "2000" in error.text
    assert inter.response_type is None

    inter = await emu.interaction_slash("early")
    error = await next_item(bot.errors)
    assert isinstance(error, discord.NotFound)
    assert error.code == 10015


async def test_resume_after_reconnect_request(emu: DiscordEmulator, bot: NewsBot) -> None:
    await emu.request_reconnect()
    resume = await emu.wait_for_gateway_op(6)
    assert resume.connection.path == "/resume"
    assert resume.d["session_id"] == emu.session_id
    assert resume.d["seq"] >= 2  # READY and GUILD_CREATE were seen
    assert len(emu.identify_payloads) == 1  # resumed, not re-identified

    inter = await emu.interaction_slash("ping", {"text": "again"})
    cb = await emu.wait_for_callback(inter)
    assert cb.json["data"]["content"].startswith("pong: again")

    await emu.disconnect(4000)  # an abnormal close is resumed too
    await emu.wait_for_gateway_op(6)
    inter = await emu.interaction_slash("ping", {"text": "third"})
    cb = await emu.wait_for_callback(inter)
    assert cb.json["data"]["content"].startswith("pong: third")
    assert len(emu.identify_payloads) == 1
    assert [c.path for c in emu.gateway_connections] == ["/", "/resume", "/resume"]


async def test_heartbeats_are_acknowledged() -> None:
    async with DiscordEmulator(heartbeat_interval_ms=50) as emu:
        client = NewsBot(emu.guild_id)
        async with emu.running(client):
            for _ in range(3):
                await emu.wait_for_gateway_op(1)
            assert client.latency < 1.0


async def test_privileged_intents_can_be_refused() -> None:
    async with DiscordEmulator(allow_privileged_intents=False) as emu:
        intents = discord.Intents.default()
        intents.message_content = True
        client = NewsBot(emu.guild_id, intents=intents)
        with pytest.raises(discord.PrivilegedIntentsRequired):
            async with emu.running(client):
                pass
        assert emu.identify_payloads[0]["intents"] & INTENT_MESSAGE_CONTENT


async def test_raw_http_contract(emu: DiscordEmulator) -> None:
    headers = {"Authorization": f"Bot {emu.token}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{emu.api_base}/users/@me", headers=headers) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"] == "application/json"
            assert (await resp.json())["id"] == str(emu.bot_user_id)
        async with session.get(f"{emu.api_base}/gateway/bot", headers=headers) as resp:
            assert (await resp.json())["url"] == emu.gateway_url
        async with session.get(f"{emu.api_base}/no/such/route", headers=headers) as resp:
            assert resp.status == 404
            assert resp.headers["Content-Type"] == "application/json"
            assert await resp.json() == {"message": "404: Not Found", "code": 0}
    assert [r.path for r in emu.unhandled] == ["/no/such/route"]


async def test_clean_shutdown(emu: DiscordEmulator) -> None:
    client = NewsBot(emu.guild_id)
    task = asyncio.create_task(client.start(emu.token))
    await emu.wait_until_ready()
    await asyncio.wait_for(client.wait_until_ready(), 5)
    inter = await emu.interaction_slash("vote")  # leaves a view with a timeout behind
    await emu.wait_for_callback(inter)

    await asyncio.wait_for(client.close(), 5)
    await asyncio.wait_for(task, 5)
    assert task.exception() is None
    assert client.is_closed()

    for thread in threading.enumerate():
        if type(thread).__name__ == "KeepAliveHandler":
            thread.join(2)
            assert not thread.is_alive()
    assert await emu.leftover_tasks() == []
    (conn,) = emu.gateway_connections
    assert conn.closed_at is not None
    # close(code=1000) races discord.py's own receive loop, which closes with 4000 first.
    assert conn.close_code in (1000, 4000)
