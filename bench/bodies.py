"""Pre-built snapshot bodies: a few template clusters, re-labelled per agent and gzipped once.

Building and compressing a snapshot per agent per tick would make the load
generator the bottleneck; instead each agent cycles through a few variants
(consecutive ticks of its template cluster) prepared before the run.
"""

from __future__ import annotations

import gzip
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from master.demo import SimulatedCluster
from master.demo.cluster import go_json

TEMPLATES = 8
VARIANTS = 3

_templates: list[tuple[str, list[bytes]]] = []


def template_id(index: int) -> str:
    # Distinct, and no id is a prefix of another, so a plain replace re-labels it.
    return f"tmpl{index:03d}x"


def build_templates(templates: int, pods: int, variants: int) -> list[tuple[str, list[bytes]]]:
    """`templates` clusters, each as `variants` JSON snapshots 20 s apart."""
    now = datetime.now(UTC)
    built = []
    for t in range(templates):
        cluster = SimulatedCluster(template_id(t), pods=pods, seed=1000 + t)
        jsons = []
        for v in range(variants):
            at = now + timedelta(seconds=20 * v)
            cluster.tick(at)
            jsons.append(go_json(cluster.snapshot(at)))
        built.append((template_id(t), jsons))
    return built


def _init(templates: list[tuple[str, list[bytes]]]) -> None:
    _templates[:] = templates


def _for_agent(args: tuple[int, str]) -> list[tuple[bytes, int]]:
    index, cluster_id = args
    tid, jsons = _templates[index % len(_templates)]
    new = cluster_id.encode()
    relabelled = [j.replace(tid.encode(), new) for j in jsons]
    return [(gzip.compress(j, compresslevel=6, mtime=0), len(j)) for j in relabelled]


def build_bodies(
    cluster_ids: list[str], pods: int, *, variants: int = VARIANTS, workers: int = 2
) -> tuple[list[list[tuple[bytes, int]]], list[tuple[str, list[bytes]]]]:
    """(gzipped body, JSON size) variants per agent, in `cluster_ids` order, and the templates."""
    templates = build_templates(min(TEMPLATES, len(cluster_ids)) or 1, pods, variants)
    with ProcessPoolExecutor(workers, initializer=_init, initargs=(templates,)) as pool:
        bodies = list(pool.map(_for_agent, enumerate(cluster_ids), chunksize=16))
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
