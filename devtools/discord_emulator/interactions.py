"""Interactions in the emulator, injected and answered.

Slash commands, autocomplete and component clicks are built the way Discord builds them
from the synced command schema; the callback and follow-up webhook routes keep Discord's
rules (the 3-second deadline, one initial response, follow-ups only after it, a thinking
defer replaced by the first follow-up).
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import Any

from aiohttp import web

from .model import EmuGuild, EmuUser, InjectedInteraction
from .protocol import (
    ALLOWED_CALLBACKS,
    CB_AUTOCOMPLETE_RESULT,
    CB_CHANNEL_MESSAGE,
    CB_DEFERRED_CHANNEL_MESSAGE,
    CB_DEFERRED_UPDATE_MESSAGE,
    CB_UPDATE_MESSAGE,
    EVERYONE_PERMISSIONS,
    FLAG_EPHEMERAL,
    FLAG_LOADING,
    IT_APPLICATION_COMMAND,
    IT_AUTOCOMPLETE,
    IT_COMPONENT,
    OPT_BOOLEAN,
    OPT_CHANNEL,
    OPT_INTEGER,
    OPT_MENTIONABLE,
    OPT_NUMBER,
    OPT_ROLE,
    OPT_USER,
    add_error,
    error_response,
    invalid_form,
    json_response,
)
from .rest import Ctx, Handler, Rest
from .validation import validate_choices


class Interactions(Rest):
    """Interactions: injecting them, and the callback and webhook routes that answer them."""

    def _route_rows(self) -> list[tuple[str, str, Handler, bool]]:
        """Add the interaction callback and follow-up webhook routes.

        They take no bot token: the interaction token in the path is the credential.
        """
        hook = r"/webhooks/(?P<app_id>\d+)/(?P<token>[^/]+)"
        hook_msg = rf"{hook}/messages/(?P<message_id>@original|\d+)"
        callback = r"/interactions/(?P<interaction_id>\d+)/(?P<token>[^/]+)/callback"
        return [
            *super()._route_rows(),
            ("POST", callback, self._interaction_callback, False),
            ("POST", hook, self._create_followup, False),
            ("GET", hook_msg, self._get_hook_message, False),
            ("PATCH", hook_msg, self._edit_hook_message, False),
            ("DELETE", hook_msg, self._delete_hook_message, False),
        ]

    async def _interaction_callback(
        self, ctx: Ctx, interaction_id: str, token: str
    ) -> web.Response:
        inter = self.interactions.get(int(interaction_id))
        if inter is None or not secrets.compare_digest(inter.token, token):
            return error_response(404, 10062, "Unknown interaction")
        late = ctx.record.received_at - inter.dispatched_at
        if self.interaction_deadline is not None and late > self.interaction_deadline:
            return error_response(404, 10062, "Unknown interaction")
        if inter.response_type is not None:
            return error_response(400, 40060, "Interaction has already been acknowledged.")
        body = ctx.body or {}
        rtype = body.get("type")
        data = body.get("data") or {}
        if rtype not in ALLOWED_CALLBACKS.get(inter.type, frozenset()):
            errors: dict[str, Any] = {}
            add_error(
                errors,
                ["type"],
                "INTERACTION_RESPONSE_TYPE_INVALID",
                "Invalid interaction response type",
            )
            return invalid_form(errors)
        if rtype in (CB_CHANNEL_MESSAGE, CB_UPDATE_MESSAGE):
            problem = self._check_message(data)
            if problem is not None:
                return problem
        if rtype == CB_AUTOCOMPLETE_RESULT and self.validate_payloads:
            errors = {}
            validate_choices(data, errors)
            if errors:
                return invalid_form(errors)

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
            empty = self._refuse_if_empty(message)
            if empty is not None:
                return empty
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
                return error_response(404, 10008, "Unknown Message")
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
        return json_response(result)

    def _hook_interaction(self, app_id: str, token: str) -> InjectedInteraction | None:
        if int(app_id) != self.application_id:
            return None
        for inter in self.interactions.values():
            if secrets.compare_digest(inter.token, token):
                return inter
        return None

    async def _create_followup(self, ctx: Ctx, app_id: str, token: str) -> web.Response:
        inter = self._hook_interaction(app_id, token)
        if inter is None or inter.response_type not in (4, 5, 6, 7):
            return error_response(404, 10015, "Unknown Webhook")
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
            empty = self._refuse_if_empty(message)
            if empty is not None:
                return empty
            await self._echo(
                "MESSAGE_CREATE", message, ephemeral=bool(message["flags"] & FLAG_EPHEMERAL)
            )
            response = json_response(message)
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
        self, ctx: Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        return json_response(msg)

    async def _edit_hook_message(
        self, ctx: Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        body = ctx.body or {}
        problem = self._check_message(body)
        if problem is not None:
            return problem
        return await self._edit_and_echo(msg, body, ctx.files)

    async def _delete_hook_message(
        self, ctx: Ctx, app_id: str, token: str, message_id: str
    ) -> web.Response:
        msg = self._hook_message(app_id, token, message_id)
        if msg is None:
            return error_response(404, 10008, "Unknown Message")
        await self._delete_and_echo(msg)
        return web.Response(status=204)

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
