"""Helpers of the alert tests: a master with fast alert timings, channels, and polling."""

from __future__ import annotations

import hashlib
import hmac
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import trio

from master.notifier import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

from .conftest import MasterRunner, StartMaster
from .goagent import event, node
from .receivers import Received

DEADLINE = 20  # seconds; generous for a loaded 2-core machine, never reached when all is well
FAST: dict[str, dict[str, Any]] = {
    "alerts": {"interval": 0.1},
    "notify": {"backoff": 0.01, "timeout": 5.0},
}
CLEAN = {"events": None, "nodes": [node("node-1"), node("node-2")]}
SECRET = "whsec-0123456789abcdef"


async def start_alerting(start_master: StartMaster, **changes: Any) -> MasterRunner:
    sections = {*FAST, *changes}
    return await start_master(**{s: {**FAST.get(s, {}), **changes.get(s, {})} for s in sections})


async def wait_for(check: Callable[[], Awaitable[Any] | Any], what: str) -> Any:
    """Poll `check` (sync or async) until it returns something truthy; fail after DEADLINE."""
    with trio.move_on_after(DEADLINE):
        while True:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            await trio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


async def put_channel(
    gw: httpx.AsyncClient, type: str, config: dict[str, Any], enabled: bool = True, **body: Any
) -> dict[str, Any]:
    r = await gw.put(
        f"/api/v2/notify/channels/{type}", json={"enabled": enabled, "config": config, **body}
    )
    assert r.status_code == 200, r.text
    view: dict[str, Any] = r.json()
    return view


async def alerts(gw: httpx.AsyncClient, **params: Any) -> list[dict[str, Any]]:
    r = await gw.get("/api/v2/alerts", params=params)
    assert r.status_code == 200, r.text
    found: list[dict[str, Any]] = r.json()["alerts"]
    return found


async def drained(gw: httpx.AsyncClient, type: str) -> bool:
    """Nothing queued or in flight for the channel."""
    view = (await gw.get(f"/api/v2/notify/channels/{type}")).json()
    return view["queued"] == 0


def crash(
    count: int, name: str = "web-5d9c7b8f6d-abcde", uid: str = "crash", reason: str = "BackOff"
) -> dict[str, Any]:
    """A pod's event (of the default snapshot's Deployment web unless `name` says otherwise)."""
    return event(uid, reason=reason, count=count, name=name)


def verify_signature(request: Received, secret: str = SECRET) -> None:
    """What a webhook consumer does: recompute the HMAC over timestamp and raw body."""
    timestamp = request.headers[TIMESTAMP_HEADER.lower()]
    assert request.headers[SIGNATURE_HEADER.lower()] == sign(secret, timestamp, request.body)
    expected = hmac.new(
        secret.encode(), f"{timestamp}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers[SIGNATURE_HEADER.lower()] == f"sha256={expected}"


async def first_look(agent: Any, gw: httpx.AsyncClient) -> None:
    """Get the cluster's first look (a start-up digest of one NotReady node) behind us, and
    the node ready again, so what follows is judged as news."""
    cid = agent.cluster_id
    nodes = [node("node-1"), node("node-2", ready="False")]
    assert (await agent.snapshot(**{**CLEAN, "nodes": nodes})).status_code == 200
    await wait_for(lambda: alerts(gw, cluster_id=cid, rule="node_not_ready"), "the first look")
    assert (await agent.snapshot(**CLEAN)).status_code == 200
    await wait_for(lambda: alerts(gw, cluster_id=cid, status="resolved"), "the node ready")
