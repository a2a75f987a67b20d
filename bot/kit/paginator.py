"""Pages of embeds behind Previous / Next buttons that only the person who asked can turn."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial

import discord

from bot.kit.errors import apologize
from bot.kit.respond import NO_MENTIONS, Edit, respond

log = logging.getLogger(__name__)

NOT_YOURS = "Only the person who asked can turn these pages; run the command yourself to read it."


class Paginator(discord.ui.View):
    """Show one page at a time; after ``timeout`` idle seconds the buttons are removed."""

    def __init__(self, pages: Sequence[discord.Embed], reader_id: int, timeout: float) -> None:
        super().__init__(timeout=timeout)
        if not pages:
            raise ValueError("nothing to show")
        self.pages = list(pages)
        self.reader_id = reader_id
        self.index = 0
        self._edit: Edit | None = None
        self._update_buttons()

    async def start(self, interaction: discord.Interaction, *, ephemeral: bool = False) -> None:
        """Send the first page, with buttons only if there is more than one."""
        if len(self.pages) == 1:
            self.stop()
            await respond(interaction, embeds=self.pages, ephemeral=ephemeral)
            return
        self._edit = await respond(
            interaction, embeds=[self.pages[0]], view=self, ephemeral=ephemeral
        )

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Let only the reader who asked turn pages; tell anyone else why nothing happens."""
        if interaction.user.id == self.reader_id:
            return True
        await respond(interaction, NOT_YOURS, ephemeral=True)
        return False

    @discord.ui.button(label="Previous", emoji="◀️", style=discord.ButtonStyle.secondary)
    async def previous_page(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Show the page before."""
        await self._turn(interaction, -1)

    @discord.ui.button(label="1/1", style=discord.ButtonStyle.secondary, disabled=True)
    async def counter(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Never called: a disabled button showing where the reader is."""

    @discord.ui.button(label="Next", emoji="▶️", style=discord.ButtonStyle.primary)
    async def next_page(self, interaction: discord.Interaction, _: discord.ui.Button) -> None:
        """Show the page after."""
        await self._turn(interaction, +1)

    async def _turn(self, interaction: discord.Interaction, step: int) -> None:
        self.index = max(0, min(len(self.pages) - 1, self.index + step))
        self._update_buttons()
        await interaction.response.edit_message(
            embed=self.pages[self.index], view=self, allowed_mentions=NO_MENTIONS
        )
        # The click's token is fresh for 15 minutes: use it to remove the buttons later.
        self._edit = partial(interaction.edit_original_response, allowed_mentions=NO_MENTIONS)

    def _update_buttons(self) -> None:
        self.previous_page.disabled = self.index == 0
        self.next_page.disabled = self.index == len(self.pages) - 1
        self.counter.label = f"{self.index + 1}/{len(self.pages)}"

    async def on_timeout(self) -> None:
        """Remove the buttons, so nobody presses one that no longer answers."""
        if self._edit is None:
            return
        try:
            await self._edit(view=None)
        except discord.HTTPException as error:  # deleted, or the token expired
            log.info("could not remove the page buttons: %s", error)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item
    ) -> None:
        """Apologise instead of failing silently."""
        await apologize(interaction, error)
