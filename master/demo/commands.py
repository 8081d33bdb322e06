"""Operator commands against a simulated cluster, answered as the Go agent answers them.

`execute` takes the wire command (`id`, `action`, `target_kind`,
`target_namespace`, `target_name`, `params`) and returns (success, output,
error). Errors read like kubectl's (`deployments.apps "x" not found`), and
numbers in `params` may arrive as floats, since Go decodes JSON numbers as
float64.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec

from . import texts
from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET
from .entities import Node, Pod, Workload
from .state import ClusterState

Result = tuple[bool, str, str]
_MAX_REPLICAS = 1000  # a demo cluster refuses to grow without bound
_MAX_TAIL = 10_000

_ALIASES = {
    "Pod": ("pod", "pods", "po"),
    DEPLOYMENT: ("deployment", "deployments", "deploy", "deployments.apps"),
    STATEFULSET: ("statefulset", "statefulsets", "sts", "statefulsets.apps"),
    DAEMONSET: ("daemonset", "daemonsets", "ds", "daemonsets.apps"),
    "ReplicaSet": ("replicaset", "replicasets", "rs", "replicasets.apps"),
    "Node": ("node", "nodes", "no"),
    "Service": ("service", "services", "svc"),
    "Ingress": ("ingress", "ingresses", "ing"),
    "Namespace": ("namespace", "namespaces", "ns"),
    "ConfigMap": ("configmap", "configmaps", "cm"),
    "Secret": ("secret", "secrets"),
    "Job": ("job", "jobs"),
    "CronJob": ("cronjob", "cronjobs", "cj"),
    "PersistentVolume": ("persistentvolume", "persistentvolumes", "pv"),
    "PersistentVolumeClaim": ("persistentvolumeclaim", "persistentvolumeclaims", "pvc"),
}
_KINDS = {alias: kind for kind, aliases in _ALIASES.items() for alias in aliases}


class CommandError(Exception):
    """A command that cannot run; its message is the error the agent reports."""


@dataclass(frozen=True)
class Target:
    kind: str  # canonical ("Deployment"), or as sent when unknown
    namespace: str
    name: str

    def not_found(self) -> CommandError:
        """kubectl's wording: `deployments.apps "web" not found`."""
        resource = texts.resource_name(self.kind, plural=True)
        return CommandError(f'{resource} "{self.name}" not found')


def execute(state: ClusterState, command: Mapping[str, Any], now: datetime) -> Result:
    """Run one command at `now`; never raises for a bad command, reports it instead."""
    action = command.get("action")
    handler = _HANDLERS.get(action) if isinstance(action, str) else None
    if handler is None:
        return False, "", f"unsupported action: {action}"
    params = command.get("params")
    kind = str(command.get("target_kind") or "")
    target = Target(
        _KINDS.get(kind.lower(), kind),
        str(command.get("target_namespace") or ""),
        str(command.get("target_name") or ""),
    )
    try:
        output = handler(state, target, params if isinstance(params, dict) else {}, now)
    except CommandError as err:
        return False, "", str(err)
    return True, output, ""


# -- lookups and parameters --


def _workload(state: ClusterState, t: Target, kinds: tuple[str, ...], action: str) -> Workload:
    if t.kind not in kinds:
        raise CommandError(f"{action} is not supported for kind {t.kind or '(none)'!r}")
    w = state.workloads.get((t.kind, t.namespace, t.name))
    if w is None:
        raise t.not_found()
    return w


def _pod(state: ClusterState, t: Target, action: str) -> Pod:
    if t.kind not in ("", "Pod"):
        raise CommandError(f"{action} is not supported for kind {t.kind!r}")
    pod = state.pod_names.get((t.namespace, t.name))
    if pod is None:
        raise Target("Pod", t.namespace, t.name).not_found()
    return pod


def _node(state: ClusterState, t: Target, action: str) -> Node:
    if t.kind not in ("", "Node"):
        raise CommandError(f"{action} targets a Node, not {t.kind!r}")
    node = state.nodes.get(t.name)
    if node is None:
        raise Target("Node", "", t.name).not_found()
    return node


def _whole(params: dict[str, Any], name: str, default: int | None = None) -> int:
    """A whole number parameter; Go sends 3.0 for 3, some clients send "3"."""
    value = params.get(name, default)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or (isinstance(value, float) and not value.is_integer())
    ):
        raise CommandError(f"params.{name} must be a whole number, got {value!r}")
    return int(value)


def _text(params: dict[str, Any], name: str, default: str = "") -> str:
    value = params.get(name, default)
    if not isinstance(value, str):
        raise CommandError(f"params.{name} must be a string, got {value!r}")
    return value


# -- the actions --


def _scale(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    w = _workload(state, t, (DEPLOYMENT, STATEFULSET), "scale")
    replicas = _whole(params, "replicas")
    if not 0 <= replicas <= _MAX_REPLICAS:
        raise CommandError(f"params.replicas must be between 0 and {_MAX_REPLICAS}")
    state.scale(w, replicas, now)
    return f"{texts.resource_name(w.kind)}/{w.app.name} scaled"


def _restart(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    w = _workload(state, t, (DEPLOYMENT, STATEFULSET, DAEMONSET), "restart")
    state.rollout(w, now)
    return f"{texts.resource_name(w.kind)}/{w.app.name} restarted"


def _update_image(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    w = _workload(state, t, (DEPLOYMENT, STATEFULSET, DAEMONSET), "update_image")
    image = _text(params, "image").strip()
    if not image:
        raise CommandError("params.image is required")
    container = _text(params, "container", w.container["name"])
    if container != w.container["name"]:
        raise CommandError(f'unable to find container named "{container}"')
    if image != w.container["image"]:
        state.rollout(w, now, image=image)
    return f"{texts.resource_name(w.kind)}/{w.app.name} image updated"


def _delete(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    pod = _pod(state, t, "delete")
    state.replace_pod(pod, now)
    return f'pod "{pod.name}" deleted'


def _cordon(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    node = _node(state, t, "cordon")
    if not node.schedulable:
        return f"node/{node.name} already cordoned"
    state.set_schedulable(node, False, now)
    return f"node/{node.name} cordoned"


def _uncordon(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    node = _node(state, t, "uncordon")
    if node.schedulable:
        return f"node/{node.name} already uncordoned"
    state.set_schedulable(node, True, now)
    return f"node/{node.name} uncordoned"


def _drain(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    """Cordon, then evict every pod but DaemonSet ones; owners re-create them elsewhere."""
    node = _node(state, t, "drain")
    lines = [_cordon(state, t, params, now)]
    on_node = [p for p in state.pods.values() if p.node == node.name]
    kept = [p for p in on_node if p.workload is not None and p.workload.kind == DAEMONSET]
    if kept:
        names = ", ".join(f"{p.namespace}/{p.name}" for p in kept)
        lines.append(f"Warning: ignoring DaemonSet-managed Pods: {names}")
    evicted = [p for p in on_node if p not in kept]
    lines += [f"evicting pod {p.namespace}/{p.name}" for p in evicted]
    for pod in evicted:
        state.replace_pod(pod, now)
    lines += [f"pod/{p.name} evicted" for p in evicted]
    lines.append(f"node/{node.name} drained")
    return "\n".join(lines)


def _get_logs(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    pod = _pod(state, t, "get_logs")
    tail = _whole(params, "tailLines", 100)
    if not 0 < tail <= _MAX_TAIL:
        raise CommandError(f"params.tailLines must be between 1 and {_MAX_TAIL}")
    container = _text(params, "container") or pod.doc["containers"][0]["name"]
    if container not in {c["name"] for c in pod.doc["containers"]}:
        raise CommandError(f"container {container} is not valid for pod {pod.name}")
    if pod.doc["status"]["phase"] == "Pending":
        raise CommandError(
            f'container "{container}" in pod "{pod.name}" is waiting to start: ContainerCreating'
        )
    return texts.logs(state, pod, tail, now)


def _describe(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    text = texts.describe(state, t.kind, t.namespace, t.name, now)
    if text is None:
        raise t.not_found()
    return text


def _get_configmap(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    data = state.configmap_data.get((t.namespace, t.name))
    if data is None:
        raise Target("ConfigMap", t.namespace, t.name).not_found()
    return msgspec.json.format(msgspec.json.encode(data), indent=2).decode()


def _get_secret(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    doc = state.flat["secrets"].get((t.namespace, t.name))
    if doc is None:
        raise Target("Secret", t.namespace, t.name).not_found()
    shown = {
        "name": doc["name"],
        "namespace": doc["namespace"],
        "type": doc["type"],
        "keys": doc["keys"],
    }  # values are never shown, and never simulated
    return msgspec.json.format(msgspec.json.encode(shown), indent=2).decode()


def _dynamic(state: ClusterState, t: Target, params: dict[str, Any], now: datetime) -> str:
    path = _text(params, "path")
    if not path.startswith("/"):
        raise CommandError("params.path must be an API path starting with /")
    body = texts.dynamic(state, path.split("?", 1)[0].rstrip("/") or "/")
    if body is None:
        raise CommandError("the server could not find the requested resource")
    return msgspec.json.encode(body).decode()


_Handler = Callable[[ClusterState, Target, dict[str, Any], datetime], str]
_HANDLERS: dict[str, _Handler] = {
    "scale": _scale,
    "restart": _restart,
    "update_image": _update_image,
    "delete": _delete,
    "delete_pod": _delete,
    "cordon": _cordon,
    "uncordon": _uncordon,
    "drain": _drain,
    "get_logs": _get_logs,
    "describe": _describe,
    "get_configmap": _get_configmap,
    "get_secret": _get_secret,
    "dynamic": _dynamic,
}
