"""A small keep-alive HTTP/1.1 client for the simulated fleet, shaped like the Go agent's.

httpx spends about a millisecond of CPU per request; two thousand agents
through it saturate the load generator long before the master. This client
writes each request in one piece, reads the status line, headers and a
Content-Length body, and keeps connections for reuse. It answers the part of
httpx's `AsyncClient.request` that `DemoAgent` uses, raising httpx's errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode, urlsplit

import httpx
import trio


class RawResponse:
    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode(errors="replace")


async def read_response(stream: trio.SocketStream, buffer: bytearray) -> tuple[int, bytes]:
    """Read one response (status, body) off a keep-alive connection."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = await stream.receive_some(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = next(
        (int(h.split(":", 1)[1]) for h in head[1:] if h.lower().startswith("content-length:")), 0
    )
    need = end + 4 + length
    while len(buffer) < need:
        chunk = await stream.receive_some(max(65536, need - len(buffer)))
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    body = bytes(buffer[end + 4 : need])
    del buffer[:need]
    return status, body


class _Connection:
    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.buffer = bytearray()


class RawClient:
    """Keep-alive connections to any number of hosts, reused by whoever asks next."""

    def __init__(self) -> None:
        self._idle: dict[tuple[str, int], list[_Connection]] = {}

    async def request(
        self,
        method: str,
        url: str,
        *,
        timeout: float,  # noqa: ASYNC109 (httpx's signature)
        content: bytes = b"",
        headers: Mapping[str, str] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> RawResponse:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        target = parts.path + (f"?{urlencode(params)}" if params else "")
        lines = [
            f"{method} {target} HTTP/1.1",
            f"Host: {host}:{port}",
            "User-Agent: Go-http-client/1.1",
        ]
        if content or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(content)}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append("Accept-Encoding: gzip")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + content
        key = (host, port)
        idle = self._idle.setdefault(key, [])
        conn = idle.pop() if idle else None
        try:
            with trio.fail_after(timeout):
                if conn is None:
                    conn = _Connection(await trio.open_tcp_stream(host, port))
                await conn.stream.send_all(request)
                status, body = await read_response(conn.stream, conn.buffer)
        except trio.TooSlowError:
            await self._discard(conn)
            raise httpx.ReadTimeout(f"{method} {url}: no answer in {timeout}s") from None
        except (OSError, ConnectionError, trio.BrokenResourceError) as err:
            await self._discard(conn)
            raise httpx.TransportError(f"{method} {url}: {err!r}") from err
        except BaseException:
            await self._discard(conn)  # cancelled mid-exchange: the connection is unusable
            raise
        idle.append(conn)
        return RawResponse(status, body)

    @staticmethod
    async def _discard(conn: _Connection | None) -> None:
        if conn is not None:
            with trio.CancelScope(shield=True):
                await conn.stream.aclose()

    async def aclose(self) -> None:
        for conns in self._idle.values():
            for conn in conns:
                await self._discard(conn)
        self._idle.clear()
