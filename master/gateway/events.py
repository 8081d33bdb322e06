"""`/api/v2/events` (history or realtime) and `/api/v2/events/by-resource`."""

from __future__ import annotations

from quart import Response
from quart_trio import QuartTrio

from ..model.errors import BadRequest, NotFound
from ..query import Query
from ..query.events import EventFilter
from ..webapi import json_response
from . import params

# Where `/api/v2/events` reads from: the database or the hub's realtime window.
SOURCES = ("history", "realtime")


def register(app: QuartTrio, query: Query) -> None:
    @app.get("/api/v2/events")
    async def list_events() -> Response:
        source = params.text("source") or SOURCES[0]
        flt = EventFilter(
            cluster_id=params.text("cluster_id"),
            type=params.text("type"),
            reason=params.text("reason"),
            namespace=params.text("namespace"),
            since=params.timestamp("since"),
            until=params.timestamp("until"),
        )
        limit, offset = params.paging()
        if source not in SOURCES:
            raise BadRequest(f"source must be {' or '.join(SOURCES)}, got {source!r}")
        read = query.realtime_events if source == "realtime" else query.history_events
        try:
            answer = await read(flt, limit=limit, offset=offset)
        except NotFound as err:
            # A cluster nobody knows has no events: an empty list that says why.
            answer = {"events": [], "total": 0, "source": source, "message": err.message}
        return json_response({**answer, "limit": limit, "offset": offset})

    @app.get("/api/v2/events/by-resource")
    async def resource_events() -> Response:
        limit, offset = params.paging()
        return json_response(
            await query.resource_events(
                params.required("cluster_id"),
                params.required("kind"),
                params.text("namespace") or "",
                params.required("name"),
                limit=limit,
                offset=offset,
            )
        )
