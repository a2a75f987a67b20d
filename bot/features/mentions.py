"""Questions in messages: mentioning the bot, replying to it, in a DM or an answer channel.

Discord delivers the text of messages that mention the bot even without the privileged
Message Content intent, so mentions and (pinging) replies always work; the intent is only
needed to read every message of ``DISCORD_ANSWER_CHANNEL_IDS``.
"""

from __future__ import annotations

import logging

import discord
from discord.ext import commands

from bot import render, replies
from bot.answering import answer_message
from bot.client import NewsBot
from bot.kit.mentions import strip_mentions
from bot.kit.respond import reply_to

log = logging.getLogger(__name__)

WAIT = "\N{HOURGLASS WITH FLOWING SAND}"  # on a question refused by the cooldown


class Mentions(commands.Cog):
    """Answer questions addressed to the bot in ordinary messages."""

    def __init__(self, bot: NewsBot) -> None:
        self.bot = bot

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """Reply with the same answer ``/ask`` gives, or a short help for a bare mention."""
        question = self.question_in(message)
        if question is None:
            return
        wait = self.bot.cooldown.retry_after(message.author.id)  # bare mentions post help
        if wait:
            await self.refuse_quietly(message, wait)
            return
        if not question:
            help_reply = replies.usage(replies.DISCORD_USAGE)
            await reply_to(message, embeds=render.to_embeds(help_reply))
            return
        reply = await self.bot.answer(question)
        await reply_to(message, **answer_message(self.bot, reply))

    async def refuse_quietly(self, message: discord.Message, wait: float) -> None:
        """Mark the first refused message of a wait with a reaction, and the rest not at all.

        A post per refusal would let one user flood the channel through the bot.
        """
        if not self.bot.cooldown.first_refusal(message.author.id, wait):
            return
        try:
            await message.add_reaction(WAIT)
        except discord.HTTPException as error:  # no Add Reactions permission: stay silent
            log.info("could not react to a refused question: %s", error)

    def question_in(self, message: discord.Message) -> str | None:
        """Return the question a message asks the bot, "" for a bare mention, else ``None``."""
        me = self.bot.user
        if me is None or message.author.bot:
            return None
        mentioned = any(user.id == me.id for user in message.mentions)
        replied = (
            message.reference is not None
            and isinstance(message.reference.resolved, discord.Message)
            and message.reference.resolved.author.id == me.id
        )
        direct = message.guild is None or message.channel.id in self.bot.settings.answer_channel_ids
        if not (mentioned or replied or direct):
            return None
        question = strip_mentions(message.content)
        if not question and not mentioned:
            return None  # e.g. an image, or text the bot may not read
        return question


async def setup(bot: NewsBot) -> None:
    """Add the feature to the bot."""
    await bot.add_cog(Mentions(bot))
