"""How fast the real bot acknowledges ``/ask`` over the local Discord emulator, and its memory.

Run from the repository root: ``python -m benchmarks.bot_latency [--runs 100]``. Prints

* the time from injecting INTERACTION_CREATE to the interaction callback request (the defer
  that must arrive within Discord's 3 seconds), and to the follow-up carrying the answer;
* the same while the index is being rebuilt in a thread (a synthetic folder of articles);
* the peak RSS of the process (bot, library and emulator together: one process).

Everything runs in temporary folders; nothing is written into the repository.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from devtools.discord_emulator import DiscordEmulator
from devtools.emulated_bot import emulated_bot
from index.library import Library

REPO = Path(__file__).resolve().parents[1]
QUESTION = "How many missiles and drones did Russia send toward Kyiv?"


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_corpus(folder: Path, articles: int) -> None:
    """Enough synthetic articles that rebuilding the index takes a noticeable while."""
    for n in range(articles):
        sentence = "Report {}.{}.{} on drones, missiles and talks in region {}."
        paragraphs = [" ".join(sentence.format(n, p, s, s) for s in range(9)) for p in range(12)]
        (folder / f"synthetic{n:04}.txt").write_text(
            f"---\ntitle: Synthetic report {n}\n---\n" + "\n\n".join(paragraphs) + "\n"
        )


async def ask_times(emu: DiscordEmulator, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds to the callback (defer) and to the follow-up, for ``runs`` questions."""
    to_callback, to_answer = [], []
    for _ in range(runs):
        inter = await emu.interaction_slash("ask", {"question": QUESTION})
        callback = await emu.wait_for_callback(inter)
        answer = await emu.wait_for_followup(inter)
        to_callback.append((callback.received_at - inter.dispatched_at) * 1000)
        to_answer.append((answer.received_at - inter.dispatched_at) * 1000)
    return to_callback, to_answer


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)))]
    return (
        f"{name:<44} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   "
        f"max {max(times):7.2f} ms   (n={len(times)})"
    )


async def main(runs: int, synthetic: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds"
        shutil.copytree(REPO / "seeds", seeds)
        os.environ["NEWSDESK_INDEX_DIR"] = str(Path(tmp) / "index")
        print(f"peak RSS before the bot: {rss_mb():.1f} MB (Python, discord.py, emulator code)")
        library = await asyncio.to_thread(Library.open, seeds)
        async with DiscordEmulator() as emu:
            bot = emulated_bot(emu, library, seeds)
            async with emu.running(bot):
                await ask_times(emu, 5)  # warm up
                to_callback, to_answer = await ask_times(emu, runs)
                print(
                    f"repo seeds: {library.report.articles} articles, "
                    f"{library.report.passages} passages"
                )
                print(summary("/ask: injection -> callback (defer)", to_callback))
                print(summary("/ask: injection -> follow-up (answer)", to_answer))
                print(f"peak RSS with the bot on the seeds: {rss_mb():.1f} MB")

                write_corpus(seeds, synthetic)
                started = time.perf_counter()
                rebuild = asyncio.create_task(asyncio.to_thread(bot.library.reload))
                during: list[float] = []
                while not rebuild.done():
                    during += (await ask_times(emu, 1))[0]
                bot.library = await rebuild
                seconds = time.perf_counter() - started
                print(
                    f"rebuild of {bot.library.report.articles} articles took {seconds:.1f} s; "
                    "meanwhile:"
                )
                print(summary("/ask during the rebuild: -> callback", during))
                print(f"peak RSS after the rebuild: {rss_mb():.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--synthetic", type=int, default=400, help="articles for the rebuild")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.synthetic))
