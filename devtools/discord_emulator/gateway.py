"""The emulator's websocket gateway.

HELLO, IDENTIFY answered with READY and every GUILD_CREATE, RESUME, heartbeats and member
chunks, with zlib or zstd stream compression as negotiated; dispatching events (and echoing
the bot's own messages) subject to intents; and human messages injected as MESSAGE_CREATE.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import WSMsgType, web

from .model import EmuUser, GatewayConnection, GatewayFrame
from .protocol import (
    API_VERSION,
    INTENT_DIRECT_MESSAGES,
    INTENT_GUILD_MESSAGES,
    INTENT_MESSAGE_CONTENT,
    PRIVILEGED_INTENTS,
    USER_MENTION,
)
from .world import World


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


class Gateway(World):
    """The websocket gateway, dispatching events, and posting messages as a human."""

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
            mentioned = [int(x) for x in USER_MENTION.findall(content)]
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
