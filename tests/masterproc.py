"""A master as a child process, for tests that kill it, flood its sockets or break its disk.

The master is `python -m master`'s entry point on loopback, port 0, over a data
directory the test owns, so a restart (after SIGKILL or SIGTERM) finds what the
last run wrote. A small launcher process imports the master once and forks a
fresh master process for each start: a kill -9 campaign restarts it twenty
times, and the imports are most of what a start costs. The test waits on what
the master says (its log lines) and on what it answers, never on the clock.
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

# The launcher: one line on stdin starts a master (a fork, so a fresh process with
# nothing shared but the imported modules); it reports each start and each exit.
# Its own lines go out with os.write: a SIGCHLD may arrive in the middle of any print.
LAUNCHER = r"""
import os, signal, sys
import master.__main__ as entry

def say(text):
    os.write(1, f"launcher: {text}\n".encode())

def reap(signum, frame):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        say(f"exited {pid} {os.waitstatus_to_exitcode(status)}")

signal.signal(signal.SIGCHLD, reap)
say("ready")
while sys.stdin.readline():
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        code = 1
        try:
            code = entry.main([])
        finally:
            os._exit(code)
    say(f"started {pid}")
"""


class MasterProcess:
    """Starts a master process over `data_dir`; kill, stop and start it again.

    `env` adds or overrides `MASTER_*` settings. The output of every run is
    collected in `lines` by a task in `nursery`.
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
        self.pid = 0
        self._launcher: trio.Process | None = None
        self._new_line = trio.Event()
        self._token: str | None = None

    async def _launch(self) -> None:
        await trio.Path(self.data_dir).mkdir(parents=True, exist_ok=True)
        self._launcher = await trio.lowlevel.open_process(
            [sys.executable, "-c", LAUNCHER],
            cwd=self.data_dir,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        self.nursery.start_soon(self._read, self._launcher)
        with trio.fail_after(60):
            await self.wait_for("^launcher: ready$")

    async def start(self) -> None:
        """Start a master and wait until it says it is ready."""
        if self._launcher is None:
            await self._launch()
        assert self._launcher is not None and self._launcher.stdin is not None
        first = len(self.lines)
        await self._launcher.stdin.send_all(b"start\n")
        with trio.fail_after(60):
            started = await self.wait_for(r"^launcher: started (\d+)$", after=first)
            self.pid = int(started.rsplit(" ", 1)[1])
            line = await self.wait_for(READY, after=first, unless=self._exit_line())
        m = READY.search(line)
        assert m is not None
        self.agent_url, self.gateway_url = m.group(1), m.group(2)

    def _exit_line(self) -> re.Pattern[str]:
        return re.compile(rf"^launcher: exited {self.pid} (-?\d+)$")

    async def _read(self, proc: trio.Process) -> None:
        assert proc.stdout is not None
        buffer = b""
        async for chunk in proc.stdout:
            buffer += chunk
            *done, buffer = buffer.split(b"\n")
            self.lines += [d.decode(errors="replace") for d in done]
            self._new_line.set()
            self._new_line = trio.Event()

    async def wait_for(
        self,
        pattern: re.Pattern[str] | str,
        *,
        after: int = 0,
        unless: re.Pattern[str] | None = None,
    ) -> str:
        """The first line from index `after` on that matches; waits for it (bound it).

        Fails if a line matching `unless` comes first.
        """
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        seen = after
        while True:
            for line in self.lines[seen:]:
                if regex.search(line):
                    return line
                if unless is not None and unless.search(line):
                    raise AssertionError("master exited:\n" + "\n".join(self.lines[after:]))
            seen = len(self.lines)
            await self._new_line.wait()

    def log_since(self, index: int) -> str:
        return "\n".join(self.lines[index:])

    @property
    def running(self) -> bool:
        return self.pid != 0 and not any(self._exit_line().search(line) for line in self.lines)

    async def kill(self) -> None:
        """SIGKILL: no shutdown path runs, as in a power cut of the process."""
        await self._signal(signal.SIGKILL)

    async def stop(self) -> int:
        """SIGTERM and wait; returns the exit status."""
        return await self._signal(signal.SIGTERM)

    async def _signal(self, signum: int) -> int:
        os.kill(self.pid, signum)
        with trio.fail_after(30):
            line = await self.wait_for(self._exit_line())
        return int(line.rsplit(" ", 1)[1])

    def rss(self) -> int:
        """Resident memory of the master now, in bytes."""
        return int(Path(f"/proc/{self.pid}/statm").read_text().split()[1]) * PAGE

    async def admin_token(self) -> str:
        if self._token is None:
            async with httpx.AsyncClient(base_url=self.gateway_url, timeout=30) as client:
                r = await client.post(
                    "/api/v2/user/login", json={"username": "admin", "password": ADMIN_PASSWORD}
                )
            assert r.status_code == 200, r.text
            self._token = r.json()["data"]["token"]
        return self._token

    async def gateway(self) -> httpx.AsyncClient:
        """A gateway client as the administrator (close it: `async with`)."""
        token = await self.admin_token()
        return httpx.AsyncClient(
            base_url=self.gateway_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
        )

    def close(self) -> None:
        """Kill a master still running when the test ends, and the launcher."""
        if self.running:
            os.kill(self.pid, signal.SIGKILL)
        if self._launcher is not None and self._launcher.returncode is None:
            self._launcher.kill()
