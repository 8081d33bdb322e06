"""What the demo agents and the test helpers send is byte for byte what the Go agent writes.

Each body is read strictly against the Agent V2 structs (`agent_v2.layout`: an
unknown key, a wrong type or a time Go would not print fails) and written
again with Go's rules (`gojson`); the two must be the same bytes. And on every
snapshot, the summary the master computes equals the one the agent computed.
The same for the later agent's layout (`agent_v3.layout`), and the master's
table of its renamed keys against the two layouts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import pytest

from master.demo import SimulatedCluster
from master.demo.cluster import go_json
from master.demo.dialect import later_snapshot
from master.model.event import Event, LaterEvent
from master.model.generation import LATER_FLAT_FIELDS, LATER_LIST_KEYS, flat_field
from master.model.later_index import LaterFlatDoc, LaterSnapshotIndex
from master.model.snapshot import FlatDoc, SnapshotIndex
from master.processor import decode_snapshot

from . import agent_v2, agent_v3, goagent, gojson

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


# -- the later agent (68cc533) ------------------------------------------------------------


def _renames(old: gojson.GoType, new: gojson.GoType, path: str) -> dict[str, tuple[str, str]]:
    """Every key whose spelling differs between the layouts, by path (Go fields paired)."""
    while isinstance(old, gojson.Ptr | gojson.Slice | gojson.Map):
        assert type(new) is type(old), path
        old, new = old.elem, new.elem  # type: ignore[attr-defined]
    if not isinstance(old, gojson.Struct):
        return {}
    assert isinstance(new, gojson.Struct), path
    later = {f.go: f for f in new.fields}
    found: dict[str, tuple[str, str]] = {}
    for f in old.fields:
        twin = later[f.go]  # nothing Agent V2 has is gone
        if twin.tag != f.tag:
            found[f"{path}.{f.go}"] = (f.tag, twin.tag)
        found.update(_renames(f.type, twin.type, f"{path}.{f.go}"))
    return found


def test_the_masters_spelling_of_the_later_agent_is_the_layouts() -> None:
    """The renames the master reads by (`model/generation.py`, `model/later_index.py`)
    are exactly those of the two layouts: the top-level lists, the flat kinds' fields
    and the events'; the nested kinds keep every key, so Agent V2's structs read them."""
    renames = _renames(agent_v2.CLUSTER_SNAPSHOT, agent_v3.CLUSTER_SNAPSHOT, "")
    top = {old: new for path, (old, new) in renames.items() if path.count(".") == 1}
    assert top.pop("cluster_id") == "clusterId" and top.pop("fetched_at") == "fetchedAt"
    assert top == LATER_LIST_KEYS
    summary = {path for path in renames if path.startswith(".Summary.")}
    assert len(summary) == 15
    flat = {
        renames[path]
        for path in renames
        if path.count(".") == 2 and not path.startswith(".Summary.")
    }
    assert flat == set(LATER_FLAT_FIELDS.items())
    assert len(renames) == 2 + len(LATER_LIST_KEYS) + len(summary) + 52  # 74 in all
    # The index reads those spellings and no other.
    for cls, base in ((LaterSnapshotIndex, SnapshotIndex), (LaterFlatDoc, FlatDoc)):
        for name, key in zip(cls.__struct_fields__, cls.__struct_encode_fields__, strict=True):
            v2_key = base.__struct_encode_fields__[base.__struct_fields__.index(name)]
            if name.startswith("other_"):
                continue
            expected = LATER_LIST_KEYS.get(v2_key) or flat_field("v3", v2_key)
            assert key == {"cluster_id": "clusterId", "fetched_at": "fetchedAt"}.get(
                v2_key, expected
            ), name
    event_keys = dict(
        zip(Event.__struct_encode_fields__, LaterEvent.__struct_encode_fields__, strict=True)
    )
    assert event_keys == {k: flat_field("v3", k) for k in Event.__struct_encode_fields__}


@pytest.mark.parametrize("seed", range(2))
def test_later_demo_snapshots_are_what_the_later_agent_writes(seed: int) -> None:
    cluster = SimulatedCluster(f"later-{seed}", pods=40, seed=seed, now=T0)
    body = go_json(later_snapshot(cluster.snapshot(T0 + timedelta(seconds=10))))
    values = gojson.decode(agent_v3.CLUSTER_SNAPSHOT, body)
    assert gojson.encode(agent_v3.CLUSTER_SNAPSHOT, values) == body
    snap = decode_snapshot(body, None, received_at=0.0)
    assert snap.generation == "v3"
    ours = msgspec.structs.asdict(snap.summary)
    agents = msgspec.json.decode(body)["summary"]
    assert [ours[k] for _, k in agent_v2.SUMMARY] == [agents[k] for _, k in agent_v3.SUMMARY]
