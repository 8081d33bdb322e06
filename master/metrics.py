"""The master's own counters, served at `/metrics` in Prometheus text format.

One `Metrics` object per master (its own registry, no process globals) is
built by the supervisor and handed to the parts that count.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    content_type = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        self.snapshots = Counter("master_snapshots", "Snapshots accepted from agents", registry=r)
        self.snapshot_bytes = Counter(
            "master_snapshot_bytes", "Snapshot JSON bytes accepted (after gunzip)", registry=r
        )
        self.snapshot_seconds = Histogram(
            "master_snapshot_ingest_seconds",
            "Time to accept one snapshot, body read to stored",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.decode_cpu = Counter(
            "master_snapshot_decode_cpu_seconds",
            "CPU spent on gunzip and decode of snapshots",
            registry=r,
        )
        self.heartbeats = Counter("master_heartbeats", "Heartbeats accepted", registry=r)
        self.rejected = Counter(
            "master_agent_rejected", "Agent requests refused, by status", ["status"], registry=r
        )
        self.polls_held = Gauge("master_polls_held", "Long polls waiting for a command", registry=r)
        self.commands = Counter(
            "master_command_transitions",
            "Command status changes, by new status",
            ["status"],
            registry=r,
        )
        self.dispatch_seconds = Histogram(
            "master_command_dispatch_seconds",
            "From a command's creation to its first hand-out",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.stream_subscribers = Gauge(
            "master_stream_subscribers", "Open live-stream subscriptions", registry=r
        )
        self.stream_messages = Counter(
            "master_stream_messages",
            "Live-stream messages published, by topic",
            ["topic"],
            registry=r,
        )
        self.stream_deliveries = Counter(
            "master_stream_deliveries", "Live-stream messages queued for subscribers", registry=r
        )
        self.stream_resyncs = Counter(
            "master_stream_resyncs",
            "Resyncs sent instead of missed messages, by reason",
            ["reason"],
            registry=r,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
