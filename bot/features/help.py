"""``/help``: what the bot can do."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, replies
from bot.client import NewsBot
from bot.kit.respond import respond


class Help(commands.Cog):
    """Explain the commands."""

    @app_commands.command(description="How to ask me about the articles")
    async def help(self, interaction: discord.Interaction) -> None:
        """List the commands, privately."""
        reply = replies.usage(replies.DISCORD_USAGE)
        await respond(interaction, embeds=render.to_embeds(reply), ephemeral=True)


async def setup(bot: NewsBot) -> None:
    """Add the feature to the bot."""
    await bot.add_cog(Help())
