"""A golden Agent V2 snapshot: every kind, written as the Go agent writes it.

`golden(tz)` returns the snapshot's values (dicts keyed by Go field names,
see `gojson`) as the agent's converters fill them (`repository/converter.go`,
`policy_repository.go`): local offsets on every time (client-go turns
Kubernetes times into local time), nanoseconds on `time.Now()`, Go's zero
time where a time is unset, seconds-only strings where the model keeps a
string, HTML characters and U+2028 in messages, nil (`null`) and empty lists
where Go leaves them, and every omitempty case both ways. Namespace counts,
quotas and limit ranges and the summary are computed as the agent computes
them (`snapshot_service.go`).

`encode_snapshot` / `encode_items` give the bytes; `layout` has the structs.
"""

from __future__ import annotations

import gzip as _gzip

from ..gojson import encode
from . import layout as v2
from .clock import Doc, kube_time
from .objects import batch_storage, config, events, networking
from .pods import nodes, pods
from .workloads import workloads

# Offsets an agent's host may run in; Go writes UTC as Z.
OFFSETS = ("+09:00", "Z", "-03:30")


def namespace_resources(snapshot: Doc) -> None:
    """Fill each namespace's counts, quotas and limit ranges as the agent does."""
    names = {ns["Summary"]["Name"] for ns in snapshot["Namespaces"] or ()}
    counts: dict[str, dict[str, int]] = {name: {} for name in names}
    quotas: dict[str, list[Doc]] = {name: [] for name in names}
    limits: dict[str, list[Doc]] = {name: [] for name in names}

    def add(namespace: str, key: str) -> None:
        if namespace in counts:
            counts[namespace][key] = counts[namespace].get(key, 0) + 1

    phases = {"Running": "PodsRunning", "Pending": "PodsPending", "Failed": "PodsFailed"}
    phases["Succeeded"] = "PodsSucceeded"
    for pod in snapshot["Pods"] or ():
        ns = pod["Summary"]["Namespace"]
        add(ns, "Pods")
        phase = pod.get("Status", {}).get("Phase", "")
        if phase in phases:
            add(ns, phases[phase])
    for key, go in (
        ("Deployments", "Deployments"),
        ("StatefulSets", "StatefulSets"),
        ("DaemonSets", "DaemonSets"),
        ("Services", "Services"),
        ("Ingresses", "Ingresses"),
    ):
        for doc in snapshot[key] or ():
            add(doc["Summary"]["Namespace"], go)
    for key, go in (
        ("ReplicaSets", "ReplicaSets"),
        ("Jobs", "Jobs"),
        ("CronJobs", "CronJobs"),
        ("NetworkPolicies", "NetworkPolicies"),
        ("ConfigMaps", "ConfigMaps"),
        ("Secrets", "Secrets"),
        ("ServiceAccounts", "ServiceAccounts"),
        ("PersistentVolumeClaims", "PVCs"),
    ):
        for doc in snapshot.get(key) or ():
            add(doc.get("Namespace", ""), go)
    for quota in snapshot.get("ResourceQuotas") or ():
        if quota["Namespace"] in quotas:
            quotas[quota["Namespace"]].append(quota)
    for limit in snapshot.get("LimitRanges") or ():
        if limit["Namespace"] in limits:
            limits[limit["Namespace"]].append(limit)
    for ns in snapshot["Namespaces"] or ():
        name = ns["Summary"]["Name"]
        ns["Resources"] = counts[name]
        ns["Quotas"] = quotas[name] or None
        ns["LimitRanges"] = limits[name] or None


def agent_summary(snapshot: Doc) -> Doc:
    """`generateSummary`: the counts the agent puts in `summary`."""
    phases = [p.get("Status", {}).get("Phase", "") for p in snapshot["Pods"] or ()]
    deployments = snapshot["Deployments"] or ()
    events = snapshot["Events"] or ()
    return {
        "TotalNodes": len(snapshot["Nodes"] or ()),
        "ReadyNodes": sum(1 for n in snapshot["Nodes"] or () if n["Summary"]["Ready"] == "True"),
        "TotalPods": len(phases),
        "RunningPods": phases.count("Running"),
        "PendingPods": phases.count("Pending"),
        "FailedPods": phases.count("Failed"),
        "TotalDeployments": len(deployments),
        "HealthyDeployments": sum(
            1
            for d in deployments
            if d["Summary"].get("Ready", 0) == d["Summary"].get("Replicas", 0)
            and d["Summary"].get("Replicas", 0) > 0
        ),
        "TotalStatefulSets": len(snapshot["StatefulSets"] or ()),
        "TotalDaemonSets": len(snapshot["DaemonSets"] or ()),
        "TotalServices": len(snapshot["Services"] or ()),
        "TotalIngresses": len(snapshot["Ingresses"] or ()),
        "TotalNamespaces": len(snapshot["Namespaces"] or ()),
        "TotalEvents": len(events),
        "WarningEvents": sum(1 for e in events if e.get("Type") == "Warning"),
    }


def golden(cluster_id: str = "golden", tz: str = "+09:00") -> Doc:
    """The whole snapshot's values, every kind, in the agent's offset `tz`."""
    deployments, statefulsets, daemonsets, replicasets = workloads(tz)
    services, ingresses = networking(tz)
    configmaps, secrets, quotas, limit_ranges, policies, accounts = config(tz)
    jobs, cronjobs, pvs, pvcs = batch_storage(tz)
    fraction = ".123456789" if tz != "Z" else ".1"
    snapshot: Doc = {
        "ClusterID": cluster_id,
        "FetchedAt": f"2026-01-18T19:00:03{fraction}{tz}",
        "Pods": pods(tz),
        "Deployments": deployments,
        "StatefulSets": statefulsets,
        "DaemonSets": daemonsets,
        "ReplicaSets": replicasets,
        "Jobs": jobs,
        "CronJobs": cronjobs,
        "Services": services,
        "Ingresses": ingresses,
        "Namespaces": [
            {
                "Summary": {"Name": name, "CreatedAt": kube_time(1, 8, tz=tz), "Age": "17d"},
                "Status": {"Phase": "Terminating" if name == "old" else "Active"},
                "Labels": {"kubernetes.io/metadata.name": name},
            }
            for name in ("default", "kube-system", "shop", "old")
        ],
        "ConfigMaps": configmaps,
        "Secrets": secrets,
        "ResourceQuotas": quotas,
        "LimitRanges": limit_ranges,
        "NetworkPolicies": policies,
        "ServiceAccounts": accounts,
        "PersistentVolumes": pvs,
        "PersistentVolumeClaims": pvcs,
        "Nodes": nodes(tz),
        "Events": events(tz),
    }
    namespace_resources(snapshot)
    snapshot["Summary"] = agent_summary(snapshot)
    return snapshot


def empty(cluster_id: str = "empty", tz: str = "Z") -> Doc:
    """A cluster with nothing in it: the always-sent lists `[]`, the others absent."""
    snapshot: Doc = {"ClusterID": cluster_id, "FetchedAt": f"2026-01-18T10:00:03.5{tz}"}
    for go, _, _, _ in v2.LISTS:
        snapshot[go] = []
    snapshot["Summary"] = agent_summary(snapshot)
    return snapshot


def encode_snapshot(snapshot: Doc) -> bytes:
    return encode(v2.CLUSTER_SNAPSHOT, snapshot)


def gzip(data: bytes) -> bytes:
    """Compressed as the agent's gzip.Writer does (level 6 is Go's default too)."""
    return _gzip.compress(data, compresslevel=6, mtime=0)


def encode_items(snapshot: Doc, key: str) -> list[bytes]:
    """The bytes of each item of the list `key` (JSON key, e.g. "resourceQuotas")."""
    for go, json_key, item, _ in v2.LISTS:
        if json_key == key:
            return [encode(item, doc) for doc in snapshot.get(go) or ()]
    raise KeyError(key)
