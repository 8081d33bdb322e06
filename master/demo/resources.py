"""Pods and nodes as the Go agent sends them (model_v2 `Pod`, `Node`), and Go's encodings.

Every dict keeps its keys in the Go struct's field order and leaves out what
Go's omitempty leaves out, so a snapshot encodes to the bytes the agent would
send (`cluster.go_json`). Changes go through `put`, which keeps that order.
Parts that are the same for every pod of a workload (ports, env, probes) are
shared between the pods' dicts to keep big simulated clusters cheap; they are
never mutated in place.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
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


def age(delta: timedelta) -> str:
    """The agent's `formatDuration`: whole days, else hours, else minutes ("0m")."""
    seconds = delta.total_seconds()
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "0m"


def put(doc: Doc, order: tuple[str, ...], **changes: Any) -> None:
    """Apply `changes` to `doc` in place, its keys in Go's `order`; None drops a key
    (what omitempty does with an empty value)."""
    merged = {**doc, **changes}
    doc.clear()
    doc.update((key, merged[key]) for key in order if merged.get(key) is not None)


def gomap(values: dict[str, str]) -> dict[str, str]:
    """A map as Go writes it: keys sorted."""
    return dict(sorted(values.items()))


def suffix(rng: random.Random, length: int) -> str:
    """A generated name suffix: 10 chars for a pod-template hash, 5 for a pod."""
    return "".join(rng.choice(_SAFE) for _ in range(length))


def new_uid(rng: random.Random) -> str:
    """A Kubernetes-style UUID drawn from `rng`, so a seed gives the same uids."""
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


# -- containers --

CONTAINER = (
    "name image imagePullPolicy ports envs volumeMounts requests limits livenessProbe"
    " readinessProbe startupProbe command args workingDir"
).split()
POD_CONTAINER = (
    "name image imagePullPolicy command args workingDir ports envs volumeMounts requests limits"
    " livenessProbe readinessProbe startupProbe state stateReason stateMessage ready restartCount"
    " lastTerminationReason lastTerminationMessage lastTerminationTime"
).split()


def container_spec(app: App, image: str) -> Doc:
    """A template's container (`ContainerDetail`), shared by every pod of a revision."""
    port_name = {"dns": "dns", "db": "postgres", "redis": "redis"}.get(app.logs, "http")
    probe: Doc = {"type": app.probe}
    if app.probe == "httpGet":
        probe["path"] = "/healthz"
    probe["port"] = app.port
    envs = [
        {"name": "APP_NAME", "value": app.name},
        {"name": "LOG_LEVEL", "value": "info"},
        {"name": "PORT", "value": str(app.port)},
        {"name": "POD_NAME", "valueFrom": "field:metadata.name"},
        {"name": "POD_NAMESPACE", "valueFrom": "field:metadata.namespace"},
        {"name": "OTEL_EXPORTER_OTLP_ENDPOINT", "value": "http://otel-collector.monitoring:4317"},
    ]
    if app.logs == "db":
        envs.append({"name": "POSTGRES_PASSWORD", "valueFrom": "secret:postgres-credentials"})
    timings = {"periodSeconds": 10, "timeoutSeconds": 1, "successThreshold": 1}
    return {
        "name": app.name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": port_name, "containerPort": app.port, "protocol": "TCP"}],
        "envs": envs,
        "volumeMounts": [
            {
                "name": "kube-api-access",
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "readOnly": True,
            }
        ],
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
        "livenessProbe": {
            **probe,
            "initialDelaySeconds": 15,
            **timings,
            "periodSeconds": 20,
            "failureThreshold": 3,
        },
        "readinessProbe": {**probe, "initialDelaySeconds": 5, **timings, "failureThreshold": 3},
    }


def set_container(pod: Doc, **changes: Any) -> None:
    """Change the pod's container status fields (`PodContainerDetail`), in Go's order."""
    container = dict(pod["containers"][0])
    put(container, tuple(POD_CONTAINER), **changes)
    pod["containers"][0] = container


# -- pods --

POD_SUMMARY = ("name", "namespace", "nodeName", "ownerKind", "ownerName", "createdAt", "age")
POD_STATUS = (
    "phase ready restarts qosClass podIP podIPs hostIP reason message conditions cpuUsage"
    " memoryUsage"
).split()
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


def condition(type_: str, status: str, at: str, reason: str = "", message: str = "") -> Doc:
    """A pod (or workload) condition; its time a seconds-only string, as the agent formats it."""
    cond: Doc = {"type": type_, "status": status}
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    cond["lastTransitionTime"] = at
    return cond


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
    """A new pod, not yet scheduled: follow with `pod_running` or `pod_unschedulable`.

    Until the kubelet reports on it, its container has no status: state "",
    the template's image.
    """
    doc: Doc = {
        "summary": {
            "name": name,
            "namespace": namespace,
            "ownerKind": owner_kind,
            "ownerName": owner_name,
            "createdAt": created,
            "age": "0m",
        },
        "spec": {
            "restartPolicy": "Always",
            "serviceAccountName": "default",
            "tolerations": _TOLERATIONS,
            "dnsPolicy": "ClusterFirst",
            "terminationGracePeriodSeconds": 30,
        },
        "status": {
            "phase": "Pending",
            "ready": "0/1",
            "restarts": 0,
            "qosClass": "Burstable",
            "conditions": [condition("PodScheduled", "False", created)],
        },
        "containers": [{**spec, "state": "", "ready": False, "restartCount": 0}],
        "volumes": _VOLUMES,
        "labels": labels,
    }
    if annotations:
        doc["annotations"] = annotations
    return doc


def _conditions(pod: Doc, ready: bool, at: str, reason: str = "") -> list[Doc]:
    """Initialized, Ready, ContainersReady, PodScheduled of a scheduled pod."""
    why = reason or "ContainersNotReady"
    unready = (
        ""
        if why == "PodCompleted"
        else f"containers with unready status: [{pod['containers'][0]['name']}]"
    )
    return [
        condition("Initialized", "True", pod["status"]["conditions"][-1]["lastTransitionTime"]),
        condition("Ready", "True", at) if ready else condition("Ready", "False", at, why, unready),
        condition("ContainersReady", "True", at)
        if ready
        else condition("ContainersReady", "False", at, why, unready),
        pod["status"]["conditions"][-1],
    ]


def _status_reason(pod: Doc) -> tuple[str | None, str | None]:
    """The agent's status reason/message: the Ready condition's when not True; for a
    Pending or Failed pod a waiting or terminated container's instead."""
    reason = message = None
    for cond in pod["status"].get("conditions", ()):
        if cond["type"] == "Ready" and cond["status"] != "True":
            reason, message = cond.get("reason"), cond.get("message")
            break
    if pod["status"]["phase"] in ("Pending", "Failed"):
        container = pod["containers"][0]
        if container["state"] in ("waiting", "terminated") and container.get("stateReason"):
            reason, message = container["stateReason"], container.get("stateMessage")
    return reason, message


def _settle(pod: Doc, **changes: Any) -> None:
    """Apply status changes, then the ready count, restarts and reason the agent derives."""
    put(pod["status"], tuple(POD_STATUS), **changes)
    container = pod["containers"][0]
    reason, message = _status_reason(pod)
    put(
        pod["status"],
        tuple(POD_STATUS),
        ready=f"{int(container['ready'])}/1",
        restarts=container["restartCount"],
        reason=reason,
        message=message,
    )


def pod_set_ready(pod: Doc, ready: bool, at: str, reason: str = "") -> None:
    """Flip the pod's Ready and ContainersReady conditions and its container's ready flag."""
    set_container(pod, ready=ready)
    _settle(pod, conditions=_conditions(pod, ready, at, reason))


def pod_running(
    pod: Doc, *, node: str, pod_ip: str, host_ip: str, at: str, cpu: str, memory: str
) -> None:
    """Schedule the pod on `node` and start its container."""
    put(pod["summary"], POD_SUMMARY, nodeName=node)
    pod["status"]["conditions"] = [condition("PodScheduled", "True", at)]
    set_container(pod, state="running", stateReason=None, stateMessage=None, ready=True)
    _settle(
        pod,
        phase="Running",
        podIP=pod_ip,
        podIPs=[pod_ip],
        hostIP=host_ip,
        cpuUsage=cpu,
        memoryUsage=memory,
        conditions=_conditions(pod, True, at),
    )


def pod_unschedulable(pod: Doc, message: str, at: str) -> None:
    """Leave a new pod Pending with the scheduler's condition (no node: Go omits nodeName)."""
    scheduled = condition("PodScheduled", "False", at, "Unschedulable", message)
    _settle(pod, phase="Pending", conditions=[scheduled])


def pod_crashed(pod: Doc, *, reason: str, at: str, backoff: int) -> None:
    """Count one more container restart and show it waiting in CrashLoopBackOff."""
    container = pod["containers"][0]
    set_container(
        pod,
        state="waiting",
        stateReason="CrashLoopBackOff",
        stateMessage=f"back-off {backoff}s restarting failed "
        f"container={container['name']} pod={pod['summary']['name']}",
        ready=False,
        restartCount=container["restartCount"] + 1,
        lastTerminationReason=reason,
        lastTerminationMessage="exit code 137" if reason == "OOMKilled" else "exit code 1",
        lastTerminationTime=at,
    )
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    if ready["status"] == "True":
        _settle(pod, conditions=_conditions(pod, False, at))
    else:
        _settle(pod)


def pod_recovered(pod: Doc, at: str) -> None:
    """The container stays up again after a crash loop; restarts keep their count."""
    set_container(pod, state="running", stateReason=None, stateMessage=None)
    pod_set_ready(pod, True, at)


def pod_completed(pod: Doc, at: str) -> None:
    """A job's pod that ran to completion."""
    pod["spec"] = {**pod["spec"], "restartPolicy": "Never"}
    set_container(pod, state="terminated", stateReason="Completed", ready=False)
    _settle(pod, phase="Succeeded", qosClass="BestEffort", cpuUsage=None, memoryUsage=None)
    pod_set_ready(pod, False, at, reason="PodCompleted")


# -- nodes --

NODE_SUMMARY = (
    "name",
    "roles",
    "ready",
    "schedulable",
    "age",
    "creationTime",
    "badges",
    "reason",
    "message",
)
NODE_SPEC = ("podCIDRs", "providerID", "unschedulable")
NODE = ("summary spec capacity allocatable addresses info conditions taints labels metrics").split()


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
    labels = gomap({**labels, **{f"node-role.kubernetes.io/{role}": "" for role in roles}})
    memory_ki = memory_gi * 1024 * 1024 - 2096 * 1024  # what the kernel leaves
    doc: Doc = {
        "summary": {
            "name": name,
            "roles": roles,
            "ready": "True",
            "schedulable": True,
            "age": "0m",
            "creationTime": created,
        },
        "spec": {
            "podCIDRs": [f"10.244.{index}.0/24"],
            "providerID": f"aws:///{zone}/i-0{index:03d}{name.encode().hex()[:12]}",
        },
        "capacity": {
            "cpu": str(cpu),
            "memory": f"{memory_ki}Ki",
            "pods": "110",
            "ephemeralStorage": "101203600Ki",
        },
        "allocatable": {
            "cpu": f"{cpu * 1000 - 80}m",
            "memory": f"{memory_ki - 921600}Ki",
            "pods": "110",
            "ephemeralStorage": "93270186103",
        },
        "addresses": {
            "hostname": name,
            "internalIP": ip,
            "all": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
        },
        "info": {
            "osImage": "Ubuntu 22.04.4 LTS",
            "operatingSystem": "linux",
            "architecture": "amd64",
            "kernelVersion": "5.15.0-105-generic",
            "containerRuntimeVersion": "containerd://1.7.13",
            "kubeletVersion": "v1.29.4",
            "kubeProxyVersion": "v1.29.4",
        },
        "conditions": [
            {
                "type": kind,
                "status": "False",
                "reason": reason,
                "message": f"kubelet has {message}",
                "lastHeartbeatTime": created,
                "lastTransitionTime": created,
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
                "message": "kubelet is posting ready status",
                "lastHeartbeatTime": created,
                "lastTransitionTime": created,
            }
        ],
    }
    if "control-plane" in roles:
        doc["taints"] = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
    doc["labels"] = labels
    return doc


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


def node_schedulable(node: Doc, schedulable: bool, at: str) -> None:
    """Cordon or uncordon: the flag and the taint kubectl adds (with when it was added)."""
    node["summary"]["schedulable"] = schedulable
    put(node["spec"], NODE_SPEC, unschedulable=None if schedulable else True)
    taints = [t for t in node.get("taints", ()) if t["key"] != "node.kubernetes.io/unschedulable"]
    if not schedulable:
        taints.append(
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": at}
        )
    put(node, tuple(NODE), taints=taints or None)
