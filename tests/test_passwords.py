"""The master hashes passwords with argon2id at production cost unless a test says otherwise."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import trio

from master.service.passwords import PRODUCTION_COST, Passwords

from .conftest import ADMIN_PASSWORD, CHEAP_HASHING, MasterRunner, make_config


async def test_a_master_hashes_at_production_cost(nursery: trio.Nursery, tmp_path: Path) -> None:
    runner = MasterRunner(nursery, make_config(tmp_path), passwords=Passwords())
    await runner.start()
    await runner.admin_token()  # logging in verifies against the stored hash
    with sqlite3.connect(runner.config.storage.database_path) as conn:
        (stored,) = conn.execute("SELECT password_hash FROM users").fetchone()
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert Passwords().cost == PRODUCTION_COST
    await runner.stop()


async def test_verify_fails_for_a_wrong_password_a_missing_user_and_garbage() -> None:
    passwords = Passwords(CHEAP_HASHING)
    stored = await passwords.hash(ADMIN_PASSWORD)
    assert await passwords.verify(stored, ADMIN_PASSWORD)
    assert not await passwords.verify(stored, ADMIN_PASSWORD + "x")
    assert not await passwords.verify(None, ADMIN_PASSWORD), "no such user: never a match"
    assert not await passwords.verify("not a hash", ADMIN_PASSWORD)
