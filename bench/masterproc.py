"""The master under test as a subprocess, and what /proc and /metrics say about it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import httpx
import trio

ROOT = Path(__file__).resolve().parent.parent
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class MasterProcess:
    agent_url: str
    gateway_url: str
    pid: int | None
    log: list[str] = field(default_factory=list)

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the master so far; None when it is not a local child."""
        if self.pid is None:
            return None
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def rss_bytes(self) -> int | None:
        if self.pid is None:
            return None
        return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * PAGE


async def read_metrics(client: httpx.AsyncClient, gateway_url: str) -> dict[str, float]:
    """The master's Prometheus counters, by sample name (labels kept in the name)."""
    r = await client.get(gateway_url + "/metrics", timeout=10)
    r.raise_for_status()
    found: dict[str, float] = {}
    for line in r.text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


async def run_master(
    env: dict[str, str], *, task_status: trio.TaskStatus[MasterProcess] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run `python -m master` on loopback with a throw-away data directory until cancelled."""
    with tempfile.TemporaryDirectory(prefix="bench-master-") as data:
        full_env = {
            **os.environ,
            "MASTER_GATEWAY_PORT": "0",
            "MASTER_AGENTSDK_PORT": "0",
            "MASTER_BIND_HOST": "127.0.0.1",
            "MASTER_DATA_DIR": data,
            "MASTER_DEMO_AGENTS": "0",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        async with trio.open_nursery() as nursery:
            proc = await nursery.start(
                partial(
                    trio.run_process,
                    [sys.executable, "-m", "master"],
                    cwd=data,
                    env=full_env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    check=False,
                )
            )
            lines: list[str] = []
            buffer = b""
            assert proc.stdout is not None
            async for chunk in proc.stdout:
                buffer += chunk
                *done, buffer = buffer.split(b"\n")
                lines += [d.decode(errors="replace") for d in done]
                ready = next(
                    (
                        m
                        for line in lines
                        if (m := re.search(r"master ready: agent port (\S+), gateway (\S+),", line))
                    ),
                    None,
                )
                if ready:
                    break
            else:
                raise RuntimeError("master exited before it was ready:\n" + "\n".join(lines))
            master = MasterProcess(ready.group(1), ready.group(2), proc.pid, lines)
            nursery.start_soon(_drain, proc.stdout, lines)
            task_status.started(master)
            try:
                await trio.sleep_forever()
            finally:
                proc.terminate()


async def _drain(stream: trio.abc.ReceiveStream, lines: list[str]) -> None:
    async for chunk in stream:
        lines += chunk.decode(errors="replace").splitlines()
        del lines[:-200]
