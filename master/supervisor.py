"""`run_master`: build the object graph and run everything under one nursery.

Shutdown is a deadline, not an abrupt cancel: `Running.stop()` answers
waiting polls, lets hypercorn finish in-flight requests within the grace
period, then flushes the persisters and drains the database writer, so
nothing accepted is lost. A crash in any child cancels the rest and
propagates to the caller.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import trio
from hypercorn.config import Config as HypercornConfig
from hypercorn.trio import serve
from quart_trio import QuartTrio

from .agentsdk import create_agent_app
from .config import Config, DemoConfig, ServerConfig
from .database import Database
from .datahub import DataHub, MemoryHub
from .demo import serve_demo_agents
from .gateway import Admission, GatewayServices, create_gateway_app
from .metrics import Metrics
from .model.errors import Unavailable
from .query import Query
from .service.agent_tokens import AgentTokens
from .service.alerts import AlertPolicy, AlertService
from .service.audit import AuditLog
from .service.auth import AuthService, load_or_create_secret
from .service.commands import CommandService
from .service.events import EventPersister, restore_clusters, serve_event_cleanup
from .service.notify import NotifyService
from .service.passwords import Passwords
from .service.secretbox import SecretBox

log = logging.getLogger("master")
DEMO_TOKEN = "demo agent"
# The kernel silently caps a listen backlog at this.
SOMAXCONN = Path("/proc/sys/net/core/somaxconn")


@dataclass
class Running:
    """What a started master tells its parent: where it listens, and how to stop it."""

    agent_url: str
    gateway_url: str
    stopping: trio.Event

    def stop(self) -> None:
        """Begin a graceful shutdown; `run_master` returns when it is done."""
        self.stopping.set()


def listen_backlog(wanted: int, somaxconn: Path = SOMAXCONN) -> int:
    """The backlog the kernel will really give: `wanted`, capped by `net.core.somaxconn`.

    The kernel caps it without a word; a fleet reconnecting at once then sees
    refused or unanswered connections, so the cap is said out loud here.
    """
    try:
        limit = int(somaxconn.read_text())
    except (OSError, ValueError):
        return wanted  # not Linux, or not readable: the kernel's rule is unknown
    if wanted > limit:
        log.warning(
            "MASTER_LISTEN_BACKLOG=%d is above the kernel's net.core.somaxconn=%d: each port "
            "holds at most %d waiting connections (raise it with sysctl -w net.core.somaxconn=%d)",
            wanted,
            limit,
            limit,
            wanted,
        )
        return limit
    return wanted


def _hypercorn_config(server: ServerConfig, port: int, backlog: int) -> HypercornConfig:
    hc = HypercornConfig()
    hc.backlog = backlog
    # Stream clients only send subscribe and pong messages.
    hc.websocket_max_message_size = 64 << 10
    host = server.bind_host
    hc.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    hc.graceful_timeout = server.shutdown_grace
    hc.accesslog = None
    return hc


async def _serve_app(
    app: QuartTrio,
    hc: HypercornConfig,
    stopping: trio.Event,
    *,
    task_status: trio.TaskStatus[str] = trio.TASK_STATUS_IGNORED,
) -> None:
    async def started(binds: list[str]) -> None:
        task_status.started(binds[0])

    async with trio.open_nursery() as nursery:
        binds = await nursery.start(partial(serve, app, hc, shutdown_trigger=stopping.wait))
        await started(binds)


async def run_master(
    config: Config,
    *,
    clock: Callable[[], float] = time.time,
    passwords: Passwords | None = None,
    task_status: trio.TaskStatus[Running] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Run the master until `Running.stop()` (or a crash). Ready when every child is.

    `clock` (wall time, seconds) and `passwords` (the hashing cost) are for tests:
    a test drives time, or hashes cheaply; the master itself runs with the defaults.
    """
    server, auth_config = config.server, config.auth
    backlog = listen_backlog(server.listen_backlog)
    _private_dir(config.storage.data_dir)
    db = Database(config.storage.database_path, busy_timeout=config.storage.busy_timeout)
    metrics = Metrics()
    hub: DataHub = MemoryHub(
        datahub=config.datahub,
        commands=config.commands,
        stream=config.stream,
        metrics=metrics,
        clock=clock,
    )
    commands = CommandService(hub, db, config.commands, clock=clock)
    persister = EventPersister(hub, db)
    stopping = trio.Event()
    audit = AuditLog(
        db,
        retention_days=auth_config.audit_retention_days,
        max_rows=auth_config.audit_max_rows,
        clock=clock,
    )
    auth = AuthService(
        db,
        audit,
        secret=load_or_create_secret(config.storage.data_dir, auth_config.jwt_secret),
        lifetime=auth_config.jwt_lifetime,
        max_failures=auth_config.login_max_failures,
        backoff=auth_config.login_backoff,
        passwords=passwords,
        clock=clock,
    )
    agent_tokens = AgentTokens(db, audit, require=config.agent.require_token, clock=clock)
    notify = NotifyService(db, SecretBox.in_dir(config.storage.data_dir), config.notify, clock)
    alerts = AlertService(
        hub,
        db,
        notify,
        AlertPolicy(
            interval=config.alerts.interval,
            cooldown=config.alerts.cooldown,
            deployment_grace=config.alerts.deployment_grace,
            burst_count=config.alerts.burst_count,
            burst_window=config.alerts.burst_window,
            offline_grace=config.datahub.heartbeat_expire,
            public_url=config.alerts.public_url,
        ),
        on_change=hub.publish_alert,
        clock=clock,
    )
    if not config.agent.require_token:
        log.warning(
            "MASTER_AGENT_REQUIRE_TOKEN=false: any client that reaches the agent port "
            "can report for any cluster; use only on a trusted network"
        )

    async with trio.open_nursery() as storage:
        await storage.start(db.serve)
        try:
            async with trio.open_nursery() as services:
                await restore_clusters(hub, db)
                await commands.restore()
                await auth.bootstrap(auth_config.admin_username, auth_config.admin_password)
                await agent_tokens.load()
                await notify.load()
                await alerts.load()
                await services.start(notify.serve)
                if config.alerts.enabled:
                    await services.start(alerts.serve)
                await services.start(audit.serve)
                await services.start(agent_tokens.serve)
                await services.start(hub.serve)
                await services.start(persister.serve)
                await services.start(commands.serve_persister)
                await services.start(serve_event_cleanup, db, config.storage)
                async with trio.open_nursery() as servers:
                    agent_url = await servers.start(
                        _serve_app,
                        create_agent_app(
                            hub,
                            config.agent,
                            metrics,
                            agent_tokens,
                            commands,
                            poll_timeout=config.commands.poll_timeout,
                            clock=clock,
                        ),
                        _hypercorn_config(server, server.agentsdk_port, backlog),
                        stopping,
                    )
                    gateway = GatewayServices(
                        query=Query(hub, db, clock=clock),
                        commands=commands,
                        ops_wait=config.commands.ops_wait,
                        metrics=metrics,
                        auth=auth,
                        agent_tokens=agent_tokens,
                        audit=audit,
                        public_read=auth_config.public_read,
                        admission=Admission.build(
                            cors_origins=server.cors_origins,
                            allowed_hosts=server.allowed_hosts,
                            trusted_proxies=server.trusted_proxies,
                            public_url=config.alerts.public_url,
                        ),
                        token_lifetime=auth_config.jwt_lifetime,
                        stream=config.stream,
                        notify=notify,
                        alerts=alerts,
                    )
                    gateway_url = await servers.start(
                        _serve_app,
                        create_gateway_app(gateway),
                        _hypercorn_config(server, server.gateway_port, backlog),
                        stopping,
                    )
                    if config.demo.agents:
                        tokens = await _demo_tokens(agent_tokens, config.demo.agents)
                        await servers.start(_run_demo, config.demo, agent_url, tokens, stopping)
                    log.info(
                        "master ready: agent port %s, gateway %s, database %s",
                        agent_url,
                        gateway_url,
                        config.storage.database_path,
                    )
                    servers.start_soon(_close_hub_on_stop, hub, stopping)
                    task_status.started(Running(agent_url, gateway_url, stopping))
                log.info("servers stopped; writing what is left")
                for what, flush in (
                    ("event and cluster changes", persister.flush),
                    ("command changes", commands.flush),
                    ("agent token use", agent_tokens.flush_use),
                    ("audit entries", audit.flush),
                ):
                    try:
                        await flush()
                    except Unavailable as err:  # a storage fault: acknowledged writes are in
                        log.error("%s not written at shutdown: %s", what, err)
                alerts.stop()
                await notify.aclose()
                with trio.move_on_after(server.shutdown_grace):
                    await notify.stopped.wait()
                services.cancel_scope.cancel()
        finally:
            await db.aclose()
    log.info("master stopped")


def _private_dir(path: Path) -> None:
    """The data directory, created (or tightened) so only its owner can enter it."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        path.chmod(0o700)
        log.warning("data directory %s was mode %o; now 0700 (owner only)", path, mode)


async def _close_hub_on_stop(hub: DataHub, stopping: trio.Event) -> None:
    await stopping.wait()
    log.info("shutting down: answering waiting polls")
    hub.close()


async def _demo_tokens(agent_tokens: AgentTokens, count: int) -> dict[str, str]:
    """Fresh tokens for the demo clusters (the previous run's are revoked)."""
    tokens = {}
    for index in range(1, count + 1):
        cluster_id = f"demo-{index}"
        for old in await agent_tokens.list(cluster_id):
            if old.description == DEMO_TOKEN:
                await agent_tokens.revoke(old.id)
        tokens[cluster_id], _ = await agent_tokens.create(cluster_id, description=DEMO_TOKEN)
    return tokens


async def _run_demo(
    demo: DemoConfig,
    agent_url: str,
    tokens: dict[str, str],
    stopping: trio.Event,
    *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    """Demo agents run until shutdown begins (they stop before the servers do)."""
    async with trio.open_nursery() as nursery:
        await nursery.start(
            partial(
                serve_demo_agents,
                agent_url,
                demo.agents,
                pods=demo.pods,
                snapshot_interval=demo.snapshot_interval,
                heartbeat_interval=demo.heartbeat_interval,
                tokens=tokens,
            )
        )
        task_status.started()
        await stopping.wait()
        nursery.cancel_scope.cancel()
