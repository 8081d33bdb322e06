"""The floor of snapshot ingest: gunzip plus one typed decode of the fields the master uses.

The master's CPU per MB of snapshot JSON is judged against this, measured in
the same run over the same bytes.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Sequence

import msgspec

from master.agentsdk.expand import expand_gzip, gzip_size
from master.model.event import Event
from master.model.snapshot import FlatDoc, NamedDoc, NodeDoc, PodDoc, WorkloadDoc
from master.processor import decode_snapshot

Flat = list[FlatDoc] | None


class TypedEnvelope(msgspec.Struct):
    """Every kind the master indexes, decoded in one pass; nothing kept raw."""

    cluster_id: str = ""
    fetched_at: str = ""
    pods: list[PodDoc] | None = None
    nodes: list[NodeDoc] | None = None
    deployments: list[WorkloadDoc] | None = None
    statefulsets: list[WorkloadDoc] | None = None
    daemonsets: list[WorkloadDoc] | None = None
    services: list[NamedDoc] | None = None
    ingresses: list[NamedDoc] | None = None
    namespaces: list[NamedDoc] | None = None
    replicasets: Flat = None
    jobs: Flat = None
    cronjobs: Flat = None
    configmaps: Flat = None
    secrets: Flat = None
    pvs: Flat = None
    pvcs: Flat = None
    events: list[Event] | None = None


_typed = msgspec.json.Decoder(TypedEnvelope)


def _cpu_per_mb(
    bodies: Sequence[bytes], json_bytes: int, work: object, min_seconds: float
) -> float:
    assert callable(work)
    rounds = 0
    started = time.process_time()
    while True:
        for body in bodies:
            work(body)
        rounds += 1
        spent = time.process_time() - started
        if spent >= min_seconds:
            return spent / (rounds * json_bytes / 1e6)


def floor_cpu_per_mb(gzipped: Sequence[bytes], *, min_seconds: float = 1.0) -> float:
    """CPU seconds per MB of JSON for gunzip + the one-pass typed decode."""
    total = sum(len(gzip.decompress(b)) for b in gzipped)
    return _cpu_per_mb(gzipped, total, lambda b: _typed.decode(gzip.decompress(b)), min_seconds)


def master_decode_cpu_per_mb(gzipped: Sequence[bytes], *, min_seconds: float = 1.0) -> float:
    """CPU seconds per MB for the master's own gunzip + decode_snapshot, for comparison."""
    total = sum(len(gzip.decompress(b)) for b in gzipped)

    def work(body: bytes) -> None:
        expanded = expand_gzip(body, 1 << 30, reserved=gzip_size(body))
        decode_snapshot(expanded, None, received_at=0.0)

    return _cpu_per_mb(gzipped, total, work, min_seconds)
