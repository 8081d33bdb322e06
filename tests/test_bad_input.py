"""Bad agent input: the right 4xx, a JSON error, and nothing changed."""

from __future__ import annotations

import gzip
import os
import zlib

import httpx
import msgspec
import pytest

from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent, gzip_json, node, snapshot
from .http import TLS


def bomb(expanded: int) -> bytes:
    """A gzip body that expands to `expanded` bytes of zeros, built without holding them."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = b"\0" * (1 << 20)
    parts = [comp.compress(chunk) for _ in range(expanded >> 20)]
    return b"".join(parts) + comp.flush()


GOOD = gzip_json(snapshot("c1"))
CASES = {
    "invalid gzip": (b"this is not gzip", {}, 400),
    "truncated gzip": (GOOD[: len(GOOD) // 2], {}, 400),
    "corrupt gzip": (GOOD[:20] + bytes(b ^ 0xFF for b in GOOD[20:40]) + GOOD[40:], {}, 400),
    "invalid json": (gzip.compress(b'{"cluster_id": "c1", "pods": [}'), {}, 400),
    "not an object": (gzip.compress(b"[1, 2, 3]"), {}, 400),
    "string snapshot": (gzip.compress(b'"hello"'), {}, 400),
    "empty body": (b"", {}, 400),
    "non-utf8": (gzip.compress(b'{"cluster_id": "c1\xff\xfe"}'), {}, 400),
    "missing cluster id": (gzip_json({"pods": None}), {"X-Cluster-ID": ""}, 400),
    "header/body mismatch": (gzip_json(snapshot("other")), {}, 400),
    "pods not a list": (gzip_json(snapshot("c1", pods={"a": 1})), {}, 400),
    "restarts not a number": (
        gzip_json(
            snapshot("c1", pods=[{"summary": {"name": "p"}, "status": {"restarts": "many"}}])
        ),
        {},
        400,
    ),
    "labels not strings": (
        gzip_json(snapshot("c1", nodes=[{"summary": {"name": "n"}, "labels": {"a": 1}}])),
        {},
        400,
    ),
    "event time not rfc3339": (
        gzip_json(snapshot("c1", events=[{"uid": "x", "last_timestamp": "yesterday"}])),
        {},
        400,
    ),
    "cluster_id not a string": (gzip_json({"cluster_id": 7}), {"X-Cluster-ID": ""}, 400),
    "unknown encoding": (GOOD, {"Content-Encoding": "br"}, 415),
    "decompression bomb": (bomb(64 << 20), {}, 413),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_bad_snapshot_refused_and_changes_nothing(
    start_master: StartMaster, name: str
) -> None:
    body, headers, expected = CASES[name]
    runner = await start_master(agent={"max_snapshot_bytes": 16 << 20})
    async with GoAgent.open(runner.agent_url, "c1") as agent, runner.gateway_client() as gateway:
        assert (await agent.snapshot()).status_code == 200
        before = (await gateway.get("/api/v2/clusters/c1")).json()
        r = await agent.push(body, **headers)
        assert r.status_code == expected, r.text
        error = r.json()["error"]
        assert set(error) == {"code", "message"} and error["message"]
        after = (await gateway.get("/api/v2/clusters/c1")).json()
        assert after["summary"] == before["summary"]
        assert after["last_snapshot"] == before["last_snapshot"]
        assert (await gateway.get("/api/v2/clusters")).json()["total"] == 1
        # And the master still answers.
        assert (await agent.heartbeat()).status_code == 200


async def test_compressed_body_over_limit_is_413(start_master: StartMaster) -> None:
    runner = await start_master(agent={"max_body_bytes": 1024})
    async with GoAgent.open(runner.agent_url, "c1") as agent:
        r = await agent.push(gzip.compress(msgspec.json.encode(snapshot("c1")) + os.urandom(4096)))
        assert r.status_code == 413


async def test_uncompressed_snapshot_over_the_snapshot_limit_is_413(
    start_master: StartMaster,
) -> None:
    """Sent without gzip, a snapshot is bounded by the snapshot limit too, not only by the
    (larger, here) body limit."""
    runner = await start_master(agent={"max_body_bytes": 4 << 20, "max_snapshot_bytes": 1 << 20})
    body = msgspec.json.encode(snapshot("c1", nodes=[node(f"n{i:07}") for i in range(8000)]))
    assert 1 << 20 < len(body) < 4 << 20
    async with GoAgent.open(runner.agent_url, "c1") as agent:
        assert (await agent.push(body, **{"Content-Encoding": "identity"})).status_code == 413
        r = await agent.push(gzip.compress(body))
        assert r.status_code == 413 and r.json()["error"]["code"] == "payload_too_large"


@pytest.mark.parametrize(
    ("path", "kwargs", "expected"),
    [
        ("/agent/heartbeat", {"method": "POST"}, 400),
        ("/agent/commands", {"method": "GET"}, 400),
        (
            "/agent/result",
            {"method": "POST", "headers": {"X-Cluster-ID": "c1"}, "content": b"{bad"},
            400,
        ),
        (
            "/agent/result",
            {"method": "POST", "headers": {"X-Cluster-ID": "c1"}, "content": b'{"success": true}'},
            400,
        ),
        (
            "/agent/result",
            {
                "method": "POST",
                "headers": {"X-Cluster-ID": "c1"},
                "content": b'{"command_id": "x", "success": true, "executed_at": "soon"}',
            },
            400,
        ),
        (
            "/agent/result",
            {
                "method": "POST",
                "headers": {"X-Cluster-ID": "c1"},
                "content": b'{"command_id": "\xff\xfe", "success": true}',
            },
            400,
        ),
        ("/agent/nope", {"method": "GET"}, 404),
        ("/agent/snapshot", {"method": "GET"}, 405),
    ],
)
async def test_bad_agent_calls(
    master: MasterRunner, path: str, kwargs: dict[str, object], expected: int
) -> None:
    async with httpx.AsyncClient(verify=TLS, base_url=master.agent_url) as client:
        method = str(kwargs.pop("method"))
        r = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    assert r.status_code == expected
    assert set(r.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    ("port", "method", "path"),
    [
        ("agent", "POST", "/agent//heartbeat"),
        ("agent", "POST", "/agent/heartbeat/"),
        ("agent", "POST", "/t/a%2Fb/agent/heartbeat"),
        ("gateway", "GET", "/api/v2/commands/%2Fabc"),
        ("gateway", "GET", "/api/v2//clusters"),
        ("gateway", "GET", "/api/v2/clusters/"),
        ("gateway", "GET", "/api/v2/pods/a%2Fb/web?cluster_id=c1"),
        ("gateway", "GET", "/static//app.js"),
    ],
)
async def test_routing_errors_have_the_error_shape(
    master: MasterRunner, port: str, method: str, path: str
) -> None:
    """No redirect and no HTML: a path werkzeug would merge or re-slash is answered in JSON."""
    url = master.agent_url if port == "agent" else master.gateway_url
    async with httpx.AsyncClient(base_url=url, auth=master._auth(None)) as client:
        r = await client.request(method, path, headers={"X-Cluster-ID": "c1"})
    assert not 300 <= r.status_code < 400, (r.status_code, r.headers, r.text[:200])
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    if r.status_code >= 400:
        assert set(r.json()["error"]) == {"code", "message"}
