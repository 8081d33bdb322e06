"""`python -m master` as a process: demo agents, clean SIGTERM, bad config, crash exit."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def master_process(
    tmp_path: Path, *args: str, **env: str
) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """Run the master on port 0; yields the process and its log lines as they arrive."""
    full_env = {
        **os.environ,
        "MASTER_GATEWAY_PORT": "0",
        "MASTER_AGENTSDK_PORT": "0",
        "MASTER_ADMIN_PASSWORD": "correct-horse-battery-staple-9",
        "MASTER_AGENT_REQUIRE_TOKEN": "false",
        "MASTER_DATA_DIR": str(tmp_path / "data"),
        **env,
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "master", "--config", str(ROOT / "config.toml"), *args],
        cwd=tmp_path,
        env=full_env,
        stderr=subprocess.STDOUT,
        stdout=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(
        target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True
    )  # type: ignore[union-attr]
    reader.start()
    try:
        yield proc, lines
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
        reader.join(5)


def wait_for_urls(lines: list[str], timeout: float = 30) -> tuple[str, str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in list(lines):
            m = re.search(r"agent port (\S+), gateway (\S+),", line)
            if m:
                return m.group(1), m.group(2)
        time.sleep(0.05)
    raise AssertionError("master did not start:\n" + "".join(lines))


def test_demo_agents_report_in_and_sigterm_stops_cleanly(tmp_path: Path) -> None:
    with master_process(tmp_path, "--demo", "2", MASTER_TIMEOUT_COMMAND_POLL="20s") as (
        proc,
        lines,
    ):
        agent_url, gateway_url = wait_for_urls(lines)
        login = httpx.post(
            gateway_url + "/api/v2/user/login",
            timeout=10,
            json={"username": "admin", "password": "correct-horse-battery-staple-9"},
        )
        admin = {"Authorization": f"Bearer {login.json()['data']['token']}"}
        clusters = httpx.get(gateway_url + "/api/v2/clusters", headers=admin, timeout=10).json()
        assert {c["cluster_id"] for c in clusters["clusters"]} == {"demo-1", "demo-2"}
        assert all(c["status"] == "online" and c["pods"]["total"] > 0 for c in clusters["clusters"])

        # An agent holding a long poll when the master is told to stop gets its answer.
        httpx.post(agent_url + "/agent/heartbeat", headers={"X-Cluster-ID": "held"})
        answer: list[httpx.Response] = []
        poller = threading.Thread(
            target=lambda: answer.append(
                httpx.get(
                    agent_url + "/agent/commands",
                    params={"cluster_id": "held"},
                    headers={"X-Cluster-ID": "held"},
                    timeout=30,
                )
            )
        )
        poller.start()
        time.sleep(0.5)
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0, "".join(lines)
        assert time.monotonic() - started < 10
        poller.join(5)
        assert (
            answer and answer[0].status_code == 200 and answer[0].json() == {"has_command": False}
        )
    log = "".join(lines)
    assert "SIGTERM received" in log and "master stopped" in log
    assert "cluster demo-1 registered" in log


def test_bad_setting_fails_at_start_naming_it(tmp_path: Path) -> None:
    with master_process(tmp_path, MASTER_GATEWAY_PORT="eighty") as (proc, lines):
        assert proc.wait(30) == 2
    assert "MASTER_GATEWAY_PORT" in "".join(lines)


def test_crashing_child_exits_non_zero_with_cause(tmp_path: Path) -> None:
    # The database path is a directory: the database child cannot start.
    (tmp_path / "taken").mkdir()
    with master_process(tmp_path, MASTER_DB_PATH=str(tmp_path / "taken")) as (proc, lines):
        assert proc.wait(30) == 1
    log = "".join(lines)
    assert "master crashed" in log and "unable to open database" in log.lower()
