"""The real newsdesk bot, set up to run against the Discord emulator.

Shared by the bot's tests and the bot benchmarks, so both drive the same configuration.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from bot.client import NewsBot
from bot.settings import Settings
from devtools.discord_emulator import DiscordEmulator
from index.retriever import Retriever


def emulated_bot(emu: DiscordEmulator, library: Retriever, seeds: Path, **settings: Any) -> NewsBot:
    """Build the bot for the emulator; keywords replace settings.

    Commands are synced to the emulator's guild (so ``interaction_slash`` finds them at
    once), there is no cooldown, and no folder watcher (callers trigger reloads themselves).
    """
    defaults = Settings(
        token=emu.token, guild_ids=(emu.guild_id,), seeds=seeds, ask_cooldown=0, watch_interval=0
    )
    return NewsBot(dataclasses.replace(defaults, **settings), library, guild_ready_timeout=0.05)
