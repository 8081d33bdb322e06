"""Who may call what: bearer JWTs, roles per route, CORS, security headers and the audit trail."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import msgspec
import trio
from quart import Response, g, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from ..model.auth import ANONYMOUS, ROLE_NAMES, VIEWER, Principal
from ..model.errors import Forbidden, Unauthorized
from ..service.audit import AuditEntry, AuditLog, masked_body
from ..service.auth import AuthService
from ..webapi import bearer_token

PUBLIC = 0
F = TypeVar("F", bound=Callable[..., Any])
_READS = ("GET", "HEAD")
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


def origin_allowed(origin: str, scheme: str, host: str, cors_origins: tuple[str, ...]) -> bool:
    """A browser origin may call us: our own (scheme http/https and host), or an allowed one."""
    return origin == f"{scheme}://{host}" or origin in cors_origins


def requires(role: int) -> Callable[[F], F]:
    """Mark a view with the least role that may call it (PUBLIC: anyone); default viewer."""

    def mark(view: F) -> F:
        view.min_role = role  # type: ignore[attr-defined]
        return view

    return mark


def principal() -> Principal:
    """The caller of the current request."""
    found: Principal = g.principal
    return found


def install_auth(
    app: QuartTrio,
    auth: AuthService,
    audit: AuditLog,
    *,
    public_read: bool,
    cors_origins: tuple[str, ...],
) -> None:
    def allowed_origin() -> str | None:
        origin = request.headers.get("Origin")
        if origin is None or not origin_allowed(origin, request.scheme, request.host, cors_origins):
            return None
        return origin

    @app.before_request
    async def authenticate() -> Response | None:
        g.started = time.monotonic()
        g.principal = ANONYMOUS
        if request.method == "OPTIONS":
            if allowed_origin() is None:
                raise Forbidden("origin not allowed")
            return Response(b"", status=204)
        if request.routing_exception is not None:
            return None  # 404/405 answer as they are
        view = app.view_functions.get(request.endpoint or "")
        need = getattr(view, "min_role", VIEWER)
        token = bearer_token()
        if token:
            g.principal = await auth.authenticate(token)
        if need == PUBLIC:
            return None
        if g.principal.anonymous:
            if need == VIEWER and public_read and request.method in _READS:
                return None
            raise Unauthorized(
                "log in first: POST /api/v2/user/login, then send Authorization: Bearer <token>"
            )
        if g.principal.role < need:
            raise Forbidden(f"this needs the {ROLE_NAMES[need]} role")
        return None

    @app.after_request
    async def finish(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        origin = allowed_origin()
        if origin is not None:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, DELETE"
            response.headers["Vary"] = "Origin"
        if request.method not in (*_READS, "OPTIONS") or response.status_code in (401, 403):
            await _audit(audit, response)
        return response


async def _audit(audit: AuditLog, response: Response) -> None:
    who: Principal = getattr(g, "principal", ANONYMOUS)
    error = ""
    if response.status_code >= 400:
        try:
            error = str(msgspec.json.decode(await response.get_data())["error"]["message"])[:500]
        except (msgspec.DecodeError, KeyError, TypeError, UnicodeDecodeError):
            error = ""
    body = b""
    if response.status_code not in (408, 413):
        # The handler usually read it already; if not (a refusal), wait briefly, never again
        # for a whole body timeout, and never fail the answer over it.
        with trio.move_on_after(1):
            try:
                data = await request.get_data()
                body = data if isinstance(data, bytes) else b""
            except HTTPException:
                body = b""
    audit.record(
        AuditEntry(
            created_at=time.time(),
            username=who.username,
            role=who.role or None,
            source="gateway",
            action=request.endpoint or "unknown",
            resource=request.path,
            method=request.method,
            path=request.full_path.rstrip("?"),
            status=response.status_code,
            success=response.status_code < 400,
            error=error,
            ip=request.remote_addr or "",
            user_agent=request.headers.get("User-Agent", "")[:200],
            duration_ms=(time.monotonic() - getattr(g, "started", time.monotonic())) * 1e3,
            request_body=masked_body(body),
        )
    )
