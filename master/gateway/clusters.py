"""`/api/v2/clusters` and `/api/v2/overview`."""

from __future__ import annotations

from quart import Response
from quart_trio import QuartTrio

from ..query import Query
from ..webapi import json_response


def register(app: QuartTrio, query: Query) -> None:
    @app.get("/api/v2/clusters")
    async def list_clusters() -> Response:
        return json_response(await query.clusters())

    @app.get("/api/v2/clusters/<cluster_id>")
    async def get_cluster(cluster_id: str) -> Response:
        return json_response(await query.cluster(cluster_id))

    @app.get("/api/v2/overview")
    async def overview() -> Response:
        return json_response(await query.overview())
