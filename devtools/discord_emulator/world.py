"""The emulated world and how Discord would serve it.

One application and its bot, human users, guilds with channels and roles, DM channels,
messages, synced commands, and the logs tests read (requests, gateway frames); their JSON
as Discord serves it; and building, editing and mention-resolving messages the way Discord
does after a create or edit call.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from .model import (
    EmuChannel,
    EmuGuild,
    EmuMember,
    EmuRole,
    EmuUser,
    Fault,
    GatewayConnection,
    GatewayFrame,
    InjectedInteraction,
    RecordedFile,
    RecordedRequest,
)
from .protocol import (
    API_VERSION,
    BOT_ROLE_PERMISSIONS,
    EVERYONE_PERMISSIONS,
    FLAG_LOADING,
    FLAG_SUPPRESS_EMBEDS,
    IT_APPLICATION_COMMAND,
    MODERATOR_PERMISSIONS,
    ROLE_MENTION,
    USER_MENTION,
    Snowflakes,
    now_iso,
)


class World:
    """The emulator's state and how Discord would serve it as JSON.

    Every layer above (gateway, REST, interactions, the emulator's lifecycle) reads and
    changes this state; ``_notify`` wakes the tests waiting for a change.
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

        self._ids = Snowflakes()
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
        self._faults: list[Fault] = []
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

    # ----------------------------------------------------------------- change notification

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
        user_ids = [int(x) for x in USER_MENTION.findall(content)]
        role_ids = [int(x) for x in ROLE_MENTION.findall(content)]
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
            "timestamp": now_iso(),
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
            msg["edited_timestamp"] = now_iso()

    # ----------------------------------------------------------------- interactions

    def _interaction_user(self, inter: InjectedInteraction) -> EmuUser:
        user = inter.payload.get("member", {}).get("user") or inter.payload["user"]
        return self._all_users[int(user["id"])]

    def _interaction_channel(self, inter: InjectedInteraction) -> EmuChannel:
        channel = self.get_channel(int(inter.payload["channel_id"]))
        assert channel is not None
        return channel
