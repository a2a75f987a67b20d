"""``/ask``: the passages that answer a question, quoted with their citations."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import replies
from bot.client import NewsBot
from bot.features.sources import answer_message
from bot.kit.respond import respond
from index.answers import MAX_QUESTION_CHARS


class Ask(commands.Cog):
    """Answer questions asked with the slash command."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(description="Ask about the news articles; get the passages that answer")
    @app_commands.describe(question="What you want to know", private="Show the answer only to you")
    async def ask(
        self,
        interaction: discord.Interaction,
        question: app_commands.Range[str, 1, MAX_QUESTION_CHARS],
        private: bool = False,
    ) -> None:
        """Reply with the best passages, or say the articles do not answer."""
        wait = self.bot.cooldown.retry_after(interaction.user.id)
        if wait:
            await respond(interaction, replies.cooldown(wait), ephemeral=True)
            return
        # Always defer: the search runs in a thread and can queue behind an index rebuild,
        # so answering directly could miss Discord's 3-second deadline.
        await interaction.response.defer(ephemeral=private, thinking=True)
        reply = await self.bot.answer(question)
        await respond(interaction, **answer_message(self.bot, reply), ephemeral=private)


async def setup(bot: NewsBot) -> None:
    """Add the feature to the bot."""
    await bot.add_cog(Ask(bot))
