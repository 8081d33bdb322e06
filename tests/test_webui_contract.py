"""The Go master's web UI (atlhyper_web at 92d37dd) against a master with demo clusters.

Each of the 30 calls its pages make is sent as the UI sends it (method, path, query,
body; `Content-Type: application/json` on every request, the bearer token once logged
in), and its answer is checked for exactly what the UI reads, from its TypeScript
types (`tests/webui_shapes.py`). The UI's code is not part of this project; the
types are transcribed where each shape is defined.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
import trio

from .conftest import ADMIN_PASSWORD, MasterRunner, StartMaster
from .http import TLS
from .webui_shapes import (
    AUDIT,
    CONFIGMAP,
    DEPLOYMENT,
    EVENT,
    INGRESS,
    LOGIN,
    NAMESPACE,
    NODE,
    OVERVIEW,
    POD,
    QUEUED,
    SECRET,
    SERVICE,
    USER,
    assert_fits,
)

# Fast demo clusters: snapshots twice a second, so what a command changed shows at once.
DEMO = {"agents": 2, "pods": 20, "snapshot_interval": 0.5, "heartbeat_interval": 0.5}
UI_HEADERS = {"Content-Type": "application/json"}
WAIT = 20  # seconds for what the demo agents do on their own schedule


class UI:
    """The web UI's axios instance: JSON on every request, the token once it has one."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def get(self, path: str, **params: str) -> Any:
        r = await self.client.get(path, params=params)
        assert r.status_code == 200, (path, params, r.status_code, r.text[:300])
        return r.json()

    async def post(self, path: str, body: dict[str, Any], status: int = 200) -> Any:
        # JSON.stringify drops keys whose value is undefined: the UI never sends null.
        r = await self.client.post(path, content=json.dumps(body))
        assert r.status_code == status, (path, body, r.status_code, r.text[:300])
        return r.json()

    async def login(self, username: str, password: str) -> dict[str, Any]:
        answer = await self.post("/api/v2/user/login", {"username": username, "password": password})
        self.client.headers["Authorization"] = f"Bearer {answer['data']['token']}"
        data: dict[str, Any] = answer["data"]
        return data


@pytest.fixture
async def runner(start_master: StartMaster) -> MasterRunner:
    return await start_master(demo=DEMO)


@pytest.fixture
async def ui(runner: MasterRunner) -> AsyncIterator[UI]:
    async with httpx.AsyncClient(
        verify=TLS, base_url=runner.gateway_url, timeout=30, headers=UI_HEADERS
    ) as client:
        yield UI(client)


async def eventually(check: Callable[[], Awaitable[Any]], seconds: float = WAIT) -> Any:
    """Poll an HTTP state until `check` gives something true."""
    with trio.fail_after(seconds):
        while not (value := await check()):
            await trio.sleep(0.1)
    return value


def listed(answer: dict[str, Any], shape: Any, what: str) -> list[dict[str, Any]]:
    """A list in the Go envelope; every item fits `shape`. The UI reads `data` only."""
    assert isinstance(answer["message"], str) and answer["total"] == len(answer["data"]), what
    items: list[dict[str, Any]] = answer["data"]
    assert items, f"{what}: the demo has some"
    for item in items:
        assert_fits(item, shape, what)
    return items


async def test_login_and_every_page_read(ui: UI) -> None:
    # 1. POST /api/v2/user/login
    login = await ui.login("admin", ADMIN_PASSWORD)
    assert_fits(login, LOGIN, "login")
    assert login["user"]["role"] == 3 and login["cluster_ids"] == ["demo-1", "demo-2"]
    # 2. GET /api/v2/clusters (every page's layout): clusters[].cluster_id
    clusters = await ui.get("/api/v2/clusters")
    assert [c["cluster_id"] for c in clusters["clusters"]] == ["demo-1", "demo-2"]
    cid = clusters["clusters"][0]["cluster_id"]
    # 3. GET /api/v2/overview?cluster_id= (bare, not enveloped)
    overview = await ui.get("/api/v2/overview", cluster_id=cid)
    assert_fits(overview, OVERVIEW, "overview")
    assert overview["cluster_id"] == cid and len(overview["alerts"]["trend"]) == 24
    assert overview["nodes"]["usage"], "the demo nodes report metrics"
    # 4, 5. pods and one pod by name, its namespace in the query
    pods = listed(await ui.get("/api/v2/pods", cluster_id=cid), POD, "pods")
    pod = pods[0]["summary"]
    one = await ui.get(f"/api/v2/pods/{pod['name']}", cluster_id=cid, namespace=pod["namespace"])
    assert_fits(one["data"], POD, "pod detail")
    assert one["data"]["summary"]["name"] == pod["name"]
    # 8. nodes (the node detail modal reads this list again)
    listed(await ui.get("/api/v2/nodes", cluster_id=cid), NODE, "nodes")
    # 11, 12. deployments, one deployment
    deployments = listed(await ui.get("/api/v2/deployments", cluster_id=cid), DEPLOYMENT, "deps")
    dep = deployments[0]["summary"]
    one = await ui.get(
        f"/api/v2/deployments/{dep['name']}", cluster_id=cid, namespace=dep["namespace"]
    )
    assert_fits(one["data"], DEPLOYMENT, "deployment detail")
    # 15, 16. services, one service
    services = listed(await ui.get("/api/v2/services", cluster_id=cid), SERVICE, "services")
    svc = services[0]["summary"]
    one = await ui.get(
        f"/api/v2/services/{svc['name']}", cluster_id=cid, namespace=svc["namespace"]
    )
    assert_fits(one["data"], SERVICE, "service detail")
    # 17, 18. ingresses, one ingress
    ingresses = listed(await ui.get("/api/v2/ingresses", cluster_id=cid), INGRESS, "ingresses")
    ing = ingresses[0]["summary"]
    one = await ui.get(
        f"/api/v2/ingresses/{ing['name']}", cluster_id=cid, namespace=ing["namespace"]
    )
    assert_fits(one["data"], INGRESS, "ingress detail")
    # 19. namespaces (the detail modal reads this list again)
    listed(await ui.get("/api/v2/namespaces", cluster_id=cid), NAMESPACE, "namespaces")
    # 20, 21. a namespace's ConfigMaps and Secrets
    configmaps = listed(
        await ui.get("/api/v2/configmaps", cluster_id=cid, namespace="shop"), CONFIGMAP, "cms"
    )
    assert all(c["keys"] == len(c["data_keys"]) for c in configmaps)
    secrets = listed(
        await ui.get("/api/v2/secrets", cluster_id=cid, namespace="shop"), SECRET, "secrets"
    )
    assert all(s["dataKeys"] for s in secrets), "the UI shows how many keys"
    # 24. the alert page: stored events
    events = await ui.get("/api/v2/events", cluster_id=cid, source="history")
    assert events["events"] and events["total"] >= len(events["events"])
    for event in events["events"]:
        assert_fits(event, EVENT, "event")


async def test_operations_reach_the_agents(ui: UI) -> None:
    await ui.login("admin", ADMIN_PASSWORD)
    cid = "demo-1"
    pods = (await ui.get("/api/v2/pods", cluster_id=cid))["data"]
    pod = next(p for p in pods if p["status"]["phase"] == "Running")
    target = {"cluster_id": cid, "namespace": pod["summary"]["namespace"]}
    # 6. pod logs: waits for the agent; the viewer shows data.logs. No container: no key.
    logs = await ui.post(
        "/api/v2/ops/pods/logs", {**target, "name": pod["summary"]["name"], "tail_lines": 100}
    )
    assert isinstance(logs["data"]["logs"], str) and logs["data"]["logs"].count("\n") >= 5
    container = pod["containers"][0]["name"]
    logs = await ui.post(
        "/api/v2/ops/pods/logs",
        {**target, "name": pod["summary"]["name"], "container": container, "tail_lines": 200},
    )
    assert logs["data"]["logs"]
    # 7. pod restart: 2xx (a delete, as on the Go master)
    queued = await ui.post("/api/v2/ops/pods/restart", {**target, "name": pod["summary"]["name"]})
    assert_fits(queued, QUEUED, "pod restart")
    # 9, 10. cordon a node; once the next snapshot shows it, uncordon it
    node = (await ui.get("/api/v2/nodes", cluster_id=cid))["data"][-1]["summary"]["name"]
    assert_fits(
        await ui.post("/api/v2/ops/nodes/cordon", {"cluster_id": cid, "name": node}), QUEUED, "c"
    )

    async def schedulable() -> bool:
        nodes = (await ui.get("/api/v2/nodes", cluster_id=cid))["data"]
        return bool(
            next(n for n in nodes if n["summary"]["name"] == node)["summary"]["schedulable"]
        )

    await eventually(lambda: _not(schedulable))
    assert_fits(
        await ui.post("/api/v2/ops/nodes/uncordon", {"cluster_id": cid, "name": node}), QUEUED, "u"
    )
    await eventually(schedulable)
    # 13. scale a deployment; the detail shows the new count
    dep = (await ui.get("/api/v2/deployments", cluster_id=cid))["data"][0]["summary"]
    where = {"cluster_id": cid, "namespace": dep["namespace"], "name": dep["name"]}
    assert_fits(
        await ui.post("/api/v2/ops/deployments/scale", {**where, "replicas": 5}), QUEUED, "scale"
    )

    async def scaled() -> bool:
        one = await ui.get(
            f"/api/v2/deployments/{dep['name']}", cluster_id=cid, namespace=dep["namespace"]
        )
        return bool(one["data"]["summary"]["replicas"] == 5)

    await eventually(scaled)
    # 14. the image: the UI always names the container "main"; accepted as on the Go master
    queued = await ui.post(
        "/api/v2/ops/deployments/image", {**where, "container": "main", "image": "nginx:1.27"}
    )
    assert_fits(queued, QUEUED, "image")
    # 22, 23. a ConfigMap's and a Secret's data: JSON text of string values
    cm = (await ui.get("/api/v2/configmaps", cluster_id=cid, namespace="shop"))["data"][0]
    data = await ui.post(
        "/api/v2/ops/configmaps/data", {"cluster_id": cid, "namespace": "shop", "name": cm["name"]}
    )
    values = json.loads(data["data"])
    assert sorted(values) == sorted(cm["data_keys"]) and all(
        isinstance(v, str) for v in values.values()
    )
    secret = (await ui.get("/api/v2/secrets", cluster_id=cid, namespace="shop"))["data"][0]
    data = await ui.post(
        "/api/v2/ops/secrets/data", {"cluster_id": cid, "namespace": "shop", "name": secret["name"]}
    )
    assert sorted(json.loads(data["data"])) == sorted(secret["dataKeys"])
    # Each is in the audit trail as the Go master words it.
    rows = (await ui.get("/api/v2/audit/logs", action="read"))["data"]
    assert [(r["resource"], r["endpoint"]) for r in rows] == [
        ("secret", "ops_secret_data"),
        ("configmap", "ops_configmap_data"),
        ("pod", "ops_pod_logs"),
        ("pod", "ops_pod_logs"),
    ]
    rows = (await ui.get("/api/v2/audit/logs", action="execute"))["data"]
    assert [r["resource"] for r in rows] == [*("deployment", "deployment", "node", "node", "pod")]


async def _not(check: Callable[[], Awaitable[bool]]) -> bool:
    return not await check()


async def test_users_and_audit(ui: UI) -> None:
    me = await ui.login("admin", ADMIN_PASSWORD)
    # 25. the user list
    users = (await ui.get("/api/v2/user/list"))["data"]
    for user in users:
        assert_fits(user, USER, "user")
    assert [u["username"] for u in users] == ["admin"] and users[0]["id"] == me["user"]["id"]
    assert users[0]["lastLogin"].endswith("Z") and users[0]["lastLoginIP"] == "127.0.0.1"
    # 26. register, as the add-user form sends it
    body = {
        "username": "vera",
        "password": "lantern-orbit-staple-9",
        "display_name": "",
        "email": "",
        "role": 1,
    }
    await ui.post("/api/v2/user/register", body, status=201)
    vera = next(u for u in (await ui.get("/api/v2/user/list"))["data"] if u["username"] == "vera")
    # 27, 28, 29. by numeric user_id
    await ui.post("/api/v2/user/update-role", {"user_id": vera["id"], "role": 2})
    await ui.post("/api/v2/user/update-status", {"user_id": vera["id"], "status": 0})
    after = {u["username"]: u for u in (await ui.get("/api/v2/user/list"))["data"]}
    assert (after["vera"]["role"], after["vera"]["status"]) == (2, 0)
    await ui.post("/api/v2/user/delete", {"user_id": vera["id"]})
    assert [u["username"] for u in (await ui.get("/api/v2/user/list"))["data"]] == ["admin"]
    # 30. the audit page, no parameters: the Go master's fields and words
    rows = (await ui.get("/api/v2/audit/logs"))["data"]
    for row in rows:
        assert_fits(row, AUDIT, "audit row")
    said = [(r["action"], r["resource"], r["status"]) for r in rows]
    assert said == [
        ("delete", "user", 200),
        ("update", "user", 200),
        ("update", "user", 200),
        ("create", "user", 201),
        ("login", "user", 200),
    ]
    assert all(r["userId"] == me["user"]["id"] and r["role"] == 3 for r in rows)
    assert all(r["timestamp"].endswith("Z") and r["success"] for r in rows)
    assert '"password":"***"' in rows[3]["requestSummary"]
