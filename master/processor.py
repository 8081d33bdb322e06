"""Validate and normalise one snapshot, compute its summary and what changed.

Plain functions over bytes and plain data (no I/O), so the agent app can run
the expensive part in a worker thread and tests can call it directly.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Any

import msgspec

from .model.errors import BadRequest, PayloadTooLarge
from .model.event import Event
from .model.gotime import format_time, parse_go_time
from .model.snapshot import (
    ENVELOPE_KEYS,
    RESOURCE_KINDS,
    ClusterSnapshot,
    FlatDoc,
    Item,
    NamedDoc,
    NodeDoc,
    PodDoc,
    SnapshotChanges,
    WorkloadDoc,
)
from .model.summary import Summary

_CHUNK = 1 << 20

_envelope = msgspec.json.Decoder(dict[str, msgspec.Raw])
_raw_list = msgspec.json.Decoder(list[msgspec.Raw] | None)
_events = msgspec.json.Decoder(list[Event] | None)
_str = msgspec.json.Decoder(str | None)
_summary = msgspec.json.Decoder(dict[str, Any] | None)

_DOC_DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    "pods": msgspec.json.Decoder(PodDoc),
    "nodes": msgspec.json.Decoder(NodeDoc),
    "deployments": msgspec.json.Decoder(WorkloadDoc),
    "statefulsets": msgspec.json.Decoder(WorkloadDoc),
    "daemonsets": msgspec.json.Decoder(WorkloadDoc),
    "services": msgspec.json.Decoder(NamedDoc),
    "ingresses": msgspec.json.Decoder(NamedDoc),
    "namespaces": msgspec.json.Decoder(NamedDoc),
}
_FLAT = msgspec.json.Decoder(FlatDoc)


def gunzip_limited(data: bytes, limit: int) -> bytes:
    """Decompress gzip `data` (one or more members), never holding more than `limit`+1 bytes.

    Raises PayloadTooLarge when the expanded body exceeds `limit` (a
    decompression bomb stops there) and BadRequest for corrupt or truncated input.
    """
    out = bytearray()
    rest = data
    while True:
        inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            while rest:
                out += inflater.decompress(rest, limit + 1 - len(out))
                if len(out) > limit:
                    raise PayloadTooLarge(f"decompressed body exceeds {limit} bytes")
                rest = inflater.unconsumed_tail
            out += inflater.flush()
        except zlib.error as err:
            raise BadRequest(f"invalid gzip body: {err}") from err
        if len(out) > limit:
            raise PayloadTooLarge(f"decompressed body exceeds {limit} bytes")
        if not inflater.eof:
            raise BadRequest("invalid gzip body: truncated stream")
        rest = inflater.unused_data
        if not rest:
            return bytes(out)


def _index(kind: str, raw: msgspec.Raw) -> Item:
    decoder = _DOC_DECODERS.get(kind)
    if decoder is None:
        flat: FlatDoc = _FLAT.decode(raw)
        return Item(raw=raw, name=flat.name, namespace=flat.namespace, labels=flat.labels or {})
    doc = decoder.decode(raw)
    s = doc.summary
    labels = doc.labels or s.labels or {}
    if isinstance(doc, PodDoc):
        return Item(
            raw=raw, name=s.name, namespace=s.namespace, labels=labels, node=s.nodeName,
            phase=doc.status.phase, restarts=doc.status.restarts, owner_kind=s.ownerKind,
            owner_name=s.ownerName,
        )
    if isinstance(doc, NodeDoc):
        ready = s.ready if isinstance(s.ready, str) else ("True" if s.ready else "False")
        return Item(raw=raw, name=s.name, labels=labels, ready=ready, schedulable=s.schedulable)
    if isinstance(doc, WorkloadDoc):
        return Item(
            raw=raw, name=s.name, namespace=s.namespace, labels=labels, replicas=s.replicas,
            ready_replicas=s.ready, available=s.available,
        )
    phase = doc.status.phase if doc.status is not None else ""
    return Item(raw=raw, name=s.name, namespace=s.namespace, labels=labels, type=s.type, phase=phase)


def _normalise_event(event: Event) -> Event:
    event.first_timestamp = format_time(parse_go_time(event.first_timestamp))
    event.last_timestamp = format_time(parse_go_time(event.last_timestamp))
    if not event.uid:
        event.uid = f"{event.namespace}/{event.name}"
    return event


def decode_snapshot(
    body: bytes, header_cluster_id: str | None, *, received_at: float
) -> ClusterSnapshot:
    """Validate and index a decompressed snapshot body.

    The cluster id comes from the header, else the body's `cluster_id`; a body
    naming another cluster than the header is refused. Raises BadRequest
    naming the offending key for anything malformed.
    """
    try:
        return _decode(body, header_cluster_id, received_at)
    except UnicodeDecodeError as err:
        # msgspec validates UTF-8 only when it builds a str, and raises this then.
        raise BadRequest(f"snapshot is not valid UTF-8: {err}") from err


def _decode(body: bytes, header_cluster_id: str | None, received_at: float) -> ClusterSnapshot:
    try:
        envelope = _envelope.decode(body)
    except msgspec.ValidationError as err:
        raise BadRequest("snapshot must be a JSON object") from err
    except msgspec.DecodeError as err:
        raise BadRequest(f"invalid JSON: {err}") from err
    try:
        body_cluster = _str.decode(envelope["cluster_id"]) if "cluster_id" in envelope else None
        fetched_raw = _str.decode(envelope["fetched_at"]) if "fetched_at" in envelope else None
    except msgspec.ValidationError as err:
        raise BadRequest(f"cluster_id and fetched_at must be strings: {err}") from err
    if header_cluster_id and body_cluster and body_cluster != header_cluster_id:
        raise BadRequest(
            f"X-Cluster-ID {header_cluster_id!r} does not match the body's cluster_id {body_cluster!r}"
        )
    cluster_id = header_cluster_id or body_cluster
    if not cluster_id:
        raise BadRequest("cluster id missing: send X-Cluster-ID or a cluster_id in the body")
    try:
        fetched_at = format_time(parse_go_time(fetched_raw))
    except ValueError as err:
        raise BadRequest(f"fetched_at: {err}") from err

    resources: dict[str, list[Item]] = {}
    for kind in RESOURCE_KINDS:
        raw = envelope.get(kind)
        try:
            raws = _raw_list.decode(raw) if raw is not None else None
            resources[kind] = [_index(kind, r) for r in raws] if raws else []
        except msgspec.ValidationError as err:
            raise BadRequest(f"{kind}: {err}") from err
    try:
        events_raw = envelope.get("events")
        decoded = _events.decode(events_raw) if events_raw is not None else None
        agent_summary = _summary.decode(envelope["summary"]) if "summary" in envelope else None
    except msgspec.ValidationError as err:
        raise BadRequest(f"events or summary: {err}") from err
    try:
        by_uid = {e.uid: e for e in map(_normalise_event, decoded or ())}
    except ValueError as err:
        raise BadRequest(f"events: {err}") from err
    events = list(by_uid.values())
    extra = {k: v for k, v in envelope.items() if k not in ENVELOPE_KEYS}
    return ClusterSnapshot(
        cluster_id=cluster_id,
        fetched_at=fetched_at,
        received_at=received_at,
        size_bytes=len(body),
        resources=resources,
        events=events,
        summary=compute_summary(resources, events),
        extra=extra,
        agent_summary=agent_summary,
    )


def compute_summary(resources: Mapping[str, list[Item]], events: list[Event]) -> Summary:
    """Count what the resources say; the agent's own summary is not trusted."""
    nodes = resources.get("nodes", [])
    pods = resources.get("pods", [])
    deployments = resources.get("deployments", [])
    phases: dict[str, int] = {}
    for pod in pods:
        phases[pod.phase] = phases.get(pod.phase, 0) + 1
    return Summary(
        total_nodes=len(nodes),
        ready_nodes=sum(1 for n in nodes if n.ready == "True"),
        total_pods=len(pods),
        running_pods=phases.get("Running", 0),
        pending_pods=phases.get("Pending", 0),
        failed_pods=phases.get("Failed", 0),
        total_deployments=len(deployments),
        healthy_deployments=sum(1 for d in deployments if d.ready_replicas >= d.replicas),
        total_statefulsets=len(resources.get("statefulsets", [])),
        total_daemonsets=len(resources.get("daemonsets", [])),
        total_services=len(resources.get("services", [])),
        total_ingresses=len(resources.get("ingresses", [])),
        total_namespaces=len(resources.get("namespaces", [])),
        total_events=len(events),
        warning_events=sum(1 for e in events if e.type == "Warning"),
    )


def diff_snapshot(
    snapshot: ClusterSnapshot,
    previous: ClusterSnapshot | None,
    known_events: Mapping[str, Event],
) -> SnapshotChanges:
    """What `snapshot` changed: events new to the window, events whose count/time/message moved."""
    new: list[Event] = []
    updated: list[Event] = []
    for event in snapshot.events:
        old = known_events.get(event.uid)
        if old is None:
            new.append(event)
        elif (old.count, old.last_timestamp, old.message, old.type) != (
            event.count, event.last_timestamp, event.message, event.type,
        ):
            updated.append(event)
    return SnapshotChanges(
        cluster_id=snapshot.cluster_id,
        first=previous is None,
        new_events=new,
        updated_events=updated,
        summary_changed=previous is None or previous.summary != snapshot.summary,
    )
