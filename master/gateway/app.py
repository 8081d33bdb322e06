"""Build the gateway app from the query layer and the command service."""

from __future__ import annotations

from quart import Response
from quart_trio import QuartTrio

from ..metrics import Metrics
from ..query import Query
from ..service.commands import CommandService
from ..webapi import install_error_handlers, json_response
from . import clusters, commands, events, openapi, resources


def create_gateway_app(query: Query, command_service: CommandService, metrics: Metrics) -> QuartTrio:
    app = QuartTrio("master.gateway")
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    install_error_handlers(app)

    @app.get("/health")
    async def health() -> Response:
        return json_response(query.health())

    @app.get("/metrics")
    async def prometheus() -> Response:
        return Response(metrics.render(), content_type=metrics.content_type)

    clusters.register(app, query)
    resources.register(app, query)
    events.register(app, query)
    commands.register(app, query, command_service)
    openapi.register(app)
    return app
