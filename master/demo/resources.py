"""Builders of resource dicts shaped as the Go agent sends them, and Go's encodings.

Resources are camelCase inside (`summary`, `spec`, `status`, ...) except the
flat kinds (events, configmaps, replicasets, ...), whose identity is at the top
level, as AGENT_PROTOCOL.md describes. Parts that are the same for every pod of
a workload (ports, env, probes) are shared between the pods' dicts to keep big
simulated clusters cheap; they are never mutated in place.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

from .catalog import App

Doc = dict[str, Any]

# Go's zero `time.Time`, what the agent sends for a time that is not set.
ZERO_TIME = "0001-01-01T00:00:00Z"
# Kubernetes' alphabet for generated name suffixes (no vowels, no confusable digits).
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


def go_time(dt: datetime | None, nanos: int | None = None) -> str:
    """Format `dt` as Go's `time.Time` JSON does (RFC 3339 nano, in dt's own offset).

    `nanos` (0-999999999) replaces the sub-second part, which a datetime only
    has to the microsecond. Go trims trailing zeros of the fraction, drops it
    when zero (Kubernetes times are whole seconds) and writes `Z` for a zero
    offset. None is Go's zero time. A naive datetime is taken as UTC.
    """
    if dt is None:
        return ZERO_TIME
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    ns = dt.microsecond * 1000 if nanos is None else nanos
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if ns:
        text += "." + f"{ns:09d}".rstrip("0")
    offset = dt.utcoffset()
    minutes = int(offset.total_seconds()) // 60 if offset else 0
    if not minutes:
        return text + "Z"
    hours, mins = divmod(abs(minutes), 60)
    return f"{text}{'+' if minutes > 0 else '-'}{hours:02d}:{mins:02d}"


def suffix(rng: random.Random, length: int) -> str:
    """A generated name suffix: 10 chars for a pod-template hash, 5 for a pod."""
    return "".join(rng.choice(_SAFE) for _ in range(length))


def new_uid(rng: random.Random) -> str:
    """A Kubernetes-style UUID drawn from `rng`, so a seed gives the same uids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# -- Pods and their containers --


def container_spec(app: App, image: str) -> Doc:
    """The spec half of a container, shared by every pod of a workload revision."""
    port_name = {"dns": "dns", "db": "postgres", "redis": "redis"}.get(app.logs, "http")
    probe: Doc = {"type": app.probe, "port": app.port}
    if app.probe == "httpGet":
        probe["path"] = "/healthz"
    envs = [
        {"name": "APP_NAME", "value": app.name},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "PORT", "value": str(app.port)},
        {"name": "POD_NAME", "valueFrom": "fieldRef:metadata.name"},
        {"name": "POD_NAMESPACE", "valueFrom": "fieldRef:metadata.namespace"},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.monitoring:4317"},
    ]
    if app.logs == "db":
        envs.append(
            {"name": "POSTGRES_PASSWORD", "valueFrom": "secretKeyRef:postgres-credentials/password"}
        )
    return {
        "name": app.name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": port_name, "containerPort": app.port, "protocol": "TCP"}],
        "envs": envs,
        "volumeMounts": [
            {
                "name": "kube-api-access",
                "readOnly": True,
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
            }
        ],
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
        "livenessProbe": {
            **probe,
            "initialDelaySeconds": 15,
            "periodSeconds": 20,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
        "readinessProbe": {
            **probe,
            "initialDelaySeconds": 5,
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        },
    }


_TOLERATIONS = [
    {
        "key": "node.kubernetes.io/not-ready",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": "node.kubernetes.io/unreachable",
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
]
_VOLUMES = [{"name": "kube-api-access", "type": "Projected"}]


def pod_doc(
    *,
    name: str,
    namespace: str,
    owner_kind: str,
    owner_name: str,
    created: str,
    spec: Doc,
    labels: dict[str, str],
    annotations: dict[str, str],
) -> Doc:
    """A new pod, not yet scheduled: follow with `pod_running` or `pod_pending`."""
    return {
        "summary": {
            "name": name,
            "namespace": namespace,
            "ownerKind": owner_kind,
            "ownerName": owner_name,
            "createdAt": created,
        },
        "spec": {
            "restartPolicy": "Always",
            "serviceAccountName": "default",
            "dnsPolicy": "ClusterFirst",
            "terminationGracePeriodSeconds": 30,
            "tolerations": _TOLERATIONS,
        },
        "status": {
            "phase": "Pending",
            "ready": "0/1",
            "restarts": 0,
            "qosClass": "Burstable",
            "conditions": [
                {"type": "PodScheduled", "status": "False"},
                {"type": "Initialized", "status": "True", "lastTransitionTime": created},
                {"type": "ContainersReady", "status": "False"},
                {"type": "Ready", "status": "False"},
            ],
            "cpuUsage": "0m",
            "memoryUsage": "0Mi",
        },
        "containers": [
            {
                **spec,
                "state": "waiting",
                "stateReason": "ContainerCreating",
                "ready": False,
                "restartCount": 0,
                "startedAt": ZERO_TIME,
                "finishedAt": ZERO_TIME,
            }
        ],
        "volumes": _VOLUMES,
        "labels": labels,
        "annotations": annotations,
    }


def pod_set_ready(pod: Doc, ready: bool, at: str, reason: str = "") -> None:
    """Flip the pod's Ready and ContainersReady conditions and its container's ready flag."""
    status = pod["status"]
    status["ready"] = "1/1" if ready else "0/1"
    for cond in status["conditions"][2:]:  # ContainersReady, Ready
        cond["status"] = "True" if ready else "False"
        cond["lastTransitionTime"] = at
        if ready:
            cond.pop("reason", None)
        else:
            cond["reason"] = reason or "ContainersNotReady"
    pod["containers"][0]["ready"] = ready


def pod_running(
    pod: Doc, *, node: str, pod_ip: str, host_ip: str, at: str, cpu: str, memory: str
) -> None:
    """Schedule the pod on `node` and start its container."""
    pod["summary"]["nodeName"] = node
    status = pod["status"]
    status.update(
        phase="Running",
        podIP=pod_ip,
        podIPs=[pod_ip],
        hostIP=host_ip,
        startTime=at,
        cpuUsage=cpu,
        memoryUsage=memory,
    )
    status.pop("reason", None)
    status.pop("message", None)
    status["conditions"][0] = {"type": "PodScheduled", "status": "True", "lastTransitionTime": at}
    container = pod["containers"][0]
    container.update(state="running", startedAt=at)
    container.pop("stateReason", None)
    container.pop("stateMessage", None)
    pod_set_ready(pod, True, at)


def pod_unschedulable(pod: Doc, message: str, at: str) -> None:
    """Leave a new pod Pending with the scheduler's reason (no node: Go omits nodeName)."""
    status = pod["status"]
    status.update(phase="Pending", reason="Unschedulable", message=message)
    status["conditions"][0] = {
        "type": "PodScheduled",
        "status": "False",
        "reason": "Unschedulable",
        "message": message,
        "lastTransitionTime": at,
    }
    pod["containers"][0].pop("stateReason", None)  # no container status before scheduling
    pod_set_ready(pod, False, at)


def pod_crashed(pod: Doc, *, reason: str, at: str, backoff: int) -> None:
    """Count one more container restart and show it waiting in CrashLoopBackOff."""
    container = pod["containers"][0]
    container["restartCount"] += 1
    pod["status"]["restarts"] += 1
    container.update(
        state="waiting",
        stateReason="CrashLoopBackOff",
        stateMessage=f"back-off {backoff}s restarting failed "
        f"container={container['name']} pod={pod['summary']['name']}",
        lastTerminationReason=reason,
        lastTerminationMessage="exit code 137" if reason == "OOMKilled" else "exit code 1",
        lastTerminationTime=at,
        finishedAt=at,
    )
    if container["ready"]:
        pod_set_ready(pod, False, at)


def pod_recovered(pod: Doc, at: str) -> None:
    """The container stays up again after a crash loop; restarts keep their count."""
    container = pod["containers"][0]
    container.update(state="running", startedAt=at, finishedAt=ZERO_TIME)
    container.pop("stateReason", None)
    container.pop("stateMessage", None)
    pod_set_ready(pod, True, at)


def pod_completed(pod: Doc, at: str) -> None:
    """A job's pod that ran to completion."""
    pod["spec"]["restartPolicy"] = "Never"
    pod["status"].update(phase="Succeeded", cpuUsage="0m", memoryUsage="0Mi")
    container = pod["containers"][0]
    container.update(state="terminated", stateReason="Completed", finishedAt=at)
    pod_set_ready(pod, False, at, reason="PodCompleted")


# -- Nodes --


def node_doc(
    *,
    name: str,
    roles: list[str],
    created: str,
    ip: str,
    index: int,
    cpu: int,
    memory_gi: int,
    zone: str,
) -> Doc:
    """A Ready, schedulable node; control-plane nodes carry the NoSchedule taint."""
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "topology.kubernetes.io/zone": zone,
        "node.kubernetes.io/instance-type": f"m6i.{cpu}x",
    }
    labels.update({f"node-role.kubernetes.io/{role}": "" for role in roles})
    taints = (
        [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
        if "control-plane" in roles
        else []
    )
    resources = {
        "cpu": str(cpu),
        "memory": f"{memory_gi}Gi",
        "pods": "110",
        "ephemeral-storage": "100Gi",
    }
    return {
        "summary": {
            "name": name,
            "roles": roles,
            "ready": "True",
            "schedulable": True,
            "createdAt": created,
            "kubeletVersion": "v1.29.4",
            "containerRuntime": "containerd://1.7.13",
            "osImage": "Ubuntu 22.04.4 LTS",
            "kernelVersion": "5.15.0-105-generic",
            "architecture": "amd64",
            "internalIP": ip,
            "podCIDR": f"10.244.{index}.0/24",
        },
        "spec": {
            "unschedulable": False,
            "podCIDR": f"10.244.{index}.0/24",
            "taints": taints,
            "providerID": f"aws:///{zone}/i-0{index:03d}{name.encode().hex()[:12]}",
        },
        "capacity": resources,
        "allocatable": {
            **resources,
            "cpu": f"{cpu * 1000 - 100}m",
            "memory": f"{memory_gi * 1024 - 512}Mi",
        },
        "conditions": [
            {
                "type": kind,
                "status": "False",
                "reason": reason,
                "lastTransitionTime": created,
                "message": f"kubelet has {message}",
            }
            for kind, reason, message in (
                ("MemoryPressure", "KubeletHasSufficientMemory", "sufficient memory available"),
                ("DiskPressure", "KubeletHasNoDiskPressure", "no disk pressure"),
                ("PIDPressure", "KubeletHasSufficientPID", "sufficient PID available"),
            )
        ]
        + [
            {
                "type": "Ready",
                "status": "True",
                "reason": "KubeletReady",
                "lastTransitionTime": created,
                "message": "kubelet is posting ready status",
            }
        ],
        "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
        "labels": labels,
    }


def node_ready(node: Doc, ready: str, at: str) -> None:
    """Set the Ready condition ("True", "False" or "Unknown") as the node controller does."""
    node["summary"]["ready"] = ready
    cond = node["conditions"][-1]
    cond.update(status=ready, lastTransitionTime=at)
    if ready == "True":
        cond.update(reason="KubeletReady", message="kubelet is posting ready status")
    elif ready == "Unknown":
        cond.update(reason="NodeStatusUnknown", message="Kubelet stopped posting node status.")
    else:
        cond.update(reason="KubeletNotReady", message="container runtime network not ready")


def node_schedulable(node: Doc, schedulable: bool) -> None:
    """Cordon or uncordon: the flag and the taint kubectl adds."""
    node["summary"]["schedulable"] = schedulable
    spec = node["spec"]
    spec["unschedulable"] = not schedulable
    taints = [t for t in spec["taints"] if t["key"] != "node.kubernetes.io/unschedulable"]
    if not schedulable:
        taints.append({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"})
    spec["taints"] = taints
