"""SimulatedCluster: snapshots shaped as the Go agent sends them, evolution, commands.

Plain unit tests, no server: the end-to-end tests run demo agents against a real master.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest

from master.demo import SimulatedCluster
from master.demo.cluster import ZERO_TIME, go_time
from master.model.event import Event
from master.model.gotime import parse_go_time
from master.model.snapshot import (
    RESOURCE_KINDS,
    DaemonSetDoc,
    FlatDoc,
    NamedDoc,
    NodeDoc,
    PodDoc,
    WorkloadDoc,
)
from master.model.summary import Summary

T0 = datetime(2026, 1, 18, 1, 0, 0, 123456, tzinfo=UTC)
NANO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d)$")
SAFE = "[bcdfghjklmnpqrstvwxz2456789]"


def make(
    seed: int = 0, pods: int = 40, cluster_id: str = "demo-1", warmup: timedelta = timedelta(0)
) -> SimulatedCluster:
    """A cluster fresh at T0 (no warm-up by default: every pod is ready, nothing pending)."""
    return SimulatedCluster(cluster_id, pods=pods, seed=seed, now=T0, warmup=warmup)


def run_for(
    cluster: SimulatedCluster,
    minutes: int,
    step: int = 20,
    each: Callable[[datetime], None] | None = None,
) -> datetime:
    """Tick the cluster every `step` seconds for `minutes`; returns the end time."""
    now = T0
    for _ in range(minutes * 60 // step):
        now += timedelta(seconds=step)
        cluster.tick(now)
        if each is not None:
            each(now)
    return now


def cmd(
    action: str, kind: str = "", namespace: str = "", name: str = "", **params: Any
) -> dict[str, Any]:
    return {
        "id": "cmd-1",
        "action": action,
        "target_kind": kind,
        "target_namespace": namespace,
        "target_name": name,
        "params": params,
    }


def roundtrip(snapshot: dict[str, Any]) -> dict[str, Any]:
    """The snapshot as the master receives it: JSON bytes, decoded."""
    return msgspec.json.decode(msgspec.json.encode(snapshot))


def pods_of(snapshot: dict[str, Any], namespace: str, prefix: str) -> list[dict[str, Any]]:
    return [
        p
        for p in snapshot["pods"]
        if p["summary"]["namespace"] == namespace and p["summary"]["name"].startswith(prefix + "-")
    ]


def workload(snapshot: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return next(w for w in snapshot[key] if w["summary"]["name"] == name)


# -- the envelope --


def test_snapshot_has_every_protocol_key() -> None:
    snap = roundtrip(make().snapshot(T0))
    assert set(snap) == {"cluster_id", "fetched_at", "summary", "events", *RESOURCE_KINDS}
    assert snap["cluster_id"] == "demo-1"
    assert set(snap["summary"]) == set(Summary.__struct_fields__)
    summary = msgspec.convert(snap["summary"], Summary)
    assert summary.total_pods == len(snap["pods"])
    assert summary.total_nodes == len(snap["nodes"]) >= 3
    assert summary.total_deployments == len(snap["deployments"])


@pytest.mark.parametrize(("seed", "offset"), [(0, "Z"), (1, "+09:00"), (3, "-05:00")])
def test_timestamps_are_go_nano_times_with_the_cluster_offset(seed: int, offset: str) -> None:
    snap = roundtrip(make(seed).snapshot(T0))
    assert NANO.match(snap["fetched_at"]) and snap["fetched_at"].endswith(offset)
    fetched = parse_go_time(snap["fetched_at"])
    assert fetched is not None and abs(fetched - T0) < timedelta(microseconds=1)
    created = [p["summary"]["createdAt"] for p in snap["pods"]]
    assert all(c.endswith(offset) and parse_go_time(c) is not None for c in created)


def test_scheduler_events_carry_only_their_creation_time() -> None:
    # events.k8s.io events, as the scheduler writes them: count 0, no first/last time, no source.
    cluster = make()
    end = run_for(cluster, 30)
    events = roundtrip(cluster.snapshot(end))["events"]
    scheduled = [e for e in events if e["reason"] in ("Scheduled", "FailedScheduling")]
    assert scheduled
    for event in scheduled:
        assert (event["count"], event["first_timestamp"], event["last_timestamp"]) == (
            0,
            ZERO_TIME,
            ZERO_TIME,
        )
        assert "source" not in event and parse_go_time(event["created_at"]) is not None
    pulled = [e for e in events if e["reason"] == "Pulled"]
    assert pulled and all(e["count"] >= 1 and e["source"] == "kubelet" for e in pulled)
    assert all(e["created_at"] == e["first_timestamp"] for e in pulled)


@pytest.mark.parametrize(
    ("dt", "nanos", "expected"),
    [
        (
            datetime(2026, 1, 18, 10, 0, 3, tzinfo=timezone(timedelta(hours=9))),
            123456789,
            "2026-01-18T10:00:03.123456789+09:00",
        ),
        (datetime(2026, 1, 18, 1, 0, 3, tzinfo=UTC), None, "2026-01-18T01:00:03Z"),
        (datetime(2026, 1, 18, 1, 0, 3, 120000, tzinfo=UTC), None, "2026-01-18T01:00:03.12Z"),
        (
            datetime(2026, 1, 17, 20, 0, 3, 5, tzinfo=timezone(timedelta(hours=-5))),
            None,
            "2026-01-17T20:00:03.000005-05:00",
        ),
        (None, None, ZERO_TIME),
    ],
)
def test_go_time(dt: datetime | None, nanos: int | None, expected: str) -> None:
    assert go_time(dt, nanos) == expected


# -- resources where the master reads them --


@pytest.mark.parametrize(
    ("key", "doc_type"),
    [
        ("pods", PodDoc),
        ("nodes", NodeDoc),
        ("deployments", WorkloadDoc),
        ("statefulsets", WorkloadDoc),
        ("daemonsets", DaemonSetDoc),
        ("services", NamedDoc),
        ("ingresses", NamedDoc),
        ("namespaces", NamedDoc),
        ("events", FlatDoc),
        ("configmaps", FlatDoc),
        ("secrets", FlatDoc),
        ("replicasets", FlatDoc),
        ("jobs", FlatDoc),
        ("cronjobs", FlatDoc),
        ("pvs", FlatDoc),
        ("pvcs", FlatDoc),
        ("resourceQuotas", FlatDoc),
        ("limitRanges", FlatDoc),
        ("networkPolicies", FlatDoc),
        ("serviceAccounts", FlatDoc),
    ],
)
def test_master_model_decodes_every_kind_with_names(key: str, doc_type: Any) -> None:
    cluster = make()
    raw = msgspec.json.encode(cluster.snapshot(run_for(cluster, 10))[key])
    docs = msgspec.json.decode(raw, type=list[doc_type])
    names = [d.name if doc_type is FlatDoc else d.summary.name for d in docs]
    assert docs and all(names)
    if doc_type is FlatDoc and key[0].islower() and key == key.lower():
        assert all(d.uid for d in docs)  # CommonMeta kinds; the camelCase ones have no uid


def test_pods_carry_what_the_master_indexes() -> None:
    snap = roundtrip(make().snapshot(T0))
    docs = msgspec.convert(snap["pods"], list[PodDoc])
    assert {d.summary.ownerKind for d in docs} == {"ReplicaSet", "StatefulSet", "DaemonSet", "Job"}
    assert {d.status.phase for d in docs} <= {"Running", "Pending", "Succeeded"}
    assert all(d.summary.namespace and d.labels for d in docs)
    nodes = {n["summary"]["name"] for n in snap["nodes"]}
    assert all(d.summary.nodeName in nodes for d in docs if d.status.phase == "Running")
    sizes = [len(msgspec.json.encode(p)) for p in snap["pods"]]
    assert 1500 <= sum(sizes) / len(sizes) <= 3000
    pod = snap["pods"][0]
    assert {"spec", "status", "containers", "labels", "annotations"} <= set(pod)
    assert {"image", "ports", "envs", "livenessProbe", "state"} <= set(pod["containers"][0])
    assert {"age", "createdAt"} <= set(pod["summary"]) and pod["status"]["ready"] == "1/1"


def test_owners_and_names_follow_kubernetes() -> None:
    snap = make().snapshot(T0)
    replicasets = {rs["name"]: rs for rs in snap["replicasets"]}
    frontend = pods_of(snap, "shop", "frontend")
    assert len(frontend) == workload(snap, "deployments", "frontend")["summary"]["replicas"]
    for pod in frontend:
        owner = pod["summary"]["ownerName"]
        assert pod["summary"]["ownerKind"] == "ReplicaSet"
        assert re.fullmatch(f"frontend-{SAFE}{{10}}", owner)
        assert re.fullmatch(f"{owner}-{SAFE}{{5}}", pod["summary"]["name"])
        # ReplicaSets name their owner as the Go agent's flat kinds do.
        assert replicasets[owner]["owner_kind"] == "Deployment"
        assert replicasets[owner]["owner_name"] == "frontend"
    postgres = sorted(p["summary"]["name"] for p in pods_of(snap, "shop", "postgres"))
    assert postgres == ["postgres-0", "postgres-1"]
    proxies = pods_of(snap, "kube-system", "kube-proxy")
    assert sorted(p["summary"]["nodeName"] for p in proxies) == sorted(
        n["summary"]["name"] for n in snap["nodes"]
    )


def test_secrets_carry_key_names_only() -> None:
    cluster = make()
    secrets = cluster.snapshot(T0)["secrets"]
    assert secrets and all(s["data_keys"] and "data" not in s for s in secrets)
    ok, output, _ = cluster.execute(cmd("get_secret", "Secret", "shop", "postgres-credentials"))
    # The agent answers with the decoded values; a demo cluster's are placeholders.
    assert ok and output == '{"password":"demo-password","username":"demo-username"}'


# -- evolution --


@pytest.mark.parametrize("seed", range(4))
def test_an_hour_brings_crash_loops_and_scheduling_failures(seed: int) -> None:
    cluster = make(seed)
    counts: dict[str, list[int]] = {}

    def record(now: datetime) -> None:
        for event in cluster.snapshot(now)["events"] or ():
            if event["reason"] == "BackOff":
                counts.setdefault(event["uid"], []).append(event["count"])

    end = run_for(cluster, 60, each=record)
    events = roundtrip(cluster.snapshot(end))["events"]
    warnings = {e["reason"] for e in events if e["type"] == "Warning"}
    assert {"BackOff", "FailedScheduling"} <= warnings
    assert any(seen[-1] > seen[0] for seen in counts.values())  # the same uid counts up
    parsed = msgspec.convert(events, list[Event])
    assert len({e.uid for e in parsed}) == len(parsed)


@pytest.mark.parametrize("seed", range(4))
def test_warm_up_starts_a_cluster_with_history(seed: int) -> None:
    events = make(seed, warmup=timedelta(minutes=30)).snapshot(T0)["events"]
    assert any(e["type"] == "Warning" for e in events)
    first = min(parse_go_time(e["created_at"]) or T0 for e in events)
    assert first < T0 - timedelta(minutes=10)


def test_events_stay_within_the_last_hour() -> None:
    cluster = make()
    end = run_for(cluster, 180, step=60)
    for event in cluster.snapshot(end)["events"]:
        last = parse_go_time(event["last_timestamp"]) or parse_go_time(event["created_at"])
        assert last is not None and last >= end - timedelta(hours=1, seconds=1)


def test_event_uids_differ_between_clusters_with_one_seed() -> None:
    uids = []
    for cluster_id in ("demo-a", "demo-b"):
        cluster = make(cluster_id=cluster_id)
        uids.append({e["uid"] for e in cluster.snapshot(run_for(cluster, 30))["events"]})
    assert uids[0] and not uids[0] & uids[1]


def test_same_seed_same_cluster() -> None:
    def encoded(seed: int) -> bytes:
        cluster = make(seed)
        end = run_for(cluster, 20)
        cluster.execute(cmd("scale", "Deployment", "shop", "cart", replicas=3))
        return msgspec.json.encode(cluster.snapshot(end))

    assert encoded(5) == encoded(5)
    assert encoded(5) != encoded(6)


def test_a_300_pod_snapshot_is_realistically_big() -> None:
    cluster = make(pods=300)
    snap = cluster.snapshot(run_for(cluster, 10))
    size = len(msgspec.json.encode(snap))
    print(f"300-pod snapshot: {len(snap['pods'])} pods, {size / 1024:.0f} KiB of JSON")
    assert 280 <= len(snap["pods"]) <= 330
    assert 200 * 1024 <= size <= 3 * 1024 * 1024


# -- commands, as the agent executes them --


@pytest.mark.parametrize("replicas", [5, 1, 0, 2.0])
def test_scale_changes_pods_and_summary(replicas: float) -> None:
    cluster = make()
    before = workload(cluster.snapshot(T0), "deployments", "frontend")["summary"]["replicas"]
    result = cluster.execute(cmd("scale", "Deployment", "shop", "frontend", replicas=replicas))
    assert result == (True, "", "")  # the agent reports no output for scale
    snap = cluster.snapshot(T0)
    summary = workload(snap, "deployments", "frontend")["summary"]
    assert summary["replicas"] == len(pods_of(snap, "shop", "frontend")) == int(replicas)
    assert summary["ready"] == summary["available"] == int(replicas)
    messages = [e["message"] for e in snap["events"] if e["reason"] == "ScalingReplicaSet"]
    assert int(replicas) == before or any(
        m.endswith(f"to {int(replicas)} from {before}") for m in messages
    )


@pytest.mark.parametrize("action", ["scale", "restart", "update_image"])
def test_workload_actions_act_on_the_deployment_of_that_name(action: str) -> None:
    """Whatever the kind says, as the Go agent does (the master refuses other kinds)."""
    cluster = make()
    params = {"replicas": 3, "image": "x:1"}
    result = cluster.execute(cmd(action, "StatefulSet", "shop", "postgres", **params))
    assert result == (False, "", 'deployments.apps "postgres" not found')
    result = cluster.execute(cmd(action, "StatefulSet", "shop", "frontend", **params))
    assert result[0]


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"replicas": 2.5}, "cannot unmarshal number 2.5 into .replicas of type int32"),
        ({"replicas": "3"}, "cannot unmarshal str into .replicas of type int32"),
        ({"replicas": True}, "cannot unmarshal bool into .replicas of type int32"),
        ({"replicas": 2**31}, "cannot unmarshal number 2147483648"),
        ({"replicas": 5000}, "exceeded quota"),
    ],
)
def test_scale_fails_where_the_agent_fails(params: dict[str, Any], error: str) -> None:
    ok, output, message = make().execute(cmd("scale", "Deployment", "shop", "frontend", **params))
    assert not ok and output == "" and error in message


def test_scale_without_replicas_scales_to_zero() -> None:
    """What the agent does with no `replicas`: the reason the master refuses such a request."""
    cluster = make()
    assert cluster.execute(cmd("scale", "Deployment", "shop", "frontend"))[0]
    assert pods_of(cluster.snapshot(T0), "shop", "frontend") == []


def test_restart_replaces_pods_and_update_image_rolls_out() -> None:
    cluster = make()
    before = {p["summary"]["name"] for p in pods_of(cluster.snapshot(T0), "shop", "frontend")}
    assert cluster.execute(cmd("restart", "Deployment", "shop", "frontend")) == (True, "", "")
    after = pods_of(cluster.snapshot(T0), "shop", "frontend")
    assert len(after) == len(before) and not before & {p["summary"]["name"] for p in after}
    template = workload(cluster.snapshot(T0), "deployments", "frontend")["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["annotations"]
    image = "ghcr.io/acme/shop-frontend:2.0.0"
    # No container named: the first one, as the agent does.
    assert cluster.execute(cmd("update_image", "Deployment", "shop", "frontend", image=image))[0]
    snap = cluster.snapshot(T0)
    containers = workload(snap, "deployments", "frontend")["template"]["containers"]
    assert [c["image"] for c in containers] == [image]
    assert {p["containers"][0]["image"] for p in pods_of(snap, "shop", "frontend")} == {image}
    result = cluster.execute(
        cmd("update_image", "Deployment", "shop", "frontend", image=image, container="nope")
    )
    assert result == (False, "", "container nope not found in deployment frontend")


def test_delete_removes_pods_only() -> None:
    cluster = make()
    before = pods_of(cluster.snapshot(T0), "shop", "frontend")
    victim = before[0]["summary"]["name"]
    assert cluster.execute(cmd("delete", "Pod", "shop", victim, gracePeriodSeconds=0.0)) == (
        True,
        "",
        "",
    )
    pods = pods_of(cluster.snapshot(T0), "shop", "frontend")
    assert len(pods) == len(before) and victim not in {p["summary"]["name"] for p in pods}
    assert cluster.execute(cmd("delete", "Deployment", "shop", "frontend")) == (
        False,
        "",
        "not implemented",
    )


def test_cordon_and_uncordon() -> None:
    cluster = make()

    def node(name: str) -> dict[str, Any]:
        return next(n for n in cluster.snapshot(T0)["nodes"] if n["summary"]["name"] == name)

    assert cluster.execute(cmd("cordon", "Node", "", "worker-1")) == (True, "", "")
    cordoned = node("worker-1")
    assert cordoned["summary"]["schedulable"] is False and cordoned["spec"]["unschedulable"]
    assert [t["key"] for t in cordoned["taints"]] == ["node.kubernetes.io/unschedulable"]
    assert cluster.execute(cmd("uncordon", "Node", "", "worker-1")) == (True, "", "")
    assert node("worker-1")["summary"]["schedulable"] is True
    assert "taints" not in node("worker-1") and "unschedulable" not in node("worker-1")["spec"]


@pytest.mark.parametrize(
    ("params", "lines"),
    [
        ({}, 2000),  # the agent fetches the whole log: the master sends a tailLines
        ({"tailLines": 5}, 5),
        ({"tailLines": 20.0}, 20),
        ({"tailLines": 1, "container": "frontend"}, 1),
    ],
)
def test_get_logs_returns_tail_lines(params: dict[str, Any], lines: int) -> None:
    cluster = make()
    pod = pods_of(cluster.snapshot(T0), "shop", "frontend")[0]["summary"]["name"]
    ok, output, error = cluster.execute(cmd("get_logs", "Pod", "shop", pod, **params))
    assert ok and error == "" and len(output.splitlines()) == lines


@pytest.mark.parametrize(
    ("command", "error"),
    [
        (
            cmd("scale", "Deployment", "shop", "nope", replicas=1),
            'deployments.apps "nope" not found',
        ),
        (cmd("restart", "Deployment", "shop", "nope"), 'deployments.apps "nope" not found'),
        (cmd("get_logs", "Pod", "shop", "nope"), 'pods "nope" not found'),
        (cmd("cordon", "Node", "", "nope"), 'nodes "nope" not found'),
        (cmd("get_configmap", "ConfigMap", "shop", "nope"), 'configmaps "nope" not found'),
        (cmd("get_configmap", "ConfigMap", "", "nope"), "namespace and name are required"),
        (
            cmd("scale", "Deployment", "kube-system", "frontend", replicas=1),
            'deployments.apps "frontend" not found',
        ),
        (cmd("dynamic", path="/api/v1/namespaces"), "not implemented"),
        (cmd("dynamic"), "path is required"),
        (cmd("exec", "Pod", "shop", "nope", command="ls"), "unknown action: exec"),
        (cmd("describe", "Service", "shop", "web"), "unknown action: describe"),
        (cmd("drain", "Node", "", "worker-1"), "unknown action: drain"),
        (cmd("delete_pod", "Pod", "shop", "x"), "unknown action: delete_pod"),
    ],
)
def test_failures_are_reported_not_raised(command: dict[str, Any], error: str) -> None:
    assert make().execute(command) == (False, "", error)


def test_get_configmap_answers_the_data_as_go_encodes_a_map() -> None:
    ok, output, error = make().execute(cmd("get_configmap", "ConfigMap", "shop", "frontend-config"))
    assert ok and error == ""
    assert list(msgspec.json.decode(output)) == [
        "API_BASE_URL",
        "CACHE_TTL_SECONDS",
        "FEATURE_FLAGS",
    ]


def test_demo_imports_no_other_master_package() -> None:
    code = (
        "import sys, master.demo; "
        "print(sorted(m for m in sys.modules if m.startswith('master.')"
        " and not m.startswith('master.demo')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
