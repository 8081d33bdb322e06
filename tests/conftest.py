"""Fixtures: a real master on port 0 in the test's nursery, and Go-agent-shaped clients."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import trio

from master.config import Config
from master.database import Database
from master.database.migrations import migrate
from master.service.passwords import HashCost, Passwords
from master.supervisor import Running, run_master

from .goagent import GoAgent
from .http import TLS
from .masterproc import MasterProcess

# Masters in tests hash passwords cheaply (argon2id at production cost takes ~0.15 s of
# CPU per hash or login); tests/test_passwords.py checks the production cost.
CHEAP_HASHING = HashCost(time_cost=1, memory_cost=8, parallelism=1)


class MasterRunner:
    """Starts, stops and restarts a master over the same data directory."""

    def __init__(
        self,
        nursery: trio.Nursery,
        config: Config,
        *,
        passwords: Passwords | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.nursery = nursery
        self.config = config
        self.passwords = passwords or Passwords(CHEAP_HASHING)
        self.clock = clock
        self.running: Running | None = None
        self._done = trio.Event()
        self._admin_token: str | None = None

    async def start(self) -> Running:
        self._done = trio.Event()
        self._admin_token = None
        self.running = await self.nursery.start(self._run)
        return self.running

    async def _run(self, *, task_status: trio.TaskStatus[Running]) -> None:
        try:
            await run_master(
                self.config, clock=self.clock, passwords=self.passwords, task_status=task_status
            )
        finally:
            self._done.set()

    async def stop(self) -> None:
        """Graceful stop; fails the test if it takes longer than a few seconds."""
        assert self.running is not None
        self.running.stop()
        with trio.fail_after(15):
            await self._done.wait()

    async def restart(self) -> Running:
        await self.stop()
        return await self.start()

    def gateway_client(self, token: str | None = None) -> httpx.AsyncClient:
        """A client of the gateway; logged in as the administrator unless `token` is given."""
        client = httpx.AsyncClient(
            verify=TLS, base_url=self.gateway_url, timeout=30, auth=self._auth(token)
        )
        return client

    def _auth(self, token: str | None) -> httpx.Auth:
        runner = self

        class Bearer(httpx.Auth):
            async def async_auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def, override]
                request.headers["Authorization"] = f"Bearer {token or await runner.admin_token()}"
                yield request

        return Bearer()

    async def login(self, username: str, password: str) -> str:
        async with httpx.AsyncClient(verify=TLS, base_url=self.gateway_url) as client:
            r = await client.post(
                "/api/v2/user/login", json={"username": username, "password": password}
            )
        assert r.status_code == 200, r.text
        token: str = r.json()["data"]["token"]
        return token

    async def admin_token(self) -> str:
        if self._admin_token is None:
            self._admin_token = await self.login(self.config.auth.admin_username, ADMIN_PASSWORD)
        return self._admin_token

    async def agent_token(self, cluster_id: str) -> str:
        async with self.gateway_client() as gw:
            r = await gw.post("/api/v2/agent-tokens", json={"cluster_id": cluster_id})
        assert r.status_code == 201, r.text
        token: str = r.json()["token"]
        return token

    @property
    def agent_url(self) -> str:
        assert self.running is not None
        return self.running.agent_url

    @property
    def gateway_url(self) -> str:
        assert self.running is not None
        return self.running.gateway_url


ADMIN_PASSWORD = "correct-horse-battery-staple-9"


class WallClock:
    """Wall time a test can move forward: a master given it sees hours pass at once."""

    def __init__(self) -> None:
        self.ahead = 0.0

    def __call__(self) -> float:
        return time.time() + self.ahead


def make_config(tmp_path: Path, **changes: Any) -> Config:
    """A config on port 0 with a throw-away data directory and fast timings.

    Agent tokens are optional here (the protocol tests speak as many clusters);
    tests/test_trust.py runs with them required.
    """
    base = Config().replace(
        server={"gateway_port": 0, "agentsdk_port": 0, "shutdown_grace": 2.0},
        # The Go-shaped test events carry fixed dates that must not age out.
        storage={"data_dir": tmp_path / "data", "event_retention_days": 36500},
        commands={"poll_timeout": 2.0},
        demo={"agents": 0},
        auth={"admin_password": ADMIN_PASSWORD},
        agent={"require_token": False},
        # The receivers standing in for Slack, webhooks and SMTP listen on 127.0.0.1.
        notify={"allow_private": True},
    )
    return base.replace(**changes)


StartMaster = Callable[..., Awaitable[MasterRunner]]


@pytest.fixture
async def start_master(nursery: trio.Nursery, tmp_path: Path) -> StartMaster:
    """`await start_master(**sections)` -> a running MasterRunner.

    Each keyword is a config section and the keys that change, as for
    `Config.replace`: `await start_master(commands={"poll_timeout": 0.3})`;
    `clock=` gives the master a wall clock the test moves (`WallClock`).
    """

    async def start(clock: Callable[[], float] = time.time, **changes: Any) -> MasterRunner:
        runner = MasterRunner(nursery, make_config(tmp_path, **changes), clock=clock)
        await runner.start()
        return runner

    return start


SpawnMaster = Callable[..., MasterProcess]
Figures = Callable[[str], None]


@pytest.fixture
def figures(record_property: Callable[[str, object], None]) -> Figures:
    """`figures(line)`: what a test measured, printed at the end of the run (with xdist too)."""
    return lambda line: record_property("figures", line)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    lines = [
        value
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "call"
        for name, value in getattr(report, "user_properties", ())
        if name == "figures"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.line(line)


@pytest.fixture
async def spawn_master(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[SpawnMaster]:
    """`spawn_master(**env)` -> a MasterProcess over the test's data directory (not started).

    Each keyword is a `MASTER_*` variable. Masters still running at the end are killed.
    """
    made: list[MasterProcess] = []

    def spawn(data_dir: Path | None = None, **env: str) -> MasterProcess:
        made.append(MasterProcess(nursery, data_dir or tmp_path / "data", **env))
        return made[-1]

    yield spawn
    for proc in made:
        proc.close()


@pytest.fixture
async def master(start_master: StartMaster) -> MasterRunner:
    return await start_master()


@pytest.fixture
async def gateway(master: MasterRunner) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway as the administrator."""
    async with master.gateway_client() as client:
        yield client


@pytest.fixture
async def agent(master: MasterRunner) -> AsyncIterator[GoAgent]:
    async with GoAgent.open(master.agent_url, "c1") as go:
        yield go


DB_TIMEOUT = 10


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    """A migrated SQLite connection, for the database functions on their own.

    No row_factory on purpose: the functions must not depend on the caller's.
    """
    c = sqlite3.connect(tmp_path / "plain.db", isolation_level=None)
    migrate(c)
    yield c
    c.close()


@pytest.fixture
async def db(nursery: trio.Nursery, tmp_path: Path) -> AsyncIterator[Database]:
    """A running `Database` (writer task in the test's nursery) on a fresh file."""
    with trio.fail_after(DB_TIMEOUT):
        database: Database = await nursery.start(Database(tmp_path / "data" / "master.db").serve)
    yield database
    with trio.fail_after(DB_TIMEOUT):
        await database.aclose()
