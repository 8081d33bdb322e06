"""What the Go master's web UI (atlhyper_web at 92d37dd) reads of each answer, from its
TypeScript types (`src/api/*.ts`, `src/types/*.ts`), and a checker.

A shape is a dict of keys (a trailing `?` marks a key the type declares optional:
it may be absent or null, else it must fit), `[shape]` for arrays, `Record(shape)`
for `Record<string, T>`, and the types `str`, `int`, `bool`, `NUM` (any number).
Required keys must be there and not null: the UI dereferences them unguarded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Record:
    value: Any


NUM = (int, float)
STRINGS = Record(str)
_PROBE = {
    "type": str,
    "path?": str,
    "port?": int,
    "command?": str,
    "initialDelaySeconds?": int,
    "periodSeconds?": int,
    "timeoutSeconds?": int,
    "successThreshold?": int,
    "failureThreshold?": int,
}
_CONTAINER = {
    "name": str,
    "image": str,
    "imagePullPolicy?": str,
    "command?": [str],
    "args?": [str],
    "workingDir?": str,
    "ports?": [{"name?": str, "containerPort": int, "protocol?": str, "hostPort?": int}],
    "envs?": [{"name": str, "value?": str, "valueFrom?": str}],
    "volumeMounts?": [{"name": str, "mountPath": str, "subPath?": str, "readOnly?": bool}],
    "requests?": STRINGS,
    "limits?": STRINGS,
    "livenessProbe?": _PROBE,
    "readinessProbe?": _PROBE,
    "startupProbe?": _PROBE,
}
_TOLERATION = {
    "key?": str,
    "operator?": str,
    "value?": str,
    "effect?": str,
    "tolerationSeconds?": int,
}
_AFFINITY = {"nodeAffinity?": str, "podAffinity?": str, "podAntiAffinity?": str}
_META = {"labels?": STRINGS, "annotations?": STRINGS}

# web:api/pod.ts PodApiItem
POD = {
    "summary": {
        "name": str,
        "namespace": str,
        "nodeName?": str,
        "ownerKind?": str,
        "ownerName?": str,
        "createdAt": str,
        "age": str,
    },
    "spec": {
        "restartPolicy?": str,
        "serviceAccountName?": str,
        "nodeSelector?": STRINGS,
        "tolerations?": [_TOLERATION],
        "affinity?": _AFFINITY,
        "dnsPolicy?": str,
        "hostNetwork?": bool,
        "runtimeClassName?": str,
        "priorityClassName?": str,
        "terminationGracePeriodSeconds?": int,
        "imagePullSecrets?": [str],
    },
    "status": {
        "phase": str,
        "ready": str,
        "restarts": int,
        "qosClass?": str,
        "podIP?": str,
        "podIPs?": [str],
        "hostIP?": str,
        "reason?": str,
        "message?": str,
        "conditions?": [
            {
                "type": str,
                "status": str,
                "reason?": str,
                "message?": str,
                "lastTransitionTime?": str,
            }
        ],
        "cpuUsage?": str,
        "memoryUsage?": str,
    },
    "containers": [
        {
            **_CONTAINER,
            "state?": str,
            "stateReason?": str,
            "stateMessage?": str,
            "ready?": bool,
            "restartCount?": int,
            "lastTerminationReason?": str,
            "lastTerminationMessage?": str,
            "lastTerminationTime?": str,
        }
    ],
    "initContainers?": [_CONTAINER],
    "volumes?": [{"name": str, "type": str, "source?": str}],
    **_META,
}
_QUANTITIES = {"cpu?": str, "memory?": str, "pods?": str, "ephemeralStorage?": str}
_USE = {"usage": str, "allocatable?": str, "capacity?": str, "utilPct?": NUM}
# web:api/node.ts NodeApiItem
NODE = {
    "summary": {
        "name": str,
        "roles?": [str],
        "ready": str,
        "schedulable": bool,
        "age": str,
        "creationTime": str,
        "badges?": [str],
        "reason?": str,
        "message?": str,
    },
    "spec": {"podCIDRs?": [str], "providerID?": str, "unschedulable?": bool},
    "capacity": _QUANTITIES,
    "allocatable": _QUANTITIES,
    "addresses": {"hostname?": str, "internalIP?": str, "externalIP?": str},
    "info": {
        "osImage?": str,
        "operatingSystem?": str,
        "architecture?": str,
        "kernelVersion?": str,
        "containerRuntimeVersion?": str,
        "kubeletVersion?": str,
        "kubeProxyVersion?": str,
    },
    "conditions?": [
        {
            "type": str,
            "status": str,
            "reason?": str,
            "message?": str,
            "lastHeartbeatTime?": str,
            "lastTransitionTime?": str,
        }
    ],
    "taints?": [{"key": str, "value?": str, "effect": str, "timeAdded?": str}],
    "labels?": STRINGS,
    "metrics?": {
        "cpu": _USE,
        "memory": _USE,
        "pods": {"used": int, "capacity": int, "utilPct?": NUM},
        "pressure?": {
            "memoryPressure?": bool,
            "diskPressure?": bool,
            "pidPressure?": bool,
            "networkUnavailable?": bool,
        },
    },
}
# web:api/deployment.ts DeploymentApiItem
DEPLOYMENT = {
    "summary": {
        "name": str,
        "namespace": str,
        "strategy": str,
        "replicas": int,
        "updated": int,
        "ready": int,
        "available": int,
        "unavailable?": int,
        "paused?": bool,
        "createdAt": str,
        "age": str,
        "selector?": str,
    },
    "spec": {
        "replicas?": int,
        "selector?": {
            "matchLabels?": STRINGS,
            "matchExpressions?": [{"key": str, "operator": str, "values?": [str]}],
        },
        "strategy?": {
            "type": str,
            "rollingUpdate?": {"maxUnavailable?": str, "maxSurge?": str},
        },
        "minReadySeconds?": int,
        "revisionHistoryLimit?": int,
        "progressDeadlineSeconds?": int,
    },
    "template": {
        **_META,
        "containers": [_CONTAINER],
        "volumes?": [{"name": str, "type": str, "source?": str}],
        "serviceAccountName?": str,
        "nodeSelector?": STRINGS,
        "tolerations?": [_TOLERATION],
        "affinity?": _AFFINITY,
        "runtimeClassName?": str,
        "imagePullSecrets?": [str],
        "hostNetwork?": bool,
        "dnsPolicy?": str,
    },
    "status": {
        "observedGeneration?": int,
        "replicas": int,
        "updatedReplicas?": int,
        "readyReplicas?": int,
        "availableReplicas?": int,
        "unavailableReplicas?": int,
        "collisionCount?": int,
        "conditions?": [
            {
                "type": str,
                "status": str,
                "reason?": str,
                "message?": str,
                "lastUpdateTime?": str,
                "lastTransitionTime?": str,
            }
        ],
    },
    "rollout?": {"phase": str, "message?": str, "badges?": [str]},
    "replicaSets?": [
        {
            "name": str,
            "namespace": str,
            "revision?": str,
            "replicas": int,
            "ready": int,
            "available": int,
            "image?": str,
            "createdAt": str,
            "age": str,
        }
    ],
    **_META,
}
# web:api/service.ts ServiceApiItem
SERVICE = {
    "summary": {
        "name": str,
        "namespace": str,
        "type": str,
        "createdAt": str,
        "age": str,
        "portsCount": int,
        "hasSelector": bool,
        "badges?": [str],
        "clusterIP?": str,
        "externalName?": str,
    },
    "spec": {
        "type": str,
        "sessionAffinity?": str,
        "sessionAffinityTimeoutSeconds?": int,
        "externalTrafficPolicy?": str,
        "internalTrafficPolicy?": str,
        "ipFamilies?": [str],
        "ipFamilyPolicy?": str,
        "clusterIPs?": [str],
        "externalIPs?": [str],
        "loadBalancerClass?": str,
        "loadBalancerSourceRanges?": [str],
        "publishNotReadyAddresses?": bool,
        "allocateLoadBalancerNodePorts?": bool,
        "healthCheckNodePort?": int,
        "externalName?": str,
    },
    "ports?": [
        {
            "name?": str,
            "protocol": str,
            "port": int,
            "targetPort": str,
            "nodePort?": int,
            "appProtocol?": str,
        }
    ],
    "selector?": STRINGS,
    "network": {
        "clusterIPs?": [str],
        "externalIPs?": [str],
        "loadBalancerIngress?": [str],
        "ipFamilies?": [str],
        "ipFamilyPolicy?": str,
        "externalTrafficPolicy?": str,
        "internalTrafficPolicy?": str,
    },
    "backends?": {
        "summary": {
            "ready": int,
            "notReady": int,
            "total": int,
            "slices?": int,
            "updated?": str,
        },
        "ports?": [{"name?": str, "port": int, "protocol": str, "appProtocol?": str}],
        "endpoints?": [
            {
                "address": str,
                "ready": bool,
                "nodeName?": str,
                "zone?": str,
                "targetRef?": {"kind?": str, "namespace?": str, "name?": str, "uid?": str},
            }
        ],
    },
    **_META,
}
_BACKEND = {
    "type": str,
    "service?": {"name": str, "portName?": str, "portNumber?": int},
    "resource?": {"apiGroup?": str, "kind": str, "name": str, "namespace?": str},
}
# web:api/ingress.ts IngressApiItem
INGRESS = {
    "summary": {
        "name": str,
        "namespace": str,
        "createdAt": str,
        "age": str,
        "ingressClass?": str,
        "hostsCount": int,
        "pathsCount": int,
        "tlsEnabled": bool,
        "hosts?": [str],
    },
    "spec": {
        "ingressClassName?": str,
        "defaultBackend?": _BACKEND,
        "rules?": [
            {
                "host?": str,
                "paths": [{"path": str, "pathType": str, "backend?": _BACKEND}],
            }
        ],
        "tls?": [{"hosts?": [str], "secretName": str}],
    },
    "status": {"loadBalancer?": [str]},
    **_META,
}
_COUNTS = (
    *("pods", "podsRunning", "podsPending", "podsFailed", "podsSucceeded"),
    *("deployments", "statefulSets", "daemonSets", "replicaSets", "jobs", "cronJobs"),
    *("services", "ingresses", "networkPolicies", "configMaps", "secrets"),
    *("serviceAccounts", "pvcs"),
)
# web:api/namespace.ts NamespaceApiItem
NAMESPACE = {
    "summary": {"name": str, "createdAt": str, "age": str},
    "status": {"phase": str},
    "resources": {count: int for count in _COUNTS},
    "quotas?": [
        {
            "name": str,
            "namespace": str,
            "createdAt": str,
            "age": str,
            "scopes?": [str],
            "hard?": STRINGS,
            "used?": STRINGS,
        }
    ],
    "limitRanges?": [
        {
            "name": str,
            "namespace": str,
            "createdAt": str,
            "age": str,
            "items": [
                {
                    "type": str,
                    **{
                        f"{k}?": STRINGS
                        for k in ("default", "defaultRequest", "max", "min", "maxLimitRequestRatio")
                    },
                }
            ],
        }
    ],
    **_META,
}
# web:types/cluster.ts ConfigMapDTO, without its sizes (totalSizeBytes, binaryKeys,
# binaryTotalSizeBytes): the agent sends key names only, no size is known (the Go master
# sends none of them, nor `keys`), so the modal prints "NaN" where a size would go.
CONFIGMAP = {"name": str, "namespace": str, "keys": int, "immutable?": bool}
# web:types/cluster.ts SecretDTO
SECRET = {"name": str, "namespace": str, "type": str, "dataKeys?": [str]}
# web:api/event.ts EventApiItem
EVENT = {
    "uid": str,
    "name": str,
    "namespace": str,
    "kind": str,
    "created_at": str,
    "type": str,
    "reason": str,
    "message": str,
    "source": str,
    "involved_object?": {"kind": str, "namespace": str, "name": str, "uid": str},
    "count": int,
    # Typed string, read as `last_timestamp || created_at` (web:api/event.ts): we send
    # null where the agent knew no such time (Go's zero time), and the UI falls back.
    "first_timestamp?": str,
    "last_timestamp?": str,
}
_READY = {"total": int, "ready": int}
# web:api/overview.ts OverviewApiResponse
OVERVIEW = {
    "cluster_id": str,
    "cards": {
        "cluster_health": {
            "status": str,
            "reason?": str,
            "node_ready_percent": NUM,
            "pod_ready_percent": NUM,
        },
        "node_ready": {"total": int, "ready": int, "percent": NUM},
        "cpu_usage": {"percent": NUM},
        "mem_usage": {"percent": NUM},
        "events_24h": int,
    },
    "workloads": {
        "summary": {
            "deployments": _READY,
            "daemonsets": _READY,
            "statefulsets": _READY,
            "jobs": {"total": int, "running": int, "succeeded": int, "failed": int},
        },
        "pod_status": {
            **{k: int for k in ("total", "running", "pending", "failed", "succeeded", "unknown")},
            **{f"{k}_percent": NUM for k in ("running", "pending", "failed", "succeeded")},
        },
        "peak_stats?": {
            "peak_cpu": NUM,
            "peak_cpu_node": str,
            "peak_mem": NUM,
            "peak_mem_node": str,
            "has_data": bool,
        },
    },
    "alerts": {
        "trend": [{"at": str, "kinds": Record(int)}],
        "totals": {"critical": int, "warning": int, "info": int},
        "recent": [
            {
                "timestamp": str,
                "severity": str,
                "kind": str,
                "namespace": str,
                "name": str,
                "message": str,
                "reason": str,
            }
        ],
    },
    "nodes": {"usage": [{"node": str, "cpu_usage": NUM, "mem_usage": NUM}]},
}
# web:types/auth.ts LoginResponse (what setLoginData stores)
LOGIN = {
    "token": str,
    "user": {"id": int, "username": str, "displayName": str, "role": int},
    "cluster_ids": [str],
}
# web:types/auth.ts UserListItem
USER = {
    "id": int,
    "username": str,
    "displayName": str,
    "email": str,
    "role": int,
    "status": int,
    "createdAt": str,
    "lastLogin?": str,
    "lastLoginIP": str,
}
# web:types/auth.ts AuditLogItem
AUDIT = {
    "id": int,
    "timestamp": str,
    "userId": int,
    "username": str,
    "role": int,
    "source": str,
    "action": str,
    "resource": str,
    "method": str,
    "requestSummary?": str,
    "status": int,
    "success": bool,
    "errorMessage?": str,
    "ip": str,
    "durationMs": int,
}
# web:api/*.ts CommandResponse
QUEUED = {"message": str, "command_id": str, "status": str}


def problems(value: Any, shape: Any, where: str = "$") -> list[str]:
    """What in `value` does not fit `shape` (empty when it fits)."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{where}: an object expected, got {value!r:.80}"]
        found = []
        for key, inner in shape.items():
            name = key.rstrip("?")
            if value.get(name) is None:
                if not key.endswith("?"):
                    found.append(f"{where}.{name}: missing")
                continue
            found += problems(value[name], inner, f"{where}.{name}")
        return found
    if isinstance(shape, list):
        if not isinstance(value, list):
            return [f"{where}: an array expected, got {value!r:.80}"]
        return [p for i, v in enumerate(value) for p in problems(v, shape[0], f"{where}[{i}]")]
    if isinstance(shape, Record):
        if not isinstance(value, dict):
            return [f"{where}: an object expected, got {value!r:.80}"]
        return [p for k, v in value.items() for p in problems(v, shape.value, f"{where}.{k}")]
    wanted = shape if isinstance(shape, tuple) else (shape,)
    if isinstance(value, bool) and bool not in wanted:
        return [f"{where}: {wanted} expected, got {value!r}"]
    if not isinstance(value, wanted):
        return [f"{where}: {wanted} expected, got {value!r:.80}"]
    return []


def assert_fits(value: Any, shape: Any, what: str) -> None:
    found = problems(value, shape)
    assert not found, f"{what}: " + "; ".join(found[:10])
