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
from .gateway import GatewayServices, create_gateway_app
from .metrics import Metrics
from .model.command import CommandLimits
from .model.snapshot import SnapshotLimits
from .query import Query
from .service.agent_tokens import AgentTokens
from .service.alerts import AlertPolicy, AlertService
from .service.audit import AuditLog
from .service.auth import AuthService, load_or_create_secret
from .service.commands import CommandService
from .service.events import EventPersister, restore_clusters, serve_event_cleanup
from .service.notify import Delivery, NotifyService
from .service.secretbox import SecretBox

log = logging.getLogger("master")
DEMO_TOKEN = "demo agent"


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
    # Stream clients only send subscribe and pong messages.
    hc.websocket_max_message_size = 64 << 10
    hc.bind = [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"]
    hc.graceful_timeout = grace
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
        stream_replay=config.stream_replay,
        stream_queue=config.stream_queue,
        stream_coalesce=config.stream_coalesce,
        event_window_max=2 * config.max_events,
    )
    commands = CommandService(
        hub,
        db,
        expire=config.command_expire,
        limits=CommandLimits(
            logs_tail_default=config.command_logs_tail_default,
            logs_tail_max=config.command_logs_tail_max,
        ),
    )
    persister = EventPersister(hub, db)
    limits = AgentLimits(
        max_body_bytes=config.max_body_bytes,
        max_snapshot_bytes=config.max_snapshot_bytes,
        body_timeout=config.body_timeout,
        poll_timeout=config.command_poll_timeout,
        max_result_bytes=config.max_result_bytes,
        output_max_bytes=config.command_output_max_bytes,
        snapshot=SnapshotLimits(
            max_events=config.max_events,
            max_event_message_bytes=config.max_event_message_bytes,
        ),
    )
    stopping = trio.Event()
    auth = AuthService(
        db,
        secret=load_or_create_secret(config.data_dir, config.jwt_secret),
        lifetime=config.jwt_lifetime,
        max_failures=config.login_max_failures,
        backoff=config.login_backoff,
    )
    agent_tokens = AgentTokens(db, require=config.agent_require_token)
    audit = AuditLog(db, retention_days=config.audit_retention_days)
    notify = NotifyService(
        db,
        SecretBox.in_dir(config.data_dir),
        Delivery(
            timeout=config.notify_timeout,
            attempts=config.notify_attempts,
            backoff=config.notify_backoff,
            queue_size=config.notify_queue_size,
        ),
    )
    alerts = AlertService(
        hub,
        db,
        notify,
        AlertPolicy(
            interval=config.alert_interval,
            cooldown=config.alert_cooldown,
            deployment_grace=config.alert_deployment_grace,
            burst_count=config.alert_burst_count,
            burst_window=config.alert_burst_window,
            offline_grace=config.heartbeat_expire,
            public_url=config.public_url,
        ),
        on_change=hub.publish_alert,
    )
    if not config.agent_require_token:
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
                await auth.bootstrap(config.admin_username, config.admin_password)
                await agent_tokens.load()
                await notify.load(_channel_seed(config))
                await alerts.load()
                await services.start(notify.serve)
                if config.alert_enabled:
                    await services.start(alerts.serve)
                await services.start(audit.serve)
                await services.start(hub.serve)
                await services.start(hub.fanout.serve)
                await services.start(persister.serve)
                await services.start(commands.serve_persister)
                await services.start(
                    partial(
                        serve_event_cleanup,
                        db,
                        retention_days=config.event_retention_days,
                        max_per_cluster=config.event_max_count,
                        max_bytes_per_cluster=config.event_max_bytes,
                        interval=config.event_cleanup_interval,
                    )
                )
                async with trio.open_nursery() as servers:
                    agent_url = await servers.start(
                        _serve_app,
                        create_agent_app(hub, limits, metrics, agent_tokens),
                        _hypercorn_config(
                            config.bind_host, config.agentsdk_port, config.shutdown_grace
                        ),
                        stopping,
                    )
                    gateway = GatewayServices(
                        query=Query(hub, db),
                        commands=commands,
                        metrics=metrics,
                        auth=auth,
                        agent_tokens=agent_tokens,
                        audit=audit,
                        public_read=config.public_read,
                        cors_origins=config.cors_origins,
                        token_lifetime=config.jwt_lifetime,
                        stream_ping_interval=config.stream_ping_interval,
                        notify=notify,
                        alerts=alerts,
                    )
                    gateway_url = await servers.start(
                        _serve_app,
                        create_gateway_app(gateway),
                        _hypercorn_config(
                            config.bind_host, config.gateway_port, config.shutdown_grace
                        ),
                        stopping,
                    )
                    if config.demo_agents:
                        tokens = await _demo_tokens(agent_tokens, config.demo_agents)
                        await servers.start(_run_demo, config, agent_url, tokens, stopping)
                    log.info(
                        "master ready: agent port %s, gateway %s, database %s",
                        agent_url,
                        gateway_url,
                        config.database_path,
                    )
                    servers.start_soon(_close_hub_on_stop, hub, stopping)
                    task_status.started(Running(agent_url, gateway_url, stopping))
                log.info("servers stopped; writing what is left")
                await persister.flush()
                await commands.flush()
                await audit.flush()
                alerts.stop()
                await notify.aclose()
                with trio.move_on_after(config.shutdown_grace):
                    await notify.stopped.wait()
                services.cancel_scope.cancel()
        finally:
            await db.aclose()
    log.info("master stopped")


def _channel_seed(config: Config) -> dict[str, dict[str, object]]:
    """Channels named by MASTER_MAIL_*, MASTER_SLACK_* and MASTER_WEBHOOK_* (first start only)."""
    seed: dict[str, dict[str, object]] = {}
    if config.mail_enabled or config.mail_smtp_host:
        seed["email"] = {
            "enabled": config.mail_enabled,
            "config": {
                "smtp_host": config.mail_smtp_host,
                "smtp_port": config.mail_smtp_port,
                "smtp_tls": config.mail_smtp_tls,
                "smtp_user": config.mail_username,
                "smtp_password": config.mail_password,
                "from_address": config.mail_from,
                "to_addresses": list(config.mail_to),
            },
        }
    if config.slack_enabled or config.slack_webhook_url:
        seed["slack"] = {
            "enabled": config.slack_enabled,
            "config": {"webhook_url": config.slack_webhook_url},
        }
    if config.webhook_enabled or config.webhook_url:
        seed["webhook"] = {
            "enabled": config.webhook_enabled,
            "config": {"url": config.webhook_url, "secret": config.webhook_secret},
        }
    return seed


async def _close_hub_on_stop(hub: MemoryHub, stopping: trio.Event) -> None:
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
    config: Config,
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
                config.demo_agents,
                pods=config.demo_pods,
                snapshot_interval=config.demo_snapshot_interval,
                heartbeat_interval=config.demo_heartbeat_interval,
                tokens=tokens,
            )
        )
        task_status.started()
        await stopping.wait()
        nursery.cancel_scope.cancel()
