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


def heartbeat_request(host: str, cluster_id: str) -> bytes:
    """The Go agent's heartbeat: POST, X-Cluster-ID, no body at all."""
    return (
        f"POST /agent/heartbeat HTTP/1.1\r\nHost: {host}\r\nUser-Agent: Go-http-client/1.1\r\n"
        f"Content-Length: 0\r\nX-Cluster-ID: {cluster_id}\r\nAccept-Encoding: gzip\r\n\r\n"
    ).encode()


async def _read_response(stream: trio.SocketStream, buffer: bytearray) -> int:
    """Read one response off a keep-alive connection; returns its status."""
    while (end := buffer.find(b"\r\n\r\n")) < 0:
        chunk = await stream.receive_some(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    head = bytes(buffer[:end]).decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    length = next((int(h.split(":", 1)[1]) for h in head[1:] if h.lower().startswith("content-length:")), 0)
    need = end + 4 + length
    while len(buffer) < need:
        chunk = await stream.receive_some(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        buffer += chunk
    del buffer[:need]
    return status


async def saturate(url: str, cluster_ids: list[str], *, connections: int, seconds: float
                   ) -> dict[str, float]:
    """Hammer `POST /agent/heartbeat` on `url` from `connections` keep-alive connections,
    as the agents `cluster_ids` (so a real master gains no clusters)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    ok = errors = 0

    async def worker(index: int) -> None:
        nonlocal ok, errors
        request = heartbeat_request(f"{host}:{port}", cluster_ids[index % len(cluster_ids)])
        buffer = bytearray()
        stream = await trio.open_tcp_stream(host, port)
        async with stream:
            while True:
                await stream.send_all(request)
                if await _read_response(stream, buffer) == 200:
                    ok += 1
                else:
                    errors += 1

    started = trio.current_time()
    with trio.move_on_after(seconds):
        async with trio.open_nursery() as nursery:
            for i in range(connections):
                nursery.start_soon(worker, i)
    elapsed = trio.current_time() - started
    return {"requests_per_s": ok / elapsed, "errors": errors, "seconds": elapsed,
            "connections": connections}


async def run_bare_app(*, task_status: trio.TaskStatus[tuple[str, int]] = trio.TASK_STATUS_IGNORED) -> None:
    """Run bench/bare_app.py as a subprocess until cancelled; reports (url, pid)."""
    async with trio.open_nursery() as nursery:
        proc = await nursery.start(
            partial(trio.run_process, [sys.executable, "-m", "bench.bare_app"], cwd=ROOT,
                    stdout=subprocess.PIPE, check=False))
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
