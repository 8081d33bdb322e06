"""Password hashing (argon2id, off the event loop) and the password policy."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import trio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..model.errors import BadRequest

MIN_LENGTH = 10
_COMMON = frozenset((Path(__file__).with_name("common_passwords.txt")).read_text().split())


@dataclass(frozen=True, slots=True)
class HashCost:
    """argon2id parameters: passes, memory in KiB, lanes."""

    time_cost: int
    memory_cost: int
    parallelism: int


# 64 MiB, 3 passes, 4 lanes: above OWASP's minimum (19 MiB, 2 passes, 1 lane).
PRODUCTION_COST = HashCost(time_cost=3, memory_cost=64 * 1024, parallelism=4)


def check_policy(password: str, username: str = "") -> None:
    """Raise BadRequest saying what is wrong with a new password."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(f"password must be at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in _COMMON or (username and username.lower() in lowered):
        raise BadRequest("password is too common or contains the username; choose another")


class Passwords:
    """Hashes and verifies passwords in worker threads, at a cost the master is given.

    The cost is injected so that tests, which start hundreds of masters and log
    in thousands of times, can hash cheaply; the master runs at `PRODUCTION_COST`.
    """

    def __init__(self, cost: HashCost = PRODUCTION_COST) -> None:
        self.cost = cost
        self._hasher = PasswordHasher(
            time_cost=cost.time_cost, memory_cost=cost.memory_cost, parallelism=cost.parallelism
        )
        # Each hash holds its memory (64 MiB) for ~50 ms: a login flood queues here
        # instead of eating memory.
        self._limiter = trio.CapacityLimiter(2)
        self._dummy: str | None = None

    async def hash(self, password: str) -> str:
        return await trio.to_thread.run_sync(self._hasher.hash, password, limiter=self._limiter)

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Whether `password` matches; with no hash (no such user) it costs the same and fails."""

        def verify() -> bool:
            against = stored_hash if stored_hash is not None else self._dummy_hash()
            try:
                matched = self._hasher.verify(against, password)
            except (VerificationError, InvalidHashError):
                return False
            return matched and stored_hash is not None

        return await trio.to_thread.run_sync(verify, limiter=self._limiter)

    def _dummy_hash(self) -> str:
        """Verified against when the user does not exist (made once, in a worker thread)."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not a real password, only for timing")
        return self._dummy
