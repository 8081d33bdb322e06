"""`run_master`: build the object graph and run everything under one nursery.

Shutdown is a deadline, not an abrupt cancel: `Running.stop()` answers
waiting polls, lets hypercorn finish in-flight requests within the grace
period, then flushes the persisters and drains the database writer, so
nothing accepted is lost. A crash in any child cancels the rest and
propagates to the caller.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve
from quart_trio import QuartTrio

from .agentsdk import create_agent_app
from .agentsdk.app import AgentLimits
from .config import Config
from .database import Database
from .datahub import MemoryHub
from .demo import serve_demo_agents
from .gateway import create_gateway_app
from .metrics import Metrics
from .query import Query
from .service.commands import CommandService
from .service.events import EventPersister, restore_clusters, serve_event_cleanup

log = logging.getLogger("master")


@dataclass
class Running:
    """What a started master tells its parent: where it listens, and how to stop it."""

    agent_url: str
    gateway_url: str
    stopping: trio.Event

    def stop(self) -> None:
        """Begin a graceful shutdown; `run_master` returns when it is done."""
        self.stopping.set()


def _hypercorn_config(host: str, port: int, grace: float) -> HypercornConfig:
    hc = HypercornConfig()
    hc.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    hc.graceful_timeout = grace
    hc.accesslog = None
    return hc


async def _serve_app(
    app: QuartTrio, hc: HypercornConfig, stopping: trio.Event,
    *, task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED,
) -> None:
    async def started(binds: list[str]) -> None:
        task_status.started(binds[0])

    async with trio.open_nursery() as nursery:
        binds = await nursery.start(partial(serve, app, hc, shutdown_trigger=stopping.wait))
        await started(binds)


async def run_master(
    config: Config, *, task_status: trio.TaskStatus[Running] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run the master until `Running.stop()` (or a crash). Ready when every child is."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(config.database_path)
    metrics = Metrics()
    hub = MemoryHub(
        heartbeat_expire=config.heartbeat_expire,
        event_window=config.event_window,
        queue_size=config.command_queue_size,
        result_timeout=config.command_result_timeout,
        max_attempts=config.command_max_attempts,
        metrics=metrics,
    )
    commands = CommandService(hub, db, expire=config.command_expire)
    persister = EventPersister(hub, db)
    limits = AgentLimits(
        max_body_bytes=config.max_body_bytes,
        max_snapshot_bytes=config.max_snapshot_bytes,
        body_timeout=config.body_timeout,
        poll_timeout=config.command_poll_timeout,
    )
    stopping = trio.Event()

    async with trio.open_nursery() as storage:
        await storage.start(db.serve)
        try:
            async with trio.open_nursery() as services:
                await restore_clusters(hub, db)
                await commands.restore()
                await services.start(hub.serve)
                await services.start(persister.serve)
                await services.start(commands.serve_persister)
                await services.start(
                    partial(
                        serve_event_cleanup, db,
                        retention_days=config.event_retention_days,
                        max_per_cluster=config.event_max_count,
                        interval=config.event_cleanup_interval,
                    )
                )
                async with trio.open_nursery() as servers:
                    agent_url = await servers.start(
                        _serve_app, create_agent_app(hub, limits, metrics),
                        _hypercorn_config(config.bind_host, config.agentsdk_port, config.shutdown_grace),
                        stopping,
                    )
                    gateway_url = await servers.start(
                        _serve_app, create_gateway_app(Query(hub, db), commands, metrics),
                        _hypercorn_config(config.bind_host, config.gateway_port, config.shutdown_grace),
                        stopping,
                    )
                    if config.demo_agents:
                        await servers.start(_run_demo, config, agent_url, stopping)
                    log.info("master ready: agent port %s, gateway %s, database %s",
                             agent_url, gateway_url, config.database_path)
                    servers.start_soon(_close_hub_on_stop, hub, stopping)
                    task_status.started(Running(agent_url, gateway_url, stopping))
                log.info("servers stopped; writing what is left")
                await persister.flush()
                await commands.flush()
                services.cancel_scope.cancel()
        finally:
            await db.aclose()
    log.info("master stopped")


async def _close_hub_on_stop(hub: MemoryHub, stopping: trio.Event) -> None:
    await stopping.wait()
    log.info("shutting down: answering waiting polls")
    hub.close()


async def _run_demo(
    config: Config, agent_url: str, stopping: trio.Event,
    *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Demo agents run until shutdown begins (they stop before the servers do)."""
    async with trio.open_nursery() as nursery:
        await nursery.start(
            partial(
                serve_demo_agents, agent_url, config.demo_agents, pods=config.demo_pods,
                snapshot_interval=config.demo_snapshot_interval,
                heartbeat_interval=config.demo_heartbeat_interval,
            )
        )
        task_status.started()
        await stopping.wait()
        nursery.cancel_scope.cancel()
