"""Notification channels (admin) and the alert history (viewers)."""

from __future__ import annotations

from typing import Any

import msgspec
from quart import Response
from quart_trio import QuartTrio

from ..model.alert import ALERT_STATUSES, SEVERITIES
from ..model.auth import ADMIN
from ..model.errors import BadRequest
from ..service.alert_rules import RULES
from ..service.alerts import AlertService
from ..service.notify import NotifyService
from ..webapi import json_response, read_json
from . import params
from .auth import requires


class ChannelUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    enabled: bool | None = None
    config: dict[str, Any] | None = None


_update = msgspec.json.Decoder(ChannelUpdate)


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = params.text(name)
    if value is not None and value not in choices:
        raise BadRequest(f"query parameter {name!r} must be one of {', '.join(choices)}")
    return value


def register(app: QuartTrio, notify: NotifyService, alerts: AlertService) -> None:
    @app.get("/api/v2/notify/channels")
    @requires(ADMIN)
    async def list_channels() -> Response:
        views = notify.views()
        return json_response({"channels": views, "total": len(views)})

    @app.get("/api/v2/notify/channels/<type>")
    @requires(ADMIN)
    async def get_channel(type: str) -> Response:
        return json_response(notify.view(type))

    @app.put("/api/v2/notify/channels/<type>")
    @requires(ADMIN)
    async def put_channel(type: str) -> Response:
        notify.view(type)  # 404 before looking at the body
        body = await read_json(_update)
        return json_response(
            await notify.update(type, name=body.name, enabled=body.enabled, config=body.config)
        )

    @app.post("/api/v2/notify/channels/<type>/test")
    @requires(ADMIN)
    async def test_channel(type: str) -> Response:
        return json_response(await notify.test(type))

    @app.get("/api/v2/alerts")
    async def list_alerts() -> Response:
        limit, offset = params.paging()
        items, total = await alerts.query(
            cluster_id=params.text("cluster_id"),
            status=_choice("status", ALERT_STATUSES),
            severity=_choice("severity", SEVERITIES),
            rule=_choice("rule", RULES),
            since=params.epoch("since"),
            until=params.epoch("until"),
            limit=limit,
            offset=offset,
        )
        return json_response({"alerts": items, "total": total})
