"""Picking up new or changed articles without a restart: ``/reload`` and a folder watcher.

Both build the new library in a thread and swap it in only when it is ready, so questions
asked meanwhile are answered from the old one.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot import replies
from bot.client import NewsBot
from bot.kit.respond import respond
from index import BuildReport

log = logging.getLogger(__name__)


class NotOwner(app_commands.CheckFailure):
    """Raised for anyone but the bot's owner (its application owner or team)."""


async def is_owner(interaction: discord.Interaction) -> bool:
    """Let the owner, as Discord's application info names them, through."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    if await bot.is_owner(interaction.user):
        return True
    raise NotOwner("Only the bot's owner can reload the articles.")


class Reload(commands.Cog):
    """Reload the articles on request and whenever the folder changes."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot
        self._lock = asyncio.Lock()  # one rebuild at a time

    async def cog_load(self) -> None:
        """Start watching the folder, unless the interval is 0."""
        if self.bot.settings.watch_interval:
            self.watch.change_interval(seconds=self.bot.settings.watch_interval)
            self.watch.start()

    async def cog_unload(self) -> None:
        """Stop watching."""
        self.watch.cancel()

    @app_commands.command(description="Re-read the articles folder now (owner only)")
    @app_commands.check(is_owner)
    async def reload(self, interaction: discord.Interaction) -> None:
        """Reload and say what changed."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        report = await self.refresh()
        await respond(interaction, replies.reloaded(report), ephemeral=True)

    @tasks.loop(seconds=30)
    async def watch(self) -> None:
        """Reload when a cheap look at the folder (names, sizes, times) shows a change."""
        try:
            if await asyncio.to_thread(self.bot.library.changed):
                await self.refresh()
        except Exception:  # an unreadable folder must not stop the watcher for good
            log.exception("could not check or reload the articles folder")

    async def refresh(self) -> BuildReport:
        """Build the library anew in a thread, then swap it in."""
        async with self._lock:
            library = await asyncio.to_thread(self.bot.library.reload)
            self.bot.library = library
        log.info("%s", replies.reloaded(library.report))
        return library.report


async def setup(bot: NewsBot) -> None:
    """Add the feature to the bot."""
    await bot.add_cog(Reload(bot))
