"""Admin-only: the audit trail, security events and agent tokens."""

from __future__ import annotations

import msgspec
from quart import Response, request
from quart_trio import QuartTrio

from ..model.auth import ADMIN
from ..service.agent_tokens import AgentTokens, token_view
from ..service.audit import AuditLog
from ..webapi import decode_body, json_response
from . import params
from .audit_rows import VERBS, audit_row, endpoints_doing
from .auth import principal, requires


class NewToken(msgspec.Struct):
    cluster_id: str
    description: str = ""


_new_token = msgspec.json.Decoder(NewToken)


def register(app: QuartTrio, audit: AuditLog, tokens: AgentTokens) -> None:
    @app.get("/api/v2/audit/logs")
    @requires(ADMIN)
    async def audit_logs() -> Response:
        limit, offset = params.paging()
        status = params.integer("status", 0, low=0, high=599) or None
        action = params.text("action")
        if action in VERBS:  # the Go master's word: every endpoint whose calls it names
            routes = ((r.endpoint, r.methods or ()) for r in app.url_map.iter_rules())
            actions: list[str] | None = endpoints_doing(action, routes)
        else:  # one of our endpoint names, or none
            actions = None if action is None else [action]
        rows, total = await audit.query(
            username=params.text("username"),
            user_id=params.integer("user_id", 0, high=params.MAX_ID) or None,
            actions=actions,
            method=params.text("method"),
            success=params.boolean("success"),
            status=status,
            since=params.epoch("since"),
            until=params.epoch("until"),
            limit=limit,
            offset=offset,
        )
        return json_response(
            {"message": "ok", "data": [audit_row(r) for r in rows], "total": total}
        )

    @app.get("/api/v2/security/events")
    @requires(ADMIN)
    async def security_events() -> Response:
        limit, offset = params.paging()
        rows, total = await audit.security_events(
            type=params.text("type"), since=params.epoch("since"), limit=limit, offset=offset
        )
        return json_response({"events": rows, "total": total})

    @app.post("/api/v2/agent-tokens")
    @requires(ADMIN)
    async def create_token() -> Response:
        raw = await request.get_data()
        assert isinstance(raw, bytes)
        body = decode_body(_new_token, raw, "request body")
        secret, token = await tokens.create(
            body.cluster_id, description=body.description, created_by=principal().username
        )
        return json_response({**token_view(token), "token": secret}, 201)

    @app.get("/api/v2/agent-tokens")
    @requires(ADMIN)
    async def list_tokens() -> Response:
        found = await tokens.list(
            params.text("cluster_id"), include_revoked=bool(params.boolean("include_revoked"))
        )
        return json_response({"tokens": [token_view(t) for t in found], "total": len(found)})

    @app.delete("/api/v2/agent-tokens/<token_id>")
    @requires(ADMIN)
    async def revoke_token(token_id: str) -> Response:
        await tokens.revoke(token_id)
        return json_response({"status": "revoked", "id": token_id})

    @app.post("/api/v2/agent-tokens/<token_id>/rotate")
    @requires(ADMIN)
    async def rotate_token(token_id: str) -> Response:
        secret, token = await tokens.rotate(token_id, created_by=principal().username)
        return json_response({**token_view(token), "token": secret, "replaces": token_id}, 201)
