"""A per-user cooldown shared by every way of asking (slash command, mention, channel).

A user may ask ``burst`` questions in any ``seconds``-long window: a conversation (a question,
a quick follow-up, a rewording) goes through, a flood does not. A flat "one per N seconds"
told people asking a follow-up to wait.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

_PRUNE_AT = 10_000  # users remembered before forgetting those whose window is over


class Cooldown:
    """Allow each user ``burst`` uses per ``seconds`` (0 seconds turns the cooldown off)."""

    def __init__(
        self, seconds: float, burst: int = 1, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.burst = burst
        self._clock = clock
        self._recent: dict[int, deque[float]] = {}  # each user's last ``burst`` uses
        self._told: dict[int, float] = {}  # when each refused user's current wait ends

    def retry_after(self, user_id: int) -> float:
        """Return how long the user must still wait; 0 means go ahead (and counts the use)."""
        now = self._clock()
        recent = self._recent.get(user_id)
        if recent is not None and len(recent) == self.burst and now - recent[0] < self.seconds:
            return self.seconds - (now - recent[0])
        if len(self._recent) >= _PRUNE_AT:
            self._forget(now)
        self._recent.setdefault(user_id, deque(maxlen=self.burst)).append(now)
        return 0.0

    def first_refusal(self, user_id: int, wait: float) -> bool:
        """Whether this refusal is the user's first of the wait ``retry_after`` gave.

        A public refusal is made once per wait, so thirty questions in a row get one sign,
        not thirty posts.
        """
        now = self._clock()
        if self._told.get(user_id, 0.0) > now:
            return False
        self._told[user_id] = now + wait
        return True

    def _forget(self, now: float) -> None:
        self._recent = {u: r for u, r in self._recent.items() if now - r[-1] < self.seconds}
        self._told = {u: t for u, t in self._told.items() if t > now}
