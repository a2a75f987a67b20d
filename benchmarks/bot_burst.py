"""Bursts of concurrent ``/ask``: does the real bot acknowledge every one within 3 seconds?

Run from the repository root: ``python -m benchmarks.bot_burst [--sizes 100,300,1000]``.

The bot runs in a process of its own (as in production) and the Discord emulator
(``tests/bot/emulator.py``) in this one, so the emulator's work does not slow the bot's event
loop. For each size, that many ``/ask`` interactions are injected at once (cooldown off, so
the queue is what is measured) and the script prints, from injection:

* the time to the acknowledgement (the deferral Discord needs within 3 s), p50 / p99 / max,
  and how many came too late (the emulator answers those ``10062 Unknown interaction``);
* the time to the answer (the follow-up), p50 / p99 / max, and how many were told "busy".

Everything runs in temporary folders; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from devtools.discord_emulator import DiscordEmulator, InjectedInteraction, RecordedRequest

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How many missiles and drones did Russia send toward Kyiv?"
USERS = ("alice", "bob", "carol")
DEADLINE = 3.0  # seconds Discord allows before the interaction must be acknowledged


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def figures(times: list[float]) -> str:
    if not times:
        return "none"
    ms = [t * 1000 for t in times]
    return (
        f"p50 {percentile(ms, 0.5):7.1f} ms  p99 {percentile(ms, 0.99):7.1f} ms  "
        f"max {max(ms):7.1f} ms"
    )


async def serve(port: int, token: str, guild_id: int, seeds: Path) -> None:
    """The bot's process: the real bot, pointed at the emulator of the parent process."""
    from bot.client import NewsBot
    from bot.settings import Settings
    from index.library import Library

    pointer = DiscordEmulator(token)
    pointer.port = port  # only its addresses are used, to patch discord.py
    library = await asyncio.to_thread(Library.open, seeds)
    settings = Settings(
        token=token, guild_ids=(guild_id,), seeds=seeds, ask_cooldown=0, watch_interval=0
    )
    with pointer.patch_discord():
        async with NewsBot(settings, library, guild_ready_timeout=0.05) as bot:
            await bot.start(token)


def first(requests: list[RecordedRequest], method: str, path: str) -> RecordedRequest | None:
    return next((r for r in requests if r.method == method and r.path == path), None)


async def burst(emu: DiscordEmulator, size: int, timeout: float) -> str:
    """Inject ``size`` questions at once and summarise what became of them."""
    asked: list[InjectedInteraction] = await asyncio.gather(
        *(
            emu.interaction_slash("ask", {"question": QUESTION}, user=USERS[n % len(USERS)])
            for n in range(size)
        )
    )
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        requests = list(emu.requests)
        done = [
            first(requests, "POST", inter.webhook_path)
            or (
                (cb := first(requests, "POST", inter.callback_path)) is not None
                and cb.status >= 400
            )
            for inter in asked
        ]
        if all(done):
            break
        await asyncio.sleep(0.1)
    requests = list(emu.requests)
    acks, answers, late, busy, missing = [], [], 0, 0, 0
    for inter in asked:
        callback = first(requests, "POST", inter.callback_path)
        answer = first(requests, "POST", inter.webhook_path)
        if callback is None:
            missing += 1
            continue
        acks.append(callback.received_at - inter.dispatched_at)
        late += callback.status == 404
        if answer is None:
            missing += callback.status < 400
            continue
        answers.append(answer.received_at - inter.dispatched_at)
        embeds = (answer.json or {}).get("embeds") or [{}]
        busy += embeds[0].get("title") == "Busy"
    load = os.getloadavg()[0]
    return (
        f"{size:>5} concurrent /ask (load average {load:.1f} on {os.cpu_count()} cores)\n"
        f"      acknowledged: {figures(acks)}; {late} after {DEADLINE:.0f} s\n"
        f"      answered:     {figures(answers)}; {busy} told busy, {missing} unanswered"
    )


async def main(sizes: list[int], timeout: float) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        env = {**os.environ, "NEWSDESK_INDEX_DIR": str(Path(tmp) / "index")}
        async with DiscordEmulator(interaction_deadline=DEADLINE) as emu:
            serve_args = [str(emu.port), emu.token, str(emu.guild_id), str(seeds)]
            child = subprocess.Popen(
                [sys.executable, "-m", "benchmarks.bot_burst", "--serve", *serve_args],
                cwd=REPO,
                env=env,
            )
            try:
                await emu.wait_until_ready(timeout=60)
                await emu.wait_for_request("PUT", r"/commands$", timeout=60)
                await burst(emu, 5, timeout)  # warm up: first questions load word lists
                for size in sizes:
                    print(await burst(emu, size, timeout), flush=True)
                    await asyncio.sleep(1)
            finally:
                child.send_signal(signal.SIGINT)
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="100,300,1000")
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait per burst")
    parser.add_argument("--serve", nargs=4, metavar=("PORT", "TOKEN", "GUILD", "SEEDS"))
    args = parser.parse_args()
    if args.serve:
        port, token, guild, folder = args.serve
        with contextlib.suppress(KeyboardInterrupt):  # the parent's way to stop it
            asyncio.run(serve(int(port), token, int(guild), Path(folder)))
    else:
        asyncio.run(main([int(s) for s in args.sizes.split(",")], args.timeout))
