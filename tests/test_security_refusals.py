"""Refused calls from people nobody knows: counted, not stored one by one."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import httpx
import trio

from .conftest import MasterRunner, StartMaster
from .http import TLS

FLOOD = 1000
BODY_MARK = "body-of-a-stranger"
PATH_MARK = "p" * 4000


@dataclass(frozen=True)
class Stored:
    audit_rows: int
    security_rows: int
    refusals: int  # what the security rows stand for (their counts)
    bytes: int  # the database's logical size (pages, WAL included)
    text: str  # everything the two tables hold


def stored(runner: MasterRunner) -> Stored:
    conn = sqlite3.connect(f"file:{runner.config.storage.database_path}?mode=ro", uri=True)
    try:
        audit = conn.execute("SELECT * FROM audit_logs").fetchall()
        security = conn.execute("SELECT * FROM security_events").fetchall()
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        size = conn.execute("PRAGMA page_size").fetchone()[0]
        counted = conn.execute(
            "SELECT COALESCE(SUM(count), 0) FROM security_events WHERE type = 'gateway_refused'"
        ).fetchone()[0]
    finally:
        conn.close()
    return Stored(len(audit), len(security), counted, pages * size, repr(audit + security))


async def flush(runner: MasterRunner) -> None:
    async with runner.gateway_client() as admin:
        assert (await admin.get("/api/v2/security/events")).status_code == 200
        assert (await admin.get("/api/v2/audit/logs")).status_code == 200


async def test_a_thousand_anonymous_refusals_barely_grow_the_database(
    start_master: StartMaster,
) -> None:
    runner = await start_master()
    await flush(runner)
    before = stored(runner)
    body = {"username": "x" * 3000, "password": "y" * 3000, "note": BODY_MARK * 100}
    headers = {"User-Agent": "u" * 1000}
    requests = [
        ("POST", f"/api/v2/user/register?pad={PATH_MARK}", body, headers),
        ("GET", f"/api/v2/audit/logs?pad={PATH_MARK}", None, headers),
        ("GET", "/api/v2/clusters", None, {**headers, "Authorization": "Bearer " + "t" * 4000}),
        ("POST", f"/api/v2/commands?{PATH_MARK}", body, headers),
    ]

    async def send(client: httpx.AsyncClient, start: int) -> None:
        for i in range(start, FLOOD, 4):
            method, path, json, extra = requests[i % len(requests)]
            r = await client.request(method, path, json=json, headers=extra)
            assert r.status_code == 401, r.text

    with trio.fail_after(120):
        async with (
            httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url, timeout=30) as client,
            trio.open_nursery() as nursery,
        ):
            for start in range(4):
                nursery.start_soon(send, client, start)
    await flush(runner)
    after = stored(runner)
    assert after.audit_rows == before.audit_rows, "anonymous refusals are no audit rows"
    assert after.refusals - before.refusals == FLOOD
    assert after.security_rows - before.security_rows <= 2  # one per address and reason
    assert BODY_MARK not in after.text and PATH_MARK not in after.text
    grown = after.bytes - before.bytes
    print(
        f"{FLOOD} anonymous refusals: +{grown} bytes, +{after.security_rows - before.security_rows} rows"
    )
    assert grown < 64 * 1024, f"{FLOOD} refusals grew the database by {grown} bytes"


async def test_tables_are_capped(start_master: StartMaster) -> None:
    """Past audit_max_rows the oldest rows go, for audit rows and security records alike."""
    runner = await start_master(
        auth={"audit_max_rows": 1000}, server={"trusted_proxies": ("127.0.0.1",)}
    )
    token = await runner.admin_token()
    with trio.fail_after(120):
        async with runner.gateway_client(token) as admin:
            for i in range(1100):  # authenticated changes: one audit row each
                r = await admin.post(f"/api/v2/agent-tokens/{i}/rotate")
                assert r.status_code == 404
        async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url, timeout=30) as client:
            for i in range(1100):  # refusals from 1,100 addresses (behind a proxy): a record each
                forwarded = {"X-Forwarded-For": f"10.0.{i // 256}.{i % 256}"}
                r = await client.get("/api/v2/user/list", headers=forwarded)
                assert r.status_code == 401
    await flush(runner)
    after = stored(runner)
    assert after.audit_rows <= 1000 and after.security_rows <= 1000, after
    async with runner.gateway_client(token) as admin:
        newest = (await admin.get("/api/v2/audit/logs", params={"limit": 1})).json()["data"]
        events = (await admin.get("/api/v2/security/events", params={"limit": 1})).json()
    assert newest[0]["path"] == "/api/v2/agent-tokens/1099/rotate"
    assert events["events"][0]["ip"] == "10.0.4.75"  # the 1,100th
