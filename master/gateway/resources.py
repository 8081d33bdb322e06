"""Resource lists and single resources, written out as the agent's own bytes.

Answers are in the Go master's envelope, which its web UI reads: a list is
`{"message", "data": [...], "total"}` with every item unless `limit` is given
(our `cluster_id`, `kind`, `limit` and `offset` beside), one item is
`{"message", "data": {...}}`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import msgspec
from quart import Response, request
from quart_trio import QuartTrio

from ..model.auth import OPERATOR, VIEWER
from ..query import Query
from ..query.resources import LISTED_KINDS, ResourceFilter, parse_label
from ..webapi import raw_json_response
from . import params
from .auth import requires

_enc = msgspec.json.encode
OK = "ok"


def _filter(kind: str) -> ResourceFilter:
    flt = ResourceFilter(
        namespace=params.text("namespace") or "",
        name_contains=params.text("q") or params.text("search") or "",
        labels=[parse_label(s) for s in request.args.getlist("label")],
    )
    if kind == "pods":
        flt.phase = params.text("phase") or ""
        flt.node = params.text("node") or ""
    if kind == "nodes":
        flt.ready = params.boolean("ready")
    if kind == "namespaces":
        flt.phase = params.text("phase") or ""
    return flt


def one(raw: bytes) -> Response:
    """One object in the envelope, its bytes as they are."""
    return raw_json_response(b'{"message":%b,"data":%b}' % (_enc(OK), raw))


def register(app: QuartTrio, query: Query) -> None:
    def lister(kind: str) -> Callable[[], Awaitable[Response]]:
        async def list_kind() -> Response:
            cluster_id = params.required("cluster_id")
            limit = params.integer("limit", 0, low=1, high=params.MAX_LIMIT) or None
            offset = params.integer("offset", 0, high=params.MAX_OFFSET)
            page = await query.resources(
                cluster_id, kind, _filter(kind), limit=limit, offset=offset
            )
            head = b'{"message":%b,"cluster_id":%b,"kind":%b,"total":%d,"limit":%b,"offset":%d' % (
                _enc(page.note or OK),
                _enc(cluster_id),
                _enc(kind),
                page.total,
                _enc(limit),
                offset,
            )
            data = b",".join(bytes(i.raw) for i in page.items)
            return raw_json_response(head + b',"data":[' + data + b"]}")

        return list_kind

    def getter(kind: str) -> Callable[..., Awaitable[Response]]:
        async def get_one(name: str, namespace: str = "") -> Response:
            item = await query.resource(params.required("cluster_id"), kind, namespace, name)
            return one(bytes(item.raw))

        return get_one

    def finder(kind: str) -> Callable[..., Awaitable[Response]]:
        # The Go master's path: the name only, the namespace (if any) in the query.
        async def find_one(name: str) -> Response:
            cluster_id = params.required("cluster_id")
            item = await query.resource(cluster_id, kind, params.text("namespace"), name)
            return one(bytes(item.raw))

        return find_one

    for kind, namespaced in LISTED_KINDS.items():
        # ConfigMaps and Secrets tell how things are configured: operators and up only.
        role = OPERATOR if kind in ("configmaps", "secrets") else VIEWER
        app.add_url_rule(
            f"/api/v2/{kind}", f"list_{kind}", requires(role)(lister(kind)), methods=["GET"]
        )
        if namespaced:
            app.add_url_rule(
                f"/api/v2/{kind}/<namespace>/<name>",
                f"get_{kind}",
                requires(role)(getter(kind)),
                methods=["GET"],
            )
            app.add_url_rule(
                f"/api/v2/{kind}/<name>",
                f"find_{kind}",
                requires(role)(finder(kind)),
                methods=["GET"],
            )
        else:
            app.add_url_rule(
                f"/api/v2/{kind}/<name>",
                f"get_{kind}",
                requires(role)(getter(kind)),
                methods=["GET"],
            )
