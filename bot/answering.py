"""From an answer to a Discord message: its parts, the buttons that open a cited article.

Every way of asking (``/ask``, a mention, a reply, an answer channel) sends its answer with
``answer_message``, and an article opened from a button or ``/source`` is shown by
``show_article``; features import these from here, never from each other.

Showing an article is answered directly, without deferring: finding it and splitting its
(cached) text into pages are in-memory work of a few milliseconds, even for a 60-KB article,
far inside Discord's 3 seconds.
"""

from __future__ import annotations

import re
from typing import Any

import discord

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
    await paginate(interaction, pages, bot, ephemeral=ephemeral)


async def paginate(
    interaction: discord.Interaction, pages: list[discord.Embed], bot: NewsBot, *, ephemeral: bool
) -> None:
    """Send ``pages`` with Previous/Next buttons only the asker can press."""
    paginator = Paginator(pages, interaction.user.id, timeout=bot.settings.page_timeout)
    bot.open_views.add(paginator)
    await paginator.start(interaction, ephemeral=ephemeral)
