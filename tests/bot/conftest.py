"""Fixtures for the bot's tests: private copies of the seeds and index, and a running bot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.client import NewsBot
from devtools.discord_emulator import DiscordEmulator
from devtools.emulated_bot import emulated_bot
from index.library import Library

REPO = Path(__file__).parents[2]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A copy of the repo's articles that a test may add to or change."""
    folder = tmp_path / "seeds"
    shutil.copytree(REPO / "seeds", folder)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the index goes, also for code that opens the library by itself."""
    folder = tmp_path / "index"
    monkeypatch.setenv("NEWSDESK_INDEX_DIR", str(folder))
    return folder


@pytest.fixture
def run_bot(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m bot`` in an empty folder (so no .env) with only the given variables."""
    workdir = tmp_path / "cwd"
    workdir.mkdir()

    def run(env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
        environ = {"PATH": os.environ["PATH"], "PYTHONPATH": str(REPO), **env}
        return subprocess.run(
            [sys.executable, "-m", "bot"],
            cwd=workdir,
            env=environ,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    return run


@pytest.fixture
def library(seeds: Path, index_dir: Path) -> Library:
    return Library.open(seeds, index_dir)


Start = Callable[..., AbstractAsyncContextManager[tuple[DiscordEmulator, NewsBot]]]


@pytest.fixture
def start(seeds: Path, library: Library) -> Start:
    """Start the emulator and the real bot on it: ``async with start(**settings) as (emu, bot)``.

    Defaults suit tests: commands synced to the emulator's guild, no cooldown, no watcher.
    ``library=`` replaces the library, other keywords replace settings (a keyword may be a
    function of the emulator, for ids that only exist once it is built).
    """

    @asynccontextmanager
    async def started(
        *, library: Library = library, **overrides: object
    ) -> AsyncIterator[tuple[DiscordEmulator, NewsBot]]:
        async with DiscordEmulator() as emu:
            values = {k: v(emu) if callable(v) else v for k, v in overrides.items()}
            bot = emulated_bot(emu, library, seeds, **values)
            async with emu.running(bot):
                yield emu, bot
            assert not await emu.leftover_tasks(grace=1.0)

    return started
