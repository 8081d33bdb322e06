"""A master as a child process, for tests that kill it, flood its sockets or break its disk.

`python -m master` on loopback, port 0, over a data directory the test owns, so a
restart (after SIGKILL or SIGTERM) finds what the last run wrote. The test waits on
what the master says (its log lines) and on what it answers, never on the clock.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import trio

ROOT = Path(__file__).resolve().parent.parent
PAGE = os.sysconf("SC_PAGE_SIZE")
ADMIN_PASSWORD = "correct-horse-battery-staple-9"
# Fixed, so a login token stays valid across restarts.
JWT_SECRET = "test-secret-for-a-master-process-0123456789"
READY = re.compile(r"master ready: agent port (\S+), gateway (\S+),")


class MasterProcess:
    """Starts `python -m master` over `data_dir`; kill, stop and start it again.

    `env` adds or overrides `MASTER_*` settings. Its output is collected in `lines`
    (from every run) by a task in `nursery`.
    """

    def __init__(self, nursery: trio.Nursery, data_dir: Path, **env: str) -> None:
        self.nursery = nursery
        self.data_dir = data_dir
        self.env = {
            **os.environ,
            "MASTER_GATEWAY_PORT": "0",
            "MASTER_AGENTSDK_PORT": "0",
            "MASTER_BIND_HOST": "127.0.0.1",
            "MASTER_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "MASTER_JWT_SECRET": JWT_SECRET,
            "MASTER_AGENT_REQUIRE_TOKEN": "false",
            "MASTER_DATA_DIR": str(data_dir),
            "MASTER_DEMO_AGENTS": "0",
            # The Go-shaped test events carry fixed dates that must not age out.
            "MASTER_EVENT_RETENTION_DAYS": "36500",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.lines: list[str] = []
        self.agent_url = ""
        self.gateway_url = ""
        self.proc: trio.Process | None = None
        self._new_line = trio.Event()
        self._token: str | None = None

    async def start(self, *, user: tuple[int, int] | None = None) -> None:
        """Start and wait until it says it is ready (`user`: run as this uid, gid)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        first = len(self.lines)
        self.proc = await trio.lowlevel.open_process(
            [sys.executable, "-m", "master"],
            cwd=self.data_dir,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            user=user[0] if user else None,
            group=user[1] if user else None,
        )
        self.nursery.start_soon(self._read, self.proc)
        with trio.fail_after(60):
            line = await self.wait_for(READY, after=first, exited_ok=False)
        m = READY.search(line)
        assert m is not None
        self.agent_url, self.gateway_url = m.group(1), m.group(2)

    async def _read(self, proc: trio.Process) -> None:
        assert proc.stdout is not None
        buffer = b""
        async for chunk in proc.stdout:
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            self.lines += [d.decode(errors="replace") for d in done]
            self._new_line.set()
            self._new_line = trio.Event()
        await proc.wait()
        self._new_line.set()

    async def wait_for(
        self, pattern: re.Pattern[str] | str, *, after: int = 0, exited_ok: bool = True
    ) -> str:
        """The first line from index `after` on that matches; waits for it (bound it)."""
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        seen = after
        while True:
            for line in self.lines[seen:]:
                if regex.search(line):
                    return line
            seen = len(self.lines)
            if self.proc is not None and self.proc.returncode is not None:
                if not exited_ok:
                    raise AssertionError("master exited:\n" + "\n".join(self.lines[after:]))
                raise AssertionError(f"master exited without saying {regex.pattern!r}")
            await self._new_line.wait()

    def log_since(self, index: int) -> str:
        return "\n".join(self.lines[index:])

    async def kill(self) -> None:
        """SIGKILL: no shutdown path runs, as in a power cut of the process."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        with trio.fail_after(10):
            await self.proc.wait()

    async def stop(self) -> int:
        """SIGTERM and wait; returns the exit status."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        with trio.fail_after(30):
            return await self.proc.wait()

    def rss(self) -> int:
        """Resident memory of the master now, in bytes."""
        assert self.proc is not None
        return int(Path(f"/proc/{self.proc.pid}/statm").read_text().split()[1]) * PAGE

    async def admin_token(self) -> str:
        if self._token is None:
            async with httpx.AsyncClient(base_url=self.gateway_url, timeout=30) as client:
                r = await client.post(
                    "/api/v2/user/login", json={"username": "admin", "password": ADMIN_PASSWORD}
                )
            assert r.status_code == 200, r.text
            self._token = r.json()["token"]
        return self._token

    async def gateway(self) -> httpx.AsyncClient:
        """A gateway client as the administrator (close it: `async with`)."""
        token = await self.admin_token()
        return httpx.AsyncClient(
            base_url=self.gateway_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        """Kill a master still running when the test ends."""
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
