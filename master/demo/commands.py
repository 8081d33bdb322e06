"""Operator commands against a simulated cluster, executed as the Go agent executes them.

`execute` takes the wire command (`id`, `action`, `target_kind`,
`target_namespace`, `target_name`, `params`) and returns (success, output,
error), following `service/command_service.go` of Agent V2: nine actions;
`scale`, `restart` and `update_image` act on the Deployment of that name
whatever the kind says; `delete` deletes Pods only; only `get_logs`,
`get_configmap` and `get_secret` have output. Errors read like the
agent's and the API server's (`deployments.apps "x" not found`), and params
are decoded into typed fields as Go decodes them (3.0 is 3, 3.5 fails).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import msgspec

from . import texts
from .catalog import DEPLOYMENT
from .entities import Node, Pod, Workload
from .state import ClusterState

Result = tuple[bool, str, str]
_MAX_REPLICAS = 1000  # a demo cluster refuses to grow without bound, as a quota would
_WHOLE_LOG = 2000  # lines a log without tailLines has (the agent fetches all of it)
_RANGES = {"int32": 2**31, "int64": 2**63}


class CommandError(Exception):
    """A command that failed; its message is the error the agent reports."""


def execute(state: ClusterState, command: Mapping[str, Any], now: datetime) -> Result:
    """Run one command at `now`; never raises for a bad command, reports it instead."""
    action = command.get("action")
    handler = _HANDLERS.get(action) if isinstance(action, str) else None
    if handler is None:
        return False, "", f"unknown action: {action}"
    params = command.get("params")
    target = _Target(
        str(command.get("target_kind") or ""),
        str(command.get("target_namespace") or ""),
        str(command.get("target_name") or ""),
    )
    try:
        output = handler(state, target, params if isinstance(params, dict) else {}, now)
    except CommandError as err:
        return False, "", str(err)
    return True, output, ""


class _Target:
    def __init__(self, kind: str, namespace: str, name: str) -> None:
        self.kind, self.namespace, self.name = kind, namespace, name


def _typed(action: str, params: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """`parseParams`: the params decoded into the action's typed Go fields."""
    out: dict[str, Any] = {}
    for name, go_type in fields.items():
        value = params.get(name)
        if value is None:
            continue
        wrong = f"invalid {action} params: json: cannot unmarshal"
        if go_type in _RANGES:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise CommandError(f"{wrong} {type(value).__name__} into .{name} of type {go_type}")
            if not float(value).is_integer() or not -_RANGES[go_type] <= value < _RANGES[go_type]:
                raise CommandError(f"{wrong} number {value} into .{name} of type {go_type}")
            out[name] = int(value)
        elif not isinstance(value, bool if go_type == "bool" else str):
            raise CommandError(f"{wrong} {type(value).__name__} into .{name} of type {go_type}")
        else:
            out[name] = value
    return out


def _deployment(state: ClusterState, t: _Target) -> Workload:
    w = state.workloads.get((DEPLOYMENT, t.namespace, t.name))
    if w is None:
        raise CommandError(f'deployments.apps "{t.name}" not found')
    return w


def _pod(state: ClusterState, t: _Target) -> Pod:
    pod = state.pod_names.get((t.namespace, t.name))
    if pod is None:
        raise CommandError(f'pods "{t.name}" not found')
    return pod


def _node(state: ClusterState, t: _Target) -> Node:
    node = state.nodes.get(t.name)
    if node is None:
        raise CommandError(f'nodes "{t.name}" not found')
    return node


# -- the actions --


def _scale(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    replicas = _typed("scale", params, {"replicas": "int32"}).get("replicas", 0)
    w = _deployment(state, t)
    if not 0 <= replicas <= _MAX_REPLICAS:
        raise CommandError(
            f'deployments.apps "{t.name}" is forbidden: exceeded quota: demo, '
            f"requested: replicas={replicas}, limited: replicas={_MAX_REPLICAS}"
        )
    state.scale(w, replicas, now)
    return ""


def _restart(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    state.rollout(_deployment(state, t), now)
    return ""


def _update_image(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    typed = _typed("update_image", params, {"container": "string", "image": "string"})
    image = typed.get("image", "")
    if not image:
        raise CommandError("image is required")
    w = _deployment(state, t)
    container = typed.get("container") or w.container["name"]
    if container != w.container["name"]:
        raise CommandError(f"container {container} not found in deployment {t.name}")
    if image != w.container["image"]:
        state.rollout(w, now, image=image)
    return ""


def _delete(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    _typed("delete", params, {"gracePeriodSeconds": "int64", "force": "bool"})
    if t.kind != "Pod":
        raise CommandError("not implemented")
    state.replace_pod(_pod(state, t), now)
    return ""


def _cordon(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    node = _node(state, t)
    if node.schedulable:
        state.set_schedulable(node, False, now)
    return ""


def _uncordon(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    node = _node(state, t)
    if not node.schedulable:
        state.set_schedulable(node, True, now)
    return ""


def _get_logs(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    typed = _typed(
        "log",
        params,
        {
            "container": "string",
            "tailLines": "int64",
            "sinceSeconds": "int64",
            "timestamps": "bool",
            "previous": "bool",
        },
    )
    pod = _pod(state, t)
    names = [c["name"] for c in pod.doc["containers"]]
    container = typed.get("container") or names[0]
    if container not in names:
        raise CommandError(f"container {container} is not valid for pod {t.name}")
    if pod.doc["status"]["phase"] == "Pending":
        raise CommandError(
            f'container "{container}" in pod "{t.name}" is waiting to start: ContainerCreating'
        )
    tail = typed.get("tailLines", 0)
    return texts.logs(state, pod, tail if tail > 0 else _WHOLE_LOG, now)


def _data(kind: str, data: Mapping[str, str] | None, t: _Target) -> str:
    if not t.namespace or not t.name:
        raise CommandError("namespace and name are required")
    if data is None:
        raise CommandError(f'{kind} "{t.name}" not found')
    # Go's json.Marshal of a map[string]string: keys sorted, HTML characters escaped.
    body = msgspec.json.encode(dict(sorted(data.items())))
    for raw, escaped in ((b"<", b"\\u003c"), (b">", b"\\u003e"), (b"&", b"\\u0026")):
        body = body.replace(raw, escaped)
    return body.decode()


def _get_configmap(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    return _data("configmaps", state.configmap_data.get((t.namespace, t.name)), t)


def _get_secret(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    doc = state.flat["secrets"].get((t.namespace, t.name))
    # The agent returns the decoded values; a demo cluster has none worth keeping secret.
    values = {key: f"demo-{key}" for key in doc.get("data_keys", ())} if doc else None
    return _data("secrets", values, t)


def _dynamic(state: ClusterState, t: _Target, params: dict[str, Any], now: datetime) -> str:
    if not _typed("dynamic", params, {"path": "string"}).get("path"):
        raise CommandError("path is required")
    raise CommandError("not implemented")


_Handler = Callable[[ClusterState, _Target, dict[str, Any], datetime], str]
_HANDLERS: dict[str, _Handler] = {
    "scale": _scale,
    "restart": _restart,
    "update_image": _update_image,
    "get_logs": _get_logs,
    "get_configmap": _get_configmap,
    "get_secret": _get_secret,
    "dynamic": _dynamic,
    "delete": _delete,
    "cordon": _cordon,
    "uncordon": _uncordon,
}
