"""Requests exactly as the Go Agent V2 sends them, and Go-encoded snapshot bodies."""

from __future__ import annotations

import gzip
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import msgspec

ZERO_TIME = "0001-01-01T00:00:00Z"


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
    return {
        "summary": {
            "name": name,
            "namespace": namespace,
            "nodeName": node,
            "ownerKind": owner[0],
            "ownerName": owner[1],
            "createdAt": ZERO_TIME,
        },
        "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]},
        "status": {"phase": phase, "restarts": restarts, "podIP": "10.0.0.1"},
        "labels": labels if labels is not None else {"app": name.split("-")[0]},
        "annotations": None,
    }


def node(name: str, *, ready: str = "True", schedulable: bool = True) -> dict[str, Any]:
    return {
        "summary": {"name": name, "ready": ready, "schedulable": schedulable},
        "labels": {"kubernetes.io/hostname": name},
    }


def deployment(
    name: str, *, namespace: str = "default", replicas: int = 2, ready: int = 2
) -> dict[str, Any]:
    return {
        "summary": {
            "name": name,
            "namespace": namespace,
            "replicas": replicas,
            "ready": ready,
            "available": ready,
        },
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
    host: str = "node-1",
) -> dict[str, Any]:
    return {
        "uid": uid,
        "name": f"{name}.{uid}",
        "namespace": namespace,
        "kind": "Event",
        "type": type,
        "reason": reason,
        "message": f"{reason} on {name}",
        "source": "kubelet",
        "source_host": host,
        "involved_object": {"kind": kind, "namespace": namespace, "name": name, "uid": "u-" + name},
        "count": count,
        "first_timestamp": first,
        "last_timestamp": last,
    }


def snapshot(cluster_id: str = "c1", **overrides: Any) -> dict[str, Any]:
    """A small Go-shaped snapshot: null for empty lists, nano timestamps, the agent's summary."""
    body: dict[str, Any] = {
        "cluster_id": cluster_id,
        "fetched_at": "2026-01-18T10:00:03.123456789+09:00",
        "pods": [
            pod("web-5d9c7b8f6d-abcde"),
            pod("web-5d9c7b8f6d-fghij", node="node-2"),
            pod(
                "db-0",
                phase="Pending",
                owner=("StatefulSet", "db"),
                labels={"app": "db", "tier": "data"},
            ),
        ],
        "deployments": [deployment("web")],
        "statefulsets": None,
        "daemonsets": None,
        "replicasets": [
            {
                "name": "web-5d9c7b8f6d",
                "namespace": "default",
                "uid": "rs1",
                "kind": "ReplicaSet",
                "owner_kind": "Deployment",
                "owner_name": "web",
            }
        ],
        "jobs": None,
        "cronjobs": None,
        "services": [{"summary": {"name": "web", "namespace": "default", "type": "ClusterIP"}}],
        "ingresses": None,
        "namespaces": [{"summary": {"name": "default"}, "status": {"phase": "Active"}}],
        "configmaps": [
            {"name": "web-config", "namespace": "default", "uid": "cm1", "kind": "ConfigMap"}
        ],
        "secrets": None,
        "resourceQuotas": None,
        "limitRanges": None,
        "networkPolicies": None,
        "serviceAccounts": None,
        "pvs": None,
        "pvcs": None,
        "nodes": [node("node-1"), node("node-2", ready="False")],
        "events": [event("e1"), event("e2", reason="Scheduled", type="Normal", last=ZERO_TIME)],
        "summary": {"total_nodes": 99, "ready_nodes": 99, "total_pods": 99},
    }
    body.update(overrides)
    return body


def gzip_json(obj: Any) -> bytes:
    return gzip.compress(msgspec.json.encode(obj))


class GoAgent:
    """One cluster's agent: the four calls with the Go agent's headers and bodies."""

    def __init__(self, client: httpx.AsyncClient, cluster_id: str) -> None:
        self.client = client
        self.cluster_id = cluster_id

    @classmethod
    @asynccontextmanager
    async def open(cls, master_url: str, cluster_id: str) -> AsyncIterator[GoAgent]:
        async with httpx.AsyncClient(base_url=master_url, timeout=90) as client:
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

    async def poll(self) -> dict[str, Any] | None:
        r = await self.client.get(
            "/agent/commands",
            params={"cluster_id": self.cluster_id},
            headers={"X-Cluster-ID": self.cluster_id},
        )
        assert r.status_code in (200, 204), r.text
        if r.status_code == 204 or not r.json()["has_command"]:
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
        return await self.client.post(
            "/agent/result",
            content=msgspec.json.encode(body),
            headers={"Content-Type": "application/json", "X-Cluster-ID": self.cluster_id},
        )
