"""Sending that is always safe: nobody is ever pinged, and the right endpoint is used.

Text the bot sends may quote articles or echo users, and either can contain ``@everyone``,
role or user mentions; ``AllowedMentions.none()`` on every call makes them inert, so no
feature has to remember it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import discord

NO_MENTIONS = discord.AllowedMentions.none()

# Edits the message that was sent (e.g. to remove its buttons once they time out).
Edit = Callable[..., Awaitable[object]]


async def respond(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    ephemeral: bool = False,
) -> Edit:
    """Send the interaction's response, or a follow-up once it was answered or deferred.

    Return a function that edits what was sent, for views that outlive the first response.
    """
    message: dict[str, Any] = {
        "embeds": list(embeds),
        "allowed_mentions": NO_MENTIONS,
        "ephemeral": ephemeral,
    }
    if content:
        message["content"] = content
    if view is not None:
        message["view"] = view
    if interaction.response.is_done():
        sent = await interaction.followup.send(**message, wait=True)
        return partial(sent.edit, allowed_mentions=NO_MENTIONS)
    await interaction.response.send_message(**message)
    return partial(interaction.edit_original_response, allowed_mentions=NO_MENTIONS)


async def reply_to(
    message: discord.Message,
    content: str | None = None,
    *,
    embeds: Sequence[discord.Embed] = (),
    view: discord.ui.View | None = None,
    delete_after: float | None = None,
) -> discord.Message:
    """Reply to a message without pinging its author or anyone named in the reply."""
    return await message.reply(
        content,
        embeds=list(embeds),
        view=view,
        delete_after=delete_after,
        allowed_mentions=NO_MENTIONS,
        mention_author=False,
    )
