"""Draw, as plain text, what Discord shows for one ``/ask`` answer and one ``/source`` page.

Run from the repository root: ``python -m benchmarks.render_dump [--width 60]``. The
messages are the real payloads the bot sends to the local Discord emulator; they are drawn
at a phone's width, with bold as Unicode bold letters, escapes removed, embeds boxed behind
their colour bar and buttons in brackets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Any

from devtools.discord_emulator import DiscordEmulator
from devtools.emulated_bot import emulated_bot
from index.library import Library

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How many missiles and drones did Russia send toward Kyiv?"
_BOLD = {
    **{chr(ord("A") + i): chr(0x1D400 + i) for i in range(26)},
    **{chr(ord("a") + i): chr(0x1D41A + i) for i in range(26)},
    **{chr(ord("0") + i): chr(0x1D7CE + i) for i in range(10)},
}


def markdown(text: str) -> str:
    """Apply the little Markdown the bot uses: bold, and escaped characters shown plainly."""
    text = re.sub(r"\*\*(.+?)\*\*", lambda m: m.group(1).translate(str.maketrans(_BOLD)), text)
    return re.sub(r"\\(.)", r"\1", text)


def wrap(text: str, width: int, prefix: str) -> list[str]:
    lines = []
    for line in markdown(text).split("\n"):
        lines += textwrap.wrap(line, width - len(prefix)) or [""]
    return [prefix + line for line in lines]


def draw(message: dict[str, Any], width: int) -> str:
    """One message as a phone would show it, roughly."""
    lines = ["Newsdesk  APP"]
    if message.get("content"):
        lines += wrap(message["content"].removeprefix("> "), width, "▎ ")
    for embed in message.get("embeds", []):
        lines.append("")
        if embed.get("title"):
            lines += wrap(embed["title"], width, "┃ ")
        if embed.get("url"):
            lines.append(f"┃ ↗ {embed['url']}"[:width])
        if embed.get("description"):
            lines.append("┃")
            lines += wrap(embed["description"], width, "┃ ")
        if embed.get("footer"):
            lines += ["┃", *wrap(embed["footer"]["text"], width, "┃ ")]
    for row in message.get("components", []):
        buttons = []
        for button in row["components"]:
            emoji = (button.get("emoji") or {}).get("name", "")
            label = f"{emoji} {button.get('label', '')}".strip()
            buttons.append(f"[{label}]" + (" (disabled)" if button.get("disabled") else ""))
        lines += ["", *textwrap.wrap("  ".join(buttons), width)]
    return "\n".join(lines)


async def main(width: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        os.environ["NEWSDESK_INDEX_DIR"] = str(Path(tmp) / "index")
        library = await asyncio.to_thread(Library.open, seeds)
        async with DiscordEmulator() as emu, emu.running(emulated_bot(emu, library, seeds)):
            ask = await emu.interaction_slash("ask", {"question": QUESTION})
            answer = (await emu.wait_for_followup(ask)).json
            source = await emu.interaction_slash("source", {"article": "russia-ramps"})
            page = (await emu.wait_for_callback(source)).json["data"]
    rule = "─" * width
    print(f"{rule}\n/ask question: {QUESTION}\n{rule}\n{draw(answer, width)}\n")
    print(f"{rule}\n/source article: russia-ramps\n{rule}\n{draw(page, width)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--width", type=int, default=60, help="characters per line")
    asyncio.run(main(parser.parse_args().width))
