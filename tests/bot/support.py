"""Small helpers for reading what the bot sent to the emulator."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

from devtools.discord_emulator import DiscordEmulator, RecordedRequest

EPHEMERAL = 1 << 6
ASK = "How many missiles and drones did Russia send toward Kyiv?"
CHANNEL_POST = r"/channels/\d+/messages$"
_MESSAGE_KEYS = ("content", "embeds", "components")


def body(request: RecordedRequest) -> dict[str, Any]:
    """The message part of a request: an interaction callback's ``data``, else the JSON."""
    payload = request.json or {}
    return payload.get("data") or {} if request.path.endswith("/callback") else payload


def message_bodies(emu: DiscordEmulator) -> list[dict[str, Any]]:
    """Every message the bot created or edited, whichever endpoint it used."""
    bodies = [body(r) for r in emu.requests if r.method in ("POST", "PATCH")]
    return [b for b in bodies if any(key in b for key in _MESSAGE_KEYS)]


def assert_no_pings(emu: DiscordEmulator) -> None:
    bodies = message_bodies(emu)
    assert bodies
    for sent in bodies:
        allowed = sent.get("allowed_mentions", {})
        assert allowed.get("parse") == [], sent
        assert not allowed.get("users")
        assert not allowed.get("roles")
        assert not allowed.get("replied_user")


def descriptions(sent: dict[str, Any]) -> list[str]:
    return [embed.get("description", "") for embed in sent.get("embeds", [])]


def custom_ids(sent: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in sent.get("components", []) for c in row["components"]]


def button(sent: dict[str, Any], label: str) -> dict[str, Any]:
    buttons = [c for row in sent.get("components", []) for c in row["components"]]
    return next(c for c in buttons if c.get("label") == label)


async def eventually(check: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until ``check()`` is true (for state the bot changes in the background)."""
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.02)


def sent_to_channel(emu: DiscordEmulator) -> list[RecordedRequest]:
    return [r for r in emu.requests if r.method == "POST" and re.search(CHANNEL_POST, r.path)]
