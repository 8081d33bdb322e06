"""Where notifications may connect: public addresses only, unless private ones are allowed.

The check runs on the address actually connected to, after name resolution,
so a name that resolves (or is rebound) to a loopback, link-local or private
address cannot reach the master's own network through a channel.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import httpcore
import httpx
import trio

from .errors import SendError


def public_address(address: str) -> bool:
    """Whether `address` is a global unicast address (not loopback, private, link-local,
    multicast, reserved or shared)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _refused(host: str) -> str:
    return (
        f"{host} resolves to a loopback, link-local or private address; set "
        "notify allow_private (MASTER_NOTIFY_ALLOW_PRIVATE) to allow it"
    )


def connect_tcp(host: str, port: int, timeout: float, *, allow_private: bool) -> socket.socket:
    """A blocking TCP connection to the first permitted address of `host` (for smtplib).

    Raises SendError when every address is refused, OSError when none answers.
    """
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    permitted = [i for i in infos if allow_private or public_address(str(i[4][0]))]
    if not permitted:
        raise SendError(_refused(host))
    error: OSError | None = None
    for family, type, proto, _, address in permitted:
        sock = socket.socket(family, type, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as err:
            sock.close()
            error = err
    assert error is not None
    raise error


class _GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's trio backend, connecting only to permitted addresses of each host."""

    def __init__(self, allow_private: bool) -> None:
        self._inner = httpcore.TrioBackend()
        self._allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            infos = await trio.socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as err:
            raise httpcore.ConnectError(f"cannot resolve {host}: {err}") from None
        addresses = [str(i[4][0]) for i in infos]
        permitted = [a for a in addresses if self._allow_private or public_address(a)]
        if not permitted:
            raise httpcore.ConnectError(_refused(host))
        error: Exception | None = None
        for address in dict.fromkeys(permitted):
            try:
                return await self._inner.connect_tcp(
                    address, port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as err:
                error = err
        assert error is not None
        raise error

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's interface)
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("notifications do not use unix sockets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def open_http_client(timeout: float, *, allow_private: bool) -> httpx.AsyncClient:
    """The HTTP client of the Slack and webhook senders: no proxies from the environment
    (the check must see the real destination), no redirects, guarded connections."""
    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx takes no network backend of its own; its pool is httpcore's, which does.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        network_backend=_GuardedBackend(allow_private),
    )
    return httpx.AsyncClient(
        transport=transport, timeout=timeout, trust_env=False, follow_redirects=False
    )
