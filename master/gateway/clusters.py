"""`/api/v2/clusters` and `/api/v2/overview`."""

from __future__ import annotations

from quart import Response
from quart_trio import QuartTrio

from ..query import Query
from ..webapi import json_response, raw_json_response
from . import params


def register(app: QuartTrio, query: Query) -> None:
    @app.get("/api/v2/clusters")
    async def list_clusters() -> Response:
        return json_response(await query.clusters())

    @app.get("/api/v2/clusters/<cluster_id>")
    async def get_cluster(cluster_id: str) -> Response:
        return json_response(await query.cluster(cluster_id))

    @app.get("/api/v2/clusters/<cluster_id>/otel")
    async def get_cluster_otel(cluster_id: str) -> Response:
        return raw_json_response(await query.otel(cluster_id))

    @app.get("/api/v2/overview")
    async def overview() -> Response:
        # One cluster: the Go master's ClusterOverview, bare as it sends it (its web UI's
        # overview page). Without cluster_id: the totals across clusters.
        cluster_id = params.text("cluster_id")
        if cluster_id is not None:
            return json_response(await query.cluster_overview(cluster_id))
        return json_response(await query.overview())
