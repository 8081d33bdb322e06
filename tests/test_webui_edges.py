"""The Go-compatible routes at their edges: agents that do not answer or fail, bad bodies,
roles, unknown clusters, stale tokens, preflights, and one cluster's overview computed
from what an agent sent."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import trio

from master.model.overview import HOUR, health, quantity

from .conftest import MasterRunner, StartMaster
from .goagent import GoAgent, node
from .http import TLS
from .test_trust import make_user

LOGS = "/api/v2/ops/pods/logs"
TARGET = {"cluster_id": "c1", "namespace": "default", "name": "web-5d9c7b8f6d-abcde"}
UI_ORIGIN = "http://ui.example:3000"


def error_code(r: httpx.Response, status: int) -> str:
    assert r.status_code == status, r.text
    code: str = r.json()["error"]["code"]
    return code


async def test_a_data_call_the_agent_does_not_answer_is_504(start_master: StartMaster) -> None:
    runner = await start_master(commands={"ops_wait": 0.3})
    async with GoAgent.open(runner.agent_url, "c1") as agent, runner.gateway_client() as gw:
        assert (await agent.snapshot()).status_code == 200
        r = await gw.post(LOGS, json=TARGET)
        assert error_code(r, 504) == "agent_timeout"
        listed = (await gw.get("/api/v2/commands")).json()["commands"]
        # Still on its way, as the answer says, with the Go master's default of 100 lines.
        assert listed[0]["command_id"] in r.json()["error"]["message"]
        assert (listed[0]["status"], listed[0]["params"]) == ("pending", {"tailLines": 100})
        assert (await agent.poll()) is not None


async def test_a_failure_the_agent_reports_is_502_with_its_error(master: MasterRunner) -> None:
    async with (
        GoAgent.open(master.agent_url, "c1") as agent,
        master.gateway_client() as gw,
        trio.open_nursery() as nursery,
    ):
        assert (await agent.snapshot()).status_code == 200

        async def fail_next() -> None:
            while (cmd := await agent.poll()) is None:
                pass
            await agent.result(cmd["id"], success=False, error='configmaps "nope" not found')

        nursery.start_soon(fail_next)
        body = {**TARGET, "name": "nope"}
        r = await gw.post("/api/v2/ops/configmaps/data", json=body)
        assert error_code(r, 502) == "agent_failed"
        assert 'configmaps "nope" not found' in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("path", "body", "status", "says"),
    [
        (LOGS, {**TARGET, "namespace": ""}, 400, "target_namespace"),
        (LOGS, {**TARGET, "name": ""}, 400, "target_name is required"),
        (LOGS, {**TARGET, "cluster_id": ""}, 400, "cluster_id is required"),
        (LOGS, {**TARGET, "tail_lines": 10**6}, 400, "tailLines"),
        (LOGS, {**TARGET, "container": "Not A Name"}, 400, "container"),
        (LOGS, {**TARGET, "cluster_id": "ZGMF-X10A"}, 404, "not known"),
        (LOGS, {**TARGET, "tail_lines": "100"}, 400, "invalid request body"),
        ("/api/v2/ops/deployments/scale", TARGET, 400, "replicas"),
        ("/api/v2/ops/deployments/scale", {**TARGET, "replicas": -1}, 400, "replicas"),
        ("/api/v2/ops/deployments/image", TARGET, 400, "params.image is required"),
        ("/api/v2/ops/deployments/image", {**TARGET, "image": "a b"}, 400, "image"),
        ("/api/v2/ops/nodes/cordon", {"cluster_id": "c1"}, 400, "target_name"),
        ("/api/v2/ops/pods/restart", {**TARGET, "name": "a/b"}, 400, "Kubernetes name"),
    ],
)
async def test_operation_bodies_are_checked_as_commands_are(
    gateway: httpx.AsyncClient, agent: GoAgent, path: str, body: Any, status: int, says: str
) -> None:
    assert (await agent.snapshot()).status_code == 200
    r = await gateway.post(path, json=body)
    error_code(r, status)
    assert says in r.json()["error"]["message"]
    assert (await gateway.get("/api/v2/commands")).json()["total"] == 0


async def test_actions_answer_when_queued_with_the_go_fields(
    gateway: httpx.AsyncClient, agent: GoAgent
) -> None:
    assert (await agent.snapshot()).status_code == 200
    r = await gateway.post("/api/v2/ops/pods/restart", json=TARGET)
    assert r.status_code == 200 and r.json()["status"] == "pending"
    cmd = await agent.poll()
    assert cmd is not None and cmd["id"] == r.json()["command_id"]
    assert (cmd["action"], cmd["target_kind"], cmd["target_name"]) == (
        "delete",
        "Pod",
        TARGET["name"],
    )
    r = await gateway.post(
        "/api/v2/ops/nodes/uncordon", json={"cluster_id": "c1", "name": "node-2"}
    )
    cmd = await agent.poll()
    assert cmd is not None
    assert (cmd["action"], cmd["target_kind"], cmd["target_namespace"]) == ("uncordon", "Node", "")


async def test_operations_need_an_operator_and_secret_values_an_administrator(
    master: MasterRunner,
) -> None:
    viewer = await make_user(master, "vic", 1)
    operator = await make_user(master, "otto", 2)
    async with GoAgent.open(master.agent_url, "c1") as agent:
        assert (await agent.snapshot()).status_code == 200
    async with master.gateway_client(viewer) as gw:
        assert error_code(await gw.post(LOGS, json=TARGET), 403) == "forbidden"
    async with master.gateway_client(operator) as gw:
        r = await gw.post("/api/v2/ops/secrets/data", json=TARGET)
        assert error_code(r, 403) == "forbidden" and "admin" in r.json()["error"]["message"]
        assert error_code(await gw.get("/api/v2/user/list"), 403) == "forbidden"
        assert (await gw.post("/api/v2/ops/pods/restart", json=TARGET)).status_code == 200
    async with master.gateway_client() as admin:
        # Nothing was asked of the agent for the refused calls.
        assert (await admin.get("/api/v2/commands")).json()["total"] == 1


async def test_a_cluster_nobody_knows(gateway: httpx.AsyncClient, agent: GoAgent) -> None:
    """The UI's first request on a new browser names its built-in default cluster."""
    assert (await agent.snapshot()).status_code == 200
    unknown = {"cluster_id": "ZGMF-X10A"}
    for kind in ("pods", "nodes", "deployments", "services", "namespaces", "ingresses"):
        r = await gateway.get(f"/api/v2/{kind}", params=unknown)
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["data"], body["total"]) == ([], 0)
        assert body["message"] == "cluster 'ZGMF-X10A' is not known to this master"
    r = await gateway.get("/api/v2/events", params={**unknown, "source": "history"})
    assert r.status_code == 200 and r.json()["events"] == [] and "not known" in r.json()["message"]
    assert error_code(await gateway.get("/api/v2/overview", params=unknown), 404) == "not_found"
    r = await gateway.get("/api/v2/pods/web", params={**unknown, "namespace": "default"})
    assert error_code(r, 404) == "not_found"
    # A known cluster lists as before; its items by name, in a namespace or in any.
    assert (await gateway.get("/api/v2/pods", params={"cluster_id": "c1"})).json()["total"] == 3
    r = await gateway.get("/api/v2/pods/db-0", params={"cluster_id": "c1"})
    assert r.json()["data"]["summary"]["namespace"] == "default"
    r = await gateway.get("/api/v2/pods/db-0", params={"cluster_id": "c1", "namespace": "other"})
    assert error_code(r, 404) == "not_found"


async def test_a_cluster_without_a_snapshot_lists_nothing_and_says_why(
    gateway: httpx.AsyncClient, agent: GoAgent
) -> None:
    assert (await agent.heartbeat()).status_code == 200
    body = (await gateway.get("/api/v2/pods", params={"cluster_id": "c1"})).json()
    assert body["data"] == [] and "has not sent a snapshot" in body["message"]


async def test_a_stale_token_still_reads_what_anyone_may_and_logs_in_again(
    start_master: StartMaster,
) -> None:
    """The UI keeps sending its token after it expired, to every call, login included."""
    for public_read in (True, False):
        runner = await start_master(auth={"public_read": public_read})
        async with GoAgent.open(runner.agent_url, "c1") as agent:
            assert (await agent.snapshot()).status_code == 200
        async with runner.gateway_client("not.a.token") as stale:
            r = await stale.get("/api/v2/pods", params={"cluster_id": "c1"})
            assert r.status_code == (200 if public_read else 401), r.text
            assert (await stale.get("/api/v2/user/me")).status_code == 401
            assert (await stale.get("/api/v2/user/list")).status_code == 401
            assert (await stale.post(LOGS, json=TARGET)).status_code == 401
            r = await stale.post(
                "/api/v2/user/login",
                json={"username": "admin", "password": runner.config.auth.admin_password},
            )
            assert r.status_code == 200 and r.json()["data"]["user"]["username"] == "admin"
        await runner.stop()


async def test_the_ui_origin_passes_the_preflight_of_every_call(start_master: StartMaster) -> None:
    runner = await start_master(server={"cors_origins": (UI_ORIGIN,)})
    async with httpx.AsyncClient(verify=TLS, base_url=runner.gateway_url) as client:
        for method, path in (
            ("GET", "/api/v2/pods"),
            ("POST", LOGS),
            ("POST", "/api/v2/user/login"),
        ):
            r = await client.options(
                path,
                headers={
                    "Origin": UI_ORIGIN,
                    "Access-Control-Request-Method": method,
                    "Access-Control-Request-Headers": "authorization,content-type",
                },
            )
            assert r.status_code == 204, (path, r.text)
            assert r.headers["Access-Control-Allow-Origin"] == UI_ORIGIN
            assert method in r.headers["Access-Control-Allow-Methods"]
            assert {"authorization", "content-type"} <= {
                h.strip().lower() for h in r.headers["Access-Control-Allow-Headers"].split(",")
            }
        r = await client.options(LOGS, headers={"Origin": "http://elsewhere.example"})
        assert r.status_code == 403


async def test_login_always_lists_cluster_ids(master: MasterRunner) -> None:
    """The UI JSON-parses what it stored at start-up: a list, even an empty one."""
    async with httpx.AsyncClient(verify=TLS, base_url=master.gateway_url) as client:
        r = await client.post(
            "/api/v2/user/login",
            json={"username": "admin", "password": master.config.auth.admin_password},
        )
    assert r.json()["data"]["cluster_ids"] == []


async def test_users_by_id_or_name(master: MasterRunner) -> None:
    await make_user(master, "una", 1)
    async with master.gateway_client() as admin:
        una = next(
            u
            for u in (await admin.get("/api/v2/user/list")).json()["data"]
            if u["username"] == "una"
        )
        r = await admin.post("/api/v2/user/update-role", json={"username": "una", "role": 2})
        assert r.json()["data"]["role"] == 2
        r = await admin.post("/api/v2/user/update-role", json={"user_id": una["id"], "role": 3})
        assert r.json()["data"]["role"] == 3
        for body, status in (
            ({"role": 1}, 400),
            ({"user_id": una["id"], "username": "una", "role": 1}, 400),
            ({"user_id": 0, "role": 1}, 400),
            ({"user_id": 999, "role": 1}, 404),
            ({"user_id": "1", "role": 1}, 400),
        ):
            error_code(await admin.post("/api/v2/user/update-role", json=body), status)
        mine = (await admin.get("/api/v2/audit/logs", params={"user_id": 1})).json()["data"]
        assert mine and all(r["userId"] == 1 for r in mine)
        assert (await admin.get("/api/v2/audit/logs", params={"user_id": 999})).json()["data"] == []


# -- one cluster's overview --


def metrics(cpu: str, memory: str) -> dict[str, Any]:
    return {
        "cpu": {"usage": cpu},
        "memory": {"usage": memory},
        "pods": {"used": 0, "capacity": 0},
    }


async def test_one_clusters_overview(gateway: httpx.AsyncClient, agent: GoAgent) -> None:
    busy = {**node("node-1"), "metrics": metrics("1950m", "7680Mi")}  # half of 3900m / 15Gi
    jobs = [
        {"uid": "j1", "name": "a", "namespace": "default", "kind": "Job", "active": 1},
        {
            "uid": "j2",
            "name": "b",
            "namespace": "default",
            "kind": "Job",
            "complete": True,
            "succeeded": 1,
        },
        {"uid": "j3", "name": "c", "namespace": "default", "kind": "Job", "failed": 2},
    ]
    r = await agent.snapshot(nodes=[busy, node("node-2", ready="False")], jobs=jobs, events=[])
    assert r.status_code == 200, r.text

    async def overview() -> dict[str, Any]:
        r = await gateway.get("/api/v2/overview", params={"cluster_id": "c1"})
        assert r.status_code == 200, r.text
        found: dict[str, Any] = r.json()
        return found

    # node-2 is not Ready: a critical alert, once the engine has stored it.
    with trio.fail_after(20):
        while not (view := await overview())["cards"]["events_24h"]:
            await trio.sleep(0.1)
    cards, work = view["cards"], view["workloads"]
    assert cards["cluster_health"] == {
        "status": "Unhealthy",
        "reason": "too few nodes ready",
        "node_ready_percent": 50.0,
        "pod_ready_percent": pytest.approx(200 / 3),
    }
    assert cards["node_ready"] == {"total": 2, "ready": 1, "percent": 50.0}
    # All allocatable counts, also that of the node without metrics.
    assert cards["cpu_usage"]["percent"] == pytest.approx(25.0)
    assert cards["mem_usage"]["percent"] == pytest.approx(25.0)
    assert view["nodes"]["usage"] == [{"node": "node-1", "cpu_usage": 50.0, "mem_usage": 50.0}]
    assert work["peak_stats"] == {
        "peak_cpu": 50.0,
        "peak_cpu_node": "node-1",
        "peak_mem": 50.0,
        "peak_mem_node": "node-1",
        "has_data": True,
    }
    assert work["summary"] == {
        "deployments": {"total": 1, "ready": 1},
        "daemonsets": {"total": 0, "ready": 0},
        "statefulsets": {"total": 0, "ready": 0},
        "jobs": {"total": 3, "running": 1, "succeeded": 1, "failed": 1},
    }
    assert (work["pod_status"]["running"], work["pod_status"]["pending"]) == (2, 1)
    assert work["pod_status"]["running_percent"] == pytest.approx(200 / 3)
    alerts = view["alerts"]
    hour = int(datetime.now(UTC).timestamp()) // HOUR * HOUR
    assert alerts["trend"][-1] == {
        "at": datetime.fromtimestamp(hour, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "kinds": {"Node": 1},
    }
    assert all(point["kinds"] == {} for point in alerts["trend"][:-1])
    assert alerts["totals"] == {"critical": 1, "warning": 0, "info": 0}
    assert cards["events_24h"] == 1
    [recent] = alerts["recent"]
    assert (recent["severity"], recent["kind"], recent["name"], recent["reason"]) == (
        "critical",
        "Node",
        "node-2",
        "NodeNotReady",
    )
    # Without cluster_id: the totals across clusters, as before.
    fleet = (await gateway.get("/api/v2/overview")).json()
    assert fleet["total_clusters"] == 1 and fleet["totals"]["total_nodes"] == 2


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7920m", 7.92),
        ("8", 8.0),
        ("123456789n", 0.123456789),
        ("30486528Ki", 30486528 * 1024),
        ("1.5Gi", 1.5 * 2**30),
        ("2G", 2e9),
        ("93270186103", 93270186103),
        ("", 0.0),
        ("Mi", 0.0),
        ("junk", 0.0),
        ("-1", 0.0),
        ("nan", 0.0),
    ],
)
def test_quantities(text: str, value: float) -> None:
    assert quantity(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("nodes", "pods", "status", "reason"),
    [
        (100, 100, "Healthy", ""),
        (90, 80, "Healthy", ""),
        (89.9, 100, "Degraded", "some nodes not ready"),
        (100, 79, "Degraded", "some pods not running"),
        (70, 60, "Degraded", "some nodes not ready"),
        (69, 100, "Unhealthy", "too few nodes ready"),
        (100, 59, "Unhealthy", "too few pods running"),
        (0, 0, "Unhealthy", "too few nodes ready"),
    ],
)
def test_health_follows_the_go_rules(nodes: float, pods: float, status: str, reason: str) -> None:
    card = health(nodes, pods)
    assert (card.status, card.reason) == (status, reason)
