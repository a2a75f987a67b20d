"""Reading articles: ``/source``, ``/sources``, and the buttons that open a cited article.

The buttons themselves (``OpenArticle``) live in ``bot.answering``, beside the answers that
carry them; they are registered here, with the commands that show articles.

Everything here is answered directly, without deferring: finding an article and splitting
its (cached) text into pages are in-memory work of a few milliseconds, even for a 60-KB
article, far inside Discord's 3 seconds.
"""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, replies
from bot.answering import OpenArticle, paginate, show_article
from bot.client import NewsBot


class Sources(commands.Cog):
    """List the articles and show any of them in full."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @app_commands.command(description="Read a whole article, page by page")
    @app_commands.describe(article="Title or id: start typing to pick one")
    async def source(self, interaction: discord.Interaction, article: str) -> None:
        """Show the article, or suggest close matches if none is named."""
        await show_article(interaction, article, ephemeral=False)

    @source.autocomplete("article")
    async def suggest(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer articles by exact, prefix, then fuzzy match on title and id."""
        return [
            app_commands.Choice(
                name=render.label(article.title, render.CHOICE),
                value=article.id,
            )
            for article in self.bot.library.find(current, limit=25)
        ]

    @app_commands.command(description="List the articles I can quote")
    async def sources(self, interaction: discord.Interaction) -> None:
        """Show the list, paginated when it is long."""
        pages = render.to_pages(replies.catalog(self.bot.library.articles()))
        await paginate(interaction, pages, self.bot, ephemeral=False)


async def setup(bot: NewsBot) -> None:
    """Add the feature, and the article buttons wherever they were sent."""
    bot.add_dynamic_items(OpenArticle)
    await bot.add_cog(Sources(bot))
