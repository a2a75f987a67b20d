"""Show a ``Reply``: as Discord embeds that always fit Discord's limits, or as console text.

On Discord each quoted passage gets an embed of its own rather than a field in a shared
one: an embed title can link to the original article (a field name cannot), a description
holds 4,096 characters against a field's 1,024 so quotes are rarely trimmed, and on a phone
stacked embeds read as separate quotes, each with its citation right under it. Ten embeds
per message is also the most passages an answer may have (``NEWSDESK_RESULTS`` <= 10).
No fields are used at all, so the 25-field limit cannot be reached.
"""

from __future__ import annotations

import re

import discord

from bot.replies import Card, Reply
from bot.splitting import clip, paginate, plain
from index import ANSI_BOLD, MARKDOWN_BOLD, emphasize, read_in_full

# Discord's limits (characters unless said otherwise).
CONTENT = 2000
TITLE = 256
DESCRIPTION = 4096
EMBED_TOTAL = 6000  # all embeds of one message together
EMBEDS = 10  # per message
LABEL = 80  # button label
CHOICE = 100  # autocomplete choice name and value
BUTTONS = 25  # 5 rows of 5

# Our own, smaller sizes, for reading on a phone.
PAGE = 4000  # an article page: a short news story fits whole (scrolling beats tapping Next)
CITATION = 200  # an embed footer (Discord allows 2,048): outlet, passage, heading
NOTE = 300  # the line under a quoted question

COLOUR = discord.Colour(0x2F6FB3)
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"]{1,2000}")  # Discord rejects other embed URLs


def content(reply: Reply) -> str | None:
    """Quote the question being answered above the embeds (``None`` when there is none).

    A note on how it was read goes under it in Discord's small grey subtext (``-#``).
    """
    if not reply.question:
        return None
    note = "".join(f"\n-# {line}" for line in clip(reply.note, NOTE).splitlines())
    return "> " + clip(" ".join(reply.question.split()), CONTENT - 2 - len(note)) + note


def to_embeds(reply: Reply) -> list[discord.Embed]:
    """Render one embed per card, sharing the 6,000-character budget fairly between them."""
    cards = reply.cards[:EMBEDS]
    if not cards:
        return []
    titles = [clip(card.title, TITLE) for card in cards]
    footers = [clip(card.footer, CITATION, render=plain) for card in cards]
    fixed = sum(map(len, titles)) + sum(map(len, footers))
    share = min(DESCRIPTION, (EMBED_TOTAL - fixed) // len(cards))
    return [
        _embed(title, clip(card.text, share, bold=card.bold), card.url, footer)
        for card, title, footer in zip(cards, titles, footers, strict=True)
    ]


def to_pages(reply: Reply) -> list[discord.Embed]:
    """Render the cards whole, each split over as many page-sized embeds as it needs."""
    embeds: list[discord.Embed] = []
    for card in reply.cards:
        title = clip(card.title, TITLE)
        pages = paginate(card.text, PAGE, bold=card.bold) or [""]
        for number, page in enumerate(pages, 1):
            counter = f"Page {number}/{len(pages)}" if len(pages) > 1 else ""
            footer = " · ".join(part for part in (counter, card.footer) if part)
            embeds.append(_embed(title, page, card.url, clip(footer, CITATION, render=plain)))
    return embeds


def label(text: str, limit: int = LABEL) -> str:
    """Fit a title on a button or in an autocomplete choice (plain text, one line)."""
    return clip(" ".join(text.split()), limit, render=plain) or "…"


def to_text(reply: Reply, *, ansi: bool = False) -> str:
    """Render the cards for the console, in bold with ANSI codes or ``**`` markers.

    For the replies that are not answers (help, an article, an unknown name): answers, with
    their question and note, are ``index.answer_text``'s, as the CLI prints them.
    """
    mark = ANSI_BOLD if ansi else MARKDOWN_BOLD
    blocks = [_card_text(card, mark) for card in reply.cards]
    if reply.articles:
        blocks.append(read_in_full((a.id for a in reply.articles), "/source"))
    return "\n\n".join(blocks)


def _card_text(card: Card, mark: tuple[str, str]) -> str:
    lines = [emphasize(card.title, [(0, len(card.title))], mark=mark)]
    lines.append(emphasize(card.text, card.bold, mark=mark))
    citation = " · ".join(part for part in (card.footer, card.url) if part)
    if citation:
        lines.append(f"— {citation}")
    return "\n".join(lines)


def _embed(title: str, description: str, url: str, footer: str) -> discord.Embed:
    embed = discord.Embed(
        title=title or None,
        description=description or None,
        url=url if _WEB_ADDRESS.fullmatch(url) else None,
        colour=COLOUR,
    )
    if footer:
        embed.set_footer(text=footer)
    return embed
