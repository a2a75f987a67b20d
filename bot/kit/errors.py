"""One way to fail: log the traceback, tell the user briefly, never leave them waiting."""

from __future__ import annotations

import logging

import discord

from bot.kit.respond import respond

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. It has been logged; please try again."


async def apologize(interaction: discord.Interaction, error: BaseException) -> None:
    """Log ``error`` with its traceback and send the user a short ephemeral apology."""
    command = interaction.command.qualified_name if interaction.command else "a component"
    log.error("error while handling %s for user %s", command, interaction.user.id, exc_info=error)
    try:
        await respond(interaction, APOLOGY, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not send the apology either", exc_info=True)
