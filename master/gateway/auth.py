"""Who may call what: bearer JWTs, roles per route, anonymous reads, CORS, the Host header,
client addresses behind proxies, security headers and the audit trail."""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import msgspec
import trio
from quart import Response, g, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from ..model.auth import ANONYMOUS, ROLE_NAMES, VIEWER, Principal
from ..model.errors import BadRequest, Forbidden, Unauthorized
from ..service.audit import AuditEntry, AuditLog, clip, masked_body
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
# What anonymous callers may read under public_read: the Go master's public reads
# (GO_GATEWAY_API.md) without commands and their outputs, ConfigMap and Secret data,
# users, audit logs, agent tokens and notification channels. Any other route, and
# any route added later, needs a login.
ANONYMOUS_KINDS = (
    "pods",
    "nodes",
    "deployments",
    "daemonsets",
    "statefulsets",
    "services",
    "ingresses",
    "namespaces",
)
ANONYMOUS_READS = frozenset(
    {
        "list_clusters",
        "get_cluster",
        "overview",
        *(f"{verb}_{kind}" for kind in ANONYMOUS_KINDS for verb in ("list", "get", "find")),
        "list_events",
        "resource_events",
        "list_alerts",  # what the Go master's overview shows anonymously
        "me",  # says "anonymous", so the dashboard knows
    }
)
# Routes whose refusals the auth service records itself (failed logins, per account).
_SELF_RECORDED = frozenset({"login"})
# What a refusal record keeps of the path an unauthenticated caller sent.
MAX_PATH = 200


@dataclass(frozen=True, slots=True)
class Admission:
    """Which requests the gateway takes: browser origins, Host names, proxies it trusts."""

    cors_origins: tuple[str, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        cors_origins: Iterable[str] = (),
        allowed_hosts: Iterable[str] = (),
        trusted_proxies: Iterable[str] = (),
        public_url: str = "",
    ) -> Admission:
        """From the settings; the host of `public_url` is allowed too."""
        hosts = {h.lower() for h in allowed_hosts}
        if public_url:
            hosts.add((urlsplit(public_url).hostname or "").lower())
        return cls(
            cors_origins=tuple(cors_origins),
            allowed_hosts=frozenset(hosts - {""}),
            trusted_proxies=tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies),
        )

    def origin_allowed(self, origin: str, scheme: str, host: str) -> bool:
        """A browser origin may call us: our own (scheme http/https and host), or an allowed one."""
        return origin == f"{scheme}://{host}" or origin in self.cors_origins

    def host_allowed(self, host: str) -> bool:
        """The Host header names us: an IP address, localhost, or an allowed name.

        A page of a name the attacker controls, rebound to our address (DNS
        rebinding), sends its own name: refused unless allowed.
        """
        name = urlsplit(f"//{host}").hostname if host else None
        if not name:
            return False
        if "*" in self.allowed_hosts or name == "localhost" or name in self.allowed_hosts:
            return True
        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def client_address(self, peer: str, forwarded_for: str | None) -> str:
        """The caller's address: the peer's, or behind trusted proxies the last address in
        X-Forwarded-For that is not one of them (what a caller puts first is not trusted)."""
        if not self.trusted_proxies or not forwarded_for or not self._trusted(peer):
            return peer
        for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
            if not self._trusted(hop):
                return hop if _is_address(hop) else peer
        return peer

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.trusted_proxies)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


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


def signed_in(who: Principal) -> None:
    """The current request has just logged `who` in (the audit row names them)."""
    g.principal = who


def client_ip() -> str:
    """The address of the caller of the current request (see `Admission.client_address`)."""
    return getattr(g, "client_ip", None) or request.remote_addr or ""


def install_auth(
    app: QuartTrio, auth: AuthService, audit: AuditLog, *, public_read: bool, admission: Admission
) -> None:
    def allowed_origin() -> str | None:
        origin = request.headers.get("Origin")
        if origin is None or not admission.origin_allowed(origin, request.scheme, request.host):
            return None
        return origin

    @app.before_request
    async def authenticate() -> Response | None:
        g.started = time.monotonic()
        g.principal = ANONYMOUS
        g.client_ip = admission.client_address(
            request.remote_addr or "", request.headers.get("X-Forwarded-For")
        )
        if not admission.host_allowed(request.host):
            raise BadRequest(
                f"host {clip(request.host, 100)!r} is not allowed: add it to allowed_hosts "
                "(MASTER_ALLOWED_HOSTS)"
            )
        if request.method == "OPTIONS":
            if allowed_origin() is None:
                raise Forbidden("origin not allowed")
            return Response(b"", status=204)
        if request.routing_exception is not None:
            return None  # 404/405 answer as they are
        view = app.view_functions.get(request.endpoint or "")
        need = getattr(view, "min_role", VIEWER)
        token = bearer_token()
        anonymous_read = (
            public_read and request.method in _READS and request.endpoint in ANONYMOUS_READS
        )
        if token:
            try:
                g.principal = await auth.authenticate(token)
            except Unauthorized:
                # The Go master's web UI keeps sending a token after it expired or was
                # revoked, also to log in again: where no login is needed (or under
                # public_read, anyone may read) it counts as none, as on the Go master.
                # `me` still says it is no longer valid.
                if need != PUBLIC and (not anonymous_read or request.endpoint == "me"):
                    raise
        if need == PUBLIC:
            return None
        if g.principal.anonymous:
            if anonymous_read:
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
        who: Principal = getattr(g, "principal", ANONYMOUS)
        if who.anonymous:
            if response.status_code >= 400 and request.endpoint not in _SELF_RECORDED:
                _refused(audit, response)
        elif request.method not in (*_READS, "OPTIONS") or response.status_code in (401, 403):
            await _audit(audit, who, response)
        return response


def _refused(audit: AuditLog, response: Response) -> None:
    """An unauthenticated caller was refused: counted, never its body, the path cut short."""
    audit.refused(
        "gateway_refused",
        ip=client_ip(),
        reason=f"HTTP {response.status_code}",
        details=f"{request.method} {clip(request.path, MAX_PATH)}",
    )


async def _audit(audit: AuditLog, who: Principal, response: Response) -> None:
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
            user_id=who.user_id,
            role=who.role or None,
            source="gateway",
            action=request.endpoint or "unknown",
            resource=clip(request.path, MAX_PATH),
            method=request.method,
            path=clip(request.full_path.rstrip("?"), MAX_PATH),
            status=response.status_code,
            success=response.status_code < 400,
            error=error,
            ip=client_ip(),
            user_agent=request.headers.get("User-Agent", "")[:200],
            duration_ms=(time.monotonic() - getattr(g, "started", time.monotonic())) * 1e3,
            request_body=masked_body(body),
        )
    )
