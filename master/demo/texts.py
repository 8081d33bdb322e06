"""Text a command returns: pod logs, kubectl-describe output, raw API reads (`dynamic`).

Logs draw from an RNG seeded by the pod and time, not the cluster's, so
reading logs never changes how the cluster evolves.
"""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET, log_line
from .entities import Pod, Workload
from .resources import Doc
from .state import ClusterState

_GROUPS = {
    DEPLOYMENT: "apps",
    STATEFULSET: "apps",
    DAEMONSET: "apps",
    "ReplicaSet": "apps",
    "Ingress": "networking.k8s.io",
    "Job": "batch",
    "CronJob": "batch",
}
# Where `describe` finds kinds other than pods, workloads and nodes: (dict, key) of the state.
_NAMED = {"Service": "services", "Ingress": "ingresses", "Namespace": "namespaces"}
_FLAT = {
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "Job": "jobs",
    "CronJob": "cronjobs",
    "PersistentVolume": "pvs",
    "PersistentVolumeClaim": "pvcs",
    "ServiceAccount": "serviceAccounts",
    "NetworkPolicy": "networkPolicies",
}


def resource_name(kind: str, *, plural: bool = False) -> str:
    """kubectl's name for a kind: `deployment.apps`, or `deployments.apps` when plural."""
    if not kind:
        return "resources" if plural else "resource"
    name = kind.lower()
    if plural:
        name += "es" if name.endswith("s") else "s"
    group = _GROUPS.get(kind)
    return f"{name}.{group}" if group else name


# -- logs --


def logs(state: ClusterState, pod: Pod, tail: int, now: datetime) -> str:
    """The last `tail` lines of the pod's log, ending at `now`; a crash loop ends in its error."""
    rng = random.Random(f"{pod.uid}/{now.timestamp():.0f}")
    flavour = pod.workload.app.logs if pod.workload is not None else "klog"
    at, lines = now.astimezone(UTC), []
    for _ in range(tail):
        at -= timedelta(seconds=rng.uniform(0.05, 4))
        lines.append(log_line(flavour, at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", rng))
    lines.reverse()
    if pod.uid in state.crashes:
        failure = (
            "panic: runtime error: invalid memory address or nil pointer dereference"
            if pod.doc["containers"][0].get("lastTerminationReason") == "Error"
            else "fatal error: runtime: out of memory"
        )
        lines[-1] = failure
    return "\n".join(lines) + "\n"


# -- describe --


def _age(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 3 * 3600:
        return f"{seconds // 60}m"
    if seconds < 2 * 86400:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"


def _rows(rows: list[tuple[str, Any]], indent: str = "") -> list[str]:
    """`Label:  value` lines, values aligned; dicts and lists one item per line."""
    width = max(18, *(len(label) + 3 for label, _ in rows)) if rows else 18
    out = []
    for label, value in rows:
        if isinstance(value, dict):
            value = "\n".join(f"{k}={v}" for k, v in value.items()) or "<none>"
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value) or "<none>"
        text = str(value).replace("\n", "\n" + indent + " " * width)
        out.append(f"{indent}{label + ':':<{width}}{text}")
    return out


def _events(state: ClusterState, uid: str, now: datetime) -> list[str]:
    mine = state.events.about(uid)
    if not mine:
        return ["Events:           <none>"]
    out = [
        "Events:",
        f"  {'Type':<8} {'Reason':<20} {'Age':<6} {'From':<22} Message",
        f"  {'----':<8} {'------':<20} {'----':<6} {'----':<22} -------",
    ]
    for seen, e in mine:
        age = _age((now - seen).total_seconds())
        count = f" (x{e['count']})" if e["count"] > 1 else ""
        out.append(
            f"  {e['type']:<8} {e['reason']:<20} {age:<6} {e['source']:<22} {e['message']}{count}"
        )
    return out


def _describe_pod(state: ClusterState, pod: Pod, now: datetime) -> list[str]:
    doc, summary, status = pod.doc, pod.doc["summary"], pod.doc["status"]
    node = state.nodes.get(pod.node)
    lines = _rows(
        [
            ("Name", summary["name"]),
            ("Namespace", summary["namespace"]),
            ("Priority", 0),
            ("Service Account", doc["spec"]["serviceAccountName"]),
            ("Node", f"{node.name}/{node.ip}" if node else "<none>"),
            ("Start Time", status.get("startTime", "<none>")),
            ("Labels", doc["labels"]),
            ("Annotations", doc["annotations"]),
            ("Status", status["phase"]),
            ("IP", status.get("podIP", "")),
            ("Controlled By", f"{summary['ownerKind']}/{summary['ownerName']}"),
        ]
    )
    lines.append("Containers:")
    for c in doc["containers"]:
        lines.append(f"  {c['name']}:")
        probe = c["livenessProbe"]
        lines += _rows(
            [
                ("Image", c["image"]),
                ("Port", ", ".join(f"{p['containerPort']}/{p['protocol']}" for p in c["ports"])),
                (
                    "State",
                    c["state"].capitalize()
                    + (f" ({c['stateReason']})" if c.get("stateReason") else ""),
                ),
                (
                    "Last State",
                    f"Terminated ({c['lastTerminationReason']})"
                    if c.get("lastTerminationReason")
                    else "<none>",
                ),
                ("Ready", c["ready"]),
                ("Restart Count", c["restartCount"]),
                ("Limits", c["limits"]),
                ("Requests", c["requests"]),
                (
                    "Liveness",
                    f"{probe['type']} :{probe['port']}{probe.get('path', '')} "
                    f"delay={probe['initialDelaySeconds']}s period={probe['periodSeconds']}s",
                ),
                (
                    "Environment",
                    "\n".join(
                        f"{e['name']}: {e.get('value') or e.get('valueFrom')}" for e in c["envs"]
                    ),
                ),
            ],
            indent="    ",
        )
    lines.append("Conditions:")
    lines += [f"  {c['type']:<18}{c['status']}" for c in status["conditions"]]
    lines += _rows(
        [
            ("QoS Class", status["qosClass"]),
            (
                "Tolerations",
                "\n".join(
                    f"{t['key']}:{t['effect']} op={t['operator']} for {t['tolerationSeconds']}s"
                    for t in doc["spec"]["tolerations"]
                ),
            ),
        ]
    )
    return lines + _events(state, pod.uid, now)


def _describe_workload(state: ClusterState, w: Workload, now: datetime) -> list[str]:
    s = w.doc["summary"]
    lines = _rows(
        [
            ("Name", s["name"]),
            ("Namespace", s["namespace"]),
            ("CreationTimestamp", s["createdAt"]),
            ("Labels", w.doc["labels"]),
            ("Annotations", w.doc["annotations"]),
            ("Selector", s["selector"]),
            (
                "Replicas",
                f"{s['replicas']} desired | {s['updated']} updated | {len(w.pods)} total | "
                f"{s['available']} available | {s['unavailable']} unavailable",
            ),
        ]
    )
    if w.kind == DEPLOYMENT:
        lines += _rows(
            [
                ("StrategyType", "RollingUpdate"),
                ("RollingUpdateStrategy", "25% max unavailable, 25% max surge"),
            ]
        )
    lines += [
        "Pod Template:",
        f"  Labels:  {', '.join(f'{k}={v}' for k, v in w.labels.items())}",
        "  Containers:",
        f"   {w.container['name']}:",
        f"    Image:      {w.container['image']}",
        f"    Port:       {w.container['ports'][0]['containerPort']}/TCP",
    ]
    if w.rs is not None:
        old = ", ".join(f"{rs['name']} (0/0 replicas created)" for rs in w.history) or "<none>"
        lines += _rows(
            [
                ("OldReplicaSets", old),
                ("NewReplicaSet", f"{w.rs['name']} ({len(w.pods)}/{w.replicas} replicas created)"),
            ]
        )
    return lines + _events(state, w.uid, now)


def _describe_node(state: ClusterState, name: str, now: datetime) -> list[str]:
    node = state.nodes[name]
    doc, s = node.doc, node.doc["summary"]
    lines = _rows(
        [
            ("Name", name),
            ("Roles", ",".join(s["roles"])),
            ("Labels", doc["labels"]),
            ("CreationTimestamp", s["createdAt"]),
            (
                "Taints",
                "\n".join(f"{t['key']}:{t['effect']}" for t in doc["spec"]["taints"]) or "<none>",
            ),
            ("Unschedulable", not s["schedulable"]),
        ]
    )
    lines += ["Conditions:", "  Type             Status  Reason"]
    lines += [f"  {c['type']:<16} {c['status']:<7} {c['reason']}" for c in doc["conditions"]]
    lines += _rows(
        [
            ("Addresses", "\n".join(f"{a['type']}: {a['address']}" for a in doc["addresses"])),
            ("Capacity", doc["capacity"]),
            ("Allocatable", doc["allocatable"]),
            ("Kubelet Version", s["kubeletVersion"]),
            ("Container Runtime", s["containerRuntime"]),
            ("PodCIDR", s["podCIDR"]),
        ]
    )
    pods = [p for p in state.pods.values() if p.node == name]
    lines.append(f"Non-terminated Pods:          ({len(pods)} in total)")
    lines += [f"  {p.namespace:<16} {p.name}" for p in pods]
    return lines + _events(state, node.uid, now)


def describe(
    state: ClusterState, kind: str, namespace: str, name: str, now: datetime
) -> str | None:
    """kubectl-describe-like text for the object, None when there is no such object."""
    lines: list[str] | None = None
    if kind == "Pod" and (pod := state.pod_names.get((namespace, name))) is not None:
        lines = _describe_pod(state, pod, now)
    elif (w := state.workloads.get((kind, namespace, name))) is not None:
        lines = _describe_workload(state, w, now)
    elif kind == "Node" and name in state.nodes:
        lines = _describe_node(state, name, now)
    elif kind in _NAMED or kind in _FLAT:
        key = ("", name) if kind in ("Namespace", "PersistentVolume") else (namespace, name)
        doc = (state.named[_NAMED[kind]] if kind in _NAMED else state.flat[_FLAT[kind]]).get(key)
        if doc is not None:
            lines = _describe_doc(kind, doc)
    elif kind == "ReplicaSet":
        found = [
            rs
            for rs in state.replicasets.values()
            if rs["namespace"] == namespace and rs["name"] == name
        ]
        lines = _describe_doc(kind, found[0]) if found else None
    return None if lines is None else "\n".join(lines) + "\n"


def _describe_doc(kind: str, doc: Doc) -> list[str]:
    """Any other object: its fields, one per line (secrets only carry key names)."""
    fields = {k: v for k, v in doc.get("summary", doc).items() if k != "kind"}
    spec = doc.get("spec") or {}
    fields.update((k, v) for k, v in spec.items() if k not in fields and isinstance(v, str | int))
    if "labels" in doc:
        fields["labels"] = doc["labels"]
    rows: list[tuple[str, Any]] = [("Kind", kind)]
    rows += [(_label(k), v) for k, v in fields.items()]
    return _rows(rows)


def _label(key: str) -> str:
    """`created_at` or `createdAt` -> `Created At`."""
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", key.replace("_", " ")).split()
    return " ".join(
        w.upper() if w.lower() in ("ip", "uid") else w[:1].upper() + w[1:] for w in words
    )


# -- dynamic (read-only API GET) --


def _meta(name: str, namespace: str = "") -> Doc:
    return {"name": name, "namespace": namespace} if namespace else {"name": name}


def dynamic(state: ClusterState, path: str) -> Any | None:
    """A small Kubernetes API read for `path`, None when the path is not served."""
    parts = path.strip("/").split("/")
    if path == "/version":
        return {
            "major": "1",
            "minor": "29",
            "gitVersion": "v1.29.4",
            "goVersion": "go1.21.9",
            "platform": "linux/amd64",
        }
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"]}
    if path == "/api/v1/namespaces":
        return {
            "kind": "NamespaceList",
            "apiVersion": "v1",
            "items": [
                {"metadata": _meta(d["summary"]["name"]), "status": d["status"]}
                for d in state.named["namespaces"].values()
            ],
        }
    if path == "/api/v1/nodes":
        return {
            "kind": "NodeList",
            "apiVersion": "v1",
            "items": [
                {
                    "metadata": {**_meta(n.name), "labels": n.doc["labels"]},
                    "spec": {"unschedulable": not n.schedulable},
                    "status": {"conditions": n.doc["conditions"]},
                }
                for n in state.nodes.values()
            ],
        }
    namespace = parts[3] if len(parts) >= 5 and parts[2] == "namespaces" else ""
    if parts[:2] == ["api", "v1"] and parts[-1] == "pods":
        return {
            "kind": "PodList",
            "apiVersion": "v1",
            "items": [
                {
                    "metadata": _meta(p.name, p.namespace),
                    "spec": {"nodeName": p.node},
                    "status": {"phase": p.doc["status"]["phase"]},
                }
                for p in state.pods.values()
                if not namespace or p.namespace == namespace
            ],
        }
    if parts[:3] == ["apis", "apps", "v1"] and parts[-1] == "deployments":
        return {
            "kind": "DeploymentList",
            "apiVersion": "apps/v1",
            "items": [
                {
                    "metadata": _meta(w.app.name, w.app.namespace),
                    "spec": {"replicas": w.replicas},
                    "status": w.doc["status"],
                }
                for w in state.workloads.values()
                if w.kind == DEPLOYMENT and (not namespace or w.app.namespace == namespace)
            ],
        }
    return None
