"""Failed-login throttling per account and per address, with doubling backoff.

Plain code over a clock: the auth service feeds it, tests drive it directly.
Keys are bounded (least recently touched dropped first) so a flood of made-up
usernames cannot grow it without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MAX_KEYS = 20_000
MAX_BACKOFF = 3600.0


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0


class LoginThrottle:
    def __init__(self, *, max_failures: int, backoff: float, clock: Callable[[], float]) -> None:
        self._max = max_failures
        self._backoff = backoff
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def retry_after(self, keys: Iterable[str]) -> float:
        """Seconds until any of `keys` may try again (0: now)."""
        now = self._clock()
        waits = [r.blocked_until - now for k in keys if (r := self._records.get(k))]
        return max([0.0, *waits])

    def failed(self, keys: Iterable[str]) -> None:
        now = self._clock()
        for key in keys:
            record = self._records.pop(key, None) or _Record()
            record.failures += 1
            if record.failures >= self._max:
                delay = self._backoff * 2 ** (record.failures - self._max)
                record.blocked_until = now + min(delay, MAX_BACKOFF)
            self._records[key] = record
            while len(self._records) > MAX_KEYS:
                self._records.popitem(last=False)

    def succeeded(self, keys: Iterable[str]) -> None:
        for key in keys:
            self._records.pop(key, None)


class OncePerWindow:
    """Says yes to a key at most once per window: security records under a flood stay few."""

    def __init__(self, window: float, clock: Callable[[], float]) -> None:
        self._window = window
        self._clock = clock
        self._last: OrderedDict[str, float] = OrderedDict()

    def __call__(self, key: str) -> bool:
        now = self._clock()
        last = self._last.pop(key, None)
        if last is not None and now - last < self._window:
            self._last[key] = last
            return False
        self._last[key] = now
        while len(self._last) > MAX_KEYS:
            self._last.popitem(last=False)
        return True
