"""The emulator's REST API below ``/api/v10``.

Every request is recorded, faults are injected on demand, routes are matched and bot auth
checked; the handlers here serve users, guilds, channels, messages, reactions and
application commands (the interaction routes are in :mod:`.interactions`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from aiohttp import BodyPartReader, web

from .gateway import Gateway
from .model import EmuGuild, Fault, RecordedFile, RecordedRequest
from .protocol import (
    API_VERSION,
    FLAG_EPHEMERAL,
    add_error,
    dumps,
    error_response,
    invalid_form,
    json_response,
)
from .validation import is_empty_message, validate_message

Handler = Callable[..., Awaitable[web.Response]]
Route = tuple[str, re.Pattern[str], Handler, bool]


@dataclasses.dataclass
class Ctx:
    request: web.Request
    body: Any
    files: list[RecordedFile]
    record: RecordedRequest


class Rest(Gateway):
    """The REST API: recorded requests, injected faults, routing, and the bot's endpoints."""

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
            Fault(method.upper(), re.compile(path_regex), status, body, all_headers, times)
        )

    def _take_fault(self, method: str, path: str) -> Fault | None:
        for fault in self._faults:
            if fault.remaining > 0 and fault.method == method and fault.pattern.search(path):
                fault.remaining -= 1
                return fault
        return None

    # ----------------------------------------------------------------- REST plumbing

    @functools.cached_property
    def _routes(self) -> list[Route]:
        """Compile the route table once, the first time a request needs it."""
        return [(m, re.compile(p), h, auth) for m, p, h, auth in self._route_rows()]

    def _route_rows(self) -> list[tuple[str, str, Handler, bool]]:
        """Return (method, path regex, handler, needs bot auth) rows; layers above add theirs."""
        snow = r"(?P<{}>\d+)"
        cid, mid, gid = (
            snow.format("channel_id"),
            snow.format("message_id"),
            snow.format("guild_id"),
        )
        commands = r"/applications/(?P<app_id>\d+)(?:/guilds/(?P<guild_id>\d+))?/commands"
        rows: list[tuple[str, str, Handler, bool]] = [
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
        ]  # fmt: skip
        return rows

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
            response = await self._route(Ctx(request, body, files, record), prefix)
        except Exception as exc:  # an emulator bug: answer, and fail the test in __aexit__
            self.internal_errors.append(exc)
            response = error_response(400, 0, f"emulator error: {exc!r}")
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

    async def _route(self, ctx: Ctx, prefix: str) -> web.Response:
        record = ctx.record
        fault = self._take_fault(record.method, record.path)
        if fault is not None:
            record.fault = True
            return json_response(fault.body, fault.status, fault.headers)
        if ctx.request.path.startswith(prefix + "/"):
            for method, pattern, handler, needs_auth in self._routes:
                if method != record.method:
                    continue
                match = pattern.fullmatch(record.path)
                if match is None:
                    continue
                if needs_auth and ctx.request.headers.get("Authorization") != f"Bot {self.token}":
                    return error_response(401, 0, "401: Unauthorized")
                params = {k: v for k, v in match.groupdict().items() if v is not None}
                return await handler(ctx, **params)
        self.unhandled.append(record)
        return error_response(404, 0, "404: Not Found")

    async def _handle_cdn(self, request: web.Request) -> web.Response:
        content = self.attachments.get(int(request.match_info["attachment_id"]))
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="application/octet-stream")

    def _check_message(self, body: Mapping[str, Any]) -> web.Response | None:
        if not self.validate_payloads:
            return None
        errors: dict[str, Any] = {}
        validate_message(body, errors)
        return invalid_form(errors) if errors else None

    def _refuse_if_empty(self, msg: Mapping[str, Any]) -> web.Response | None:
        """Drop a just-created message with nothing to show, answering as Discord does."""
        if not (self.validate_payloads and is_empty_message(msg)):
            return None
        del self.messages[int(msg["id"])]
        return error_response(400, 50006, "Cannot send an empty message")

    def _guild_or_404(self, guild_id: str) -> EmuGuild | web.Response:
        """Return the guild, or Discord's answer for an unknown one."""
        try:
            return self.get_guild(int(guild_id))
        except LookupError:
            return error_response(404, 10004, "Unknown Guild")

    def _visible_to_bot_channels(self, msg: Mapping[str, Any]) -> bool:
        return not msg["flags"] & FLAG_EPHEMERAL

    # ----------------------------------------------------------------- REST handlers

    async def _no_content(self, ctx: Ctx, **_: str) -> web.Response:
        return web.Response(status=204)

    async def _get_me(self, ctx: Ctx) -> web.Response:
        return json_response(self.bot_user_payload())

    async def _get_user(self, ctx: Ctx, user_id: str) -> web.Response:
        u = self._all_users.get(int(user_id))
        if u is None:
            return error_response(404, 10013, "Unknown User")
        return json_response(u.payload())

    async def _create_dm(self, ctx: Ctx) -> web.Response:
        recipient = self._all_users.get(int((ctx.body or {}).get("recipient_id", 0)))
        if recipient is None:
            return error_response(400, 50033, "Invalid Recipient(s)")
        return json_response(self.dm_channel(recipient).payload())

    async def _get_gateway(self, ctx: Ctx) -> web.Response:
        return json_response({"url": self.gateway_url})

    async def _get_gateway_bot(self, ctx: Ctx) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return json_response({"url": self.gateway_url, "shards": 1, "session_start_limit": limit})

    async def _get_application(self, ctx: Ctx) -> web.Response:
        return json_response(self.application_payload())

    def _check_app(self, app_id: str, guild_id: str | None) -> web.Response | None:
        if int(app_id) != self.application_id:
            return error_response(403, 50001, "Missing Access")
        if guild_id is not None and not any(g.id == int(guild_id) for g in self.guilds):
            return error_response(403, 50001, "Missing Access")
        return None

    async def _get_commands(
        self, ctx: Ctx, app_id: str, guild_id: str | None = None
    ) -> web.Response:
        problem = self._check_app(app_id, guild_id)
        if problem is not None:
            return problem
        key = int(guild_id) if guild_id else None
        return json_response(list(self.commands.get(key, {}).values()))

    async def _put_commands(
        self, ctx: Ctx, app_id: str, guild_id: str | None = None
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
        return json_response(list(stored.values()))

    async def _get_guild(self, ctx: Ctx, guild_id: str) -> web.Response:
        guild = self._guild_or_404(guild_id)
        if isinstance(guild, web.Response):
            return guild
        payload = self.guild_payload(guild)
        for key in ("members", "channels", "threads", "presences", "voice_states", "joined_at"):
            payload.pop(key)
        return json_response(payload)

    async def _get_guild_channels(self, ctx: Ctx, guild_id: str) -> web.Response:
        guild = self._guild_or_404(guild_id)
        if isinstance(guild, web.Response):
            return guild
        return json_response([c.payload() for c in guild.channels])

    async def _get_member(self, ctx: Ctx, guild_id: str, user_id: str) -> web.Response:
        guild = self._guild_or_404(guild_id)
        if isinstance(guild, web.Response):
            return guild
        member = guild.members.get(int(user_id))
        if member is None:
            return error_response(404, 10007, "Unknown Member")
        return json_response(member.payload())

    async def _get_channel_route(self, ctx: Ctx, channel_id: str) -> web.Response:
        channel = self.get_channel(int(channel_id))
        if channel is None:
            return error_response(404, 10003, "Unknown Channel")
        return json_response(channel.payload())

    def _channel_message(self, channel_id: str, message_id: str) -> dict[str, Any] | None:
        msg = self.messages.get(int(message_id))
        if msg is None or msg["channel_id"] != channel_id or not self._visible_to_bot_channels(msg):
            return None
        return msg

    async def _list_messages(self, ctx: Ctx, channel_id: str) -> web.Response:
        if self.get_channel(int(channel_id)) is None:
            return error_response(404, 10003, "Unknown Channel")
        limit = int(ctx.request.query.get("limit", "50"))
        found = [
            m for m in self.channel_messages(int(channel_id)) if self._visible_to_bot_channels(m)
        ]
        return json_response(list(reversed(found))[:limit])

    async def _get_channel_message(
        self, ctx: Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        return json_response(msg)

    async def _create_channel_message(self, ctx: Ctx, channel_id: str) -> web.Response:
        channel = self.get_channel(int(channel_id))
        if channel is None:
            return error_response(404, 10003, "Unknown Channel")
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
                add_error(
                    errors,
                    ["message_reference"],
                    "REPLIES_UNKNOWN_MESSAGE",
                    "Unknown message",
                )
                return invalid_form(errors)
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
        empty = self._refuse_if_empty(msg)
        if empty is not None:
            return empty
        await self._echo("MESSAGE_CREATE", msg)
        return json_response(msg)

    async def _edit_channel_message(
        self, ctx: Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        if int(msg["author"]["id"]) != self.bot.id:
            return error_response(403, 50005, "Cannot edit a message authored by another user")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        return await self._edit_and_echo(msg, body, ctx.files)

    async def _edit_and_echo(
        self, msg: dict[str, Any], body: Mapping[str, Any], files: Sequence[RecordedFile]
    ) -> web.Response:
        before = json.loads(dumps(msg))
        self._apply_edit(msg, body, files)
        if self.validate_payloads and is_empty_message(msg):
            msg.clear()
            msg.update(before)
            return error_response(400, 50006, "Cannot send an empty message")
        await self._echo("MESSAGE_UPDATE", msg)
        return json_response(msg)

    async def _delete_channel_message(
        self, ctx: Ctx, channel_id: str, message_id: str
    ) -> web.Response:
        msg = self._channel_message(channel_id, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        await self._delete_and_echo(msg)
        return web.Response(status=204)

    async def _delete_and_echo(self, msg: dict[str, Any]) -> None:
        del self.messages[int(msg["id"])]
        event = {"id": msg["id"], "channel_id": msg["channel_id"]}
        if "guild_id" in msg:
            event["guild_id"] = msg["guild_id"]
        await self._echo("MESSAGE_DELETE", event, ephemeral=bool(msg["flags"] & FLAG_EPHEMERAL))

    async def _react(self, ctx: Ctx, channel_id: str, message_id: str) -> web.Response:
        if self.messages.get(int(message_id)) is None:
            return error_response(404, 10008, "Unknown Message")
        return web.Response(status=204)
