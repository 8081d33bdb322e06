"""The gateway's REST API over a real master fed by a Go-shaped agent."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import trio

from .goagent import CREATED, GoAgent, event


async def get(gateway: httpx.AsyncClient, path: str, **params: Any) -> Any:
    r = await gateway.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture
async def fed(agent: GoAgent, gateway: httpx.AsyncClient) -> httpx.AsyncClient:
    """A gateway whose cluster c1 has sent the standard snapshot (events persisted)."""
    events = [
        event("e1"),
        event("e2", reason="Scheduled", type="Normal", name="db-0"),
        event("e3", reason="ScalingReplicaSet", type="Normal", kind="Deployment", name="web"),
        event(
            "e4", reason="SuccessfulCreate", type="Normal", kind="ReplicaSet", name="web-5d9c7b8f6d"
        ),
        event("e5", reason="NodeNotReady", kind="Node", name="node-2", namespace=""),
        event(
            "e6",
            reason="Pulled",
            type="Normal",
            name="web-5d9c7b8f6d-fghij",  # the pod on node-2
            last="2026-01-18T12:00:00Z",
        ),
    ]
    assert (await agent.snapshot(events=events)).status_code == 200
    with trio.fail_after(5):
        while (await get(gateway, "/api/v2/events", cluster_id="c1"))["total"] < len(events):
            await trio.sleep(0.05)
    return gateway


async def test_clusters_and_overview(fed: httpx.AsyncClient) -> None:
    clusters = await get(fed, "/api/v2/clusters")
    assert clusters["total"] == 1
    c1 = clusters["clusters"][0]
    assert c1["nodes"] == {"total": 2, "ready": 1}
    assert c1["pods"] == {"total": 3, "running": 2, "pending": 1, "failed": 0}
    overview = await get(fed, "/api/v2/overview")
    assert overview["total_clusters"] == 1 and overview["online_clusters"] == 1
    assert overview["totals"]["total_pods"] == 3
    assert overview["clusters"][0]["summary"]["total_nodes"] == 2


@pytest.mark.parametrize(
    ("path", "params", "names", "total"),
    [
        ("/api/v2/pods", {}, ["web-5d9c7b8f6d-abcde", "web-5d9c7b8f6d-fghij", "db-0"], 3),
        ("/api/v2/pods", {"phase": "Pending"}, ["db-0"], 1),
        ("/api/v2/pods", {"node": "node-2"}, ["web-5d9c7b8f6d-fghij"], 1),
        ("/api/v2/pods", {"label": "tier=data"}, ["db-0"], 1),
        ("/api/v2/pods", {"label": "tier"}, ["db-0"], 1),
        ("/api/v2/pods", {"q": "FGH"}, ["web-5d9c7b8f6d-fghij"], 1),
        ("/api/v2/pods", {"limit": 1, "offset": 1}, ["web-5d9c7b8f6d-fghij"], 3),
        ("/api/v2/pods", {"namespace": "kube-system"}, [], 0),
        ("/api/v2/nodes", {"ready": "true"}, ["node-1"], 1),
        ("/api/v2/nodes", {"ready": "false"}, ["node-2"], 1),
        ("/api/v2/deployments", {}, ["web"], 1),
        ("/api/v2/services", {}, ["web"], 1),
        ("/api/v2/namespaces", {}, ["default"], 1),
        ("/api/v2/statefulsets", {}, [], 0),
    ],
)
async def test_resource_lists_filter_and_page(
    fed: httpx.AsyncClient, path: str, params: dict[str, Any], names: list[str], total: int
) -> None:
    page = await get(fed, path, cluster_id="c1", **params)
    assert page["total"] == total
    assert [i["summary"]["name"] for i in page["data"]] == names


async def test_flat_kinds_and_items_as_sent(fed: httpx.AsyncClient) -> None:
    cms = await get(fed, "/api/v2/configmaps", cluster_id="c1")
    assert cms["data"] == [
        {
            "uid": "cm1",
            "name": "web-config",
            "namespace": "default",
            "kind": "ConfigMap",
            "created_at": CREATED,
            "data_keys": ["app.yaml"],
            "keys": 1,
        }
    ]
    pod = (await get(fed, "/api/v2/pods/default/db-0", cluster_id="c1"))["data"]
    assert pod["status"] == {"phase": "Pending", "ready": "0/1", "restarts": 0}
    assert "annotations" not in pod and "nodeName" not in pod["summary"]
    node = (await get(fed, "/api/v2/nodes/node-2", cluster_id="c1"))["data"]
    assert node["summary"]["ready"] == "False"


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/api/v2/pods", {}, 400),
        ("/api/v2/pods", {"cluster_id": "c1", "limit": "0"}, 400),
        ("/api/v2/pods", {"cluster_id": "c1", "limit": "x"}, 400),
        ("/api/v2/pods", {"cluster_id": "c1", "offset": "-1"}, 400),
        ("/api/v2/pods", {"cluster_id": "c1", "label": "=v"}, 400),
        ("/api/v2/nodes", {"cluster_id": "c1", "ready": "maybe"}, 400),
        ("/api/v2/pods/default/missing", {"cluster_id": "c1"}, 404),
        ("/api/v2/clusters/nope", {}, 404),
        ("/api/v2/events", {"source": "future"}, 400),
        ("/api/v2/events", {"since": "last tuesday"}, 400),
        ("/api/v2/events/by-resource", {"cluster_id": "c1", "kind": "Pod"}, 400),
        ("/api/v2/nothing-here", {}, 404),
    ],
)
async def test_errors_have_one_shape(
    fed: httpx.AsyncClient, path: str, params: dict[str, Any], status: int
) -> None:
    r = await fed.get(path, params=params)
    assert r.status_code == status
    body = r.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}


async def test_wrong_method_has_the_error_shape(fed: httpx.AsyncClient) -> None:
    r = await fed.delete("/api/v2/clusters")
    assert r.status_code == 405 and set(r.json()["error"]) == {"code", "message"}


async def test_event_history_filters(fed: httpx.AsyncClient) -> None:
    warnings = await get(fed, "/api/v2/events", cluster_id="c1", type="Warning")
    assert {e["uid"] for e in warnings["events"]} == {"e1", "e5"}
    assert warnings["source"] == "history"
    assert (await get(fed, "/api/v2/events", reason="Pulled"))["total"] == 1
    since = await get(fed, "/api/v2/events", since="2026-01-18T11:00:00Z")
    assert [e["uid"] for e in since["events"]] == ["e6"]
    until = await get(fed, "/api/v2/events", until="2026-01-18T11:00:00+00:00")
    assert "e6" not in {e["uid"] for e in until["events"]} and until["total"] == 5
    page = await get(fed, "/api/v2/events", limit=2, offset=0)
    assert page["total"] == 6 and len(page["events"]) == 2
    assert page["events"][0]["uid"] == "e6"  # newest first


async def test_realtime_events(fed: httpx.AsyncClient) -> None:
    rt = await get(fed, "/api/v2/events", source="realtime", cluster_id="c1", type="Warning")
    assert rt["source"] == "realtime" and {e["uid"] for e in rt["events"]} == {"e1", "e5"}
    assert all(e["cluster_id"] == "c1" for e in rt["events"])


async def test_events_of_a_deployment_include_replicasets_and_pods(fed: httpx.AsyncClient) -> None:
    found = await get(
        fed,
        "/api/v2/events/by-resource",
        cluster_id="c1",
        kind="Deployment",
        namespace="default",
        name="web",
    )
    assert {e["uid"] for e in found["events"]} == {"e1", "e3", "e4", "e6"}
    assert {"kind": "ReplicaSet", "namespace": "default", "name": "web-5d9c7b8f6d"} in found[
        "objects"
    ]


async def test_events_of_a_node_include_its_pods(fed: httpx.AsyncClient) -> None:
    # No agent sends the host an event happened on: the node's own events, and those of the
    # pods whose summary.nodeName it is.
    found = await get(
        fed, "/api/v2/events/by-resource", cluster_id="c1", kind="Node", name="node-2"
    )
    assert {e["uid"] for e in found["events"]} == {"e5", "e6"}
    assert {"kind": "Pod", "namespace": "default", "name": "web-5d9c7b8f6d-fghij"} in found[
        "objects"
    ]


async def test_openapi_document_lists_the_api(fed: httpx.AsyncClient) -> None:
    doc = await get(fed, "/api/v2/openapi.json")
    assert doc["openapi"].startswith("3.")
    for path in (
        "/api/v2/clusters",
        "/api/v2/pods",
        "/api/v2/nodes/{name}",
        "/api/v2/commands",
        "/api/v2/events/by-resource",
        "/api/v2/commands/{command_id}",
    ):
        assert path in doc["paths"]
