"""The bot's settings: read once from the environment (and ``.env``), checked, then frozen.

Every knob lives here, so a bad value is reported once, in words, before anything starts;
``.env.example`` documents the same names. The folder settings (the articles folder, the
index folder, the engine URL) are the index's own ``IndexSettings``, read by its
``from_env`` and checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import InitVar, dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from index import DEFAULT_K, ENGINE_ENV, IndexSettings, SearchConfig, parse_url

Number = TypeVar("Number", int, float)

# A bot token is three base64url parts: the bot's id, a timestamp and an HMAC.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")


class SettingsError(ValueError):
    """A setting that cannot be used; the message names it and says what is expected."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the bot can be told; see ``.env.example`` for each variable."""

    token: str = ""  # empty: run in the terminal instead of on Discord
    guild_ids: tuple[int, ...] = ()  # sync commands to these guilds at once (else globally)
    answer_channel_ids: frozenset[int] = frozenset()  # every message there is a question
    index: IndexSettings = field(default_factory=IndexSettings)  # articles, index, engine
    results: int = DEFAULT_K  # passages per answer
    search: SearchConfig = field(default_factory=SearchConfig)
    ask_burst: int = 3  # questions one user may ask within ``ask_cooldown`` seconds
    ask_cooldown: float = 30.0  # the window those questions count in (0: no limit)
    queue_wait: float = 30.0  # seconds of answering ahead past which a question is turned away
    watch_interval: float = 30.0  # seconds between checks of the articles folder (0: off)
    page_timeout: float = 300.0  # seconds of inactivity before page buttons are removed
    shard_count: int | None = None  # gateway shards in all (None: unsharded; 0: Discord's advice)
    shard_ids: tuple[int, ...] = ()  # the shards this process runs (all of them if empty)
    # The articles folder by its old name, for scripts that still pass ``seeds=``.
    seeds: InitVar[Path | None] = None

    def __post_init__(self, seeds: Path | None) -> None:
        if seeds is not None:
            object.__setattr__(self, "index", replace(self.index, articles=Path(seeds)))

    @property
    def reads_messages(self) -> bool:
        """Whether the bot needs the privileged Message Content intent."""
        return bool(self.answer_channel_ids)


def load_settings(environ: Mapping[str, str]) -> Settings:
    """Read the settings from environment variables; raise ``SettingsError`` on a bad one."""
    return Settings(
        token=_token(environ.get("DISCORD_TOKEN", "")),
        guild_ids=_ids(environ, "DISCORD_GUILD_IDS"),
        answer_channel_ids=frozenset(_ids(environ, "DISCORD_ANSWER_CHANNEL_IDS")),
        index=_index(environ),
        results=_number(environ, "NEWSDESK_RESULTS", int, DEFAULT_K, 1, 10),
        search=_search(environ),
        ask_burst=_number(environ, "NEWSDESK_ASK_BURST", int, 3, 1, 100),
        ask_cooldown=_number(environ, "NEWSDESK_ASK_COOLDOWN", float, 30.0, 0, 3600),
        # A follow-up may be sent up to 15 minutes after the question was acknowledged.
        queue_wait=_number(environ, "NEWSDESK_QUEUE_WAIT", float, 30.0, 0.1, 840),
        watch_interval=_number(environ, "NEWSDESK_WATCH_INTERVAL", float, 30.0, 0, 86400),
        # Buttons are removed through the interaction token, which Discord honours 15 minutes.
        page_timeout=_number(environ, "NEWSDESK_PAGE_TIMEOUT", float, 300.0, 1, 840),
        **_shards(environ),
    )


def _search(environ: Mapping[str, str]) -> SearchConfig:
    try:
        return SearchConfig.from_env(environ)
    except ValueError as error:
        raise SettingsError(str(error)) from None


def _index(environ: Mapping[str, str]) -> IndexSettings:
    settings = IndexSettings.from_env(environ)
    if settings.engine:
        try:
            parse_url(settings.engine)
        except ValueError as error:
            raise SettingsError(f"{ENGINE_ENV}: {error}") from None
    return settings


def _shards(environ: Mapping[str, str]) -> dict[str, Any]:
    """``DISCORD_SHARD_COUNT`` (a number, or ``auto``) and ``DISCORD_SHARD_IDS`` (this process's).

    Several processes split a large bot's servers: each is given the same count and its own
    ids (``0,1`` and ``2,3`` of 4); one process alone may run every shard (``auto``).
    """
    raw = environ.get("DISCORD_SHARD_COUNT", "").strip().lower()
    parts = [p.strip() for p in environ.get("DISCORD_SHARD_IDS", "").split(",") if p.strip()]
    if not all(p.isdecimal() for p in parts):
        raise SettingsError(f"DISCORD_SHARD_IDS must be comma-separated numbers, not {parts!r}")
    ids = tuple(dict.fromkeys(map(int, parts)))
    if not raw:
        if ids:
            raise SettingsError("DISCORD_SHARD_IDS needs DISCORD_SHARD_COUNT (how many in all)")
        return {}
    count = 0 if raw == "auto" else _number(environ, "DISCORD_SHARD_COUNT", int, 1, 1, 1 << 16)
    if ids and not count:
        raise SettingsError("DISCORD_SHARD_IDS needs a number in DISCORD_SHARD_COUNT, not auto")
    if any(i >= count for i in ids):
        raise SettingsError(f"DISCORD_SHARD_IDS must be below DISCORD_SHARD_COUNT ({count})")
    return {"shard_count": count, "shard_ids": ids}


def _token(raw: str) -> str:
    token = raw.strip()
    if token and not _TOKEN_SHAPE.fullmatch(token):
        # Never echo the value: it may be a real secret pasted with a typo.
        raise SettingsError(
            "DISCORD_TOKEN does not look like a bot token (three parts separated by dots, "
            "without 'Bot '): copy it from the Developer Portal, Bot tab, Reset Token"
        )
    return token


def _ids(environ: Mapping[str, str], name: str) -> tuple[int, ...]:
    parts = [part.strip() for part in environ.get(name, "").split(",") if part.strip()]
    bad = [part for part in parts if not (part.isdecimal() and 0 < int(part) < 1 << 64)]
    if bad:
        raise SettingsError(
            f"{name} must be comma-separated numeric ids (Developer Mode, right click, "
            f"Copy ID), not {bad[0]!r}"
        )
    return tuple(dict.fromkeys(int(part) for part in parts))


def _number(
    environ: Mapping[str, str],
    name: str,
    kind: Callable[[str], Number],
    default: Number,
    low: Number,
    high: Number,
) -> Number:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    what = "a whole number" if kind is int else "a number of seconds"
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise SettingsError(f"{name} must be {what} from {low} to {high}, not {raw!r}")
    return value
