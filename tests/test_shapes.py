"""What the demo agents and the test helpers send is byte for byte what the Go agent writes.

Each body is read strictly against the Agent V2 structs (`agent_v2.layout`: an
unknown key, a wrong type or a time Go would not print fails) and written
again with Go's rules (`gojson`); the two must be the same bytes. And on every
snapshot, the summary the master computes equals the one the agent computed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from master.demo import SimulatedCluster
from master.demo.cluster import go_json
from master.processor import decode_snapshot

from . import agent_v2, goagent, gojson

T0 = datetime(2026, 1, 18, 1, 0, 0, 123456, tzinfo=UTC)


def assert_go_exact(body: bytes) -> None:
    values = gojson.decode(agent_v2.CLUSTER_SNAPSHOT, body)
    again = gojson.encode(agent_v2.CLUSTER_SNAPSHOT, values)
    if again != body:
        at = next(i for i, (a, b) in enumerate(zip(again, body, strict=False)) if a != b)
        raise AssertionError(f"differs from Go at byte {at}: {body[at - 120 : at + 60]!r}")


def assert_summary_is_the_agents(body: bytes) -> None:
    ours = decode_snapshot(body, None, received_at=0.0).summary
    assert msgspec.structs.asdict(ours) == msgspec.json.decode(body)["summary"]


def commands(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """One of each action the agent executes, aimed at what the cluster has."""
    deployment = snapshot["deployments"][-1]["summary"]
    pod = next(p for p in snapshot["pods"] if p["summary"].get("ownerKind") == "StatefulSet")
    node = snapshot["nodes"][-1]["summary"]["name"]

    def cmd(action: str, kind: str, ns: str, name: str, **params: Any) -> dict[str, Any]:
        return {
            "id": action,
            "action": action,
            "target_kind": kind,
            "target_namespace": ns,
            "target_name": name,
            "params": params,
        }

    target = ("Deployment", deployment["namespace"], deployment["name"])
    return [
        cmd("scale", *target, replicas=deployment["replicas"] + 1),
        cmd("cordon", "Node", "", node),
        cmd("update_image", *target, image="ghcr.io/acme/next:1.0"),
        cmd("delete", "Pod", pod["summary"]["namespace"], pod["summary"]["name"]),
        cmd("uncordon", "Node", "", node),
        cmd("restart", *target),
    ]


@pytest.mark.parametrize("seed", range(4))  # offsets Z, +09:00, Z, -05:00
def test_demo_snapshots_are_what_the_go_agent_writes(seed: int) -> None:
    cluster = SimulatedCluster(f"demo-{seed}", pods=40, seed=seed, now=T0)
    todo = commands(cluster.snapshot(T0))
    now = T0
    for step in range(90):  # half an hour, a snapshot every 20 s, with commands on the way
        now += timedelta(seconds=20)
        if step % 10 == 5 and todo:
            assert cluster.execute(todo.pop(0), now)[0]
        else:
            cluster.tick(now)
        body = go_json(cluster.snapshot(now))
        assert_summary_is_the_agents(body)
        if step % 6 == 0:
            assert_go_exact(body)
    assert not todo


def test_a_big_demo_cluster_too() -> None:
    cluster = SimulatedCluster("big", pods=400, seed=9, now=T0)
    body = go_json(cluster.snapshot(T0 + timedelta(minutes=1)))
    assert_go_exact(body)
    assert_summary_is_the_agents(body)


# model.Result of the agent: output and error omitted when empty.
RESULT = gojson.Struct(
    "Result",
    (
        gojson.F("CommandID", "command_id"),
        gojson.F("Success", "success", gojson.BOOL),
        gojson.F("Output", "output", omit=True),
        gojson.F("Error", "error", omit=True),
        gojson.F("ExecutedAt", "executed_at", gojson.TIME),
    ),
)


@pytest.mark.parametrize(
    "command",
    [
        {"action": "get_configmap", "target_namespace": "kube-system", "target_name": "coredns"},
        {"action": "scale", "target_namespace": "shop", "target_name": "cart"},
        {"action": "describe", "target_namespace": "shop", "target_name": "cart"},
    ],
)
def test_demo_results_are_what_the_go_agent_writes(command: dict[str, Any]) -> None:
    cluster = SimulatedCluster("demo-1", pods=20, seed=1, now=T0)
    success, output, error = cluster.execute({"id": "c1", "params": {"replicas": 1}, **command})
    executed_at = cluster.go_now(T0)
    result: dict[str, Any] = {"command_id": "c1", "success": success}
    if output:
        result["output"] = output
    if error:
        result["error"] = error
    result["executed_at"] = executed_at
    values = {"CommandID": "c1", "Success": success, "Output": output, "Error": error}
    assert go_json(result) == gojson.encode(RESULT, {**values, "ExecutedAt": executed_at})


def test_the_test_agents_snapshots_too() -> None:
    body = msgspec.json.encode(goagent.snapshot())  # nothing in it for Go to HTML-escape
    assert_go_exact(body)
    assert_summary_is_the_agents(body)
