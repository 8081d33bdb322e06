"""Pre-built snapshot bodies: a few template clusters, re-labelled per agent and gzipped once.

Building and compressing a snapshot per agent per tick would make the load
generator the bottleneck; instead each agent cycles through a few variants
(consecutive ticks of its template cluster) prepared before the run. Later
agents (68cc533) get the same clusters in their spelling, 10 s apart, with
an `otel` subtree of the chosen size (what an agent with ClickHouse adds).
"""

from __future__ import annotations

import gzip
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from master.demo import SimulatedCluster
from master.demo.cluster import go_json
from master.demo.dialect import later_snapshot
from tests import agent_v3, gojson

TEMPLATES = 8
VARIANTS = 3
# The otel subtree later agents send: none (no ClickHouse), a small one, or about what
# 10 nodes and 30 services with full series and 500 traces make (1.1 MB of JSON).
OTEL_SIZES = {"none": None, "small": agent_v3.OTelSize(), "big": agent_v3.BIG}

# (template id, [Agent V2 JSON per variant], [later JSON per variant])
Template = tuple[str, list[bytes], list[bytes]]
_templates: list[Template] = []


def template_id(index: int) -> str:
    # Distinct, and no id is a prefix of another, so a plain replace re-labels it.
    return f"tmpl{index:03d}x"


def otel_json(size: str) -> msgspec.Raw | None:
    """The `otel` subtree of `size` (OTEL_SIZES) as the later agent writes it."""
    chosen = OTEL_SIZES[size]
    if chosen is None:
        return None
    return msgspec.Raw(gojson.encode(agent_v3.layout.OTEL, agent_v3.otel("Z", chosen)))


def build_templates(templates: int, pods: int, variants: int, otel: str = "none") -> list[Template]:
    """`templates` clusters, each as `variants` JSON snapshots 20 s apart, in Agent V2's
    spelling and in the later agent's with an `otel` subtree of size `otel`."""
    now = datetime.now(UTC)
    subtree = otel_json(otel)
    built = []
    for t in range(templates):
        cluster = SimulatedCluster(template_id(t), pods=pods, seed=1000 + t)
        jsons, later = [], []
        for v in range(variants):
            at = now + timedelta(seconds=20 * v)
            cluster.tick(at)
            snapshot = cluster.snapshot(at)
            jsons.append(go_json(snapshot))
            later.append(go_json(later_snapshot(snapshot, subtree)))
        built.append((template_id(t), jsons, later))
    return built


def _init(templates: list[Template]) -> None:
    _templates[:] = templates


def _for_agent(args: tuple[int, str, bool]) -> list[tuple[bytes, int]]:
    index, cluster_id, later = args
    tid, jsons, later_jsons = _templates[index % len(_templates)]
    new = cluster_id.encode()
    relabelled = [j.replace(tid.encode(), new) for j in (later_jsons if later else jsons)]
    return [(gzip.compress(j, compresslevel=6, mtime=0), len(j)) for j in relabelled]


def build_bodies(
    cluster_ids: list[str],
    pods: int,
    *,
    later: frozenset[str] = frozenset(),
    otel: str = "none",
    variants: int = VARIANTS,
    workers: int = 2,
) -> tuple[list[list[tuple[bytes, int]]], list[Template]]:
    """(gzipped body, JSON size) variants per agent, in `cluster_ids` order (the later
    agent's for those in `later`), and the templates."""
    templates = build_templates(min(TEMPLATES, len(cluster_ids)) or 1, pods, variants, otel)
    jobs = [(i, cid, cid in later) for i, cid in enumerate(cluster_ids)]
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(templates,)) as pool:
        bodies = list(pool.map(_for_agent, jobs, chunksize=16))
    return bodies, templates


def targets(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Command targets that exist in `snapshot`: scale its deployments, read the logs of pods
    that scaling does not replace (those of statefulsets and daemonsets)."""
    found = []
    for dep in (snapshot.get("deployments") or [])[:20]:
        s = dep["summary"]
        found.append(
            {
                "action": "scale",
                "target_kind": "Deployment",
                "target_namespace": s["namespace"],
                "target_name": s["name"],
                "params": {"replicas": 3},
            }
        )
    stable = [
        p for p in snapshot.get("pods") or [] if p["summary"].get("ownerKind") != "ReplicaSet"
    ]
    for pod in stable[:20]:
        s = pod["summary"]
        found.append(
            {
                "action": "get_logs",
                "target_kind": "Pod",
                "target_namespace": s["namespace"],
                "target_name": s["name"],
                "params": {"tailLines": 20},
            }
        )
    return found
