"""The load: demo agents sending pre-built snapshots, a command driver, idle long polls."""

from __future__ import annotations

import itertools
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import trio

from master.demo import DemoAgent, SimulatedCluster
from master.demo.agent import POLL_INTERVAL

from .saturate import exchange, poll_request

log = logging.getLogger("bench")

SNAPSHOT_INTERVAL = 20.0  # Agent V2's cadence
LATER_SNAPSHOT_INTERVAL = 10.0  # the later agent's


@dataclass
class Recorder:
    """Everything the load side measures, in seconds of trio's clock."""

    snapshot_latency: list[float] = field(default_factory=list)
    later_snapshot_latency: list[float] = field(default_factory=list)  # of later agents
    snapshot_bytes: int = 0
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    command_sent: dict[str, float] = field(default_factory=dict)
    command_received: dict[str, float] = field(default_factory=dict)
    command_round_trip: list[float] = field(default_factory=list)
    commands_submitted: int = 0
    commands_succeeded: int = 0
    commands_unfinished: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(what)

    def dispatch_latency(self) -> list[float]:
        return [
            self.command_received[c] - t
            for c, t in self.command_sent.items()
            if c in self.command_received
        ]


class BenchAgent(DemoAgent):
    """A demo agent whose snapshots are pre-built bodies, timed as they are pushed."""

    def __init__(
        self,
        master_url: str,
        cluster_id: str,
        template: SimulatedCluster,
        bodies: Sequence[tuple[bytes, int]],
        recorder: Recorder,
        *,
        client: httpx.AsyncClient,
        token: str | None,
        later: bool = False,
    ) -> None:
        super().__init__(
            master_url,
            template,
            client=client,
            token=token,
            later=later,
            snapshot_interval=LATER_SNAPSHOT_INTERVAL if later else SNAPSHOT_INTERVAL,
        )
        self._id = cluster_id
        self._bodies = itertools.cycle(bodies)
        self._size = 0
        self.recorder = recorder
        self.errors_seen = 0

    @property
    def cluster_id(self) -> str:
        return self._id

    async def snapshot_body(self) -> bytes:
        await trio.lowlevel.checkpoint()
        body, self._size = next(self._bodies)
        return body

    async def push_snapshot(self, client: httpx.AsyncClient) -> bool:
        started = trio.current_time()
        ok = await super().push_snapshot(client)
        self.recorder.requests += 1
        if ok:
            took = trio.current_time() - started
            self.recorder.snapshot_latency.append(took)
            if self.later:
                self.recorder.later_snapshot_latency.append(took)
            self.recorder.snapshot_bytes += self._size
        return ok

    async def send_heartbeat(self, client: httpx.AsyncClient) -> bool:
        self.recorder.requests += 1
        return await super().send_heartbeat(client)

    async def run_command(self, client: httpx.AsyncClient, command: dict[str, Any]) -> None:
        self.recorder.command_received.setdefault(str(command.get("id")), trio.current_time())
        self.recorder.requests += 1
        await super().run_command(client, command)

    def sync_errors(self) -> None:
        """Carry the agent's own failure count (logged by DemoAgent) into the recorder."""
        for _ in range(self.errors - self.errors_seen):
            self.recorder.error(f"{self.cluster_id}: agent request failed (see log)")
        self.errors_seen = self.errors


async def drive_commands(
    gateway_url: str,
    agents: Sequence[BenchAgent],
    targets: list[dict[str, Any]],
    rate: float,
    until: float,
    recorder: Recorder,
    client: httpx.AsyncClient,
    *,
    headers: dict[str, str],
) -> None:
    """Submit `rate` commands per second until `until` (trio clock), then wait for all of them;
    each must end in `success`.

    Commands go to agents that have reported and are not still busy with an
    earlier command: the Go agent runs one at a time and rests a second after
    each (Agent V2), and waiting for that is the agent's time, not the master's
    dispatch.
    """
    rng = random.Random(7)
    limiter = trio.CapacityLimiter(500)
    busy: set[str] = set()

    async def one(cluster_id: str, target: dict[str, Any]) -> None:
        busy.add(cluster_id)
        try:
            await submit(cluster_id, target)
        finally:
            await trio.sleep(POLL_INTERVAL + 0.5)
            busy.discard(cluster_id)

    async def submit(cluster_id: str, target: dict[str, Any]) -> None:
        async with limiter:
            sent = trio.current_time()
            recorder.commands_submitted += 1
            recorder.requests += 1
            try:
                r = await client.post(
                    gateway_url + "/api/v2/commands",
                    params={"wait": 60},
                    json={"cluster_id": cluster_id, **target},
                    headers=headers,
                    timeout=90,
                )
            except httpx.HTTPError as err:
                recorder.error(f"command submit: {err!r}")
                return
            if r.status_code != 201:
                recorder.error(f"command submit: HTTP {r.status_code} {r.text[:200]}")
                return
            command_id = r.json()["command_id"]
            recorder.command_sent[command_id] = sent
            recorder.requests += 1
            status = await client.get(
                f"{gateway_url}/api/v2/commands/{command_id}", headers=headers, timeout=30
            )
            if status.status_code == 200 and status.json()["status"] == "success":
                recorder.commands_succeeded += 1
                recorder.command_round_trip.append(trio.current_time() - sent)
            else:
                recorder.commands_unfinished.append(command_id)
                recorder.error(f"command {command_id} ended {status.text[:200]}")

    async with trio.open_nursery() as nursery:
        if rate <= 0:
            return
        interval = 1 / rate
        deadline = trio.current_time()
        while deadline + interval < until:
            deadline += interval
            await trio.sleep_until(deadline)
            free = [a.cluster_id for a in agents if a.snapshots_sent and a.cluster_id not in busy]
            if free:
                nursery.start_soon(one, rng.choice(free), rng.choice(targets))


async def hold_idle_polls(
    agent_url: str,
    count: int,
    recorder: Recorder,
    *,
    tokens: dict[str, str],
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """`count` connections that only long-poll (clusters idle-1..N), re-polling when answered.

    Raw keep-alive sockets: thousands of pooled httpx connections would make
    the load generator, not the master, the thing measured.
    """
    parts = urlsplit(agent_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80

    async def poller(index: int, task_status: trio.TaskStatus[None]) -> None:
        cluster_id = f"idle-{index}"
        token = tokens.get(cluster_id)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = poll_request(f"{host}:{port}", cluster_id, headers)
        buffer = bytearray()
        stream = await trio.open_tcp_stream(host, port)
        task_status.started()
        async with stream:
            while True:
                try:
                    status = await exchange(stream, request, buffer)
                except (OSError, ConnectionError, trio.BrokenResourceError) as err:
                    recorder.error(f"idle poll: {err!r}")
                    return
                recorder.requests += 1
                if status not in (200, 204):
                    recorder.error(f"idle poll: HTTP {status}")
                    await trio.sleep(1)

    async with trio.open_nursery() as nursery:
        for i in range(count):
            await nursery.start(poller, i)
        task_status.started()
