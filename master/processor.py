"""Validate and normalise one snapshot, compute its summary and what changed.

Plain functions over bytes and plain data (no I/O), so the agent app can run
the expensive part in a worker thread and tests can call it directly.
"""

from __future__ import annotations

import codecs
import heapq
import logging
from collections.abc import Mapping

import msgspec

from .model.agent import check_cluster_id
from .model.errors import BadRequest
from .model.event import Event, event_time
from .model.gotime import normalize_go_time
from .model.snapshot import (
    ClusterSnapshot,
    NodeDoc,
    PodDoc,
    SnapshotChanges,
    SnapshotIndex,
    SnapshotLimits,
    WorkloadDoc,
    node_ready,
)
from .model.summary import Summary
from .model.truncate import truncate

log = logging.getLogger("master.processor")

_index = msgspec.json.Decoder(SnapshotIndex)
DEFAULT_LIMITS = SnapshotLimits()
# UTF-8 is checked this much at a time: never a second copy of a big body, as text.
_UTF8_STEP = 1 << 20


def _normalise_event(event: Event, max_message: int) -> Event:
    event.created_at = normalize_go_time(event.created_at)
    event.first_timestamp = normalize_go_time(event.first_timestamp)
    event.last_timestamp = normalize_go_time(event.last_timestamp)
    if not event.uid:
        event.uid = f"{event.namespace}/{event.name}"
    if len(event.message) > max_message // 4:  # cheap test first: a character is 1-4 bytes
        event.message = truncate(event.message, max_message)
    return event


def _check_utf8(body: bytes | bytearray) -> None:
    """Raise UnicodeDecodeError unless `body` is valid UTF-8 (in steps: no full text copy)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with memoryview(body) as view:
        for start in range(0, len(view), _UTF8_STEP):
            decoder.decode(view[start : start + _UTF8_STEP])
    decoder.decode(b"", final=True)


def decode_snapshot(
    body: bytes | bytearray,
    header_cluster_id: str | None,
    *,
    received_at: float,
    limits: SnapshotLimits = DEFAULT_LIMITS,
) -> ClusterSnapshot:
    """Validate and index a decompressed snapshot body.

    The cluster id comes from the header, else the body's `cluster_id`; a body
    naming another cluster than the header is refused. Event messages longer
    than the limit are cut (with a note), and only the newest `max_events`
    events are kept (the summary counts them all). Raises BadRequest naming
    the offending key for anything malformed, a name over 253 characters included.
    """
    try:
        # msgspec checks UTF-8 only in the strings it builds; the parts the index skips are
        # served back verbatim later, so the whole body must be valid (about 0.3 ms/MB).
        _check_utf8(body)
        return _decode(body, header_cluster_id, received_at, limits)
    except UnicodeDecodeError as err:
        raise BadRequest(f"snapshot is not valid UTF-8: {err}") from err
    except RecursionError as err:
        raise BadRequest("snapshot JSON is nested too deeply") from err


def _decode(
    body: bytes | bytearray,
    header_cluster_id: str | None,
    received_at: float,
    limits: SnapshotLimits,
) -> ClusterSnapshot:
    try:
        index = _index.decode(body)
    except msgspec.ValidationError as err:
        if str(err).startswith("Expected `object`"):
            raise BadRequest(f"snapshot must be a JSON object: {err}") from err
        raise BadRequest(f"invalid snapshot: {err}") from err
    except msgspec.DecodeError as err:
        raise BadRequest(f"invalid JSON: {err}") from err
    body_cluster = index.cluster_id
    if header_cluster_id and body_cluster and body_cluster != header_cluster_id:
        raise BadRequest(
            f"X-Cluster-ID {header_cluster_id!r} does not match the body's cluster_id {body_cluster!r}"
        )
    cluster_id = header_cluster_id or body_cluster
    if not cluster_id:
        raise BadRequest("cluster id missing: send X-Cluster-ID or a cluster_id in the body")
    check_cluster_id(cluster_id)
    try:
        fetched_at = normalize_go_time(index.fetched_at)
    except ValueError as err:
        raise BadRequest(f"fetched_at: {err}") from err
    try:
        by_uid = {
            e.uid: e
            for e in (
                _normalise_event(e, limits.max_event_message_bytes) for e in index.events or ()
            )
        }
    except ValueError as err:
        raise BadRequest(f"events: {err}") from err
    events = list(by_uid.values())
    summary = compute_summary(index, events)
    if len(events) > limits.max_events:
        log.warning(
            "cluster %s sent %d events; the newest %d are kept",
            cluster_id,
            len(events),
            limits.max_events,
        )
        events = heapq.nlargest(limits.max_events, events, key=lambda e: (event_time(e), e.uid))
    return ClusterSnapshot(
        cluster_id=cluster_id,
        fetched_at=fetched_at,
        received_at=received_at,
        body=body,
        index=index,
        events=events,
        summary=summary,
    )


def compute_summary(index: SnapshotIndex, events: list[Event]) -> Summary:
    """Count what the resources say, as the agent counts (`generateSummary`); its own
    summary is not trusted. A Deployment is healthy when ready == replicas > 0."""
    nodes: list[NodeDoc] = index.docs("nodes")
    pods: list[PodDoc] = index.docs("pods")
    deployments: list[WorkloadDoc] = index.docs("deployments")
    phases: dict[str, int] = {}
    for pod in pods:
        phase = pod.status.phase
        phases[phase] = phases.get(phase, 0) + 1
    return Summary(
        total_nodes=len(nodes),
        ready_nodes=sum(1 for n in nodes if node_ready(n) == "True"),
        total_pods=len(pods),
        running_pods=phases.get("Running", 0),
        pending_pods=phases.get("Pending", 0),
        failed_pods=phases.get("Failed", 0),
        total_deployments=len(deployments),
        healthy_deployments=sum(
            1 for d in deployments if d.summary.ready == d.summary.replicas > 0
        ),
        total_statefulsets=len(index.docs("statefulsets")),
        total_daemonsets=len(index.docs("daemonsets")),
        total_services=len(index.docs("services")),
        total_ingresses=len(index.docs("ingresses")),
        total_namespaces=len(index.docs("namespaces")),
        total_events=len(events),
        warning_events=sum(1 for e in events if e.type == "Warning"),
    )


def diff_snapshot(snapshot: ClusterSnapshot, known_events: Mapping[str, Event]) -> SnapshotChanges:
    """What `snapshot` changed: events new to the window, events whose count/time/message moved."""
    new: list[Event] = []
    updated: list[Event] = []
    for event in snapshot.events:
        old = known_events.get(event.uid)
        if old is None:
            new.append(event)
        elif (old.count, old.last_timestamp, old.message, old.type) != (
            event.count,
            event.last_timestamp,
            event.message,
            event.type,
        ):
            updated.append(event)
    return SnapshotChanges(cluster_id=snapshot.cluster_id, new_events=new, updated_events=updated)
