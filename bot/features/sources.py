"""Reading articles: ``/source``, ``/sources``, and the buttons that open a cited article.

Everything here is answered directly, without deferring: finding an article and splitting
its (cached) text into pages are in-memory work of a few milliseconds, even for a 60-KB
article, far inside Discord's 3 seconds.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render, replies
from bot.client import NewsBot
from bot.kit.errors import apologize
from bot.kit.paginator import Paginator
from bot.kit.respond import respond

_OPEN = "article:"  # custom_id prefix of the buttons that open an article (ids are short)


class OpenArticle(discord.ui.DynamicItem[discord.ui.Button], template=rf"{_OPEN}(?P<ref>.+)"):
    """A button that shows an article, page by page, to whoever presses it.

    Dynamic items are matched by their custom_id, so the buttons of old answers keep working,
    even after a restart, without the bot keeping a view per message.
    """

    def __init__(self, ref: str, title: str = "") -> None:
        super().__init__(
            discord.ui.Button(
                label=render.label(title or ref),
                emoji="📄",
                custom_id=_OPEN + ref,
            )
        )
        self.ref = ref

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /
    ) -> OpenArticle:
        """Rebuild the button from a press on any message that carries it."""
        return cls(match["ref"])

    async def callback(self, interaction: discord.Interaction) -> None:
        """Show the article privately to the presser."""
        try:
            await show_article(interaction, self.ref, ephemeral=True)
        except Exception as error:  # dynamic items have no on_error of their own
            await apologize(interaction, error)


def article_buttons(bot: NewsBot, reply: replies.Reply) -> discord.ui.View | None:
    """Buttons opening each article a reply cites or suggests (``None`` if there are none).

    The bot keeps track of the view: discord.py gives views on ephemeral messages a
    15-minute timeout, which must not outlive the client.
    """
    if not reply.articles:
        return None
    view = discord.ui.View(timeout=None)
    bot.open_views.add(view)
    for link in reply.articles[: render.BUTTONS]:
        view.add_item(OpenArticle(link.id, link.title))
    return view


def answer_message(bot: NewsBot, reply: replies.Reply) -> dict[str, Any]:
    """An answer as message parts (text, embeds, article buttons), for any way of sending."""
    return {
        "content": render.content(reply),
        "embeds": render.to_embeds(reply),
        "view": article_buttons(bot, reply),
    }


async def show_article(interaction: discord.Interaction, ref: str, *, ephemeral: bool) -> None:
    """Show the article ``ref`` (an id, a title or a fragment) names, or suggest close ones."""
    bot: NewsBot = interaction.client  # type: ignore[assignment]
    library = bot.library
    found = [article] if (article := library.by_id(ref)) else library.matches(ref)
    if len(found) != 1:
        reply = replies.unmatched(ref, found, library.find(ref, limit=5))
        await respond(
            interaction,
            embeds=render.to_embeds(reply),
            view=article_buttons(bot, reply),
            ephemeral=True,
        )
        return
    pages = render.to_pages(replies.article(found[0], library.text(found[0])))
    await _paginate(interaction, pages, bot, ephemeral=ephemeral)


async def _paginate(
    interaction: discord.Interaction, pages: list[discord.Embed], bot: NewsBot, *, ephemeral: bool
) -> None:
    paginator = Paginator(pages, interaction.user.id, timeout=bot.settings.page_timeout)
    bot.open_views.add(paginator)
    await paginator.start(interaction, ephemeral=ephemeral)


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
        await _paginate(interaction, pages, self.bot, ephemeral=False)


async def setup(bot: NewsBot) -> None:
    """Add the feature, and the article buttons wherever they were sent."""
    bot.add_dynamic_items(OpenArticle)
    await bot.add_cog(Sources(bot))
