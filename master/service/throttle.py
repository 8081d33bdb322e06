"""Failed-login throttling and refusal counting: plain code over a clock.

The auth service and the audit log feed these; tests drive them directly.
Keys are bounded (least recently touched dropped first) so a flood of made-up
usernames or addresses cannot grow them without limit.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

MAX_KEYS = 20_000
MAX_BACKOFF = 3600.0
# An address is throttled on its own after this many times max_failures across accounts
# (password spraying); a quiet hour forgets a key's failures.
ADDRESS_FACTOR = 4
FORGET_AFTER = 3600.0


@dataclass
class _Record:
    failures: int = 0
    blocked_until: float = 0.0
    last_failure: float = 0.0


class LoginThrottle:
    """Failed logins per (account, address) pair, and per address across accounts.

    A pair that failed `max_failures` times waits `backoff`, doubling with each
    further failure, so an attacker throttles only their own attempts: the same
    account from a clean address gets through with the right password. An
    address that fails `ADDRESS_FACTOR * max_failures` times across accounts is
    throttled whatever account it names.
    """

    def __init__(self, *, max_failures: int, backoff: float, clock: Callable[[], float]) -> None:
        self._max = max_failures
        self._backoff = backoff
        self._clock = clock
        self._records: OrderedDict[str, _Record] = OrderedDict()

    def _limits(self, account: str, address: str) -> tuple[tuple[str, int], ...]:
        return (
            (f"pair:{address} {account}", self._max),
            (f"ip:{address}", self._max * ADDRESS_FACTOR),
        )

    def retry_after(self, account: str, address: str) -> float:
        """Seconds until `account` may try again from `address` (0: now)."""
        now = self._clock()
        waits = [
            r.blocked_until - now
            for key, _ in self._limits(account, address)
            if (r := self._records.get(key))
        ]
        return max([0.0, *waits])

    def failed(self, account: str, address: str) -> None:
        now = self._clock()
        for key, limit in self._limits(account, address):
            record = self._records.pop(key, None) or _Record()
            if now - record.last_failure > FORGET_AFTER:
                record.failures = 0
            record.failures += 1
            record.last_failure = now
            if record.failures >= limit:
                delay = self._backoff * 2 ** (record.failures - limit)
                record.blocked_until = now + min(delay, MAX_BACKOFF)
            self._records[key] = record
            while len(self._records) > MAX_KEYS:
                self._records.popitem(last=False)

    def succeeded(self, account: str, address: str) -> None:
        """Forget the pair's failures; the address's stay (an attacker's own login must not
        reset their spraying count)."""
        self._records.pop(self._limits(account, address)[0][0], None)


@dataclass
class Window:
    """Refusals of one kind from one address since `started`, and how many are recorded."""

    started: float
    last: float
    details: str = ""
    count: int = 1
    recorded: int = 0
    row_id: int | None = None


class RefusalWindows:
    """Counts refusals per key and window, so a flood becomes one record with a count.

    `count(key)` never waits; `pending()` lists the windows whose count changed
    since they were last recorded, and `recorded()` marks what was written.
    """

    def __init__(self, window: float, clock: Callable[[], float]) -> None:
        self._window = window
        self._clock = clock
        self._open: OrderedDict[tuple[str, ...], Window] = OrderedDict()
        self._closed: list[tuple[tuple[str, ...], Window]] = []

    def count(self, key: tuple[str, ...], details: str = "") -> bool:
        """Count one refusal; True when it opened a new window (worth a log line).

        A new window keeps `details` (what the first refusal was about).
        """
        now = self._clock()
        found = self._open.pop(key, None)
        if found is not None and now - found.started < self._window:
            found.count += 1
            found.last = now
            self._open[key] = found
            return False
        if found is not None and found.count > found.recorded:
            self._closed.append((key, found))  # its last counts are still to be written
        self._open[key] = Window(started=now, last=now, details=details)
        while len(self._open) > MAX_KEYS:
            old_key, old = self._open.popitem(last=False)
            if old.count > old.recorded:
                self._closed.append((old_key, old))
        return True

    def pending(self) -> list[tuple[tuple[str, ...], Window]]:
        """Windows with counts not yet recorded (closed ones first); closed ones are handed
        out once."""
        closed, self._closed = self._closed, []
        return closed + [(k, w) for k, w in self._open.items() if w.count > w.recorded]
