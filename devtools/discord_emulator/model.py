"""The objects the emulator's state is made of.

Users, roles, channels, members and guilds (each serialised the way Discord serves it),
and the records tests inspect: requests, gateway connections and frames, injected
interactions and faults.
"""

from __future__ import annotations

import asyncio
import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from .protocol import ALL_PERMISSIONS, P_ADMINISTRATOR, dumps, now_iso


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
    joined_at: str = dataclasses.field(default_factory=now_iso)

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
        data = dumps(payload)
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
class Fault:
    """An injected failure: the next ``remaining`` matching requests get this answer."""

    method: str
    pattern: re.Pattern[str]
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int
