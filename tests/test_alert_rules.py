"""The alert rules on plain snapshots: grouping by workload, severities, what is too old."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from master.model.agent import OFFLINE, ONLINE, AgentStatus
from master.processor import decode_snapshot
from master.service.alert_rules import Condition, evaluate

from .goagent import ZERO_TIME, deployment, event, node, pod, snapshot

NOW = "2026-01-18T10:00:03.123456789+09:00"  # the snapshot's fetched_at
WEB_RS = ("ReplicaSet", "web-5d9c7b8f6d")


def conditions(
    *, status: str = ONLINE, lagging_since: dict[Any, float] | None = None, **body: Any
) -> list[Condition]:
    defaults: dict[str, Any] = {"nodes": [node("node-1")], "events": None}
    raw = msgspec.json.encode(snapshot("c1", **{**defaults, **body}))
    found = evaluate(
        "c1",
        AgentStatus(cluster_id="c1", status=status, first_seen=0.0),
        decode_snapshot(raw, "c1", received_at=1000.0),
        now=1000.0,
        lagging_since={} if lagging_since is None else lagging_since,
        grace=60.0,
        offline_counts=True,
    )
    return sorted(found.values(), key=lambda c: c.key)


def web_pods(n: int) -> list[dict[str, Any]]:
    return [pod(f"web-5d9c7b8f6d-p{i}", owner=WEB_RS) for i in range(n)]


def backoff(pod_name: str, count: int = 1, **kw: Any) -> dict[str, Any]:
    return event(f"e-{pod_name}-{kw.get('reason', 'BackOff')}", name=pod_name, count=count, **kw)


def test_a_deployments_crash_looping_pods_are_one_alert_that_counts_and_names_them() -> None:
    pods = web_pods(5)
    counts = [4, 1, 9, 2, 1]
    events = [backoff(p["summary"]["name"], c) for p, c in zip(pods, counts, strict=True)]
    (cond,) = conditions(pods=pods, events=events)
    assert cond.rule == "workload_events" and cond.severity == "warning"
    assert (cond.kind, cond.namespace, cond.name, cond.reason) == (
        "Deployment",
        "default",
        "web",
        "BackOff",
    )
    assert cond.count == 17 and cond.title == "BackOff: Deployment default/web on c1"
    assert cond.message.startswith(
        "5 pods: web-5d9c7b8f6d-p2 (x9), web-5d9c7b8f6d-p0 (x4), web-5d9c7b8f6d-p3 (x2)"
        " and 2 more; latest: BackOff on web-5d9c7b8f6d-p"
    )


def test_one_pod_is_named_alone_and_each_reason_is_its_own_alert() -> None:
    pods = web_pods(1)
    events = [backoff("web-5d9c7b8f6d-p0"), backoff("web-5d9c7b8f6d-p0", reason="Unhealthy")]
    found = conditions(pods=pods, events=events)
    assert [(c.reason, c.message) for c in found] == [
        ("BackOff", "1 pod: web-5d9c7b8f6d-p0; latest: BackOff on web-5d9c7b8f6d-p0"),
        ("Unhealthy", "1 pod: web-5d9c7b8f6d-p0; latest: Unhealthy on web-5d9c7b8f6d-p0"),
    ]


@pytest.mark.parametrize(
    ("owner", "replicasets", "expected"),
    [
        (("StatefulSet", "db"), None, ("StatefulSet", "db")),
        (("DaemonSet", "proxy"), None, ("DaemonSet", "proxy")),
        (WEB_RS, None, WEB_RS),  # the ReplicaSet is not in the snapshot
        (WEB_RS, [{"name": "web-5d9c7b8f6d", "namespace": "default"}], WEB_RS),  # no owner
        (("", ""), None, ("Pod", "lone")),
    ],
)
def test_the_owner_is_found_through_the_snapshot(
    owner: tuple[str, str], replicasets: Any, expected: tuple[str, str]
) -> None:
    (cond,) = conditions(
        pods=[pod("lone", owner=owner)], replicasets=replicasets, events=[backoff("lone")]
    )
    assert (cond.kind, cond.name) == expected
    assert cond.message.startswith("1 pod: lone;") == (expected[0] != "Pod")


def test_events_of_other_objects_alert_on_the_object() -> None:
    failed = event("f", reason="Failed", kind="Job", name="nightly")
    (cond,) = conditions(events=[failed])
    assert (cond.kind, cond.name, cond.message) == ("Job", "nightly", "Failed on nightly")


@pytest.mark.parametrize(
    ("events", "severity"),
    [
        ([("p0", 1)], "warning"),  # one OOM kill
        ([("p0", 2)], "critical"),  # the same pod twice
        ([("p0", 1), ("p1", 1)], "critical"),  # two pods once each
    ],
)
def test_repeated_oom_kills_are_critical(events: list[tuple[str, int]], severity: str) -> None:
    kills = [backoff(f"web-5d9c7b8f6d-{p}", c, reason="OOMKilled") for p, c in events]
    (cond,) = conditions(pods=web_pods(2), events=kills)
    assert cond.severity == severity and cond.reason == "OOMKilled"


def test_what_is_not_news_does_not_alert() -> None:
    pods = [*web_pods(1), pod("web-5d9c7b8f6d-pending", phase="Pending", owner=WEB_RS)]
    events = [
        backoff("web-5d9c7b8f6d-gone"),  # the pod is gone, and its trouble with it
        backoff("web-5d9c7b8f6d-p0", reason="FailedScheduling"),  # it was scheduled since
        # seen last more than ten minutes before the snapshot
        backoff("web-5d9c7b8f6d-p0", reason="Unhealthy", last="2026-01-18T00:50:03Z"),
        backoff("web-5d9c7b8f6d-p0", type="Normal"),
        backoff("web-5d9c7b8f6d-p0", reason="Killing"),  # not an alerting reason
        # the node's own state speaks for it (the node is Ready here)
        event("nn", reason="NodeNotReady", kind="Node", name="node-1", namespace=""),
        event("np", reason="NodeNotReady", name="web-5d9c7b8f6d-p0"),
    ]
    assert conditions(pods=pods, events=events) == []
    fresh = [
        backoff("web-5d9c7b8f6d-pending", reason="FailedScheduling"),
        backoff("web-5d9c7b8f6d-p0", reason="Unhealthy", last="2026-01-18T00:50:04Z"),
        # without any time (events.k8s.io events) it cannot be judged old
        backoff("web-5d9c7b8f6d-p0", reason="FailedMount", last=ZERO_TIME),
    ]
    found = conditions(pods=pods, events=fresh)
    assert [c.reason for c in found] == ["FailedMount", "FailedScheduling", "Unhealthy"]
    assert {(c.kind, c.name, c.severity) for c in found} == {("Deployment", "web", "warning")}


def test_nodes_deployments_and_the_agent() -> None:
    lagging: dict[Any, float] = {}
    found = conditions(
        status=OFFLINE,
        nodes=[node("node-1"), node("node-2", ready="Unknown")],
        deployments=[
            deployment("api", replicas=3, ready=1),
            deployment("web", replicas=2, ready=0),
            deployment("off", replicas=0, ready=0),  # scaled to zero: a decision
        ],
        lagging_since=lagging,
    )
    assert [(c.rule, c.name, c.severity) for c in found] == [
        ("agent_offline", "c1", "critical"),
        ("node_not_ready", "node-2", "critical"),
    ], "deployments only after their grace"
    assert set(lagging.values()) == {1000.0}
    found = conditions(
        deployments=[
            deployment("api", replicas=3, ready=1),
            deployment("web", replicas=2, ready=0),
        ],
        lagging_since={k: 940.0 for k in lagging},
    )
    assert [(c.rule, c.name, c.severity, c.message) for c in found] == [
        ("deployment_unavailable", "api", "warning", "1 of 3 replicas ready"),
        ("deployment_unavailable", "web", "critical", "0 of 2 replicas ready"),
    ]
