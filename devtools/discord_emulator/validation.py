"""Discord's limits on what a bot sends, checked the way Discord checks them.

Each check adds to an ``errors`` tree shaped like Discord's ``50035 Invalid Form Body``
answer, so discord.py raises the same ``HTTPException`` it would in production.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .protocol import FLAG_COMPONENTS_V2, add_error


def validate_message(body: Mapping[str, Any], errors: dict[str, Any]) -> None:
    """Check the limits Discord enforces on message payloads."""
    content = body.get("content")
    if isinstance(content, str) and len(content) > 2000:
        add_error(errors, ["content"], "BASE_TYPE_MAX_LENGTH", "Must be 2000 or fewer in length.")
    embeds = body.get("embeds") or []
    if len(embeds) > 10:
        add_error(errors, ["embeds"], "BASE_TYPE_MAX_LENGTH", "Must be 10 or fewer in length.")
    total = 0
    limits = {"title": 256, "description": 4096}
    for i, embed in enumerate(embeds):
        for key, limit in limits.items():
            value = embed.get(key) or ""
            total += len(value)
            if len(value) > limit:
                add_error(
                    errors,
                    ["embeds", i, key],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
        fields = embed.get("fields") or []
        if len(fields) > 25:
            add_error(
                errors,
                ["embeds", i, "fields"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 25 or fewer in length.",
            )
        for j, fld in enumerate(fields):
            for key, limit in (("name", 256), ("value", 1024)):
                value = fld.get(key)
                if not value:
                    add_error(
                        errors,
                        ["embeds", i, "fields", j, key],
                        "BASE_TYPE_REQUIRED",
                        "This field is required",
                    )
                    continue
                total += len(value)
                if len(value) > limit:
                    add_error(
                        errors,
                        ["embeds", i, "fields", j, key],
                        "BASE_TYPE_MAX_LENGTH",
                        f"Must be {limit} or fewer in length.",
                    )
        for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
            value = (embed.get(key) or {}).get(sub) or ""
            total += len(value)
            if len(value) > limit:
                add_error(
                    errors,
                    ["embeds", i, key, sub],
                    "BASE_TYPE_MAX_LENGTH",
                    f"Must be {limit} or fewer in length.",
                )
    if total > 6000:
        add_error(
            errors, ["embeds"], "MAX_EMBED_SIZE_EXCEEDED", "Embed size exceeds maximum size of 6000"
        )
    flags = body.get("flags") or 0
    if not flags & FLAG_COMPONENTS_V2:
        validate_components(body.get("components") or [], errors)
    allowed = body.get("allowed_mentions")
    if isinstance(allowed, Mapping):
        parse = allowed.get("parse") or []
        for kind in ("users", "roles"):
            if kind in parse and allowed.get(kind):
                add_error(
                    errors,
                    ["allowed_mentions"],
                    "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                    f'parse:["{kind}"] and {kind}: [ids...] are mutually exclusive.',
                )


def validate_components(rows: Sequence[Mapping[str, Any]], errors: dict[str, Any]) -> None:
    if len(rows) > 5:
        add_error(errors, ["components"], "BASE_TYPE_MAX_LENGTH", "Must be 5 or fewer in length.")
    seen: set[str] = set()
    for i, row in enumerate(rows):
        children = row.get("components") or []
        if row.get("type") != 1:
            add_error(errors, ["components", i, "type"], "COMPONENT_TYPE_INVALID", "Must be 1.")
        if not 1 <= len(children) <= 5:
            add_error(
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
                    add_error(
                        errors,
                        [*path, "custom_id"],
                        "BASE_TYPE_MAX_LENGTH",
                        "Must be 100 or fewer in length.",
                    )
                if custom_id in seen:
                    add_error(
                        errors,
                        [*path, "custom_id"],
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                seen.add(custom_id)
            label = child.get("label")
            if isinstance(label, str) and len(label) > 80:
                add_error(
                    errors,
                    [*path, "label"],
                    "BASE_TYPE_MAX_LENGTH",
                    "Must be 80 or fewer in length.",
                )


def is_empty_message(msg: Mapping[str, Any]) -> bool:
    return not (
        (msg.get("content") or "").strip()
        or msg.get("embeds")
        or msg.get("attachments")
        or msg.get("components")
        or msg.get("sticker_items")
        or msg.get("poll")
    )


def validate_choices(data: Mapping[str, Any], errors: dict[str, Any]) -> None:
    choices = data.get("choices")
    if choices is None:
        add_error(errors, ["data", "choices"], "BASE_TYPE_REQUIRED", "This field is required")
        return
    if len(choices) > 25:
        add_error(
            errors, ["data", "choices"], "BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length."
        )
    for i, choice in enumerate(choices):
        name = choice.get("name") or ""
        if not 1 <= len(name) <= 100:
            add_error(
                errors,
                ["data", "choices", i, "name"],
                "BASE_TYPE_BAD_LENGTH",
                "Must be between 1 and 100 in length.",
            )
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            add_error(
                errors,
                ["data", "choices", i, "value"],
                "BASE_TYPE_MAX_LENGTH",
                "Must be 100 or fewer in length.",
            )
