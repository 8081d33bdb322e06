"""Snapshot bodies expanded under one memory budget, one copy each.

Every gzip body being expanded holds a claim on `MemoryBudget`, whatever the
number of agents sending at once: a snapshot that would go over it waits for
others to finish, then gets 503 with Retry-After, so a burst of big snapshots
or decompression bombs never runs the master out of memory.

The claim starts at what the gzip trailer says the body expands to (exact for
an honest agent, so the output is allocated once, at its size, and never
copied); a body that lies about it grows its claim as it expands, and is cut
off at the snapshot limit or when the budget has no room left.
"""

from __future__ import annotations

import threading
import zlib
from collections.abc import Callable

import trio

from ..model.errors import BadRequest, PayloadTooLarge, Unavailable

# Input is fed to zlib this much at a time, so the unconsumed tail it copies stays small.
IN_STEP = 64 << 10
# Output comes back this much at a time: the only memory besides the result.
OUT_STEP = 1 << 20
# A snapshot waits at most this long for room in the budget before it gets 503.
CLAIM_WAIT = 10.0
# What a 503 for a full budget tells the agent (the Go agent resends on its own schedule).
RETRY_AFTER = 5.0


class MemoryBudget:
    """Bytes held by bodies being expanded at the same time.

    Claims are made on the event loop (`claim`, which may wait) and grown from the
    worker thread doing the expansion (`Claim.grow`, which never waits: two bodies
    each waiting for the other's bytes would never finish).
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self._used = 0
        self._lock = threading.Lock()
        self._freed = trio.Event()

    @property
    def used(self) -> int:
        return self._used

    def _take(self, n: int) -> bool:
        with self._lock:
            if self._used + n > self.total:
                return False
            self._used += n
            return True

    async def claim(self, n: int, *, wait: float = CLAIM_WAIT) -> Claim:
        """Claim `n` bytes, waiting up to `wait` seconds for others to release theirs.

        Raises Unavailable (503, Retry-After) when there is still no room.
        """
        with trio.move_on_after(wait):
            while not self._take(n):
                await self._freed.wait()
            return Claim(self, n)
        raise Unavailable(
            "the master is expanding other snapshots with all the memory it allows "
            f"({self.total} bytes); send this one again later",
            retry_after=RETRY_AFTER,
        )

    def _release(self, n: int) -> None:
        with self._lock:
            self._used -= n
        self._freed.set()
        self._freed = trio.Event()


class Claim:
    """Bytes one expansion may hold; give them back with `release()` (on the event loop)."""

    def __init__(self, budget: MemoryBudget, size: int) -> None:
        self._budget = budget
        self.size = size

    def grow(self, n: int) -> bool:
        """Claim `n` more bytes if the budget has them now (any thread); False if not."""
        if not self._budget._take(n):
            return False
        self.size += n
        return True

    def release(self) -> None:
        self._budget._release(self.size)
        self.size = 0


def gzip_size(data: bytes) -> int:
    """The expanded size the gzip trailer claims (its last member's, modulo 4 GiB).

    An honest body's is exact; any valid body expands to at least this much.
    """
    return int.from_bytes(data[-4:], "little") if len(data) >= 18 else 0


def expand_gzip(
    data: bytes, limit: int, *, reserved: int = 0, grow: Callable[[int], bool] = lambda n: True
) -> bytearray:
    """Decompress gzip `data` (one or more members) into one buffer of at most `limit` bytes.

    The buffer is allocated at `reserved` bytes up front; going past it first asks
    `grow` for the extra bytes (double the claim, else just what is needed).
    Raises PayloadTooLarge past `limit` (a bomb stops there), Unavailable (503)
    when `grow` refuses, BadRequest for corrupt or truncated input.
    """
    capacity = min(reserved, limit)  # bytes claimed so far
    out = bytearray(capacity)
    size = 0
    view = memoryview(data)
    pos = 0
    pending: bytes | memoryview = b""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    fed = False  # this member got input
    try:
        while True:
            if pending:
                # Never past limit + 1 bytes: one more than allowed is enough to refuse.
                piece = inflater.decompress(pending, min(OUT_STEP, limit + 1 - size))
                pending = inflater.unconsumed_tail
            elif pos < len(view):
                pending = view[pos : pos + IN_STEP]
                pos += len(pending)
                fed = True
                continue
            else:
                piece = inflater.flush()  # at most a window's worth once the input is consumed
            end = size + len(piece)
            if end > limit:
                raise PayloadTooLarge(f"decompressed body exceeds {limit} bytes")
            if end > capacity:
                # Doubling keeps the claims few; the exact need is asked for when that fails.
                more = min(max(end, 2 * capacity), limit) - capacity
                if not grow(more):
                    more = end - capacity
                    if not grow(more):
                        raise Unavailable(
                            "not enough memory to expand this snapshot now; send it again later",
                            retry_after=RETRY_AFTER,
                        )
                capacity += more
            out[size:end] = piece
            size = end
            if inflater.eof:
                rest = inflater.unused_data
                if not rest and pos >= len(view):
                    break
                inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                pending, fed = rest, bool(rest)
            elif not pending and pos >= len(view) and not piece:
                raise BadRequest("invalid gzip body: truncated stream" if fed else "empty body")
    except zlib.error as err:
        raise BadRequest(f"invalid gzip body: {err}") from err
    finally:
        view.release()
    del out[size:]
    return out
