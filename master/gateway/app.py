"""Build the gateway app from the query layer and the command service."""

from __future__ import annotations

from dataclasses import dataclass

from quart import Response
from quart_trio import QuartTrio

from ..config import StreamConfig
from ..metrics import Metrics
from ..query import Query
from ..service.agent_tokens import AgentTokens
from ..service.alerts import AlertService
from ..service.audit import AuditLog
from ..service.auth import AuthService
from ..service.commands import CommandService
from ..service.notify import NotifyService
from ..webapi import install_error_handlers, json_response
from . import (
    admin,
    clusters,
    commands,
    dashboard,
    events,
    notify,
    openapi,
    ops,
    resources,
    stream,
    users,
)
from .auth import PUBLIC, Admission, install_auth, requires


@dataclass(frozen=True)
class GatewayServices:
    """What the gateway calls: reads, writes and the trust services."""

    query: Query
    commands: CommandService
    ops_wait: float
    metrics: Metrics
    auth: AuthService
    agent_tokens: AgentTokens
    audit: AuditLog
    public_read: bool
    admission: Admission
    token_lifetime: float
    stream: StreamConfig
    notify: NotifyService
    alerts: AlertService


def create_gateway_app(s: GatewayServices) -> QuartTrio:
    app = QuartTrio("master.gateway")
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    app.config["BODY_TIMEOUT"] = 30
    install_error_handlers(app)
    install_auth(app, s.auth, s.audit, public_read=s.public_read, admission=s.admission)
    query = s.query

    @app.get("/health")
    @requires(PUBLIC)
    async def health() -> Response:
        return json_response(await query.health())

    @app.get("/metrics")
    @requires(PUBLIC)
    async def prometheus() -> Response:
        return Response(s.metrics.render(), content_type=s.metrics.content_type)

    clusters.register(app, query)
    resources.register(app, query)
    events.register(app, query)
    commands.register(app, query, s.commands)
    ops.register(app, query, s.commands, s.ops_wait)
    users.register(app, s.auth, s.token_lifetime, query)
    admin.register(app, s.audit, s.agent_tokens)
    stream.register(
        app,
        query,
        s.auth,
        public_read=s.public_read,
        admission=s.admission,
        settings=s.stream,
    )
    notify.register(app, s.notify, s.alerts)
    openapi.register(app)
    dashboard.register(app)
    return app
