"""The Discord client: a thin ``commands.Bot`` holding the library, plus ``serve`` to run it.

Features live in ``bot.features``, one extension per module, all loaded at start; this
class only keeps what they share (settings, the current library, the ask cooldown, the
answer queue, open views) and the handling every feature relies on (command sync, the
start-up line, errors).
"""

from __future__ import annotations

import asyncio
import logging
import pkgutil
import weakref
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import features, replies
from bot.kit.cooldown import Cooldown
from bot.kit.errors import APOLOGY, apologize
from bot.kit.queue import AnswerQueue, QueueFull
from bot.kit.respond import NO_MENTIONS, reply_to, respond
from bot.settings import Settings
from index import Retriever, open_retriever

log = logging.getLogger(__name__)


class NewsBot(commands.Bot):
    """Answers questions about the articles of ``library`` on Discord."""

    def __init__(self, settings: Settings, library: Retriever, **options: Any) -> None:
        options.setdefault("intents", intents_for(settings))
        # No prefix matches any message: everything is a slash command or a mention.
        super().__init__(
            command_prefix=(), help_command=None, allowed_mentions=NO_MENTIONS, **options
        )
        self.settings = settings
        self.library = library  # swapped whole by a reload; read it once per use
        self.cooldown = Cooldown(settings.ask_cooldown, settings.ask_burst)
        self.answers = AnswerQueue(settings.queue_wait)
        self.synced = 0
        self.open_views: weakref.WeakSet[discord.ui.View] = weakref.WeakSet()
        self.tree.on_error = self.on_app_command_error

    async def setup_hook(self) -> None:
        """Load every feature module, then register the slash commands with Discord."""
        for module in pkgutil.iter_modules(features.__path__, f"{features.__name__}."):
            await self.load_extension(module.name)
        # One process syncs the commands: the one running shard 0 (or the only one).
        if not self.settings.shard_ids or 0 in self.settings.shard_ids:
            self.synced = await self._sync_commands()

    async def _sync_commands(self) -> int:
        """Sync to the configured guilds (instant), else globally (may take an hour)."""
        if not self.settings.guild_ids:
            return len(await self.tree.sync())
        synced = []
        for guild_id in self.settings.guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
        return len(synced)

    async def close(self) -> None:
        """Stop views still waiting for clicks too: their timeouts would outlive the client."""
        for view in list(self.open_views):
            view.stop()
        self.answers.close()
        await super().close()

    async def on_ready(self) -> None:
        """Log the one start-up line: what is served, where, with how many commands."""
        report = self.library.report
        log.info(
            "ready as %s: %d articles, %d passages (index: %s), %d guilds, %d commands synced",
            self.user,
            report.articles,
            report.passages,
            report.reason,
            len(self.guilds),
            self.synced,
        )

    async def answer(self, question: str) -> replies.Reply:
        """Answer from the library as it is now, on a search thread.

        The event loop only waits, so it stays free to acknowledge other questions; past the
        queue's bound the reply says the bot is busy.
        """
        library, k = self.library, self.settings.results
        try:
            return await self.answers.run(lambda: replies.answer(library.ask(question, k), library))
        except QueueFull:
            return replies.busy()

    async def on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        """Explain refused checks; apologise for anything else (and log it)."""
        if isinstance(error, app_commands.CheckFailure):
            await respond(interaction, str(error), ephemeral=True)
        else:
            await apologize(interaction, getattr(error, "original", error))

    async def on_error(self, event_method: str, /, *args: Any, **kwargs: Any) -> None:
        """Log a failed event handler and, if it was answering a message, apologise there."""
        log.exception("error in %s", event_method)
        message = next((arg for arg in args if isinstance(arg, discord.Message)), None)
        if message is not None:
            try:
                await reply_to(message, APOLOGY)
            except discord.HTTPException:
                log.warning("could not send the apology either", exc_info=True)


class ShardedNewsBot(NewsBot, commands.AutoShardedBot):
    """The same bot over several gateway connections (discord.py's shards) in one process."""


def make_bot(settings: Settings, library: Retriever, **options: Any) -> NewsBot:
    """The bot the settings ask for: sharded when ``DISCORD_SHARD_COUNT`` is set."""
    if settings.shard_count is None:
        return NewsBot(settings, library, **options)
    if settings.shard_count:  # else discord.py asks Discord how many
        options.update(shard_count=settings.shard_count, shard_ids=list(settings.shard_ids) or None)
    return ShardedNewsBot(settings, library, **options)


def intents_for(settings: Settings) -> discord.Intents:
    """Ask for the privileged Message Content intent only when answer channels need it."""
    intents = discord.Intents.default()
    intents.message_content = settings.reads_messages
    return intents


async def serve(settings: Settings) -> None:
    """Open the library, then run the bot until closed (without Message Content if refused)."""
    library = await asyncio.to_thread(
        open_retriever,
        settings.index.articles,
        settings.index.index_dir,
        config=settings.search,
        engine=settings.index.engine,
    )
    intents = intents_for(settings)
    while True:
        async with make_bot(settings, library, intents=intents) as bot:
            try:
                await bot.start(settings.token)
                return
            except discord.PrivilegedIntentsRequired:
                if not intents.message_content:
                    raise
        log.warning(
            "Discord refused the Message Content intent, so only mentions and slash commands "
            "are answered; to answer every message in DISCORD_ANSWER_CHANNEL_IDS, enable it in "
            "the Developer Portal (Bot, Privileged Gateway Intents). Reconnecting without it."
        )
        intents.message_content = False
