r"""A local Discord API emulator for end-to-end tests of the bot.

It is an aiohttp server on 127.0.0.1 (random free port) speaking enough of Discord's REST
API v10 and gateway for a real ``discord.Client`` / ``commands.Bot`` to log in, connect, sync
app commands, receive injected events and answer them. Nothing leaves the machine, and the
tests exercise discord.py's real HTTP, websocket, parsing and view-dispatch code instead of
mocks, so they catch payload mistakes (too-long content, empty messages, double responses,
follow-ups before the initial response, missing intents) the way Discord would.

Usage (``tests/bot/test_emulator.py`` has a complete bot)::

    from tests.bot.emulator import DiscordEmulator

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
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import itertools
import json
import re
import secrets
import socket
import sys
import time
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aiohttp import BodyPartReader, WSMsgType, web

if TYPE_CHECKING:
    import discord

__all__ = [
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

API_VERSION = 10
DISCORD_EPOCH_MS = 1420070400000

# Gateway intents (bit values).
INTENT_GUILDS = 1 << 0
INTENT_GUILD_MEMBERS = 1 << 1
INTENT_GUILD_PRESENCES = 1 << 8
INTENT_GUILD_MESSAGES = 1 << 9
INTENT_DIRECT_MESSAGES = 1 << 12
INTENT_MESSAGE_CONTENT = 1 << 15
PRIVILEGED_INTENTS = INTENT_GUILD_MEMBERS | INTENT_GUILD_PRESENCES | INTENT_MESSAGE_CONTENT

# Permission bits used to build realistic permission strings.
P_CREATE_INSTANT_INVITE = 1 << 0
P_KICK_MEMBERS = 1 << 1
P_ADMINISTRATOR = 1 << 3
P_ADD_REACTIONS = 1 << 6
P_VIEW_CHANNEL = 1 << 10
P_SEND_MESSAGES = 1 << 11
P_MANAGE_MESSAGES = 1 << 13
P_EMBED_LINKS = 1 << 14
P_ATTACH_FILES = 1 << 15
P_READ_MESSAGE_HISTORY = 1 << 16
P_MENTION_EVERYONE = 1 << 17
P_USE_EXTERNAL_EMOJIS = 1 << 18
P_CHANGE_NICKNAME = 1 << 26
P_USE_APPLICATION_COMMANDS = 1 << 31
P_SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 51) - 1

EVERYONE_PERMISSIONS = (
    P_CREATE_INSTANT_INVITE
    | P_ADD_REACTIONS
    | P_VIEW_CHANNEL
    | P_SEND_MESSAGES
    | P_EMBED_LINKS
    | P_ATTACH_FILES
    | P_READ_MESSAGE_HISTORY
    | P_USE_EXTERNAL_EMOJIS
    | P_CHANGE_NICKNAME
    | P_USE_APPLICATION_COMMANDS
    | P_SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = P_KICK_MEMBERS | P_MANAGE_MESSAGES | P_MENTION_EVERYONE
BOT_ROLE_PERMISSIONS = EVERYONE_PERMISSIONS | P_MENTION_EVERYONE

# Message flags.
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_COMPONENTS_V2 = 1 << 15

# Interaction types and callback types.
IT_APPLICATION_COMMAND = 2
IT_COMPONENT = 3
IT_AUTOCOMPLETE = 4
IT_MODAL_SUBMIT = 5
CB_CHANNEL_MESSAGE = 4
CB_DEFERRED_CHANNEL_MESSAGE = 5
CB_DEFERRED_UPDATE_MESSAGE = 6
CB_UPDATE_MESSAGE = 7
CB_AUTOCOMPLETE_RESULT = 8
CB_MODAL = 9
ALLOWED_CALLBACKS: dict[int, frozenset[int]] = {
    IT_APPLICATION_COMMAND: frozenset({4, 5, 9}),
    IT_COMPONENT: frozenset({4, 5, 6, 7, 9}),
    IT_AUTOCOMPLETE: frozenset({8}),
    IT_MODAL_SUBMIT: frozenset({4, 5, 6, 7}),
}

# Application command option types.
OPT_SUB_COMMAND = 1
OPT_SUB_COMMAND_GROUP = 2
OPT_STRING = 3
OPT_INTEGER = 4
OPT_BOOLEAN = 5
OPT_USER = 6
OPT_CHANNEL = 7
OPT_ROLE = 8
OPT_MENTIONABLE = 9
OPT_NUMBER = 10

_USER_MENTION = re.compile(r"<@!?(\d+)>")
_ROLE_MENTION = re.compile(r"<@&(\d+)>")


def _now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat()


def _dumps(data: Any) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _json_response(
    data: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    """Build a response whose content type is exactly ``application/json``.

    discord.py compares the header with ``==``, so aiohttp's usual ``; charset=utf-8``
    suffix would make it treat every body as text.
    """
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(status=status, body=_dumps(data).encode(), headers=all_headers)


def _error(
    status: int, code: int, message: str, errors: dict[str, Any] | None = None
) -> web.Response:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return _json_response(body, status)


def _add_error(errors: dict[str, Any], path: Sequence[str | int], code: str, message: str) -> None:
    node = errors
    for key in path:
        node = node.setdefault(str(key), {})
    node.setdefault("_errors", []).append({"code": code, "message": message})


def _invalid_form(errors: dict[str, Any]) -> web.Response:
    return _error(400, 50035, "Invalid Form Body", errors)


class _Snowflakes:
    """Generates increasing snowflakes whose timestamps are 'now', like Discord's."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> int:
        value = ((int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22) | (1 << 17)
        self._last = max(value, self._last + 1)
        return self._last


# --------------------------------------------------------------------------- world model


@dataclasses.dataclass
class EmuUser:
    """A Discord user known to the emulator (humans and the bot)."""

    id: int
    username: str
    bot: bool = False
    global_name: str | None = None

    @property
    def mention(self) -> str:
        """Return the ``<@id>`` mention string."""
        return f"<@{self.id}>"

    def payload(self) -> dict[str, Any]:
        """Return the user object Discord would send."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
            "public_flags": 0,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclasses.dataclass
class EmuRole:
    """A guild role."""

    id: int
    name: str
    permissions: int
    position: int = 0
    mentionable: bool = False
    managed: bool = False
    tags: dict[str, Any] | None = None

    @property
    def mention(self) -> str:
        """Return the ``<@&id>`` mention string."""
        return f"<@&{self.id}>"

    def payload(self) -> dict[str, Any]:
        """Return the role object Discord would send."""
        data: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": 0,
            "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
            "hoist": False,
            "icon": None,
            "unicode_emoji": None,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "flags": 0,
        }
        if self.tags is not None:
            data["tags"] = self.tags
        return data


@dataclasses.dataclass
class EmuChannel:
    """A guild text channel (type 0) or a DM channel (type 1)."""

    id: int
    name: str
    guild_id: int | None
    type: int = 0
    position: int = 0
    topic: str | None = None
    recipients: list[EmuUser] = dataclasses.field(default_factory=list)

    @property
    def mention(self) -> str:
        """Return the ``<#id>`` mention string."""
        return f"<#{self.id}>"

    def payload(self) -> dict[str, Any]:
        """Return the channel object Discord would send."""
        if self.type == 1:
            return {
                "id": str(self.id),
                "type": 1,
                "last_message_id": None,
                "flags": 0,
                "recipients": [u.payload() for u in self.recipients],
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "permission_overwrites": [],
            "parent_id": None,
            "topic": self.topic,
            "nsfw": False,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }


@dataclasses.dataclass
class EmuMember:
    """A user's membership of a guild."""

    user: EmuUser
    role_ids: list[int] = dataclasses.field(default_factory=list)
    nick: str | None = None
    joined_at: str = dataclasses.field(default_factory=_now_iso)

    def payload(self, *, with_user: bool = True) -> dict[str, Any]:
        """Return the guild member object (``with_user=False`` for message ``member``)."""
        data: dict[str, Any] = {
            "roles": [str(r) for r in self.role_ids],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "communication_disabled_until": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        return data


@dataclasses.dataclass
class EmuGuild:
    """A guild with roles, channels and members."""

    id: int
    name: str
    owner_id: int
    roles: list[EmuRole] = dataclasses.field(default_factory=list)
    channels: list[EmuChannel] = dataclasses.field(default_factory=list)
    members: dict[int, EmuMember] = dataclasses.field(default_factory=dict)

    @property
    def text_channels(self) -> list[EmuChannel]:
        """Return the text channels in position order."""
        return [c for c in self.channels if c.type == 0]

    def role(self, name: str) -> EmuRole:
        """Find a role by name."""
        for role in self.roles:
            if role.name == name:
                return role
        raise LookupError(f"no role named {name!r} in guild {self.name!r}")

    def channel(self, name: str) -> EmuChannel:
        """Find a channel by name."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise LookupError(f"no channel named {name!r} in guild {self.name!r}")

    def permissions_for(self, user_id: int) -> int:
        """Compute a member's guild-level permissions (owner and admins get everything)."""
        if user_id == self.owner_id:
            return ALL_PERMISSIONS
        member = self.members.get(user_id)
        perms = self.roles[0].permissions if self.roles else 0
        if member is not None:
            for role in self.roles:
                if role.id in member.role_ids:
                    perms |= role.permissions
        if perms & P_ADMINISTRATOR:
            return ALL_PERMISSIONS
        return perms


# --------------------------------------------------------------------------- records


@dataclasses.dataclass
class RecordedFile:
    """A multipart part other than ``payload_json`` (usually an uploaded file)."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None


@dataclasses.dataclass
class RecordedRequest:
    """One REST request the emulator received, and what it answered."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    json: Any
    files: list[RecordedFile]
    received_at: float
    status: int = 0
    response: Any = None
    fault: bool = False
    completed: bool = False
    _consumed: bool = dataclasses.field(default=False, repr=False)

    def __str__(self) -> str:
        query = "?" + "&".join(f"{k}={v}" for k, v in self.query.items()) if self.query else ""
        return f"#{self.index} {self.method} {self.path}{query} -> {self.status}"


@dataclasses.dataclass
class GatewayConnection:
    """One websocket connection from the client, with what it asked for."""

    path: str
    query: dict[str, str]
    opened_at: float
    compress: str | None = None
    closed_at: float | None = None
    close_code: int | None = None
    frames_sent: int = 0
    _ws: web.WebSocketResponse | None = dataclasses.field(default=None, repr=False)
    _compress: Callable[[bytes], bytes] | None = dataclasses.field(default=None, repr=False)
    _lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock, repr=False)

    async def send(self, payload: Mapping[str, Any]) -> None:
        """Send one gateway payload, compressed if the client negotiated it."""
        data = _dumps(payload)
        async with self._lock:
            ws = self._ws
            if ws is None or ws.closed:
                raise ConnectionResetError("gateway connection is closed")
            if self._compress is None:
                await ws.send_str(data)
            else:
                await ws.send_bytes(self._compress(data.encode()))
            self.frames_sent += 1


@dataclasses.dataclass
class GatewayFrame:
    """One payload the client sent over the gateway."""

    op: int
    d: Any
    received_at: float
    connection: GatewayConnection
    _consumed: bool = dataclasses.field(default=False, repr=False)


@dataclasses.dataclass
class InjectedInteraction:
    """An interaction the emulator dispatched; its id and token address the callback."""

    id: int
    token: str
    type: int
    application_id: int
    payload: dict[str, Any]
    dispatched_at: float
    response_type: int | None = None
    original_message_id: int | None = None
    responded_at: float | None = None

    @property
    def callback_path(self) -> str:
        """Return the REST path of this interaction's callback."""
        return f"/interactions/{self.id}/{self.token}/callback"

    @property
    def webhook_path(self) -> str:
        """Return the REST path of this interaction's follow-up webhook."""
        return f"/webhooks/{self.application_id}/{self.token}"


@dataclasses.dataclass
class _Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int


def _zlib_stream() -> Callable[[bytes], bytes]:
    """Return a compressor for ``compress=zlib-stream``: one context, Z_SYNC_FLUSH per frame."""
    context = zlib.compressobj()

    def compress(data: bytes) -> bytes:
        return context.compress(data) + context.flush(zlib.Z_SYNC_FLUSH)

    return compress


def _zstd_stream() -> Callable[[bytes], bytes] | None:
    """Return a compressor for ``compress=zstd-stream`` if a zstd library is importable.

    discord.py asks for zstd only when it can import ``zstandard`` or ``compression.zstd``
    (Python 3.14), so if it asked, one of them is importable here too.
    """
    try:
        from compression import zstd  # type: ignore[import-not-found]
    except ImportError:
        try:
            import zstandard  # type: ignore[import-not-found]
        except ImportError:
            return None
        obj = zstandard.ZstdCompressor().compressobj()

        def compress_zstandard(data: bytes) -> bytes:
            return obj.compress(data) + obj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)

        return compress_zstandard

    compressor = zstd.ZstdCompressor()

    def compress_stdlib(data: bytes) -> bytes:
        return compressor.compress(data, mode=zstd.ZstdCompressor.FLUSH_BLOCK)

    return compress_stdlib


class _ScaledSleepAsyncio:
    """Stands in for the ``asyncio`` module inside discord.py's HTTP modules.

    Only ``sleep`` differs: retry back-offs (1 s, 3 s, 5 s, ...) are scaled down so a test
    that injects five 500s finishes in milliseconds instead of 25 seconds.
    """

    def __init__(self, scale: float) -> None:
        self._scale = scale

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    async def sleep(self, delay: float, result: Any = None) -> Any:
        return await asyncio.sleep(delay * self._scale, result)


# --------------------------------------------------------------------------- validation


def _validate_message(body: Mapping[str, Any], errors: dict[str, Any]) -> None:
    """Check the limits Discord enforces on message payloads."""
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        _add_error(errors, ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        _add_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                _add_error(
                    errors,
                    ["embeds", i, key],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            _add_error(
                errors,
                ["embeds", i, "fields"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            )
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                value = fld.get(key)
                if not value:
                    _add_error(
                        errors,
                        ["embeds", i, "fields", j, key],
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                    continue
                total += len(value)
                if len(value) > limit:
                    _add_error(
                        errors,
                        ["embeds", i, "fields", j, key],
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            value = (embed.get(key) or {}).get(sub) or ""
            total += len(value)
            if len(value) > limit:
                _add_error(
                    errors,
                    ["embeds", i, key, sub],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
    if total > 6000:
        _add_error(
            errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    flags = body.get("flags") or 0
    if not flags & FLAG_COMPONENTS_V2:
        _validate_components(body.get("components") or [], errors)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, Mapping):
        parse = allowed.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and allowed.get(kind):
                _add_error(
                    errors,
                    ["allowed_mentions"],
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )


def _validate_components(rows: Sequence[Mapping[str, Any]], errors: dict[str, Any]) -> None:
    if len(rows) > 5:
        _add_error(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1:
            _add_error(errors, ["components", i, "type"], "COMPONENT_TYPE_INVALID", "Must be 1.")
        if not 1 <= len(children) <= 5:
            _add_error(
                errors,
                ["components", i, "components"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 5 in length.",
            )
        for j, child in enumerate(children):
            path: list[str | int] = ["components", i, "components", j]
            custom_id = child.get("custom_id")
            if custom_id is not None:
                if len(custom_id) > 100:
                    _add_error(
                        errors,
                        [*path, "custom_id"],
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 100 or fewer in length.",
                    )
                if custom_id in seen:
                    _add_error(
                        errors,
                        [*path, "custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(custom_id)
            label = child.get("label")
            if isinstance(label, str) and len(label) > 80:
                _add_error(
                    errors,
                    [*path, "label"],
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 80 or fewer in length.",
                )


def _is_empty_message(msg: Mapping[str, Any]) -> bool:
    return not (
        (msg.get("content") or "").strip()
        or msg.get("embeds")
        or msg.get("attachments")
        or msg.get("components")
        or msg.get("sticker_items")
        or msg.get("poll")
    )


def _validate_choices(data: Mapping[str, Any], errors: dict[str, Any]) -> None:
    choices = data.get("choices")
    if choices is None:
        _add_error(errors, ["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required")
        return
    if len(choices) > 25:
        _add_error(
            errors, ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        )
    for i, choice in enumerate(choices):
        name = choice.get("name") or ""
        if not 1 <= len(name) <= 100:
            _add_error(
                errors,
                ["data", "choices", i, "name"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            _add_error(
                errors,
                ["data", "choices", i, "value"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            )


# --------------------------------------------------------------------------- the emulator

_Handler = Callable[..., Awaitable[web.Response]]


@dataclasses.dataclass
class _Ctx:
    request: web.Request
    body: Any
    files: list[RecordedFile]
    record: RecordedRequest


class DiscordEmulator:
    """A fake Discord (REST + gateway) on 127.0.0.1 for driving a real discord.py client.

    Use ``async with DiscordEmulator() as emu`` (start + patch discord.py, undone on exit),
    or ``await emu.start()`` / ``with emu.patch_discord():`` / ``await emu.stop()`` to control
    the steps separately.
    """

    def __init__(
        self,
        token: str = "emulator-token",
        *,
        bot_name: str = "Newsdesk",
        user_names: Sequence[str] = ("alice", "bob", "carol"),
        channel_names: Sequence[str] = ("general", "random"),
        heartbeat_interval_ms: int = 41250,
        interaction_deadline: float | None = 3.0,
        validate_payloads: bool = True,
        emulate_intents: bool = True,
        echo_bot_messages: bool = True,
        allow_privileged_intents: bool = True,
        retry_sleep_scale: float | None = 0.01,
    ) -> None:
        """Build the world; nothing listens until :meth:`start`.

        ``interaction_deadline=None`` disables the 3-second callback deadline,
        ``retry_sleep_scale=None`` keeps discord.py's real retry back-off, and
        ``allow_privileged_intents=False`` makes IDENTIFY with members/presences/message
        content fail with close code 4014 like an app without those portal toggles.
        """
        if not user_names:
            raise ValueError("at least one human user is needed (the owner)")
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.interaction_deadline = interaction_deadline
        self.validate_payloads = validate_payloads
        self.emulate_intents = emulate_intents
        self.echo_bot_messages = echo_bot_messages
        self.allow_privileged_intents = allow_privileged_intents
        self.retry_sleep_scale = retry_sleep_scale

        self._ids = _Snowflakes()
        self.application_id = self._ids.next()
        self.bot = EmuUser(self.application_id, bot_name, bot=True)
        self.users: list[EmuUser] = [EmuUser(self._ids.next(), name) for name in user_names]
        self.owner = self.users[0]
        self._all_users: dict[int, EmuUser] = {u.id: u for u in [self.bot, *self.users]}
        self.guilds: list[EmuGuild] = []
        self.guild = self.add_guild("Test Guild", channel_names)
        self.channel = self.guild.text_channels[0]
        moderator = self.guild.role("Moderators")
        if len(self.users) >= 3:
            self.guild.members[self.users[2].id].role_ids.append(moderator.id)
        self._dm_channels: dict[int, EmuChannel] = {}

        # Application commands: key None (global) or guild id -> name -> command payload.
        self.commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self.messages: dict[int, dict[str, Any]] = {}
        self.attachments: dict[int, bytes] = {}
        self.interactions: dict[int, InjectedInteraction] = {}
        self.autocomplete_results: dict[int, list[dict[str, Any]]] = {}

        self.requests: list[RecordedRequest] = []
        self.unhandled: list[RecordedRequest] = []
        self.gateway_connections: list[GatewayConnection] = []
        self.gateway_frames: list[GatewayFrame] = []
        self.identify_payloads: list[dict[str, Any]] = []
        self.undelivered_events: list[tuple[str, str]] = []
        self.internal_errors: list[BaseException] = []
        self._faults: list[_Fault] = []
        self._routes = self._build_routes()
        self._patch_stack = contextlib.ExitStack()

        self._session_id: str | None = None
        self._seq = 0
        self._active: GatewayConnection | None = None
        self._ready = asyncio.Event()
        self._connected = asyncio.Event()
        self._waiters: list[asyncio.Future[None]] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----------------------------------------------------------------- ids and lookup

    @property
    def bot_user_id(self) -> int:
        """Return the bot user's id (equal to the application id, as on Discord)."""
        return self.bot.id

    @property
    def guild_id(self) -> int:
        """Return the default guild's id."""
        return self.guild.id

    @property
    def channel_id(self) -> int:
        """Return the default text channel's id (``#general``)."""
        return self.channel.id

    @property
    def role_id(self) -> int:
        """Return the id of the mentionable ``Moderators`` role."""
        return self.guild.role("Moderators").id

    @property
    def url(self) -> str:
        """Return the HTTP root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        """Return what ``discord.http.Route.BASE`` is patched to."""
        return f"{self.url}/api/v{API_VERSION}"

    @property
    def gateway_url(self) -> str:
        """Return the gateway URL (``DEFAULT_GATEWAY`` and ``/gateway`` answers)."""
        return f"ws://127.0.0.1:{self.port}/"

    @property
    def resume_gateway_url(self) -> str:
        """Return the URL READY advertises for resuming, distinct so tests can see it used."""
        return f"ws://127.0.0.1:{self.port}/resume"

    @property
    def session_id(self) -> str | None:
        """Return the current gateway session id (set by IDENTIFY, kept across RESUME)."""
        return self._session_id

    @property
    def intents(self) -> int | None:
        """Return the intents of the latest IDENTIFY, or None before any."""
        if not self.identify_payloads:
            return None
        return self.identify_payloads[-1].get("intents")

    def has_intent(self, bit: int) -> bool:
        """Tell whether the latest IDENTIFY requested an intent bit (e.g. ``1 << 15``)."""
        return bool((self.intents or 0) & bit)

    def user(self, name_or_id: str | int) -> EmuUser:
        """Find a known user (or the bot) by username or id."""
        for u in self._all_users.values():
            if name_or_id in (u.id, u.username):
                return u
        raise LookupError(f"unknown user {name_or_id!r}")

    def get_guild(self, guild_id: int) -> EmuGuild:
        """Find a guild by id."""
        for guild in self.guilds:
            if guild.id == guild_id:
                return guild
        raise LookupError(f"unknown guild {guild_id}")

    def get_channel(self, channel_id: int) -> EmuChannel | None:
        """Find a guild or DM channel by id."""
        for guild in self.guilds:
            for channel in guild.channels:
                if channel.id == channel_id:
                    return channel
        return self._dm_channels.get(channel_id)

    def get_message(self, message_id: int) -> dict[str, Any]:
        """Return the stored message (as Discord would serve it) by id."""
        try:
            return self.messages[message_id]
        except KeyError:
            raise LookupError(f"unknown message {message_id}") from None

    def channel_messages(self, channel_id: int | None = None) -> list[dict[str, Any]]:
        """Return the stored messages of a channel (default ``#general``), oldest first."""
        cid = str(channel_id or self.channel_id)
        return [m for m in self.messages.values() if m["channel_id"] == cid]

    def original_response(self, inter: InjectedInteraction) -> dict[str, Any] | None:
        """Return the message an interaction's initial response created or updated."""
        if inter.original_message_id is None:
            return None
        return self.messages.get(inter.original_message_id)

    def add_guild(self, name: str, channel_names: Sequence[str] = ("general",)) -> EmuGuild:
        """Add a guild with the bot and every human as members (before connecting)."""
        gid = self._ids.next()
        everyone = EmuRole(gid, "@everyone", EVERYONE_PERMISSIONS)
        moderators = EmuRole(
            self._ids.next(), "Moderators", MODERATOR_PERMISSIONS, position=1, mentionable=True
        )
        bot_role = EmuRole(
            self._ids.next(),
            self.bot.username,
            BOT_ROLE_PERMISSIONS,
            position=2,
            managed=True,
            tags={"bot_id": str(self.bot.id)},
        )
        guild = EmuGuild(gid, name, owner_id=self.owner.id, roles=[everyone, moderators, bot_role])
        for position, channel_name in enumerate(channel_names):
            guild.channels.append(
                EmuChannel(self._ids.next(), channel_name, gid, position=position)
            )
        guild.members[self.bot.id] = EmuMember(self.bot, [bot_role.id])
        for u in self.users:
            guild.members[u.id] = EmuMember(u)
        self.guilds.append(guild)
        return guild

    def dm_channel(self, user: EmuUser | int) -> EmuChannel:
        """Return (creating on first use) the DM channel between the bot and a user."""
        u = self._resolve_user(user)
        for channel in self._dm_channels.values():
            if channel.recipients[0].id == u.id:
                return channel
        channel = EmuChannel(self._ids.next(), "", None, type=1, recipients=[u])
        self._dm_channels[channel.id] = channel
        return channel

    def _resolve_user(self, user: EmuUser | int | str | None) -> EmuUser:
        if user is None:
            return self.owner
        if isinstance(user, EmuUser):
            return user
        return self.user(user)

    # ----------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Start listening on a random free loopback port."""
        if self._runner is not None:
            return
        app = web.Application()
        app.router.add_get("/", self._handle_gateway)
        app.router.add_get("/resume", self._handle_gateway)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._handle_cdn)
        app.router.add_route("*", "/{tail:.*}", self._handle_rest)
        self._runner = web.AppRunner(
            app, access_log=None, handle_signals=False, shutdown_timeout=1.0
        )
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        site = web.SockSite(self._runner, sock)
        await site.start()

    async def stop(self) -> None:
        """Close open gateway connections and stop the server."""
        for conn in self.gateway_connections:
            if conn._ws is not None and not conn._ws.closed:
                await conn._ws.close(code=1001, message=b"emulator stopping")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        await self.start()
        self._patch_stack.enter_context(self.patch_discord())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._patch_stack.close()
        await self.stop()
        if self.internal_errors and exc_info[0] is None:
            raise RuntimeError(f"emulator handler errors: {self.internal_errors!r}")

    @contextlib.contextmanager
    def patch_discord(self) -> Iterator[None]:
        """Point discord.py's REST base and default gateway here; restore on exit.

        The non-sharded client never asks ``/gateway/bot``: it connects to
        ``DiscordWebSocket.DEFAULT_GATEWAY`` with ``?v=10&encoding=json&compress=zlib-stream``
        appended, and reconnects to READY's ``resume_gateway_url``.
        """
        import discord.gateway
        import discord.http
        import discord.webhook.async_
        import yarl

        if not self.port:
            raise RuntimeError("start() the emulator before patching discord.py")
        old_base = discord.http.Route.BASE
        old_gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        old_http_asyncio = discord.http.asyncio
        old_webhook_asyncio = discord.webhook.async_.asyncio
        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)
        if self.retry_sleep_scale is not None:
            shim: Any = _ScaledSleepAsyncio(self.retry_sleep_scale)
            discord.http.asyncio = shim
            discord.webhook.async_.asyncio = shim
        try:
            yield
        finally:
            discord.http.Route.BASE = old_base
            discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = old_gateway
            discord.http.asyncio = old_http_asyncio
            discord.webhook.async_.asyncio = old_webhook_asyncio

    @contextlib.asynccontextmanager
    async def running(
        self,
        client: discord.Client,
        *,
        token: str | None = None,
        timeout: float = 5.0,
        wait_client_ready: bool = True,
    ) -> AsyncIterator[discord.Client]:
        """Run ``client.start(token)`` in a task for the block, then close it cleanly.

        Waits until READY and the GUILD_CREATEs were sent and, with ``wait_client_ready``,
        for the client's own ``on_ready`` (which discord.py delays by the client's
        ``guild_ready_timeout``, 2 s unless the bot is built with a small one). An exception
        from ``start`` (e.g. ``LoginFailure``) is raised instead of waiting for the timeout.
        """
        task = asyncio.create_task(client.start(token or self.token), name="discord-client")
        try:
            await self._until(task, self.wait_until_ready(timeout), timeout)
            if wait_client_ready:
                await self._until(task, client.wait_until_ready(), timeout)
            yield client
        finally:
            body_failed = _exception_in_flight()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(client.close(), timeout)
            done, _ = await asyncio.wait({task}, timeout=timeout)
            if not done:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                if not body_failed:
                    raise RuntimeError("the client did not stop within the timeout after close()")
            elif not task.cancelled() and task.exception() is not None and not body_failed:
                raise task.exception()  # type: ignore[misc]

    @staticmethod
    async def _until(task: asyncio.Task[Any], awaitable: Awaitable[Any], timeout: float) -> None:
        """Await ``awaitable`` but fail fast with the task's exception if the task ends first."""
        waiter = asyncio.ensure_future(awaitable)
        try:
            done, _ = await asyncio.wait(
                {task, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            if not waiter.done():
                waiter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await waiter
        if waiter in done:
            waiter.result()
            return
        if task in done:
            exc = task.exception()
            if exc is not None:
                raise exc
            raise RuntimeError("the client stopped before it was ready")
        raise TimeoutError(f"client not ready within {timeout}s")

    # ----------------------------------------------------------------- waiting

    def _notify(self) -> None:
        for fut in self._waiters:
            if not fut.done():
                fut.set_result(None)
        self._waiters.clear()

    async def _changed(self) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(fut)
        await fut

    def _describe_state(self) -> str:
        lines = [str(r) for r in self.requests[-25:]] or ["(no requests)"]
        if self.undelivered_events:
            lines.append(f"events not delivered (intents): {self.undelivered_events}")
        return "recorded requests:\n  " + "\n  ".join(lines)

    def find_requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[RecordedRequest]:
        """Return every recorded request matching method and ``re.search(path_regex, path)``."""
        return [r for r in self.requests if self._matches(r, method, path_regex)]

    @staticmethod
    def _matches(r: RecordedRequest, method: str | None, path_regex: str | None) -> bool:
        if method is not None and r.method != method.upper():
            return False
        return path_regex is None or re.search(path_regex, r.path) is not None

    async def wait_for_requests(
        self,
        method: str | None,
        path_regex: str | None,
        count: int,
        timeout: float = 5.0,
        *,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> list[RecordedRequest]:
        """Wait for ``count`` matching requests not returned by an earlier wait, oldest first."""
        found: list[RecordedRequest] = []
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for r in self.requests:
                        if len(found) == count:
                            break
                        if r._consumed or not r.completed or r in found:
                            continue
                        if not self._matches(r, method, path_regex):
                            continue
                        if predicate is None or predicate(r):
                            found.append(r)
                    if len(found) == count:
                        for r in found:
                            r._consumed = True
                        return found
                    await self._changed()
        except TimeoutError:
            raise TimeoutError(
                f"got {len(found)}/{count} {method} {path_regex!r} requests within {timeout}s; "
                + self._describe_state()
            ) from None

    async def wait_for_request(
        self,
        method: str | None,
        path_regex: str | None,
        timeout: float = 5.0,
        *,
        predicate: Callable[[RecordedRequest], bool] | None = None,
    ) -> RecordedRequest:
        """Wait for the earliest matching request not returned by an earlier wait."""
        (found,) = await self.wait_for_requests(method, path_regex, 1, timeout, predicate=predicate)
        return found

    async def wait_for_callback(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for the interaction's initial response (POST .../callback)."""
        return await self.wait_for_request("POST", re.escape(inter.callback_path) + "$", timeout)

    async def wait_for_followup(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for a follow-up message (POST /webhooks/{app}/{token})."""
        return await self.wait_for_request("POST", re.escape(inter.webhook_path) + "$", timeout)

    async def wait_for_original_edit(
        self, inter: InjectedInteraction, timeout: float = 5.0
    ) -> RecordedRequest:
        """Wait for an edit of the original response (PATCH .../messages/@original)."""
        path = re.escape(inter.webhook_path + "/messages/@original") + "$"
        return await self.wait_for_request("PATCH", path, timeout)

    async def wait_for_gateway_op(self, op: int, timeout: float = 5.0) -> GatewayFrame:
        """Wait for the earliest client gateway payload with this opcode not yet returned."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    for frame in self.gateway_frames:
                        if not frame._consumed and frame.op == op:
                            frame._consumed = True
                            return frame
                    await self._changed()
        except TimeoutError:
            ops = [f.op for f in self.gateway_frames]
            raise TimeoutError(f"no gateway op {op} within {timeout}s; got ops {ops}") from None

    async def wait_until_ready(self, timeout: float = 5.0) -> None:
        """Wait until IDENTIFY was answered with READY and every GUILD_CREATE."""
        try:
            async with asyncio.timeout(timeout):
                await self._ready.wait()
        except TimeoutError:
            raise TimeoutError(
                f"no IDENTIFY/READY within {timeout}s; {self._describe_state()}"
            ) from None

    @staticmethod
    async def leftover_tasks(grace: float = 2.0) -> list[asyncio.Task[Any]]:
        """Return tasks (other than the caller) still pending after up to ``grace`` seconds.

        After ``client.close()`` this should be empty; anything left is what asyncio would
        report as "Task was destroyed but it is pending" (e.g. un-stopped View timeouts).
        """
        deadline = time.monotonic() + grace
        while True:
            current = asyncio.current_task()
            others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
            if not others or time.monotonic() >= deadline:
                return others
            await asyncio.sleep(0.01)

    # ----------------------------------------------------------------- faults

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        *,
        times: int = 1,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next ``times`` requests matching method + ``re.search`` with ``status``.

        The default body is Discord-like JSON. For 429 a ``Via`` header and a tiny
        ``retry_after`` are added, because discord.py treats a 429 without ``Via`` as a
        Cloudflare ban and raises instead of retrying.
        """
        all_headers = dict(headers or {})
        if body is None:
            if status == 429:
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": 0.01,
                    "global": False,
                }
            else:
                body = {"message": f"{status}: injected fault", "code": 0}
        if status == 429:
            all_headers.setdefault("Via", "1.1 google")
        self._faults.append(
            _Fault(method.upper(), re.compile(path_regex), status, body, all_headers, times)
        )

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.search(path):
                fault.remaining -= 1
                return fault
        return None

    # ----------------------------------------------------------------- REST plumbing

    def _build_routes(self) -> list[tuple[str, re.Pattern[str], _Handler, bool]]:
        """Return (method, path pattern, handler, needs bot auth) rows."""
        snow = r"(?P<{}>\d+)"
        cid, mid, gid = (
            snow.format("channel_id"),
            snow.format("message_id"),
            snow.format("guild_id"),
        )
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        hook_msg = rf"{hook}/messages/(?P<message_id>@original|\d+)"
        callback = r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback"
        commands = r"/applications/(?P<app_id>\d+)(?:/guilds/(?P<guild_id>\d+))?/commands"
        rows: list[tuple[str, str, _Handler, bool]] = [
            ("GET", r"/users/@me", self._get_me, True),
            ("GET", r"/users/(?P<user_id>\d+)", self._get_user, True),
            ("POST", r"/users/@me/channels", self._create_dm, True),
            ("GET", r"/gateway", self._get_gateway, False),
            ("GET", r"/gateway/bot", self._get_gateway_bot, True),
            ("GET", r"/(?:oauth2/)?applications/@me", self._get_application, True),
            ("GET", commands, self._get_commands, True),
            ("PUT", commands, self._put_commands, True),
            ("GET", rf"/guilds/{gid}", self._get_guild, True),
            ("GET", rf"/guilds/{gid}/channels", self._get_guild_channels, True),
            ("GET", rf"/guilds/{gid}/members/(?P<user_id>\d+)", self._get_member, True),
            ("GET", rf"/channels/{cid}", self._get_channel_route, True),
            ("POST", rf"/channels/{cid}/typing", self._no_content, True),
            ("GET", rf"/channels/{cid}/messages", self._list_messages, True),
            ("POST", rf"/channels/{cid}/messages", self._create_channel_message, True),
            ("GET", rf"/channels/{cid}/messages/{mid}", self._get_channel_message, True),
            ("PATCH", rf"/channels/{cid}/messages/{mid}", self._edit_channel_message, True),
            ("DELETE", rf"/channels/{cid}/messages/{mid}", self._delete_channel_message, True),
            ("PUT", rf"/channels/{cid}/messages/{mid}/reactions/[^/]+/@me", self._react, True),
            ("DELETE", rf"/channels/{cid}/messages/{mid}/reactions/[^/]+/@me", self._react, True),
            ("POST", callback, self._interaction_callback, False),
            ("POST", hook, self._create_followup, False),
            ("GET", hook_msg, self._get_hook_message, False),
            ("PATCH", hook_msg, self._edit_hook_message, False),
            ("DELETE", hook_msg, self._delete_hook_message, False),
        ]  # fmt: skip
        return [(m, re.compile(p), h, auth) for m, p, h, auth in rows]

    async def _read_body(self, request: web.Request) -> tuple[Any, list[RecordedFile]]:
        files: list[RecordedFile] = []
        if not request.can_read_body:
            return None, files
        if request.content_type.startswith("multipart/"):
            body: Any = None
            reader = await request.multipart()
            async for part in reader:
                if not isinstance(part, BodyPartReader):  # nested multipart: not used
                    continue
                if part.name == "payload_json":
                    body = json.loads(await part.text())
                else:
                    content = await part.read(decode=False)
                    files.append(
                        RecordedFile(
                            part.name or "",
                            part.filename,
                            bytes(content),
                            part.headers.get("Content-Type"),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, files
        try:
            return json.loads(raw), files
        except ValueError:
            return raw.decode(errors="replace"), files

    async def _handle_rest(self, request: web.Request) -> web.Response:
        received_at = time.monotonic()
        read_error: Exception | None = None
        try:
            body, files = await self._read_body(request)
        except Exception as exc:  # an unparseable body is recorded, then answered with 400
            body, files, read_error = None, [], exc
        prefix = f"/api/v{API_VERSION}"
        path = (
            request.path[len(prefix) :] if request.path.startswith(prefix + "/") else request.path
        )
        record = RecordedRequest(
            index=len(self.requests),
            method=request.method,
            path=path,
            query=dict(request.query),
            headers=dict(request.headers),
            json=body,
            files=files,
            received_at=received_at,
        )
        self.requests.append(record)
        try:
            if read_error is not None:
                raise read_error
            response = await self._route(_Ctx(request, body, files, record), prefix)
        except Exception as exc:  # an emulator bug: answer, and fail the test in __aexit__
            self.internal_errors.append(exc)
            response = _error(400, 0, f"emulator error: {exc!r}")
        record.status = response.status
        if response.body and isinstance(response.body, bytes):
            record.response = json.loads(response.body)
        try:
            # Flush before waking waiters, so a test reacting to this request acts after
            # the client could have read the answer (discord.py stores views only then).
            await response.prepare(request)
            await response.write_eof()
        finally:
            record.completed = True
            self._notify()
        return response

    async def _route(self, ctx: _Ctx, prefix: str) -> web.Response:
        record = ctx.record
        fault = self._take_fault(record.method, record.path)
        if fault is not None:
            record.fault = True
            return _json_response(fault.body, fault.status, fault.headers)
        if ctx.request.path.startswith(prefix + "/"):
            for method, pattern, handler, needs_auth in self._routes:
                if method != record.method:
                    continue
                match = pattern.fullmatch(record.path)
                if match is None:
                    continue
                if needs_auth and ctx.request.headers.get("Authorization") != f"Bot {self.token}":
                    return _error(401, 0, "401: Unauthorized")
                params = {k: v for k, v in match.groupdict().items() if v is not None}
                return await handler(ctx, **params)
        self.unhandled.append(record)
        return _error(404, 0, "404: Not Found")

    async def _handle_cdn(self, request: web.Request) -> web.Response:
        content = self.attachments.get(int(request.match_info["attachment_id"]))
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    # ----------------------------------------------------------------- payload builders

    def bot_user_payload(self) -> dict[str, Any]:
        """Return the full bot user object (``GET /users/@me`` and READY)."""
        return {
            **self.bot.payload(),
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
            "locale": "en-US",
            "email": None,
        }

    def application_payload(self) -> dict[str, Any]:
        """Return the application object with the owner."""
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "summary": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "verify_key": "0" * 64,
            "owner": self.owner.payload(),
            "team": None,
            "flags": self._application_flags(),
            "bot": self.bot.payload(),
            "redirect_uris": [],
            "interactions_endpoint_url": None,
            "tags": [],
            "approximate_guild_count": len(self.guilds),
            "integration_types_config": {"0": {}},
        }

    def _application_flags(self) -> int:
        # GATEWAY_PRESENCE_LIMITED | GATEWAY_GUILD_MEMBERS_LIMITED | GATEWAY_MESSAGE_CONTENT_LIMITED
        return (1 << 13) | (1 << 15) | (1 << 19) if self.allow_privileged_intents else 0

    def guild_payload(self, guild: EmuGuild) -> dict[str, Any]:
        """Return the GUILD_CREATE payload of a guild (also used by ``GET /guilds/{id}``)."""
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(guild.owner_id),
            "afk_channel_id": None,
            "afk_timeout": 300,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": "en-US",
            "system_channel_id": str(guild.text_channels[0].id) if guild.text_channels else None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "features": [],
            "roles": [r.payload() for r in guild.roles],
            "emojis": [],
            "stickers": [],
            "joined_at": guild.members[self.bot.id].joined_at,
            "large": False,
            "unavailable": False,
            "member_count": len(guild.members),
            "voice_states": [],
            "members": [m.payload() for m in guild.members.values()],
            "channels": [
                {k: v for k, v in c.payload().items() if k != "guild_id"} for c in guild.channels
            ],
            "threads": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "soundboard_sounds": [],
            "max_members": 500000,
            "premium_progress_bar_enabled": False,
        }

    def _member_payload_for(self, guild: EmuGuild, user: EmuUser, **extra: Any) -> dict[str, Any]:
        member = guild.members.get(user.id) or EmuMember(user)
        return {**member.payload(), **extra}

    def _message_author_fields(self, channel: EmuChannel, author: EmuUser) -> dict[str, Any]:
        fields: dict[str, Any] = {"author": author.payload()}
        if channel.guild_id is not None:
            guild = self.get_guild(channel.guild_id)
            member = guild.members.get(author.id) or EmuMember(author)
            fields["guild_id"] = str(guild.id)
            fields["member"] = member.payload(with_user=False)
        return fields

    def _resolve_mentions(
        self,
        content: str,
        allowed: Mapping[str, Any] | None,
        replied_author: int | None,
        guild_id: int | None,
    ) -> tuple[list[dict[str, Any]], list[str], bool]:
        """Compute who a message pings, honouring ``allowed_mentions`` like Discord."""
        user_ids = [int(x) for x in _USER_MENTION.findall(content)]
        role_ids = [int(x) for x in _ROLE_MENTION.findall(content)]
        everyone = "@everyone" in content or "@here" in content
        if allowed is None:
            replied = replied_author is not None
        else:
            parse = allowed.get("parse") or []
            if "users" not in parse:
                listed = {int(x) for x in allowed.get("users") or []}
                user_ids = [u for u in user_ids if u in listed]
            if "roles" not in parse:
                listed = {int(x) for x in allowed.get("roles") or []}
                role_ids = [r for r in role_ids if r in listed]
            everyone = everyone and "everyone" in parse
            replied = bool(allowed.get("replied_user")) and replied_author is not None
        if replied and replied_author is not None and replied_author not in user_ids:
            user_ids.append(replied_author)
        guild = self.get_guild(guild_id) if guild_id is not None else None
        known_roles = {r.id for r in guild.roles} if guild else set()
        mentions = [
            self._all_users[u].payload() for u in dict.fromkeys(user_ids) if u in self._all_users
        ]
        roles = [str(r) for r in dict.fromkeys(role_ids) if r in known_roles]
        return mentions, roles, everyone

    def _new_message(
        self,
        channel: EmuChannel,
        author: EmuUser,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
        *,
        msg_type: int = 0,
        flags: int | None = None,
        webhook_id: int | None = None,
        interaction: InjectedInteraction | None = None,
        reference: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Build and store a message the way Discord would after a create call."""
        mid = self._ids.next()
        referenced = None
        if reference is not None:
            referenced = self.messages.get(int(reference["message_id"]))
        replied_author = int(referenced["author"]["id"]) if referenced else None
        content = body.get("content") or ""
        mentions, mention_roles, everyone = self._resolve_mentions(
            content, body.get("allowed_mentions"), replied_author, channel.guild_id
        )
        msg: dict[str, Any] = {
            "id": str(mid),
            "type": msg_type,
            "channel_id": str(channel.id),
            **self._message_author_fields(channel, author),
            "content": content,
            "timestamp": _now_iso(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts", False)),
            "mention_everyone": everyone,
            "mentions": mentions,
            "mention_roles": mention_roles,
            "attachments": self._attachments(channel, body, files, []),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "reactions": [],
            "pinned": False,
            "flags": (body.get("flags") or 0) if flags is None else flags,
            "components": list(body.get("components") or []),
        }
        if body.get("nonce") is not None:
            msg["nonce"] = body["nonce"]
        if body.get("poll") is not None:
            msg["poll"] = body["poll"]
        if webhook_id is not None:
            msg["webhook_id"] = str(webhook_id)
            msg["application_id"] = str(self.application_id)
        if interaction is not None:
            metadata: dict[str, Any] = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": self._interaction_user(interaction).payload(),
                "authorizing_integration_owners": interaction.payload[
                    "authorizing_integration_owners"
                ],
            }
            if interaction.type == IT_APPLICATION_COMMAND:
                metadata["name"] = interaction.payload["data"]["name"]
            if "message" in interaction.payload:
                metadata["interacted_message_id"] = interaction.payload["message"]["id"]
            msg["interaction_metadata"] = metadata
        if reference is not None:
            msg["message_reference"] = {
                "type": 0,
                "message_id": str(reference["message_id"]),
                "channel_id": str(reference.get("channel_id") or channel.id),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
            msg["referenced_message"] = referenced
        self.messages[mid] = msg
        return msg

    def _attachments(
        self,
        channel: EmuChannel,
        body: Mapping[str, Any],
        files: Sequence[RecordedFile],
        existing: Sequence[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """Turn ``attachments`` + uploaded ``files[n]`` into attachment objects."""
        uploads = {f.field: f for f in files}
        by_id = {a["id"]: a for a in existing}
        specs = body.get("attachments")
        if specs is None:
            specs = [{"id": i} for i in range(len(files))]
        result = []
        for spec in specs:
            key = str(spec.get("id"))
            if key in by_id:
                result.append(by_id[key])
                continue
            upload = uploads.get(f"files[{key}]")
            if upload is None:
                continue
            aid = self._ids.next()
            filename = spec.get("filename") or upload.filename or f"file{key}"
            self.attachments[aid] = upload.content
            url = f"{self.url}/attachments/{channel.id}/{aid}/{filename}"
            result.append(
                {
                    "id": str(aid),
                    "filename": filename,
                    "description": spec.get("description"),
                    "size": len(upload.content),
                    "url": url,
                    "proxy_url": url,
                    "content_type": upload.content_type,
                }
            )
        return result

    def _apply_edit(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> None:
        """Apply a PATCH body to a stored message (absent fields stay as they were)."""
        channel = self.get_channel(int(msg["channel_id"]))
        assert channel is not None
        if "content" in body:
            msg["content"] = body["content"] or ""
        if "embeds" in body:
            msg["embeds"] = [{"type": "rich", **e} for e in body["embeds"] or []]
        if "components" in body:
            msg["components"] = list(body["components"] or [])
        if "attachments" in body or files:
            msg["attachments"] = self._attachments(channel, body, files, msg["attachments"])
        if "flags" in body and body["flags"] is not None:
            keep = msg["flags"] & ~FLAG_SUPPRESS_EMBEDS
            msg["flags"] = keep | (body["flags"] & FLAG_SUPPRESS_EMBEDS)
        if "content" in body or "allowed_mentions" in body:
            replied = msg.get("referenced_message")
            replied_author = int(replied["author"]["id"]) if replied else None
            mentions, roles, everyone = self._resolve_mentions(
                msg["content"], body.get("allowed_mentions"), replied_author, channel.guild_id
            )
            msg.update(mentions=mentions, mention_roles=roles, mention_everyone=everyone)
        if msg["flags"] & FLAG_LOADING:
            msg["flags"] &= ~FLAG_LOADING
        else:
            msg["edited_timestamp"] = _now_iso()

    def _check_message(self, body: Mapping[str, Any]) -> web.Response | None:
        if not self.validate_payloads:
            return None
        errors: dict[str, Any] = {}
        _validate_message(body, errors)
        return _invalid_form(errors) if errors else None

    def _visible_to_bot_channels(self, msg: Mapping[str, Any]) -> bool:
        return not msg["flags"] & FLAG_EPHEMERAL

    # ----------------------------------------------------------------- REST handlers

    async def _no_content(self, ctx: _Ctx, **_: str) -> web.Response:
        return web.Response(status=204)

    async def _get_me(self, ctx: _Ctx) -> web.Response:
        return _json_response(self.bot_user_payload())

    async def _get_user(self, ctx: _Ctx, user_id: str) -> web.Response:
        u = self._all_users.get(int(user_id))
        if u is None:
            return _error(404, 10013, "Unknown User")
        return _json_response(u.payload())

    async def _create_dm(self, ctx: _Ctx) -> web.Response:
        recipient = self._all_users.get(int((ctx.body or {}).get("recipient_id", 0)))
        if recipient is None:
            return _error(400, 50033, "Invalid Recipient(s)")
        return _json_response(self.dm_channel(recipient).payload())

    async def _get_gateway(self, ctx: _Ctx) -> web.Response:
        return _json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: _Ctx) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return _json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_application(self, ctx: _Ctx) -> web.Response:
        return _json_response(self.application_payload())

    def _check_app(self, app_id: str, guild_id: str | None) -> web.Response | None:
        if int(app_id) != self.application_id:
            return _error(403, 50001, "Missing Access")
        if guild_id is not None and not any(g.id == int(guild_id) for g in self.guilds):
            return _error(403, 50001, "Missing Access")
        return None

    async def _get_commands(
        self, ctx: _Ctx, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        problem = self._check_app(app_id, guild_id)
        if problem is not None:
            return problem
        key = int(guild_id) if guild_id else None
        return _json_response(list(self.commands.get(key, {}).values()))

    async def _put_commands(
        self, ctx: _Ctx, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        problem = self._check_app(app_id, guild_id)
        if problem is not None:
            return problem
        key = int(guild_id) if guild_id else None
        old = self.commands.get(key, {})
        stored: dict[str, dict[str, Any]] = {}
        for cmd in ctx.body or []:
            previous = old.get(cmd["name"])
            command = {
                "type": 1,
                "options": [],
                "default_member_permissions": None,
                "nsfw": False,
                **cmd,
                "id": previous["id"] if previous else str(self._ids.next()),
                "application_id": str(self.application_id),
                "version": str(self._ids.next()),
            }
            if key is not None:
                command["guild_id"] = str(key)
            stored[cmd["name"]] = command
        self.commands[key] = stored
        return _json_response(list(stored.values()))

    async def _get_guild(self, ctx: _Ctx, guild_id: str) -> web.Response:
        try:
            guild = self.get_guild(int(guild_id))
        except LookupError:
            return _error(404, 10004, "Unknown Guild")
        payload = self.guild_payload(guild)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            payload.pop(key)
        return _json_response(payload)

    async def _get_guild_channels(self, ctx: _Ctx, guild_id: str) -> web.Response:
        try:
            guild = self.get_guild(int(guild_id))
        except LookupError:
            return _error(404, 10004, "Unknown Guild")
        return _json_response([c.payload() for c in guild.channels])

    async def _get_member(self, ctx: _Ctx, guild_id: str, user_id: str) -> web.Response:
        try:
            guild = self.get_guild(int(guild_id))
        except LookupError:
            return _error(404, 10004, "Unknown Guild")
        member = guild.members.get(int(user_id))
        if member is None:
            return _error(404, 10007, "Unknown Member")
        return _json_response(member.payload())

    async def _get_channel_route(self, ctx: _Ctx, channel_id: str) -> web.Response:
        channel = self.get_channel(int(channel_id))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        return _json_response(channel.payload())

    def _channel_message(self, channel_id: str, message_id: str) -> dict[str, Any] | None:
        msg = self.messages.get(int(message_id))
        if msg is None or msg["channel_id"] != channel_id or not self._visible_to_bot_channels(msg):
            return None
        return msg

    async def _list_messages(self, ctx: _Ctx, channel_id: str) -> web.Response:
        if self.get_channel(int(channel_id)) is None:
            return _error(404, 10003, "Unknown Channel")
        limit = int(ctx.request.query.get("limit", "50"))
        found = [
            m for m in self.channel_messages(int(channel_id)) if self._visible_to_bot_channels(m)
        ]
        return _json_response(list(reversed(found))[:limit])

    async def _get_channel_message(
        self, ctx: _Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        return _json_response(msg)

    async def _create_channel_message(self, ctx: _Ctx, channel_id: str) -> web.Response:
        channel = self.get_channel(int(channel_id))
        if channel is None:
            return _error(404, 10003, "Unknown Channel")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        reference = body.get("message_reference")
        if reference is not None and reference.get("message_id") is not None:
            if int(reference["message_id"]) not in self.messages and reference.get(
                "fail_if_not_exists", True
            ):
                errors: dict[str, Any] = {}
                _add_error(
                    errors,
                    ["message_reference"],
                    "REPLIES_UNKNOWN_MESSAGE",
                    "Unknown message",
                )
                return _invalid_form(errors)
            if int(reference["message_id"]) not in self.messages:
                reference = None
        else:
            reference = None
        msg = self._new_message(
            channel,
            self.bot,
            body,
            ctx.files,
            msg_type=19 if reference is not None else 0,
            reference=reference,
        )
        if self.validate_payloads and _is_empty_message(msg):
            del self.messages[int(msg["id"])]
            return _error(400, 50006, "Cannot send an empty message")
        await self._echo("MESSAGE_CREATE", msg)
        return _json_response(msg)

    async def _edit_channel_message(
        self, ctx: _Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        if int(msg["author"]["id"]) != self.bot.id:
            return _error(403, 50005, "Cannot edit a message authored by another user")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        return await self._edit_and_echo(msg, body, ctx.files)

    async def _edit_and_echo(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> web.Response:
        before = json.loads(_dumps(msg))
        self._apply_edit(msg, body, files)
        if self.validate_payloads and _is_empty_message(msg):
            msg.clear()
            msg.update(before)
            return _error(400, 50006, "Cannot send an empty message")
        await self._echo("MESSAGE_UPDATE", msg)
        return _json_response(msg)

    async def _delete_channel_message(
        self, ctx: _Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        await self._delete_and_echo(msg)
        return web.Response(status=204)

    async def _delete_and_echo(self, msg: dict[str, Any]) -> None:
        del self.messages[int(msg["id"])]
        event = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            event["guild_id"] = msg["guild_id"]
        await self._echo("MESSAGE_DELETE", event, ephemeral=bool(msg["flags"] & FLAG_EPHEMERAL))

    async def _react(self, ctx: _Ctx, channel_id: str, message_id: str) -> web.Response:
        if self.messages.get(int(message_id)) is None:
            return _error(404, 10008, "Unknown Message")
        return web.Response(status=204)

    # ----------------------------------------------------------------- interactions (REST)

    def _interaction_user(self, inter: InjectedInteraction) -> EmuUser:
        user = inter.payload.get("member", {}).get("user") or inter.payload["user"]
        return self._all_users[int(user["id"])]

    def _interaction_channel(self, inter: InjectedInteraction) -> EmuChannel:
        channel = self.get_channel(int(inter.payload["channel_id"]))
        assert channel is not None
        return channel

    async def _interaction_callback(
        self, ctx: _Ctx, interaction_id: str, token: str
    ) -> web.Response:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or not secrets.compare_digest(inter.token, token):
            return _error(404, 10062, "Unknown interaction")
        late = ctx.record.received_at - inter.dispatched_at
        if self.interaction_deadline is not None and late > self.interaction_deadline:
            return _error(404, 10062, "Unknown interaction")
        if inter.response_type is not None:
            return _error(400, 40060, "Interaction has already been acknowledged.")
        body = ctx.body or {}
        rtype = body.get("type")
        data = body.get("data") or {}
        if rtype not in ALLOWED_CALLBACKS.get(inter.type, frozenset()):
            errors: dict[str, Any] = {}
            _add_error(
                errors,
                ["type"],
                "INTERACTION_RESPONSE_TYPE_INVALID",
                "Invalid interaction response type",
            )
            return _invalid_form(errors)
        if rtype in (CB_CHANNEL_MESSAGE, CB_UPDATE_MESSAGE):
            problem = self._check_message(data)
            if problem is not None:
                return problem
        if rtype == CB_AUTOCOMPLETE_RESULT and self.validate_payloads:
            errors = {}
            _validate_choices(data, errors)
            if errors:
                return _invalid_form(errors)

        channel = self._interaction_channel(inter)
        resource: dict[str, Any] | None = None
        message: dict[str, Any] | None = None
        ephemeral = bool((data.get("flags") or 0) & FLAG_EPHEMERAL)
        msg_type = 20 if inter.type == IT_APPLICATION_COMMAND else 0
        if rtype == CB_CHANNEL_MESSAGE:
            message = self._new_message(
                channel,
                self.bot,
                data,
                ctx.files,
                msg_type=msg_type,
                webhook_id=self.application_id,
                interaction=inter,
            )
            if self.validate_payloads and _is_empty_message(message):
                del self.messages[int(message["id"])]
                return _error(400, 50006, "Cannot send an empty message")
        elif rtype == CB_DEFERRED_CHANNEL_MESSAGE:
            flags = FLAG_LOADING | ((data.get("flags") or 0) & FLAG_EPHEMERAL)
            message = self._new_message(
                channel,
                self.bot,
                {},
                [],
                msg_type=msg_type,
                flags=flags,
                webhook_id=self.application_id,
                interaction=inter,
            )
        elif rtype in (CB_DEFERRED_UPDATE_MESSAGE, CB_UPDATE_MESSAGE):
            source = inter.payload.get("message")
            message = self.messages.get(int(source["id"])) if source else None
            if message is None:
                return _error(404, 10008, "Unknown Message")
            if rtype == CB_UPDATE_MESSAGE:
                response = await self._edit_and_echo(message, data, ctx.files)
                if response.status != 200:
                    return response
        elif rtype == CB_AUTOCOMPLETE_RESULT:
            self.autocomplete_results[inter.id] = list(data.get("choices") or [])

        inter.response_type = rtype
        inter.responded_at = ctx.record.received_at
        if message is not None:
            inter.original_message_id = int(message["id"])
            ephemeral = bool(message["flags"] & FLAG_EPHEMERAL)
            if rtype in (CB_CHANNEL_MESSAGE, CB_DEFERRED_CHANNEL_MESSAGE):
                await self._echo("MESSAGE_CREATE", message, ephemeral=ephemeral)
            if rtype != CB_DEFERRED_UPDATE_MESSAGE:
                resource = {"type": rtype, "message": message}
        interaction_obj: dict[str, Any] = {
            "id": str(inter.id),
            "type": inter.type,
            "response_message_id": str(message["id"]) if message else None,
            "response_message_loading": rtype == CB_DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": ephemeral,
        }
        result: dict[str, Any] = {"interaction": interaction_obj}
        if resource is not None:
            result["resource"] = resource
        return _json_response(result)

    def _hook_interaction(self, app_id: str, token: str) -> InjectedInteraction | None:
        if int(app_id) != self.application_id:
            return None
        for inter in self.interactions.values():
            if secrets.compare_digest(inter.token, token):
                return inter
        return None

    async def _create_followup(self, ctx: _Ctx, app_id: str, token: str) -> web.Response:
        inter = self._hook_interaction(app_id, token)
        if inter is None or inter.response_type not in (4, 5, 6, 7):
            return _error(404, 10015, "Unknown Webhook")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        original = self.original_response(inter)
        if (
            inter.response_type == CB_DEFERRED_CHANNEL_MESSAGE
            and original is not None
            and original["flags"] & FLAG_LOADING
        ):
            # Discord turns the first follow-up after a thinking defer into the response.
            response = await self._edit_and_echo(original, body, ctx.files)
        else:
            message = self._new_message(
                self._interaction_channel(inter),
                self.bot,
                body,
                ctx.files,
                msg_type=20 if inter.type == IT_APPLICATION_COMMAND else 0,
                webhook_id=self.application_id,
                interaction=inter,
            )
            if self.validate_payloads and _is_empty_message(message):
                del self.messages[int(message["id"])]
                return _error(400, 50006, "Cannot send an empty message")
            await self._echo(
                "MESSAGE_CREATE", message, ephemeral=bool(message["flags"] & FLAG_EPHEMERAL)
            )
            response = _json_response(message)
        if ctx.request.query.get("wait") in ("0", "false") and response.status == 200:
            return web.Response(status=204)
        return response

    def _hook_message(self, app_id: str, token: str, message_id: str) -> dict[str, Any] | None:
        inter = self._hook_interaction(app_id, token)
        if inter is None:
            return None
        if message_id == "@original":
            return self.original_response(inter)
        msg = self.messages.get(int(message_id))
        if msg is None or msg.get("interaction_metadata", {}).get("id") != str(inter.id):
            return None
        return msg

    async def _get_hook_message(
        self, ctx: _Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        return _json_response(msg)

    async def _edit_hook_message(
        self, ctx: _Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        return await self._edit_and_echo(msg, body, ctx.files)

    async def _delete_hook_message(
        self, ctx: _Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return _error(404, 10008, "Unknown Message")
        await self._delete_and_echo(msg)
        return web.Response(status=204)

    # ----------------------------------------------------------------- gateway

    async def _handle_gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        query = dict(request.query)
        conn = GatewayConnection(path=request.path, query=query, opened_at=time.monotonic(), _ws=ws)
        requested = query.get("compress")
        if requested == "zlib-stream":
            conn.compress, conn._compress = requested, _zlib_stream()
        elif requested == "zstd-stream":
            conn._compress = _zstd_stream()
            conn.compress = requested if conn._compress is not None else None
        self.gateway_connections.append(conn)
        try:
            await conn.send({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}})
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                raw = msg.data if isinstance(msg.data, str) else zlib.decompress(msg.data).decode()
                payload = json.loads(raw)
                self.gateway_frames.append(
                    GatewayFrame(payload.get("op"), payload.get("d"), time.monotonic(), conn)
                )
                try:
                    await self._on_gateway_payload(conn, ws, payload)
                except ConnectionResetError:
                    raise
                except Exception as exc:  # an emulator bug: fail the test in __aexit__
                    self.internal_errors.append(exc)
                finally:
                    self._notify()
        except ConnectionResetError:
            pass
        finally:
            conn.closed_at = time.monotonic()
            conn.close_code = ws.close_code
            if self._active is conn:
                self._active = None
                self._connected.clear()
            self._notify()
        return ws

    async def _on_gateway_payload(
        self, conn: GatewayConnection, ws: web.WebSocketResponse, payload: Mapping[str, Any]
    ) -> None:
        op, d = payload.get("op"), payload.get("d")
        if op == 1:  # HEARTBEAT
            await conn.send({"op": 11})
        elif op == 2:  # IDENTIFY
            await self._identify(conn, ws, d)
        elif op == 6:  # RESUME
            if d.get("token") != self.token:
                await ws.close(code=4004, message=b"Authentication failed.")
            elif d.get("session_id") != self._session_id:
                await conn.send({"op": 9, "d": False})
            else:
                self._active = conn
                self._seq += 1
                await conn.send({"op": 0, "t": "RESUMED", "s": self._seq, "d": {}})
                self._connected.set()
        elif op == 8:  # REQUEST_GUILD_MEMBERS
            guild = self.get_guild(int(d["guild_id"]))
            chunk = {
                "guild_id": str(guild.id),
                "members": [m.payload() for m in guild.members.values()],
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            self._seq += 1
            await conn.send({"op": 0, "t": "GUILD_MEMBERS_CHUNK", "s": self._seq, "d": chunk})

    async def _identify(
        self, conn: GatewayConnection, ws: web.WebSocketResponse, d: Mapping[str, Any]
    ) -> None:
        self.identify_payloads.append(dict(d))
        if d.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if not self.allow_privileged_intents and (d.get("intents") or 0) & PRIVILEGED_INTENTS:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self._session_id = secrets.token_hex(16)
        self._seq = 1
        ready = {
            "v": API_VERSION,
            "user": self.bot_user_payload(),
            "guilds": [{"id": str(g.id), "unavailable": True} for g in self.guilds],
            "session_id": self._session_id,
            "session_type": "normal",
            "resume_gateway_url": self.resume_gateway_url,
            "shard": list(d.get("shard") or [0, 1]),
            "application": {"id": str(self.application_id), "flags": self._application_flags()},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "user_settings": {},
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "_trace": ["discord-emulator"],
        }
        await conn.send({"op": 0, "t": "READY", "s": self._seq, "d": ready})
        for guild in self.guilds:
            self._seq += 1
            await conn.send(
                {"op": 0, "t": "GUILD_CREATE", "s": self._seq, "d": self.guild_payload(guild)}
            )
        self._active = conn
        self._connected.set()
        self._ready.set()

    async def dispatch(self, event: str, data: Mapping[str, Any], timeout: float = 5.0) -> None:
        """Send a DISPATCH (op 0) event to the connected client.

        Waits up to ``timeout`` for a live session (e.g. while the client resumes).
        """
        try:
            async with asyncio.timeout(timeout):
                await self._connected.wait()
        except TimeoutError:
            raise TimeoutError(f"no gateway session to dispatch {event} to") from None
        conn = self._active
        assert conn is not None
        self._seq += 1
        await conn.send({"op": 0, "t": event, "s": self._seq, "d": data})

    async def _echo(
        self, event: str, message: Mapping[str, Any], *, ephemeral: bool = False
    ) -> None:
        """Mirror a message the bot created/edited/deleted over the gateway, as Discord does."""
        if not self.echo_bot_messages or ephemeral or self._active is None:
            return
        needed = INTENT_GUILD_MESSAGES if "guild_id" in message else INTENT_DIRECT_MESSAGES
        if self.emulate_intents and not self.has_intent(needed):
            return
        await self.dispatch(event, message)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; discord.py reconnects to ``resume_gateway_url`` and RESUMEs."""
        conn = self._active
        if conn is None:
            raise RuntimeError("no gateway session")
        self._active = None
        self._connected.clear()
        await conn.send({"op": 7, "d": None})

    async def disconnect(self, code: int = 4000) -> None:
        """Close the gateway socket with ``code`` (4000 lets discord.py resume, 4004 does not)."""
        conn = self._active
        if conn is None or conn._ws is None:
            raise RuntimeError("no gateway session")
        self._active = None
        self._connected.clear()
        await conn._ws.close(code=code)

    # ----------------------------------------------------------------- injection

    async def interaction(
        self,
        itype: int,
        data: Mapping[str, Any],
        *,
        user: EmuUser | int | str | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        message: Mapping[str, Any] | None = None,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Dispatch a raw INTERACTION_CREATE of any type; the other builders use this.

        Fills the envelope (id, token, member or user, channel, permissions, locale, context,
        entitlements, authorizing_integration_owners) around ``data``.
        """
        u = self._resolve_user(user)
        iid = self._ids.next()
        token = "emu." + secrets.token_urlsafe(24)
        payload: dict[str, Any] = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "token": token,
            "version": 1,
            "data": dict(data),
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        if dm:
            channel = self.dm_channel(u)
            payload.update(
                user=u.payload(),
                channel_id=str(channel.id),
                channel=channel.payload(),
                app_permissions=str(EVERYONE_PERMISSIONS),
                authorizing_integration_owners={"0": str(self.application_id)},
                context=1,
            )
        else:
            found = self.get_channel(channel_id or self.channel_id)
            if found is None or found.guild_id is None:
                raise LookupError(f"unknown guild channel {channel_id}")
            channel = found
            guild = self.get_guild(found.guild_id)
            perms = str(guild.permissions_for(u.id))
            payload.update(
                guild_id=str(guild.id),
                guild={"id": str(guild.id), "locale": "en-US", "features": []},
                guild_locale="en-US",
                channel_id=str(channel.id),
                channel={**channel.payload(), "permissions": perms},
                member=self._member_payload_for(guild, u, permissions=perms),
                app_permissions=str(guild.permissions_for(self.bot.id)),
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        if message is not None:
            payload["message"] = dict(message)
        inter = InjectedInteraction(
            id=iid,
            token=token,
            type=itype,
            application_id=self.application_id,
            payload=payload,
            dispatched_at=time.monotonic(),
        )
        self.interactions[iid] = inter
        await self.dispatch("INTERACTION_CREATE", payload)
        inter.dispatched_at = time.monotonic()
        return inter

    def _find_command(self, name: str, guild_id: int | None) -> dict[str, Any]:
        for key in (guild_id, None):
            command = self.commands.get(key, {}).get(name)
            if command is not None:
                return command
        synced = {k: sorted(v) for k, v in self.commands.items()}
        raise LookupError(
            f"command {name!r} was not synced (PUT .../commands); synced so far: {synced}"
        )

    def _option_value(
        self, otype: int, value: Any, resolved: dict[str, dict[str, Any]], guild: EmuGuild | None
    ) -> Any:
        if otype in (OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE):
            target = value.id if hasattr(value, "id") else int(value)
            if target in self._all_users:
                u = self._all_users[target]
                resolved.setdefault("users", {})[str(u.id)] = u.payload()
                if guild is not None and u.id in guild.members:
                    member = guild.members[u.id].payload(with_user=False)
                    member["permissions"] = str(guild.permissions_for(u.id))
                    resolved.setdefault("members", {})[str(u.id)] = member
            elif (channel := self.get_channel(target)) is not None:
                perms = str(guild.permissions_for(self.owner.id)) if guild else "0"
                resolved.setdefault("channels", {})[str(target)] = {
                    "id": str(channel.id),
                    "name": channel.name,
                    "type": channel.type,
                    "permissions": perms,
                }
            elif guild is not None:
                for role in guild.roles:
                    if role.id == target:
                        resolved.setdefault("roles", {})[str(target)] = role.payload()
            return str(target)
        if otype == OPT_INTEGER:
            return int(value)
        if otype == OPT_NUMBER:
            return float(value)
        if otype == OPT_BOOLEAN:
            return bool(value)
        return str(value)

    def _build_options(
        self,
        command: Mapping[str, Any],
        path: Sequence[str],
        options: Mapping[str, Any],
        focused: str | None,
        guild: EmuGuild | None,
    ) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """Turn ``{"name": value}`` into the nested option payload using the synced schema."""
        resolved: dict[str, dict[str, Any]] = {}
        schema: Sequence[Mapping[str, Any]] = command.get("options") or []
        chain: list[dict[str, Any]] = []
        for sub in path:
            match = next((o for o in schema if o["name"] == sub and o["type"] in (1, 2)), None)
            if match is None:
                raise LookupError(f"{command['name']!r} has no subcommand {sub!r}")
            chain.append({"type": match["type"], "name": sub, "options": []})
            schema = match.get("options") or []
        leaf: list[dict[str, Any]] = []
        for name, value in options.items():
            spec = next((o for o in schema if o["name"] == name), None)
            if spec is None:
                known = [o["name"] for o in schema]
                raise LookupError(f"{command['name']!r} has no option {name!r}; options: {known}")
            option: dict[str, Any] = {"name": name, "type": spec["type"]}
            if name == focused:
                option["value"] = str(value)
                option["focused"] = True
            else:
                option["value"] = self._option_value(spec["type"], value, resolved, guild)
            leaf.append(option)
        if not chain:
            return leaf, resolved
        chain[-1]["options"] = leaf
        for outer, inner in itertools.pairwise(chain):
            outer["options"] = [inner]
        return [chain[0]], resolved

    async def _command_interaction(
        self,
        itype: int,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
        focused: str | None,
        user: EmuUser | int | str | None,
        channel_id: int | None,
        dm: bool,
        locale: str,
    ) -> InjectedInteraction:
        root, *path = name.split()
        guild: EmuGuild | None = None
        if not dm:
            channel = self.get_channel(channel_id or self.channel_id)
            if channel is not None and channel.guild_id is not None:
                guild = self.get_guild(channel.guild_id)
        command = self._find_command(root, guild.id if guild else None)
        data: dict[str, Any] = {"id": command["id"], "name": root, "type": command.get("type", 1)}
        if "guild_id" in command:
            data["guild_id"] = command["guild_id"]
        if options is None or isinstance(options, Mapping):
            built, resolved = self._build_options(command, path, options or {}, focused, guild)
            data["options"] = built
            if resolved:
                data["resolved"] = resolved
        else:
            data["options"] = [dict(o) for o in options]
        return await self.interaction(
            itype, data, user=user, channel_id=channel_id, dm=dm, locale=locale
        )

    async def interaction_slash(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
        *,
        user: EmuUser | int | str | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Invoke a synced slash command as ``user`` (default: the owner) in ``#general``.

        ``name`` may include subcommands (``"config set"``). ``options`` maps option names to
        values, typed by the synced schema (users/channels/roles may be Emu* objects or ids
        and are put into ``resolved``); a list is sent as the raw option payload.
        """
        return await self._command_interaction(
            IT_APPLICATION_COMMAND, name, options, None, user, channel_id, dm, locale
        )

    async def interaction_autocomplete(
        self,
        name: str,
        options: Mapping[str, Any],
        focused: str | None = None,
        *,
        user: EmuUser | int | str | None = None,
        channel_id: int | None = None,
        dm: bool = False,
        locale: str = "en-US",
    ) -> InjectedInteraction:
        """Ask for autocomplete choices; ``focused`` defaults to the last option given.

        The answer (callback type 8) is in ``emu.autocomplete_results[inter.id]``.
        """
        focused = focused or (list(options)[-1] if options else None)
        return await self._command_interaction(
            IT_AUTOCOMPLETE, name, options, focused, user, channel_id, dm, locale
        )

    async def interaction_component(
        self,
        message_id: int,
        custom_id: str,
        user: EmuUser | int | str | None = None,
        *,
        component_type: int = 2,
        values: Sequence[str] | None = None,
        locale: str = "en-US",
        delay: float = 0.05,
    ) -> InjectedInteraction:
        """Click a button (or pick ``values`` of a select) on a stored message.

        Waits ``delay`` seconds first, like a human would: discord.py registers a view only
        after parsing the response that created the message, and Discord itself never
        delivers a click on a message the client has not rendered yet.
        """
        await asyncio.sleep(delay)
        message = self.get_message(message_id)
        custom_ids = [
            c.get("custom_id")
            for row in message.get("components", [])
            for c in row.get("components", [])
        ]
        if custom_id not in custom_ids:
            raise LookupError(f"message {message_id} has no component {custom_id!r}: {custom_ids}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": component_type}
        if values is not None:
            data["values"] = list(values)
        channel = self.get_channel(int(message["channel_id"]))
        dm = channel is not None and channel.type == 1
        if dm and user is None and channel is not None:
            user = channel.recipients[0]
        return await self.interaction(
            IT_COMPONENT,
            data,
            user=user,
            channel_id=None if dm else int(message["channel_id"]),
            dm=dm,
            message=message,
            locale=locale,
        )

    async def message_create(
        self,
        content: str,
        author: EmuUser | int | str | None = None,
        *,
        channel_id: int | None = None,
        dm: bool = False,
        mentions: Sequence[EmuUser | int] | None = None,
        referenced_message: int | Mapping[str, Any] | None = None,
        embeds: Sequence[Mapping[str, Any]] = (),
        attachments: Sequence[Mapping[str, Any]] = (),
    ) -> dict[str, Any]:
        """Post a message as a human and dispatch MESSAGE_CREATE (subject to intents).

        ``author`` defaults to the owner; ``mentions`` defaults to the ``<@id>`` mentions in
        ``content``; ``referenced_message`` (a stored message or its id) makes it a reply
        (type 19 with ``message_reference``, and the replied author mentioned).

        Returns the full stored message. The dispatched copy has content, embeds,
        attachments and components blanked when the bot lacks the message content intent,
        is not mentioned and it is not a DM (unless ``emulate_intents=False``); without the
        guild/DM messages intent nothing is dispatched (see ``emu.undelivered_events``).
        """
        u = self._resolve_user(author)
        channel = self.dm_channel(u) if dm else self.get_channel(channel_id or self.channel_id)
        if channel is None:
            raise LookupError(f"unknown channel {channel_id}")
        reference = None
        referenced = None
        if referenced_message is not None:
            ref_id = (
                int(referenced_message["id"])
                if isinstance(referenced_message, Mapping)
                else int(referenced_message)
            )
            referenced = self.get_message(ref_id)
            reference = {"message_id": str(ref_id), "channel_id": referenced["channel_id"]}
        if mentions is None:
            mentioned = [int(x) for x in _USER_MENTION.findall(content)]
        else:
            mentioned = [m.id if isinstance(m, EmuUser) else int(m) for m in mentions]
        msg = self._new_message(
            channel,
            u,
            {"content": content, "embeds": list(embeds)},
            [],
            msg_type=19 if reference else 0,
            reference=reference,
        )
        msg["mentions"] = [
            self._all_users[m].payload() for m in dict.fromkeys(mentioned) if m in self._all_users
        ]
        if referenced is not None and referenced["author"]["id"] not in [
            m["id"] for m in msg["mentions"]
        ]:
            msg["mentions"].append(referenced["author"])
        msg["attachments"] = [dict(a) for a in attachments]
        if self.emulate_intents:
            needed = INTENT_DIRECT_MESSAGES if dm else INTENT_GUILD_MESSAGES
            if not self.has_intent(needed):
                self.undelivered_events.append(("MESSAGE_CREATE", msg["id"]))
                return msg
        event = dict(msg)
        bot_mentioned = any(int(m["id"]) == self.bot.id for m in msg["mentions"])
        if (
            self.emulate_intents
            and not dm
            and not bot_mentioned
            and not self.has_intent(INTENT_MESSAGE_CONTENT)
        ):
            event.update(content="", embeds=[], attachments=[], components=[])
        await self.dispatch("MESSAGE_CREATE", event)
        return msg


def _exception_in_flight() -> bool:
    return sys.exc_info()[0] is not None
