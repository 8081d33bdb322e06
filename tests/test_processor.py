"""The processor as plain functions: gzip limits, decoding, summary, diff."""

from __future__ import annotations

import gzip
import re

import msgspec
import pytest

from master.agentsdk.expand import expand_gzip
from master.model.errors import BadRequest, PayloadTooLarge
from master.model.snapshot import SnapshotLimits
from master.processor import decode_snapshot, diff_snapshot

from .goagent import ZERO_TIME, agent_summary, deployment, event, node, pod, snapshot


def decode(body: dict[str, object], header: str | None = "c1"):  # type: ignore[no-untyped-def]
    return decode_snapshot(msgspec.json.encode(body), header, received_at=1.0)


def test_gunzip_limits_and_multi_member() -> None:
    data = gzip.compress(b"a" * 1000) + gzip.compress(b"b" * 10)
    assert expand_gzip(data, 1010) == b"a" * 1000 + b"b" * 10
    with pytest.raises(PayloadTooLarge):
        expand_gzip(data, 1009)
    with pytest.raises(BadRequest, match="truncated"):
        expand_gzip(gzip.compress(b"x" * 100)[:-12], 1000)
    with pytest.raises(BadRequest):
        expand_gzip(gzip.compress(b"x") + b"junk", 1000)


def test_unknown_keys_kept_and_null_lists_empty() -> None:
    snap = decode(snapshot(futureKind=[1, 2], pods=None))
    assert snap.items("pods") == [] and snap.items("statefulsets") == []
    assert snap.extra_kinds() == ["futureKind"]
    extra = snap.extra("futureKind")
    assert extra is not None and bytes(extra) == b"[1,2]"


def test_items_keep_the_agents_bytes() -> None:
    snap = decode(snapshot())
    pods = snap.items("pods")
    assert [p.name for p in pods] == ["web-5d9c7b8f6d-abcde", "web-5d9c7b8f6d-fghij", "db-0"]
    assert msgspec.json.decode(bytes(pods[2].raw)) == snapshot()["pods"][2]
    assert (pods[2].phase, pods[2].owner_kind, pods[2].labels["tier"]) == (
        "Pending",
        "StatefulSet",
        "data",
    )


@pytest.mark.parametrize(
    ("header", "body_id", "expected"),
    [("c1", "c1", "c1"), ("c1", None, "c1"), (None, "c2", "c2"), ("", "c2", "c2")],
)
def test_cluster_id_header_wins_body_is_fallback(
    header: str | None, body_id: str | None, expected: str
) -> None:
    body = snapshot()
    body.pop("cluster_id")
    if body_id:
        body["cluster_id"] = body_id
    assert decode(body, header).cluster_id == expected


def test_events_deduped_and_diffed() -> None:
    first = decode(snapshot(events=[event("a", count=1), event("b")]))
    assert [e.uid for e in first.events] == ["a", "b"]
    second = decode(
        snapshot(events=[event("a", count=2), event("b"), event("c"), event("c", count=9)])
    )
    assert [(e.uid, e.count) for e in second.events] == [("a", 2), ("b", 1), ("c", 9)]
    changes = diff_snapshot(second, {e.uid: e for e in first.events})
    assert [e.uid for e in changes.new_events] == ["c"]
    assert [e.uid for e in changes.updated_events] == ["a"]
    same = diff_snapshot(second, {e.uid: e for e in second.events})
    assert not same.new_events and not same.updated_events


def test_event_without_uid_gets_a_key() -> None:
    snap = decode(snapshot(events=[{"name": "x.1", "namespace": "ns", "type": "Normal"}]))
    assert snap.events[0].uid == "ns/x.1"


@pytest.mark.parametrize(
    "cluster_id", ["prod eu", "pröd", "a" * 64, "tab\there", "Prod", "<!channel>", "c1-"]
)
def test_body_cluster_id_follows_the_header_rule(cluster_id: str) -> None:
    with pytest.raises(BadRequest, match="DNS label"):
        decode(snapshot(cluster_id), None)


def test_summary_counts_as_the_agent_does() -> None:
    # healthy: ready == replicas > 0 (0 of 0 and 3 of 2 are not), as generateSummary says.
    body = snapshot(
        deployments=[
            deployment("ok", replicas=2, ready=2),
            deployment("short", replicas=2, ready=1),
            deployment("idle", replicas=0, ready=0),
            deployment("over", replicas=2, ready=3),
        ]
    )
    summary = msgspec.structs.asdict(decode(body).summary)
    assert summary == agent_summary(body)
    assert summary["healthy_deployments"] == 1


LIMITS = SnapshotLimits(max_events=3, max_event_message_bytes=100)


def test_long_event_messages_are_cut_with_a_note() -> None:
    body = snapshot(events=[{**event("long"), "message": "é" * 300}, event("short")])
    snap = decode_snapshot(msgspec.json.encode(body), "c1", received_at=1.0, limits=LIMITS)
    long, short = snap.events
    assert len(long.message.encode()) <= 100 and long.message.startswith("éé")
    assert long.message.endswith("[truncated by the master: 600 bytes received, the first 34 kept]")
    assert short.message == "BackOff on web-5d9c7b8f6d-abcde"


def test_only_the_newest_events_are_kept_but_all_are_counted() -> None:
    events = [event(f"e{i}", last=f"2026-01-18T10:00:0{i}+09:00") for i in range(6)]
    events.append(event("created-only", count=0, last=ZERO_TIME, created="2026-01-18T10:00:04Z"))
    snap = decode_snapshot(
        msgspec.json.encode(snapshot(events=events)), "c1", received_at=1.0, limits=LIMITS
    )
    assert sorted(e.uid for e in snap.events) == ["created-only", "e4", "e5"]
    assert snap.summary.total_events == 7 and snap.summary.warning_events == 7


@pytest.mark.parametrize(
    ("where", "body"),
    [
        ("$.pods[0].summary.name", snapshot(pods=[pod("p" * 254)])),
        ("$.nodes[0].summary.name", snapshot(nodes=[node("n" * 254)])),
        (
            "$.events[0].involved_object.name",
            snapshot(
                events=[{**event("e"), "involved_object": {"kind": "Pod", "name": "x" * 254}}]
            ),
        ),
        ("$.configmaps[0].namespace", snapshot(configmaps=[{"name": "a", "namespace": "n" * 254}])),
    ],
)
def test_names_over_253_characters_refuse_the_snapshot(where: str, body: dict[str, object]) -> None:
    with pytest.raises(BadRequest, match=re.escape(where)):
        decode(body)
    decode(snapshot(pods=[pod("p" * 253)]))  # the longest Kubernetes name is fine
