"""Heartbeat throughput at saturation, with a minimal keep-alive HTTP/1.1 client.

httpx costs more CPU per request than the servers under test; a client
that writes pre-encoded requests and reads just the status line and
Content-Length keeps the load generator from being what is measured.
"""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from urllib.parse import urlsplit

import trio

from .masterproc import ROOT
from .rawclient import read_response


def poll_request(host: str, cluster_id: str, headers: dict[str, str]) -> bytes:
    """The Go agent's command poll."""
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (
        f"GET /agent/commands?cluster_id={cluster_id} HTTP/1.1\r\nHost: {host}\r\n"
        f"User-Agent: Go-http-client/1.1\r\nX-Cluster-ID: {cluster_id}\r\n{extra}"
        "Accept-Encoding: gzip\r\n\r\n"
    ).encode()


async def exchange(stream: trio.SocketStream, request: bytes, buffer: bytearray) -> int:
    """Send one request on a keep-alive connection and read its response; returns the status."""
    await stream.send_all(request)
    status, _ = await read_response(stream, buffer)
    return status


def heartbeat_request(host: str, cluster_id: str, token: str | None) -> bytes:
    """The Go agent's heartbeat: POST, X-Cluster-ID, no body at all."""
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (
        f"POST /agent/heartbeat HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Go-http-client/1.1\r\n"
        f"Content-Length: 0\r\nX-Cluster-ID: {cluster_id}\r\n{auth}Accept-Encoding: gzip\r\n\r\n"
    ).encode()


async def saturate(
    url: str, cluster_ids: list[str], tokens: dict[str, str], *, connections: int, seconds: float
) -> dict[str, float]:
    """Hammer `POST /agent/heartbeat` on `url` from `connections` keep-alive connections,
    as the agents `cluster_ids` (so a real master gains no clusters)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    ok = errors = 0

    async def worker(index: int) -> None:
        nonlocal ok, errors
        cluster_id = cluster_ids[index % len(cluster_ids)]
        request = heartbeat_request(f"{host}:{port}", cluster_id, tokens.get(cluster_id))
        buffer = bytearray()
        stream = await trio.open_tcp_stream(host, port)
        async with stream:
            while True:
                if await exchange(stream, request, buffer) == 200:
                    ok += 1
                else:
                    errors += 1

    started = trio.current_time()
    with trio.move_on_after(seconds):
        async with trio.open_nursery() as nursery:
            for i in range(connections):
                nursery.start_soon(worker, i)
    elapsed = trio.current_time() - started
    return {
        "requests_per_s": ok / elapsed,
        "errors": errors,
        "seconds": elapsed,
        "connections": connections,
    }


async def run_bare_app(
    *, task_status: trio.TaskStatus[tuple[str, int]] = trio.TASK_STATUS_IGNORED
) -> None:
    """Run bench/bare_app.py as a subprocess until cancelled; reports (url, pid)."""
    async with trio.open_nursery() as nursery:
        proc = await nursery.start(
            partial(
                trio.run_process,
                [sys.executable, "-m", "bench.bare_app"],
                cwd=ROOT,
                stdout=subprocess.PIPE,
                check=False,
            )
        )
        assert proc.stdout is not None
        line = b""
        async for chunk in proc.stdout:
            line += chunk
            if b"\n" in line:
                break
        text = line.decode().strip()
        if not text.startswith("bare app ready: "):
            raise RuntimeError(f"bare app did not start: {text!r}")
        task_status.started((text.removeprefix("bare app ready: "), proc.pid))
        try:
            await trio.sleep_forever()
        finally:
            proc.terminate()
