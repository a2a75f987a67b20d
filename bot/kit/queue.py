"""Questions waiting for an answer: searched off the event loop, in a bounded queue.

The event loop must stay free to acknowledge every interaction within Discord's 3 seconds;
a search is CPU work, so it runs on a few threads of its own (not the default executor, which
a rebuild of the index also uses). The queue is bounded by the wait it would mean: past
``max_wait`` seconds of work ahead, a question is turned away at once, with a "try again",
rather than answered long after the asker gave up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_FIRST_GUESS = 0.01  # seconds per answer, until one was timed
_SMOOTHING = 0.2  # weight of the latest answer's time in the running mean


class QueueFull(Exception):
    """More work is waiting than ``max_wait`` seconds would clear."""


class AnswerQueue:
    """Run searches on ``threads`` threads, refusing new ones past ``max_wait`` of work."""

    def __init__(self, max_wait: float, threads: int = 2) -> None:
        self.max_wait = max_wait
        self.threads = threads
        self.pending = 0  # questions accepted and not yet answered
        self.seconds = _FIRST_GUESS  # running mean of one answer's time
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="answer")

    def expected_wait(self) -> float:
        """Seconds of work ahead of a question asked now."""
        return self.pending * self.seconds / self.threads

    async def run(self, work: Callable[[], T]) -> T:
        """``work()`` on a search thread; ``QueueFull`` at once when too much is waiting."""
        if self.pending and self.expected_wait() > self.max_wait:
            raise QueueFull
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, self._timed, work)
        finally:
            self.pending -= 1

    def _timed(self, work: Callable[[], T]) -> T:
        started = time.perf_counter()
        try:
            return work()
        finally:
            took = time.perf_counter() - started
            self.seconds += _SMOOTHING * (took - self.seconds)

    def close(self) -> None:
        """Drop the questions still waiting (the bot is closing)."""
        self._executor.shutdown(wait=False, cancel_futures=True)
