"""File modes, log lines, the Host header and agent token use, against real masters."""

from __future__ import annotations

import io
import logging
import os
import sqlite3
import stat
import time
from pathlib import Path

import httpx
import pytest
import trio

from master.logs import OneLineFormatter, configure_logging

from .conftest import StartMaster
from .http import TLS
from .test_hostile import exchange, request, status_of
from .test_supervision import master_process, wait_for_urls


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("existing", [False, True])
async def test_data_directory_and_files_are_the_owners_only(
    start_master: StartMaster, tmp_path: Path, existing: bool
) -> None:
    umask = os.umask(0o022)  # what most systems run with: files 0644 unless we say
    data = tmp_path / "data"
    if existing:  # as an older master left them
        data.mkdir(mode=0o755)
        data.chmod(0o755)
        (data / "master.db").touch(mode=0o644)
        (data / "master.db").chmod(0o644)
    try:
        runner = await start_master()
        async with runner.gateway_client() as admin:  # writes: the WAL exists
            r = await admin.post("/api/v2/agent-tokens", json={"cluster_id": "c1"})
            assert r.is_success
    finally:
        os.umask(umask)
    assert mode(data) == 0o700
    files = ["master.db", "master.db-wal", "master.db-shm", "jwt_secret", "notify_key"]
    assert {name: mode(data / name) for name in files} == dict.fromkeys(files, 0o600)


def test_formatter_writes_control_characters_out() -> None:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(OneLineFormatter("%(levelname)s %(name)s: %(message)s"))
    log = logging.getLogger("test.one_line")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("value %s and %r", "a\nFAKE b\r\x1b[31m\u2028c", "d\ne")
        try:
            raise ValueError("boom\nERROR forged: line")
        except ValueError:
            log.exception("failed on %s", "x\ny")
    finally:
        log.removeHandler(handler)
    lines = out.getvalue().splitlines()
    assert lines[0] == "WARNING test.one_line: value a\\nFAKE b\\r\\x1b[31m\\u2028c and 'd\\ne'"
    assert lines[1] == "ERROR test.one_line: failed on x\\ny"
    assert all(line.startswith("  ") for line in lines[2:]), lines  # the traceback, indented
    assert any("ERROR forged: line" in line for line in lines[2:])


def test_configure_logging_installs_the_formatter() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("warning")
        assert root.level == logging.WARNING
        assert [type(h.formatter) for h in root.handlers] == [OneLineFormatter]
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def test_agents_cannot_forge_lines_in_the_masters_log(tmp_path: Path) -> None:
    """`python -m master`: a command id from an agent, with a line of its own in it."""
    forged = "2026-01-01 00:00:00,000 CRITICAL master: all data deleted"
    with master_process(tmp_path) as (_, lines):
        agent_url, _ = wait_for_urls(lines)
        r = httpx.post(
            agent_url + "/agent/result",
            headers={"X-Cluster-ID": "c1"},
            json={"command_id": f"x\n{forged}\n", "success": True},
            timeout=10,
        )
        assert r.status_code == 200
        deadline = time.monotonic() + 10
        while not any("result for unknown" in line for line in lines):
            assert time.monotonic() < deadline, "".join(lines)
            time.sleep(0.05)
    logged = "".join(lines)
    assert not [line for line in logged.splitlines() if line.startswith(forged[:20])], logged
    assert f"x\\n{forged}\\n" in logged


async def test_host_header_must_name_the_master(start_master: StartMaster) -> None:
    runner = await start_master(
        server={"allowed_hosts": ("ops.example.com",)}, alerts={"public_url": "https://m.example"}
    )
    port = runner.gateway_url.rsplit(":", 1)[1]
    async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url) as client:
        for host, status in [
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            ("[::1]", 200),
            ("10.1.2.3:8080", 200),
            ("ops.example.com", 200),
            ("OPS.example.com:443", 200),
            ("m.example", 200),  # the host of public_url
            ("rebind.attacker.example", 400),
            (f"attacker.example:{port}", 400),
            ("ops.example.com.attacker.example", 400),
            ("", 400),
        ]:
            r = await client.get("/health", headers={"Host": host})
            assert r.status_code == status, (host, r.text)
            if status == 400:
                assert "allowed_hosts" in r.json()["error"]["message"]
    # The stream too, before anything else.
    upgrade = (
        b"Upgrade: websocket",
        b"Connection: Upgrade",
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        b"Sec-WebSocket-Version: 13",
    )
    for host, status in [(b"rebind.attacker.example", 400), (b"localhost", 101)]:
        raw, _ = await exchange(
            runner.gateway_url,
            request(b"GET", b"/api/v2/subscribe", *upgrade).replace(
                b"Host: localhost", b"Host: " + host
            ),
            read_for=3,
        )
        assert status_of(raw) == status, raw[:300]


async def test_any_host_with_a_star(start_master: StartMaster) -> None:
    runner = await start_master(server={"allowed_hosts": ("*",)})
    async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url) as client:
        assert (
            await client.get("/health", headers={"Host": "anything.example"})
        ).status_code == 200


async def test_agent_tokens_last_use_is_kept_without_a_write_per_request(
    start_master: StartMaster,
) -> None:
    runner = await start_master(agent={"require_token": True})
    secret = await runner.agent_token("c1")
    path = runner.config.storage.database_path

    def stored_last_use() -> float | None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            value: float | None = conn.execute("SELECT last_used_at FROM agent_tokens").fetchone()[
                0
            ]
        finally:
            conn.close()
        return value

    started = time.time()
    with trio.fail_after(30):
        async with httpx.AsyncClient(verify=TLS, base_url=runner.agent_url) as agent:
            for _ in range(20):
                r = await agent.post(
                    "/agent/heartbeat",
                    headers={"X-Cluster-ID": "c1", "Authorization": f"Bearer {secret}"},
                )
                assert r.status_code == 200
    assert stored_last_use() is None, "20 requests, and not one write for them yet"
    async with runner.gateway_client() as admin:
        (token,) = (await admin.get("/api/v2/agent-tokens")).json()["tokens"]
    assert started <= token["last_used_at"] <= time.time()
    assert stored_last_use() == token["last_used_at"]
    # And a restart keeps it (the shutdown writes what is pending).
    async with httpx.AsyncClient(verify=TLS, base_url=runner.agent_url) as agent:
        headers = {"X-Cluster-ID": "c1", "Authorization": f"Bearer {secret}"}
        assert (await agent.post("/agent/heartbeat", headers=headers)).status_code == 200
    later = time.time()
    await runner.stop()
    assert (stored_last_use() or 0) <= later and (stored_last_use() or 0) > token["last_used_at"]
