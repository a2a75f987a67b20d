"""``/ask``: the passages that answer a question, quoted with their citations."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import replies
from bot.answering import answer_message
from bot.client import NewsBot
from bot.kit.mentions import strip_mentions
from bot.kit.respond import respond
from index import MAX_QUESTION_CHARS


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
        # Acknowledge before any other work, the cooldown included: in a burst, every step
        # taken first delays the acknowledgements queued behind it past Discord's 3 seconds.
        await interaction.response.defer(ephemeral=private, thinking=True)
        wait = self.bot.cooldown.retry_after(interaction.user.id)
        if wait:  # said to the asker alone: a public "thinking…" message is removed first
            if not private:
                await interaction.delete_original_response()
            await respond(interaction, replies.cooldown(wait), ephemeral=True)
            return
        reply = await self.bot.answer(strip_mentions(question))
        await respond(interaction, **answer_message(self.bot, reply), ephemeral=private)


async def setup(bot: NewsBot) -> None:
    """Add the feature to the bot."""
    await bot.add_cog(Ask(bot))
