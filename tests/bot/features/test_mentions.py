"""Questions in messages: mentions, replies to the bot, answer channels."""

import asyncio

from tests.bot.support import ASK, assert_no_pings, body, custom_ids, descriptions, sent_to_channel


async def reply_in_channel(emu):
    return body(await emu.wait_for_request("POST", r"/channels/\d+/messages$"))


async def test_a_mention_gets_the_answer_as_a_reply(start):
    async with start() as (emu, _):
        asked = await emu.message_create(f"<@{emu.bot_user_id}> {ASK}", author="bob")
        reply = await reply_in_channel(emu)
        assert str(reply["message_reference"]["message_id"]) == asked["id"]
        assert reply["content"] == f"> {ASK}"
        assert "**missiles**" in descriptions(reply)[0]
        assert custom_ids(reply)
        assert_no_pings(emu)


async def test_a_bare_mention_gets_help(start):
    async with start() as (emu, _):
        await emu.message_create(f"<@{emu.bot_user_id}>  @everyone", author="bob")
        reply = await reply_in_channel(emu)
        assert reply["embeds"][0]["title"] == "How to ask me"


async def test_a_reply_to_an_answer_is_a_question(start):
    async with start() as (emu, _):
        await emu.message_create(f"<@{emu.bot_user_id}> {ASK}", author="bob")
        answer = await emu.wait_for_request("POST", r"/channels/\d+/messages$")
        follow_up = await emu.message_create(
            "How many launches were there in October?",
            author="bob",
            referenced_message=int(answer.response["id"]),
        )
        reply = await reply_in_channel(emu)
        assert str(reply["message_reference"]["message_id"]) == follow_up["id"]
        assert "2,072 in **October**" in "".join(descriptions(reply))


async def test_other_messages_are_left_alone(start):
    async with start() as (emu, _):
        await emu.message_create(ASK, author="bob")
        await emu.message_create(f"<@{emu.user('carol').id}> {ASK}", author="bob")
        await asyncio.sleep(0.2)
        assert sent_to_channel(emu) == []


async def test_answer_channels_take_every_message_as_a_question(start):
    channels = {"answer_channel_ids": lambda emu: frozenset({emu.channel_id})}
    async with start(**channels) as (emu, _):
        asked = await emu.message_create(ASK, author="bob")
        reply = await reply_in_channel(emu)
        assert str(reply["message_reference"]["message_id"]) == asked["id"]
        await emu.message_create(ASK, author="bob", channel_id=emu.guild.channel("random").id)
        await asyncio.sleep(0.2)  # the bot's own answer was echoed back too: no loop
        assert len(sent_to_channel(emu)) == 1


async def test_a_flood_of_mentions_gets_one_reaction_and_no_posts(start):
    # A flood must not turn into a flood of public "try again" posts (issue 14, defect 13).
    async with start(ask_cooldown=60, ask_burst=1) as (emu, _):
        for n in range(30):  # bare mentions too: each would post the help
            question = ASK if n % 2 else ""
            await emu.message_create(f"<@{emu.bot_user_id}> {question}", author="bob")
        await emu.wait_for_request("PUT", r"/reactions/")
        await asyncio.sleep(0.5)
        assert len(sent_to_channel(emu)) == 1  # the answer to the first
        assert len(emu.find_requests("PUT", r"/reactions/")) == 1


async def test_a_direct_message_is_a_question(start):
    async with start() as (emu, _):
        await emu.message_create(ASK, author="bob", dm=True)
        reply = await reply_in_channel(emu)
        assert "**missiles**" in descriptions(reply)[0]
