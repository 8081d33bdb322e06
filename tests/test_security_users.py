"""Accounts under attack, against a real master: look-alike names, revived tokens, lockouts."""

from __future__ import annotations

import logging
import sqlite3

import httpx
import pytest
import trio
from argon2 import PasswordHasher

from master.database.migrations import migrate
from master.database.users import create_user

from .conftest import MasterRunner, StartMaster
from .http import TLS
from .test_trust import GOOD, make_user

KELVIN_KIM = "\u212aim"  # KELVIN SIGN + "im": Python's lower() makes it "kim"
ADMIN_KIM_PASSWORD = "kims-admin-password-1"
VIEWER_PASSWORD = "viewers-own-password-2"
# A cheap hash: the master verifies any argon2id hash whatever its cost.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def add_users(runner: MasterRunner, *users: tuple[str, str, int]) -> None:
    """Write users straight into the stopped master's file, as an older master let them in."""
    conn = sqlite3.connect(runner.config.storage.database_path, isolation_level=None)
    try:
        migrate(conn)
        for username, password, role in users:
            conn.execute("BEGIN")
            create_user(
                conn,
                username=username,
                password_hash=_CHEAP.hash(password),
                display_name="",
                email="",
                role=role,
                now=1.0,
            )
            conn.execute("COMMIT")
    finally:
        conn.close()


async def login(runner: MasterRunner, username: str, password: str) -> httpx.Response:
    async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url) as client:
        return await client.post(
            "/api/v2/user/login", json={"username": username, "password": password}
        )


async def as_user(runner: MasterRunner, token: str, path: str) -> httpx.Response:
    async with runner.gateway_client(token) as client:
        return await client.get(path)


async def test_lookalike_viewer_never_gets_the_admins_rights_across_a_restart(
    start_master: StartMaster,
) -> None:
    """An admin `kim` and a viewer `\\u212aim` from before the username rule: each stays itself."""
    runner = await start_master()
    await runner.stop()
    add_users(runner, ("kim", ADMIN_KIM_PASSWORD, 3), (KELVIN_KIM, VIEWER_PASSWORD, 1))
    await runner.start()
    viewer = (await login(runner, KELVIN_KIM, VIEWER_PASSWORD)).json()["data"]["token"]
    assert (await login(runner, "kim", ADMIN_KIM_PASSWORD)).status_code == 200
    await runner.restart()
    # The admin logs in first after the restart, then the viewer's old token is used.
    admin = await login(runner, "KIM", ADMIN_KIM_PASSWORD)
    assert admin.status_code == 200 and admin.json()["data"]["user"]["role"] == 3
    me = (await as_user(runner, viewer, "/api/v2/user/me")).json()
    assert (me["username"], me["role"]) == (KELVIN_KIM, 1)
    for path in ("/api/v2/user/list", "/api/v2/agent-tokens", "/api/v2/audit/logs"):
        assert (await as_user(runner, viewer, path)).status_code == 403, path
    admin_me = (await as_user(runner, admin.json()["data"]["token"], "/api/v2/user/me")).json()
    assert (admin_me["username"], admin_me["role"]) == ("kim", 3)
    # Neither password opens the other account.
    assert (await login(runner, KELVIN_KIM, ADMIN_KIM_PASSWORD)).status_code == 401
    assert (await login(runner, "kim", VIEWER_PASSWORD)).status_code == 401


@pytest.mark.parametrize(
    "username",
    [KELVIN_KIM, "jos\u00e9", "a b", "a@b", "x" * 65, "", "\u0131nfo", "ad\u200bmin", "tab\tname"],
)
async def test_registered_usernames_are_ascii(master: MasterRunner, username: str) -> None:
    async with master.gateway_client() as admin:
        r = await admin.post(
            "/api/v2/user/register", json={"username": username, "password": GOOD, "role": 1}
        )
    assert r.status_code == 400, r.text
    assert "A-Z" in r.json()["error"]["message"]


async def test_usernames_fold_ascii_case_only(master: MasterRunner) -> None:
    await make_user(master, "Dana.O-K_9", 1)
    async with master.gateway_client() as admin:
        r = await admin.post(
            "/api/v2/user/register", json={"username": "dana.o-k_9", "password": GOOD, "role": 3}
        )
        assert r.status_code == 409, r.text
    assert (await login(master, "DANA.O-K_9", GOOD)).json()["data"]["user"][
        "username"
    ] == "Dana.O-K_9"


async def test_legacy_usernames_still_log_in_and_are_reported(
    start_master: StartMaster, caplog: pytest.LogCaptureFixture
) -> None:
    """Names an older master accepted: each keeps its own account, and the admin is told."""
    runner = await start_master()
    await runner.stop()
    legacy = ["jos\u00e9", "Jos\u00c9", "a b", KELVIN_KIM]
    add_users(
        runner,
        ("kim", ADMIN_KIM_PASSWORD, 3),
        *((n, f"{i}-{GOOD}", 1) for i, n in enumerate(legacy)),
    )
    caplog.set_level(logging.WARNING, logger="master.auth")
    await runner.start()
    warnings = [r.getMessage() for r in caplog.records if "username rule" in r.getMessage()]
    assert len(warnings) == 1 and "4 user" in warnings[0], warnings
    for i, name in enumerate(legacy):
        r = await login(runner, name, f"{i}-{GOOD}")
        assert r.status_code == 200, (name, r.text)
        me = (await as_user(runner, r.json()["data"]["token"], "/api/v2/user/me")).json()
        assert (me["username"], me["role"]) == (name, 1)
    async with runner.gateway_client() as admin:
        users = (await admin.get("/api/v2/user/list")).json()["data"]
    flagged = {u["username"]: u["username_ok"] for u in users}
    assert flagged == {"admin": True, "kim": True, **{n: False for n in legacy}}


@pytest.mark.parametrize("new_role", [1, 3])
async def test_deleted_users_tokens_stay_dead_when_the_name_is_registered_again(
    master: MasterRunner, new_role: int
) -> None:
    old = await make_user(master, "eve", 2)
    assert (await as_user(master, old, "/api/v2/user/me")).status_code == 200
    async with master.gateway_client() as admin:
        assert (
            await admin.post("/api/v2/user/delete", json={"username": "eve"})
        ).status_code == 200
    new = await make_user(master, "eve", new_role, password="a-second-pass-for-her")
    for path in ("/api/v2/user/me", "/api/v2/user/list", "/api/v2/clusters"):
        r = await as_user(master, old, path)
        assert r.status_code == 401, (path, r.text)
    await master.restart()
    assert (await as_user(master, old, "/api/v2/user/me")).status_code == 401
    me = (await as_user(master, new, "/api/v2/user/me")).json()
    assert (me["username"], me["role"]) == ("eve", new_role)


# --- lockout -----------------------------------------------------------------------

VICTIM = "victim"
VICTIM_PASSWORD = "staple-orbit-lantern-42"


def from_address(runner: MasterRunner, address: str) -> httpx.AsyncClient:
    """A client whose connections really come from `address` (all of 127/8 is loopback)."""
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(
        verify=TLS, base_url=runner.gateway_url, transport=transport, timeout=30
    )


async def attempt(client: httpx.AsyncClient, password: str, **headers: str) -> int:
    r = await client.post(
        "/api/v2/user/login", json={"username": VICTIM, "password": password}, headers=headers
    )
    return r.status_code


async def test_a_locked_out_attacker_does_not_lock_out_the_victim(
    start_master: StartMaster,
) -> None:
    runner = await start_master(auth={"login_max_failures": 3, "login_backoff": 600.0})
    await make_user(runner, VICTIM, 1, password=VICTIM_PASSWORD)
    with trio.fail_after(60):
        async with from_address(runner, "127.0.0.2") as attacker:
            statuses = [await attempt(attacker, f"guess-{i}") for i in range(6)]
            assert statuses == [401, 401, 401, 429, 429, 429]
            # The attacker's own address stays throttled, even with the right password.
            assert await attempt(attacker, VICTIM_PASSWORD) == 429
        async with from_address(runner, "127.0.0.3") as victim:
            assert await attempt(victim, VICTIM_PASSWORD) == 200


async def test_forwarded_for_counts_only_behind_a_trusted_proxy(start_master: StartMaster) -> None:
    runner = await start_master(auth={"login_max_failures": 2, "login_backoff": 600.0})
    await make_user(runner, VICTIM, 1, password=VICTIM_PASSWORD)
    with trio.fail_after(60):
        async with from_address(runner, "127.0.0.4") as attacker:
            for i in range(2):
                assert await attempt(attacker, f"guess-{i}") == 401
            # A made-up X-Forwarded-For from an untrusted peer changes nothing.
            assert (
                await attempt(attacker, VICTIM_PASSWORD, **{"X-Forwarded-For": "10.9.9.9"}) == 429
            )
    await runner.stop()
    runner.config = runner.config.replace(server={"trusted_proxies": ("127.0.0.5",)})
    await runner.start()
    await make_user(runner, "other", 1)  # the admin logs in from 127.0.0.1
    with trio.fail_after(60):
        async with from_address(runner, "127.0.0.5") as proxy:
            for i in range(2):
                assert (
                    await attempt(proxy, f"guess-{i}", **{"X-Forwarded-For": "203.0.113.7"}) == 401
                )
            assert (
                await attempt(proxy, VICTIM_PASSWORD, **{"X-Forwarded-For": "203.0.113.7"}) == 429
            )
            # Another client behind the same proxy is not locked out.
            ok = {"X-Forwarded-For": "198.51.100.8, 203.0.113.99"}  # the proxy appended the last
            assert await attempt(proxy, VICTIM_PASSWORD, **ok) == 200
        async with runner.gateway_client() as admin:
            events = (
                await admin.get("/api/v2/security/events", params={"type": "login_failed"})
            ).json()
    addresses = {e["ip"] for e in events["events"]}
    assert "203.0.113.7" in addresses and "127.0.0.5" not in addresses
