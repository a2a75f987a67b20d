r"""A local Discord API emulator for end-to-end tests of the bot.

It is an aiohttp server on 127.0.0.1 (random free port) speaking enough of Discord's REST
API v10 and gateway for a real ``discord.Client`` / ``commands.Bot`` to log in, connect, sync
app commands, receive injected events and answer them. Nothing leaves the machine, and the
tests exercise discord.py's real HTTP, websocket, parsing and view-dispatch code instead of
mocks, so they catch payload mistakes (too-long content, empty messages, double responses,
follow-ups before the initial response, missing intents) the way Discord would.

Usage (``tests/bot/test_emulator.py`` has a complete bot)::

    from devtools.discord_emulator import DiscordEmulator

    @pytest.fixture
    async def emu():
        async with DiscordEmulator() as emulator:  # starts the server, patches discord.py
            yield emulator

    async def test_ping(emu: DiscordEmulator) -> None:
        bot = make_bot()  # build it with guild_ready_timeout=0.05 so on_ready fires quickly
        async with emu.running(bot):  # bot.start() in a task; closed cleanly on exit
            inter = await emu.interaction_slash("ping", {"text": "hi"}, user="bob")
            cb = await emu.wait_for_callback(inter)
            assert cb.json["type"] == 4
            assert cb.json["data"]["content"] == "pong: hi"
            assert cb.json["data"]["allowed_mentions"] == {"parse": []}
            assert cb.received_at - inter.dispatched_at < 1.0

            msg = await emu.message_create(f"{emu.bot.mention} hello", "bob")
            reply = await emu.wait_for_request("POST", r"^/channels/\d+/messages$")
            assert int(reply.json["message_reference"]["message_id"]) == int(msg["id"])

Commands must be synced (``bot.tree.sync(guild=discord.Object(emu.guild_id))`` in
``setup_hook``) before ``interaction_slash`` can invoke them: the interaction carries the
synced command id. ``interaction_component`` clicks a button on any stored message.

The world: one guild (``emu.guild``) with text channels ``general`` and ``random``, an
``@everyone`` role, a mentionable ``Moderators`` role (``emu.role_id``), the bot's managed
role, and three humans ``alice`` (application and guild owner), ``bob`` and ``carol`` (a
moderator), all in ``emu.users``. Ids: ``emu.bot_user_id``, ``emu.application_id``,
``emu.guild_id``, ``emu.channel_id``, ``emu.role_id``; ``emu.user("bob")`` finds a user.

Requests: every REST request is recorded as a :class:`RecordedRequest` (method, path below
``/api/v10``, query, parsed JSON or ``payload_json`` body, files, monotonic receive time,
status and body answered). ``wait_for_request`` returns the earliest matching request that no
earlier ``wait_for_*`` call returned, so sequential waits walk through a conversation in order.
``find_requests`` lists all of them. Unknown routes get a JSON 404 and land in ``emu.unhandled``.

Fidelity worth knowing when a test fails:

* Interaction callbacks later than ``interaction_deadline`` (3 s) after injection get
  ``404 Unknown interaction`` (10062), a second callback gets ``400`` (40060), follow-ups
  before the initial response get ``404 Unknown Webhook`` (10015), as on Discord. After a
  deferred (thinking) response the first follow-up replaces the loading message.
* Message payloads are validated (content <= 2000, embed and component limits, empty
  messages, duplicate custom ids, autocomplete choices <= 25): violations answer ``400`` with
  Discord's ``50035 Invalid Form Body`` shape, which discord.py raises as ``HTTPException``.
* Injected ``MESSAGE_CREATE`` respects intents: without ``guild_messages`` nothing arrives and
  without ``message_content`` the content is blanked unless the bot is mentioned.
* Messages the bot creates are echoed back over the gateway (``MESSAGE_CREATE``/``UPDATE``/
  ``DELETE``) like Discord does, so a bot that answers itself loops here too.
* discord.py retries 5xx responses with sleeps of 1, 3, 5, ... seconds (webhook/interaction
  routes retry every 5xx, bot routes only 500/502/504/524), five attempts in all. The patch
  scales those sleeps (inside ``discord.http`` and ``discord.webhook.async_`` only) by
  ``retry_sleep_scale`` (default 0.01) so fault-injection tests stay fast.
  ``emu.fail_next(method, path_regex, status, times=n)`` makes the next requests fail.
* ``Client.close()`` does not stop ``discord.ui.View`` timeout tasks; stop views in the bot's
  ``close()``. ``await emu.leftover_tasks()`` lists tasks still pending after a close.
* Errors inside the emulator's own handlers are collected in ``emu.internal_errors`` and
  raised when the ``async with`` block exits, so emulator bugs cannot pass silently.

Layout: ``DiscordEmulator`` (:mod:`.emulator`: lifecycle, running a client, waiting) is
built in layers, each a class over the one below: :mod:`.interactions` (injecting
interactions, their callback and webhook routes) over :mod:`.rest` (recording, faults,
routing, the bot's endpoints) over :mod:`.gateway` (the websocket, dispatch, human
messages) over :mod:`.world` (the state and its JSON). :mod:`.model` holds the objects of
that state, :mod:`.validation` Discord's payload limits and :mod:`.protocol` its constants.
"""

from .emulator import DiscordEmulator
from .model import (
    EmuChannel,
    EmuGuild,
    EmuMember,
    EmuRole,
    EmuUser,
    GatewayConnection,
    GatewayFrame,
    InjectedInteraction,
    RecordedFile,
    RecordedRequest,
)
from .protocol import (
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MEMBERS,
    INTENT_GUILD_MESSAGES,
    INTENT_GUILDS,
    INTENT_MESSAGE_CONTENT,
)

__all__ = [
    "INTENT_DIRECT_MESSAGES",
    "INTENT_GUILDS",
    "INTENT_GUILD_MEMBERS",
    "INTENT_GUILD_MESSAGES",
    "INTENT_MESSAGE_CONTENT",
    "DiscordEmulator",
    "EmuChannel",
    "EmuGuild",
    "EmuMember",
    "EmuRole",
    "EmuUser",
    "GatewayConnection",
    "GatewayFrame",
    "InjectedInteraction",
    "RecordedFile",
    "RecordedRequest",
]
