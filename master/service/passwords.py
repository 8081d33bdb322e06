"""Password hashing (argon2id, off the event loop) and the password policy."""

from __future__ import annotations

from pathlib import Path

import trio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..model.errors import BadRequest

MIN_LENGTH = 10
# argon2id, 64 MiB, 3 passes, 4 lanes: above OWASP's minimum (19 MiB, 2 passes, 1 lane).
_HASHER = PasswordHasher(time_cost=3, memory_cost=64 * 1024, parallelism=4)
# Each hash holds 64 MiB for ~50 ms: a login flood queues here instead of eating memory.
_LIMITER = trio.CapacityLimiter(2)
_COMMON = frozenset((Path(__file__).with_name("common_passwords.txt")).read_text().split())


def check_policy(password: str, username: str = "") -> None:
    """Raise BadRequest saying what is wrong with a new password."""
    if len(password) < MIN_LENGTH:
        raise BadRequest(f"password must be at least {MIN_LENGTH} characters")
    lowered = password.lower()
    if lowered in _COMMON or (username and username.lower() in lowered):
        raise BadRequest("password is too common or contains the username; choose another")


async def hash_password(password: str) -> str:
    return await trio.to_thread.run_sync(_HASHER.hash, password, limiter=_LIMITER)


async def verify_password(stored_hash: str, password: str) -> bool:
    def verify() -> bool:
        try:
            return _HASHER.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    return await trio.to_thread.run_sync(verify, limiter=_LIMITER)


# Verified against when the user does not exist, so a missing account costs the same time.
DUMMY_HASH = _HASHER.hash("not a real password, only for timing")
