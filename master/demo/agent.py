"""Demo agents: simulated clusters speaking the AtlHyper Agent V2 protocol over HTTP.

A `DemoAgent` behaves on the wire as the Go agent does (AGENT_PROTOCOL.md):
it pushes a gzipped snapshot (the bytes Go's encoding/json would write) every
20 s, a bodiless heartbeat every 15 s, and long-polls for commands one at a
time: poll, run, report, wait a second, poll again. Like the Go agent it logs
failures and tries again on its next tick, never retries a result, and never
stops on a network error; a bug in this code still crashes it.
"""

from __future__ import annotations

import gzip
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx
import msgspec
import trio

from .cluster import SimulatedCluster, go_json

log = logging.getLogger("master.demo")

GZIP_IN_THREAD_BYTES = 256 * 1024  # bigger bodies are compressed off the event loop
SNAPSHOT_TIMEOUT = 60.0
HEARTBEAT_TIMEOUT = 10.0  # the Go agent's heartbeat request timeout
POLL_TIMEOUT = 90.0  # the Go agent's command-poll client timeout; the master answers sooner
RESULT_TIMEOUT = 30.0
POLL_INTERVAL = 1.0  # the Go agent waits this long after every poll, whatever it brought


class _Poll(msgspec.Struct):
    has_command: bool = False
    command: dict[str, Any] | None = None


def gzip_body(data: bytes) -> bytes:
    # Go's gzip.Writer default: level 6, no modification time.
    return gzip.compress(data, compresslevel=6, mtime=0)


class DemoAgent:
    """One simulated cluster's agent, talking to the master at `master_url`.

    `master_url` may carry a path prefix (`http://host:8081/t/SECRET`); the
    agent appends `/agent/...` to it verbatim, as the Go agent does. `token`,
    when given, goes out as `Authorization: Bearer <token>`. Without `client`,
    the agent opens its own for the duration of `run`.
    """

    def __init__(
        self,
        master_url: str,
        cluster: SimulatedCluster,
        *,
        snapshot_interval: float = 20,
        heartbeat_interval: float = 15,
        token: str | None = None,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.master_url = master_url
        self.cluster = cluster
        self.snapshot_interval = snapshot_interval
        self.heartbeat_interval = heartbeat_interval
        self._token = token
        self._client = client
        # What happened so far, for tests and the load benchmark.
        self.snapshots_sent = 0  # accepted by the master
        self.heartbeats_sent = 0  # accepted by the master
        self.commands_executed = 0
        self.errors = 0  # failed or refused requests

    @property
    def cluster_id(self) -> str:
        return self.cluster.cluster_id

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Run the snapshot, heartbeat and command loops until cancelled.

        `task_status.started()` is called once the first snapshot was pushed
        (accepted, or refused and logged).
        """
        if self._client is not None:
            await self._run(self._client, task_status)
            return
        async with httpx.AsyncClient() as client:
            await self._run(client, task_status)

    async def _run(self, client: httpx.AsyncClient, task_status: trio.TaskStatus[None]) -> None:
        async with trio.open_nursery() as nursery:
            await nursery.start(self._snapshot_loop, client)
            nursery.start_soon(self._heartbeat_loop, client)
            nursery.start_soon(self._command_loop, client)
            task_status.started()

    # -- HTTP --

    def _headers(self, content_type: str = "", encoding: str = "") -> dict[str, str]:
        headers = {"X-Cluster-ID": self.cluster_id}
        if content_type:
            headers["Content-Type"] = content_type
        if encoding:
            headers["Content-Encoding"] = encoding
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    async def _request(
        self,
        client: httpx.AsyncClient,
        method: str,
        path: str,
        *,
        what: str,
        ok: tuple[int, ...],
        http_timeout: float,
        **kwargs: Any,
    ) -> httpx.Response | None:
        """Send one request; a network error or an unexpected status is logged, counted, None."""
        try:
            response = await client.request(
                method, self.master_url + path, timeout=http_timeout, **kwargs
            )
        except httpx.HTTPError as err:
            self.errors += 1
            log.warning("%s: %s failed: %s", self.cluster_id, what, str(err) or type(err).__name__)
            return None
        if response.status_code not in ok:
            self.errors += 1
            log.warning(
                "%s: %s refused: HTTP %d %s",
                self.cluster_id,
                what,
                response.status_code,
                response.text[:200],
            )
            return None
        return response

    # -- the loops --

    async def snapshot_body(self) -> bytes:
        """Evolve the cluster to now and return its gzipped snapshot.

        The load benchmark overrides this to send pre-built bodies instead.
        """
        now = datetime.now(UTC)
        self.cluster.tick(now)
        # Encode before any await: the snapshot shares the cluster's live dicts.
        body = go_json(self.cluster.snapshot(now))
        if len(body) > GZIP_IN_THREAD_BYTES:
            return await trio.to_thread.run_sync(gzip_body, body)
        return gzip_body(body)

    async def push_snapshot(self, client: httpx.AsyncClient) -> bool:
        """Push the next snapshot; True when the master accepted it."""
        body = await self.snapshot_body()
        response = await self._request(
            client,
            "POST",
            "/agent/snapshot",
            what="snapshot",
            ok=(200, 202),
            http_timeout=SNAPSHOT_TIMEOUT,
            content=body,
            headers=self._headers("application/json", "gzip"),
        )
        if response is None:
            return False
        self.snapshots_sent += 1
        return True

    async def _snapshot_loop(
        self,
        client: httpx.AsyncClient,
        *,
        task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
    ) -> None:
        await self.push_snapshot(client)
        task_status.started()
        await self._every(self.snapshot_interval, self.push_snapshot, client)

    async def send_heartbeat(self, client: httpx.AsyncClient) -> bool:
        """A heartbeat with no body at all (no Content-Type, Content-Length 0); True on 200."""
        response = await self._request(
            client,
            "POST",
            "/agent/heartbeat",
            what="heartbeat",
            ok=(200,),
            http_timeout=HEARTBEAT_TIMEOUT,
            headers=self._headers(),
        )
        if response is None:
            return False
        self.heartbeats_sent += 1
        return True

    async def _heartbeat_loop(self, client: httpx.AsyncClient) -> None:
        await self.send_heartbeat(client)
        await self._every(self.heartbeat_interval, self.send_heartbeat, client)

    @staticmethod
    async def _every(
        interval: float,
        send: Callable[[httpx.AsyncClient], Awaitable[bool]],
        client: httpx.AsyncClient,
    ) -> None:
        # A ticker: a slow send delays the next one but never makes a burst of catch-ups.
        deadline = trio.current_time()
        while True:
            deadline = max(deadline + interval, trio.current_time())
            await trio.sleep_until(deadline)
            await send(client)

    async def _command_loop(self, client: httpx.AsyncClient) -> None:
        """Long-poll, run what arrives, report it, wait a second; one command at a time.

        As in the Go agent: the second's wait follows every poll, failed or empty, too.
        """
        while True:
            _, command = await self._poll(client)
            if command is not None:
                await self.run_command(client, command)
            await trio.sleep(POLL_INTERVAL)

    async def _poll(self, client: httpx.AsyncClient) -> tuple[bool, dict[str, Any] | None]:
        """(whether the poll worked, the command it brought or None)."""
        response = await self._request(
            client,
            "GET",
            "/agent/commands",
            what="command poll",
            ok=(200, 204),
            http_timeout=POLL_TIMEOUT,
            params={"cluster_id": self.cluster_id},
            headers=self._headers(),
        )
        if response is None:
            return False, None
        if response.status_code == 204:
            return True, None
        try:
            poll = msgspec.json.decode(response.content, type=_Poll)
        except msgspec.DecodeError as err:  # ValidationError is a DecodeError
            self.errors += 1
            log.warning("%s: command poll answered something unreadable: %s", self.cluster_id, err)
            return False, None
        return True, poll.command if poll.has_command else None

    async def run_command(self, client: httpx.AsyncClient, command: dict[str, Any]) -> None:
        """Execute a polled command on the simulated cluster and report its result."""
        command_id = str(command.get("id", ""))
        success, output, error = self.cluster.execute(command, datetime.now(UTC))
        self.commands_executed += 1
        result: dict[str, Any] = {"command_id": command_id, "success": success}
        if output:  # Go's omitempty
            result["output"] = output
        if error:
            result["error"] = error
        result["executed_at"] = self.cluster.go_now()
        # Sent once: the Go agent logs a failed report and never sends it again.
        await self._request(
            client,
            "POST",
            "/agent/result",
            what=f"result of command {command_id}",
            ok=(200, 202),
            http_timeout=RESULT_TIMEOUT,
            content=go_json(result),
            headers=self._headers("application/json"),
        )


async def serve_demo_agents(
    master_url: str,
    count: int,
    *,
    pods: int = 40,
    snapshot_interval: float = 20,
    heartbeat_interval: float = 15,
    tokens: Mapping[str, str] | None = None,
    task_status: trio.TaskStatus[list[DemoAgent]] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run `count` demo agents (clusters `demo-1` .. `demo-N`) until cancelled.

    Cluster `demo-i` is seeded with i (so its layout and timestamp offset are
    stable across runs); `tokens` maps cluster ids to bearer tokens.
    `task_status.started(agents)` is called once every agent has pushed its
    first snapshot.
    """
    size = 3 * count + 4  # each agent holds up to three requests open at once
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    agents: list[DemoAgent] = []
    async with httpx.AsyncClient(limits=limits) as client, trio.open_nursery() as nursery:
        for index in range(1, count + 1):
            cluster_id = f"demo-{index}"
            # Building a big cluster takes a while: do it off the event loop the master shares.
            cluster = await trio.to_thread.run_sync(
                partial(SimulatedCluster, cluster_id, pods=pods, seed=index)
            )
            agent = DemoAgent(
                master_url,
                cluster,
                snapshot_interval=snapshot_interval,
                heartbeat_interval=heartbeat_interval,
                token=(tokens or {}).get(cluster_id),
                client=client,
            )
            await nursery.start(agent.run)
            agents.append(agent)
        log.info("started %d demo agents", count)
        task_status.started(agents)
        await trio.sleep_forever()
