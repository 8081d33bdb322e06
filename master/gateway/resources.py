"""Resource lists and single resources, written out as the agent's own bytes."""

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


def register(app: QuartTrio, query: Query) -> None:
    def lister(kind: str) -> Callable[[], Awaitable[Response]]:
        async def list_kind() -> Response:
            cluster_id = params.required("cluster_id")
            limit, offset = params.paging()
            page = await query.resources(
                cluster_id, kind, _filter(kind), limit=limit, offset=offset
            )
            head = b'{"cluster_id":%b,"kind":%b,"total":%d,"limit":%d,"offset":%d,"items":[' % (
                _enc(cluster_id),
                _enc(kind),
                page.total,
                limit,
                offset,
            )
            return raw_json_response(head + b",".join(bytes(i.raw) for i in page.items) + b"]}")

        return list_kind

    def getter(kind: str) -> Callable[..., Awaitable[Response]]:
        async def get_one(name: str, namespace: str = "") -> Response:
            item = await query.resource(params.required("cluster_id"), kind, namespace, name)
            return raw_json_response(bytes(item.raw))

        return get_one

    for kind, namespaced in LISTED_KINDS.items():
        # ConfigMaps and Secrets tell how things are configured: operators and up only.
        role = OPERATOR if kind in ("configmaps", "secrets") else VIEWER
        app.add_url_rule(
            f"/api/v2/{kind}", f"list_{kind}", requires(role)(lister(kind)), methods=["GET"]
        )
        rule = f"/api/v2/{kind}/<namespace>/<name>" if namespaced else f"/api/v2/{kind}/<name>"
        app.add_url_rule(rule, f"get_{kind}", requires(role)(getter(kind)), methods=["GET"])
