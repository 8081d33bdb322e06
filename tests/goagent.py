"""Requests exactly as the Go Agent V2 sends them, its snapshot shapes, and how it reads
a poll answer and a command's parameters; `LaterAgent`, the same for the later agent
(68cc533): its spelling, its two topic polls, its results."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx
import msgspec

from .agent_v3.spelling import later_spelling
from .http import TLS

ZERO_TIME = "0001-01-01T00:00:00Z"
CREATED = "2026-01-17T09:00:00+09:00"  # a Kubernetes creation time, as the agent writes it

# Helpers below write the agent's model_v2 shapes by hand (Go's field order and
# omitempty), so tests can also feed values no agent sends (a hostile count);
# `test_shapes` checks them against `agent_v2.layout`; `agent_v2.golden` has every kind.


def pod(
    name: str,
    *,
    namespace: str = "default",
    phase: str = "Running",
    node: str = "node-1",
    owner: tuple[str, str] = ("ReplicaSet", "web-5d9c7b8f6d"),
    restarts: int = 0,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    running = phase == "Running"
    summary: dict[str, Any] = {"name": name, "namespace": namespace}
    if node:
        summary["nodeName"] = node
    if owner[0]:
        summary.update(ownerKind=owner[0], ownerName=owner[1])
    summary.update(createdAt=CREATED, age="1d")
    status: dict[str, Any] = {"phase": phase, "ready": "1/1" if running else "0/1"}
    status["restarts"] = restarts
    if running:
        status["podIP"] = "10.0.0.1"
    container: dict[str, Any] = {"name": "app", "image": "nginx:1.27"}
    container.update(
        state="running" if running else "waiting", ready=running, restartCount=restarts
    )
    doc: dict[str, Any] = {
        "summary": summary,
        "spec": {"restartPolicy": "Always"},
        "status": status,
        "containers": [container],
    }
    labels = labels if labels is not None else {"app": name.split("-")[0]}
    if labels:
        doc["labels"] = labels
    return doc


def node(name: str, *, ready: str = "True", schedulable: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {"unschedulable": True} if not schedulable else {}
    return {
        "summary": {
            "name": name,
            "roles": ["worker"],
            "ready": ready,
            "schedulable": schedulable,
            "age": "30d",
            "creationTime": CREATED,
        },
        "spec": spec,
        "capacity": {"cpu": "4", "memory": "16Gi", "pods": "110"},
        "allocatable": {"cpu": "3900m", "memory": "15Gi", "pods": "110"},
        "addresses": {"hostname": name, "internalIP": "10.0.1.1"},
        "info": {"osImage": "Ubuntu 22.04.4 LTS", "kubeletVersion": "v1.29.4"},
        "labels": {"kubernetes.io/hostname": name},
    }


def deployment(
    name: str, *, namespace: str = "default", replicas: int = 2, ready: int = 2
) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "name": name,
        "namespace": namespace,
        "strategy": "RollingUpdate",
        "replicas": replicas,
        "updated": ready,
        "ready": ready,
        "available": ready,
    }
    if replicas > ready:
        summary["unavailable"] = replicas - ready
    summary.update(createdAt=CREATED, age="1d", selector=f"app={name}")
    status: dict[str, Any] = {"replicas": replicas}
    if ready:
        status.update(updatedReplicas=ready, readyReplicas=ready, availableReplicas=ready)
    return {
        "summary": summary,
        "spec": {"replicas": replicas},
        "template": {
            "labels": {"app": name},
            "containers": [{"name": name, "image": f"ghcr.io/acme/{name}:1.0"}],
        },
        "status": status,
        "labels": {"app": name},
    }


def event(
    uid: str,
    *,
    reason: str = "BackOff",
    type: str = "Warning",
    count: int = 1,
    kind: str = "Pod",
    name: str = "web-5d9c7b8f6d-abcde",
    namespace: str = "default",
    last: str = "2026-01-18T10:00:03.123456789+09:00",
    first: str = ZERO_TIME,
    created: str = "2026-01-18T09:58:00+09:00",
) -> dict[str, Any]:
    involved: dict[str, Any] = {"kind": kind}
    if namespace:
        involved["namespace"] = namespace
    involved.update(name=name, uid="u-" + name)
    return {
        "uid": uid,
        "name": f"{name}.{uid}",
        "namespace": namespace or "default",
        "kind": "Event",
        "created_at": created,
        "type": type,
        "reason": reason,
        "message": f"{reason} on {name}",
        "source": "kubelet",
        "involved_object": involved,
        "count": count,
        "first_timestamp": first,
        "last_timestamp": last,
    }


NAMESPACE_RESOURCES = (
    "pods podsRunning podsPending podsFailed podsSucceeded deployments statefulSets daemonSets"
    " replicaSets jobs cronJobs services ingresses networkPolicies configMaps secrets"
    " serviceAccounts pvcs"
).split()


def namespace_resources(**counts: int) -> dict[str, int]:
    """A namespace's 18 counts in the agent's order, zero unless given."""
    return {key: counts.get(key, 0) for key in NAMESPACE_RESOURCES}


def _flat(kind: str, name: str, uid: str, **fields: Any) -> dict[str, Any]:
    return {"uid": uid, "name": name, "namespace": "default", "kind": kind, **fields}


def snapshot(cluster_id: str = "c1", **overrides: Any) -> dict[str, Any]:
    """A small snapshot in the agent's shapes, its own summary included (as a real agent
    computes it for these lists; `overrides` replace lists or the summary as given)."""
    pods = [
        pod("web-5d9c7b8f6d-abcde"),
        pod("web-5d9c7b8f6d-fghij", node="node-2"),
        pod("db-0", phase="Pending", node="", owner=("StatefulSet", "db")),
    ]
    pods[2]["labels"] = {"app": "db", "tier": "data"}
    body: dict[str, Any] = {
        "cluster_id": cluster_id,
        "fetched_at": "2026-01-18T10:00:03.123456789+09:00",
        "pods": pods,
        "deployments": [deployment("web")],
        "statefulsets": [],
        "daemonsets": [],
        "replicasets": [
            _flat(
                "ReplicaSet",
                "web-5d9c7b8f6d",
                "rs1",
                owner_kind="Deployment",
                owner_name="web",
                created_at=CREATED,
                replicas=2,
                ready_replicas=2,
                available_replicas=2,
            )
        ],
        "services": [
            {
                "summary": {
                    "name": "web",
                    "namespace": "default",
                    "type": "ClusterIP",
                    "createdAt": CREATED,
                    "age": "1d",
                    "portsCount": 1,
                    "hasSelector": True,
                    "clusterIP": "10.96.0.10",
                },
                "spec": {"type": "ClusterIP"},
                "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": "8080"}],
                "selector": {"app": "web"},
                "network": {"clusterIPs": ["10.96.0.10"]},
            }
        ],
        "ingresses": [],
        "namespaces": [
            {
                "summary": {"name": "default", "createdAt": CREATED, "age": "30d"},
                "status": {"phase": "Active"},
                "resources": namespace_resources(
                    pods=3,
                    podsRunning=2,
                    podsPending=1,
                    deployments=1,
                    replicaSets=1,
                    services=1,
                    configMaps=1,
                ),
            }
        ],
        "configmaps": [
            _flat("ConfigMap", "web-config", "cm1", created_at=CREATED, data_keys=["app.yaml"])
        ],
        "nodes": [node("node-1"), node("node-2", ready="False")],
        "events": [event("e1"), event("e2", reason="Scheduled", type="Normal", last=ZERO_TIME)],
    }
    summary = agent_summary(body)
    body.update(overrides)
    if "summary" not in overrides:
        try:
            summary = agent_summary(body)
        except (AttributeError, TypeError, KeyError):
            pass  # lists no agent sends (hostile tests): the summary of the usual ones
        body["summary"] = summary
    return body


def agent_summary(body: dict[str, Any]) -> dict[str, int]:
    """The agent's `generateSummary` over a snapshot body (JSON keys)."""

    def items(key: str) -> list[dict[str, Any]]:
        return body.get(key) or []

    phases = [p.get("status", {}).get("phase") for p in items("pods")]
    deployments = [d.get("summary", {}) for d in items("deployments")]
    return {
        "total_nodes": len(items("nodes")),
        "ready_nodes": sum(1 for n in items("nodes") if n["summary"].get("ready") == "True"),
        "total_pods": len(phases),
        "running_pods": phases.count("Running"),
        "pending_pods": phases.count("Pending"),
        "failed_pods": phases.count("Failed"),
        "total_deployments": len(deployments),
        "healthy_deployments": sum(
            1 for s in deployments if s.get("ready") == s.get("replicas") and s["replicas"] > 0
        ),
        "total_statefulsets": len(items("statefulsets")),
        "total_daemonsets": len(items("daemonsets")),
        "total_services": len(items("services")),
        "total_ingresses": len(items("ingresses")),
        "total_namespaces": len(items("namespaces")),
        "total_events": len(items("events")),
        "warning_events": sum(1 for e in items("events") if e.get("type") == "Warning"),
    }


def gzip_json(obj: Any) -> bytes:
    return gzip.compress(msgspec.json.encode(obj))


# -- the poll answer as the agent reads it (gateway/master_gateway.go, command_service.go) --


class AgentCommand(msgspec.Struct):
    """`commandInfo`: a key of the wrong JSON type fails the whole decode, as in Go."""

    id: str
    action: str
    target_kind: str = ""
    target_namespace: str = ""
    target_name: str = ""
    params: dict[str, Any] | None = None


class _PollAnswer(msgspec.Struct):
    has_command: bool = False
    command: AgentCommand | None = None


def decode_poll(body: bytes) -> AgentCommand | None:
    """What the agent makes of a poll answer; raises msgspec errors where Go's decode fails."""
    answer = msgspec.json.decode(body, type=_PollAnswer, strict=True)
    return answer.command if answer.has_command else None


# The typed fields each action decodes its params into (Go type by name).
AGENT_PARAMS: dict[str, dict[str, str]] = {
    "scale": {"replicas": "int32"},
    "update_image": {"container": "string", "image": "string"},
    "get_logs": {
        "container": "string",
        "tailLines": "int64",
        "sinceSeconds": "int64",
        "timestamps": "bool",
        "previous": "bool",
    },
    "delete": {"gracePeriodSeconds": "int64", "force": "bool"},
}
_RANGES = {"int32": 2**31, "int64": 2**63}


def agent_params(action: str, params: dict[str, Any] | None) -> dict[str, Any]:
    """`parseParams`: the params (float64 numbers) re-encoded by Go and decoded into the
    action's typed struct. Unknown keys are ignored; raises ValueError where Go fails."""
    typed: dict[str, Any] = {}
    for name, go_type in AGENT_PARAMS.get(action, {}).items():
        value = (params or {}).get(name)
        if value is None:
            continue
        if go_type in _RANGES:
            number = float(value) if isinstance(value, int | float) else None
            if (
                isinstance(value, bool)
                or number is None
                or not number.is_integer()
                or abs(number) >= 1e21  # Go writes these with an exponent: no int decodes it
                or not -_RANGES[go_type] <= number < _RANGES[go_type]
            ):
                raise ValueError(f"cannot unmarshal {value!r} into {name} of type {go_type}")
            typed[name] = int(number)
        elif not isinstance(value, bool if go_type == "bool" else str):
            raise ValueError(f"cannot unmarshal {value!r} into {name} of type {go_type}")
        else:
            typed[name] = value
    return typed


class GoAgent:
    """One cluster's agent: the four calls with the Go agent's headers and bodies."""

    def __init__(self, client: httpx.AsyncClient, cluster_id: str) -> None:
        self.client = client
        self.cluster_id = cluster_id

    @classmethod
    @asynccontextmanager
    async def open(cls, master_url: str, cluster_id: str) -> AsyncIterator[GoAgent]:
        async with httpx.AsyncClient(verify=TLS, base_url=master_url, timeout=90) as client:
            yield cls(client, cluster_id)

    async def heartbeat(self) -> httpx.Response:
        # No body at all: no Content-Type, Content-Length 0.
        return await self.client.post("/agent/heartbeat", headers={"X-Cluster-ID": self.cluster_id})

    async def push(self, body: bytes, **headers: str) -> httpx.Response:
        return await self.client.post(
            "/agent/snapshot",
            content=body,
            headers={
                "Content-Type": "application/json",
                "Content-Encoding": "gzip",
                "X-Cluster-ID": self.cluster_id,
                **headers,
            },
        )

    async def snapshot(self, **overrides: Any) -> httpx.Response:
        return await self.push(gzip_json(snapshot(self.cluster_id, **overrides)))

    async def poll_raw(self) -> httpx.Response:
        return await self.client.get(
            "/agent/commands",
            params={"cluster_id": self.cluster_id},
            headers={"X-Cluster-ID": self.cluster_id},
        )

    async def poll(self) -> dict[str, Any] | None:
        return self.command_of(await self.poll_raw(), decode_poll)

    @staticmethod
    def command_of(r: httpx.Response, decode: Callable[[bytes], object]) -> dict[str, Any] | None:
        """The command a poll answer carries (its wire keys), None when it carries none."""
        assert r.status_code in (200, 204), r.text
        if r.status_code == 204 or decode(r.content) is None:
            return None
        command: dict[str, Any] = r.json()["command"]
        return command

    async def result(
        self,
        command_id: str,
        *,
        success: bool = True,
        output: str = "",
        error: str = "",
        executed_at: str = "2026-01-18T10:00:03.123456789+09:00",
    ) -> httpx.Response:
        body: dict[str, Any] = {
            "command_id": command_id,
            "success": success,
            "executed_at": executed_at,
        }
        if output:
            body["output"] = output
        if error:
            body["error"] = error
        return await self.post_result(body)

    async def post_result(self, body: dict[str, Any]) -> httpx.Response:
        return await self.client.post(
            "/agent/result",
            content=msgspec.json.encode(body),
            headers={"Content-Type": "application/json", "X-Cluster-ID": self.cluster_id},
        )


# -- the later agent (68cc533): the same calls in its own dialect --------------------------


class LaterCommand(msgspec.Struct):
    """`model_v3` Command as the later agent decodes it: a key of the wrong JSON type, or a
    `createdAt` that is not RFC 3339, fails the whole decode, as in Go."""

    id: str
    clusterId: str = ""  # noqa: N815 (the wire's spelling)
    action: str = ""
    kind: str = ""
    namespace: str = ""
    name: str = ""
    params: dict[str, Any] | None = None
    source: str = ""
    createdBy: str = ""  # noqa: N815
    createdAt: datetime | None = None  # noqa: N815


class _LaterPollAnswer(msgspec.Struct):
    hasCommand: bool = False  # noqa: N815
    command: LaterCommand | None = None


def decode_later_poll(body: bytes) -> LaterCommand | None:
    """What the later agent makes of a poll answer; raises msgspec errors where Go's fails."""
    answer = msgspec.json.decode(body, type=_LaterPollAnswer, strict=True)
    return answer.command if answer.hasCommand else None


class LaterAgent(GoAgent):
    """One cluster's later agent: snapshots in its spelling, polls with `topic`, its results."""

    async def snapshot(self, **overrides: Any) -> httpx.Response:
        return await self.push(gzip_json(later_spelling(snapshot(self.cluster_id, **overrides))))

    async def poll_raw(self, topic: str | None = "ops") -> httpx.Response:
        params = {"cluster_id": self.cluster_id} | ({"topic": topic} if topic else {})
        return await self.client.get(
            "/agent/commands", params=params, headers={"X-Cluster-ID": self.cluster_id}
        )

    async def poll(self, topic: str = "ops") -> dict[str, Any] | None:  # type: ignore[override]
        """The command as the later agent reads it (its wire keys), None when there is none."""
        return self.command_of(await self.poll_raw(topic), decode_later_poll)

    async def result(
        self,
        command_id: str,
        *,
        success: bool = True,
        output: str = "",
        error: str = "",
        executed_at: str = "2026-04-20T10:16:00.523456789+09:00",
        exec_time: int = 48_213_377,
    ) -> httpx.Response:
        body: dict[str, Any] = {"commandId": command_id, "success": success}
        if output:
            body["output"] = output
        if error:
            body["error"] = error
        if exec_time:
            body["execTime"] = exec_time
        body["executedAt"] = executed_at
        return await self.post_result(body)
