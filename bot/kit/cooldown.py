"""A per-user cooldown shared by every way of asking (slash command, mention, channel)."""

from __future__ import annotations

import time
from collections.abc import Callable

_PRUNE_AT = 10_000  # users remembered before forgetting those whose cooldown is over


class Cooldown:
    """Allow each user one use per ``seconds`` (0 turns the cooldown off)."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self._clock = clock
        self._last: dict[int, float] = {}

    def retry_after(self, user_id: int) -> float:
        """Return how long the user must still wait; 0 means go ahead (and starts a new wait)."""
        now = self._clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.seconds:
            return self.seconds - (now - last)
        if len(self._last) >= _PRUNE_AT:
            self._last = {u: t for u, t in self._last.items() if now - t < self.seconds}
        self._last[user_id] = now
        return 0.0
