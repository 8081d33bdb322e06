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

`encode_snapshot` / `encode_items` give the bytes; `layout_v2` has the structs.
A later agent generation gets its own layout module and can reuse `golden`.
"""

from __future__ import annotations

import copy
import gzip as _gzip
from typing import Any

from . import layout_v2 as v2
from .gojson import ZERO_TIME, Struct, encode

__all__ = ["OFFSETS", "ZERO_TIME", "agent_summary", "empty", "encode_items", "golden", "gzip"]

Doc = dict[str, Any]

# Offsets an agent's host may run in; Go writes UTC as Z.
OFFSETS = ("+09:00", "Z", "-03:30")


def _t(day: int, hour: int, minute: int = 0, second: int = 0, *, tz: str) -> str:
    """A Kubernetes time (whole seconds) in the agent's offset."""
    return f"2026-01-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{tz}"


def _container(name: str, image: str, port: int, *, probe: bool = True) -> Doc:
    spec: Doc = {
        "Name": name,
        "Image": image,
        "ImagePullPolicy": "IfNotPresent",
        "Ports": [{"Name": "http", "ContainerPort": port, "Protocol": "TCP"}],
        "Envs": [
            {"Name": "LOG_LEVEL", "Value": "info"},
            {"Name": "DB_PASSWORD", "ValueFrom": "secret:db-credentials"},
            {"Name": "POD_IP", "ValueFrom": "field:status.podIP"},
        ],
        "VolumeMounts": [
            {"Name": "kube-api-access-x7k2p", "MountPath": "/var/run/secrets", "ReadOnly": True}
        ],
        "Requests": {"cpu": "100m", "memory": "128Mi"},
        "Limits": {"memory": "512Mi"},
    }
    if probe:
        spec["ReadinessProbe"] = {
            "Type": "httpGet",
            "Path": "/healthz?probe=ready&full=1",
            "Port": port,
            "PeriodSeconds": 10,
            "TimeoutSeconds": 1,
            "SuccessThreshold": 1,
            "FailureThreshold": 3,
        }
    return spec


def _pod_container(spec: Doc, **status: Any) -> Doc:
    """A pod's container: the template's spec merged with its status, as convertPodContainer."""
    return {**spec, **status}


def _pods(tz: str) -> list[Doc]:
    web = _container("web", "ghcr.io/acme/web:1.4.2", 8080)
    ready_conditions = [
        {"Type": t, "Status": "True", "LastTransitionTime": _t(17, 9, 5, tz=tz)}
        for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")
    ] + [{"Type": "PodScheduled", "Status": "True", "LastTransitionTime": _t(17, 9, 4, tz=tz)}]
    running = {
        "Summary": {
            "Name": "web-7c9f8d6b5-x2x9k",
            "Namespace": "shop",
            "NodeName": "worker-1",
            "OwnerKind": "ReplicaSet",
            "OwnerName": "web-7c9f8d6b5",
            "CreatedAt": _t(17, 9, 4, tz=tz),
            "Age": "1d",
        },
        "Spec": {
            "RestartPolicy": "Always",
            "ServiceAccountName": "default",
            "DNSPolicy": "ClusterFirst",
            "TerminationGracePeriodSeconds": 30,
            "Tolerations": [
                {
                    "Key": "node.kubernetes.io/not-ready",
                    "Operator": "Exists",
                    "Effect": "NoExecute",
                    "TolerationSeconds": 300,
                }
            ],
            "Affinity": {"PodAntiAffinity": "已配置"},
        },
        "Status": {
            "Phase": "Running",
            "Ready": "1/1",
            "QoSClass": "Burstable",
            "PodIP": "10.244.1.17",
            "PodIPs": ["10.244.1.17", "fd00:10:244:1::11"],
            "HostIP": "10.0.1.11",
            "Conditions": ready_conditions,
            "CPUUsage": "3m",
            "MemoryUsage": "87620Ki",
        },
        "Containers": [_pod_container(web, State="running", Ready=True)],
        "Volumes": [{"Name": "kube-api-access-x7k2p", "Type": "Projected"}],
        "Labels": {"app": "web", "pod-template-hash": "7c9f8d6b5"},
        "Annotations": {
            "kubectl.kubernetes.io/restartedAt": _t(17, 9, 4, tz=tz),
            "acme.io/note": "fronted by <nginx> & \u2028 cached — 日本語",
        },
    }
    crashing = copy.deepcopy(running)
    crashing["Summary"].update(Name="web-7c9f8d6b5-kq8vn", NodeName="worker-2")
    crashing["Status"].update(
        Ready="0/1",
        Restarts=14,
        PodIP="10.244.2.9",
        PodIPs=["10.244.2.9"],
        HostIP="10.0.1.12",
        Reason="ContainersNotReady",
        Message="containers with unready status: [web]",
        CPUUsage="0",
        MemoryUsage="0",
    )
    crashing["Status"]["Conditions"][2].update(
        Status="False", Reason="ContainersNotReady", Message="containers with unready status: [web]"
    )
    crashing["Containers"] = [
        _pod_container(
            web,
            State="waiting",
            StateReason="CrashLoopBackOff",
            StateMessage="back-off 5m0s restarting failed container=web pod=web-7c9f8d6b5-kq8vn",
            RestartCount=14,
            LastTerminationReason="OOMKilled",
            LastTerminationTime=_t(18, 18, 55, 1, tz=tz),
        )
    ]
    crashing["Annotations"] = None
    pending = {
        "Summary": {
            "Name": "db-0",
            "Namespace": "shop",
            "OwnerKind": "StatefulSet",
            "OwnerName": "db",
            "CreatedAt": _t(18, 18, 40, tz=tz),
            "Age": "20m",
        },
        "Spec": {"RestartPolicy": "Always", "DNSPolicy": "ClusterFirst"},
        "Status": {
            "Phase": "Pending",
            "Ready": "0/1",
            "QoSClass": "Guaranteed",
            "Reason": "Unschedulable",
            "Message": "0/4 nodes are available: 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 3 Insufficient memory.",
            "Conditions": [
                {
                    "Type": "PodScheduled",
                    "Status": "False",
                    "Reason": "Unschedulable",
                    "Message": "0/4 nodes are available: <scheduler> said no & retried",
                    "LastTransitionTime": _t(18, 18, 40, tz=tz),
                }
            ],
        },
        # No container status before scheduling: state "" (no omitempty), spec image.
        "Containers": [_pod_container(_container("postgres", "postgres:16.2", 5432, probe=False))],
        "InitContainers": [
            {
                "Name": "init-perms",
                "Image": "busybox:1.36",
                "Command": ["sh", "-c", "chown 999 /data"],
            }
        ],
        "Volumes": [
            {"Name": "data", "Type": "PVC", "Source": "data-db-0"},
            {"Name": "config", "Type": "ConfigMap", "Source": "db-config"},
        ],
        "Labels": {"app": "db", "statefulset.kubernetes.io/pod-name": "db-0"},
    }
    succeeded = {
        "Summary": {
            "Name": "report-29476320-8r2mq",
            "Namespace": "shop",
            "NodeName": "worker-1",
            "OwnerKind": "Job",
            "OwnerName": "report-29476320",
            "CreatedAt": _t(18, 2, tz=tz),
            "Age": "16h",
        },
        "Spec": {"RestartPolicy": "Never", "DNSPolicy": "ClusterFirst"},
        "Status": {"Phase": "Succeeded", "Ready": "0/1", "QoSClass": "BestEffort"},
        "Containers": [
            {
                "Name": "report",
                "Image": "ghcr.io/acme/report:2.0",
                "State": "terminated",
                "StateReason": "Completed",
            }
        ],
        "Labels": {"job-name": "report-29476320"},
    }
    failed = {
        "Summary": {
            "Name": "debug-shell",
            "Namespace": "default",
            "NodeName": "worker-3",
            "CreatedAt": _t(12, 23, 59, 59, tz=tz),
            "Age": "6d",
        },
        "Spec": {"HostNetwork": True, "NodeSelector": {"kubernetes.io/hostname": "worker-3"}},
        "Status": {
            "Phase": "Failed",
            "Reason": "Evicted",
            "Message": "The node was low on resource: memory. Threshold quantity: 100Mi, available: 91Mi.",
        },
        "Containers": None,  # a pod whose spec the agent saw without containers: null
    }
    unknown = {
        "Summary": {
            "Name": "agent-n8x2p",
            "Namespace": "kube-system",
            "NodeName": "worker-3",
            "OwnerKind": "DaemonSet",
            "OwnerName": "node-exporter",
            "CreatedAt": _t(3, 4, 5, 6, tz=tz),
            "Age": "15d",
        },
        "Status": {"Phase": "Unknown", "Ready": "0/1", "Restarts": 2},
        "Containers": [
            {"Name": "node-exporter", "Image": "prom/node-exporter:v1.8.1", "Ports": []}
        ],
    }
    return [running, crashing, pending, succeeded, failed, unknown]


def _nodes(tz: str) -> list[Doc]:
    def node(name: str, index: int, ready: str, roles: list[str] | None) -> Doc:
        ip = f"10.0.1.{10 + index}"
        doc: Doc = {
            "Summary": {
                "Name": name,
                "Roles": roles,
                "Ready": ready,
                "Schedulable": True,
                "Age": "120d",
                "CreationTime": _t(1, 8, tz=tz),
            },
            "Spec": {
                "PodCIDRs": [f"10.244.{index}.0/24"],
                "ProviderID": f"aws:///eu-west-1a/i-0{index}",
            },
            "Capacity": {
                "CPU": "4",
                "Memory": "16318904Ki",
                "Pods": "110",
                "EphemeralStorage": "0",
            },
            "Allocatable": {"CPU": "3920m", "Memory": "15397304Ki", "Pods": "110"},
            "Addresses": {
                "Hostname": name,
                "InternalIP": ip,
                "All": [
                    {"Type": "InternalIP", "Address": f"fd00::{index}"},
                    {"Type": "InternalIP", "Address": ip},
                    {"Type": "Hostname", "Address": name},
                ],
            },
            "Info": {
                "OSImage": "Ubuntu 22.04.4 LTS",
                "OperatingSystem": "linux",
                "Architecture": "amd64",
                "KernelVersion": "5.15.0-105-generic",
                "ContainerRuntimeVersion": "containerd://1.7.13",
                "KubeletVersion": "v1.29.4",
                "KubeProxyVersion": "v1.29.4",
            },
            "Conditions": [
                {
                    "Type": "Ready",
                    "Status": ready,
                    "Reason": "KubeletReady" if ready == "True" else "NodeStatusUnknown",
                    "Message": "kubelet is posting ready status",
                    "LastHeartbeatTime": _t(18, 19, 0, 1, tz=tz),
                    "LastTransitionTime": _t(1, 8, 1, tz=tz),
                }
            ],
            "Labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
            "Metrics": {
                "CPU": {"Usage": "254m", "Allocatable": "3920m", "Capacity": "4"},
                "Memory": {
                    "Usage": "3012Mi",
                    "Allocatable": "15397304Ki",
                    "Capacity": "16318904Ki",
                },
            },
        }
        return doc

    cp = node("cp-1", 0, "True", ["control-plane"])
    cp["Taints"] = [{"Key": "node-role.kubernetes.io/control-plane", "Effect": "NoSchedule"}]
    cordoned = node("worker-1", 1, "True", ["worker"])
    cordoned["Summary"]["Schedulable"] = False
    cordoned["Spec"]["Unschedulable"] = True
    cordoned["Taints"] = [
        {
            "Key": "node.kubernetes.io/unschedulable",
            "Effect": "NoSchedule",
            "TimeAdded": _t(18, 17, 30, tz=tz),
        }
    ]
    down = node("worker-2", 2, "False", None)
    lost = node("worker-3", 3, "Unknown", None)
    lost["Addresses"]["ExternalIP"] = "203.0.113.7"
    lost["Metrics"] = None  # metrics-server has no figure for it: omitted
    lost["Info"]["KubeProxyVersion"] = ""
    return [cp, cordoned, down, lost]


def _template(container: Doc, *, labels: dict[str, str] | None = None) -> Doc:
    return {
        "Labels": labels,
        "Containers": [container],
        "Volumes": [{"Name": "tmp", "Type": "EmptyDir"}],
        "ServiceAccountName": "default",
        "DNSPolicy": "ClusterFirst",
    }


def _deployment(name: str, replicas: int, ready: int, image: str, tz: str, **extra: Any) -> Doc:
    doc: Doc = {
        "Summary": {
            "Name": name,
            "Namespace": "shop",
            "Strategy": "RollingUpdate",
            "Replicas": replicas,
            "Updated": ready,
            "Ready": ready,
            "Available": ready,
            "Unavailable": max(replicas - ready, 0),
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "Selector": f"app={name}",
        },
        "Spec": {
            "Replicas": replicas,
            "Selector": {"MatchLabels": {"app": name}},
            "Strategy": {
                "Type": "RollingUpdate",
                "RollingUpdate": {"MaxUnavailable": "25%", "MaxSurge": "25%"},
            },
            "RevisionHistoryLimit": 10,
            "ProgressDeadlineSeconds": 600,
        },
        "Template": _template(_container(name, image, 8080), labels={"app": name}),
        "Status": {
            "ObservedGeneration": 7,
            "Replicas": max(replicas, ready),
            "UpdatedReplicas": ready,
            "ReadyReplicas": ready,
            "AvailableReplicas": ready,
            "UnavailableReplicas": max(replicas - ready, 0),
            "Conditions": [
                {
                    "Type": "Available",
                    "Status": "True" if ready >= replicas else "False",
                    "Reason": "MinimumReplicasAvailable",
                    "Message": "Deployment has minimum availability.",
                    "LastUpdateTime": _t(17, 9, 5, tz=tz),
                    "LastTransitionTime": _t(17, 9, 5, tz=tz),
                }
            ],
        },
        "Rollout": {"Phase": "Available", "Badges": ["Available"]},
        "Annotations": {"deployment.kubernetes.io/revision": "7"},
        "Labels": {"app": name},
    }
    doc["Summary"].update(extra)
    return doc


def _workloads(tz: str) -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
    deployments = [
        _deployment("web", 2, 1, "ghcr.io/acme/web:1.4.2", tz),  # not healthy: 1 of 2
        _deployment("api", 3, 3, "ghcr.io/acme/api:3.1.0", tz),  # healthy
        _deployment("idle", 0, 0, "ghcr.io/acme/idle:1.0", tz, Paused=True),  # 0 of 0: not healthy
        _deployment("surge", 2, 3, "ghcr.io/acme/surge:2.2", tz),  # 3 of 2: not healthy
    ]
    deployments[2]["Rollout"] = {"Phase": "Unknown", "Badges": ["Paused"]}
    deployments[3]["ReplicaSets"] = [
        {
            "Name": "surge-5f6d7c8b9",
            "Namespace": "shop",
            "Revision": "2",
            "Replicas": 2,
            "Ready": 2,
            "Available": 2,
            "Image": "ghcr.io/acme/surge:2.2",
            "CreatedAt": _t(18, 18, tz=tz),
            "Age": "1h",
        }
    ]
    statefulset = {
        "Summary": {
            "Name": "db",
            "Namespace": "shop",
            "Replicas": 1,
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "ServiceName": "db",
            "Selector": "app=db",
        },
        "Spec": {
            "Replicas": 1,
            "ServiceName": "db",
            "PodManagementPolicy": "OrderedReady",
            "UpdateStrategy": {"Type": "RollingUpdate", "Partition": 0},
            "RevisionHistoryLimit": 10,
            "PersistentVolumeClaimRetentionPolicy": {
                "WhenDeleted": "Retain",
                "WhenScaled": "Retain",
            },
            "Selector": {"MatchLabels": {"app": "db"}},
            "VolumeClaimTemplates": [
                {
                    "Name": "data",
                    "AccessModes": ["ReadWriteOnce"],
                    "StorageClass": "gp3",
                    "Storage": "10Gi",
                }
            ],
        },
        # The agent copies no template labels for StatefulSets.
        "Template": _template(_container("postgres", "postgres:16.2", 5432, probe=False)),
        "Status": {
            "ObservedGeneration": 1,
            "Replicas": 1,
            "CurrentRevision": "db-6d4b8c",
            "UpdateRevision": "db-6d4b8c",
        },
        "Rollout": {
            "Phase": "Progressing",
            "Message": "Waiting for pods to be ready",
            "Badges": ["Scaling"],
        },
        "Labels": {"app": "db"},
    }
    daemonset = {
        "Summary": {
            "Name": "node-exporter",
            "Namespace": "kube-system",
            "DesiredNumberScheduled": 4,
            "CurrentNumberScheduled": 4,
            "NumberReady": 3,
            "NumberAvailable": 3,
            "NumberUnavailable": 1,
            "UpdatedNumberScheduled": 4,
            "CreatedAt": _t(1, 9, tz=tz),
            "Age": "17d",
            "Selector": "app=node-exporter",
        },
        "Spec": {
            "UpdateStrategy": {"Type": "RollingUpdate", "MaxUnavailable": "1", "MaxSurge": "0"},
            "RevisionHistoryLimit": 10,
            "Selector": {"MatchLabels": {"app": "node-exporter"}},
        },
        "Template": {
            "Containers": [{"Name": "node-exporter", "Image": "prom/node-exporter:v1.8.1"}],
            "HostNetwork": True,
            "Tolerations": [{"Operator": "Exists"}],
        },
        "Status": {
            "DesiredNumberScheduled": 4,
            "CurrentNumberScheduled": 4,
            "NumberReady": 3,
            "NumberAvailable": 3,
            "NumberUnavailable": 1,
            "UpdatedNumberScheduled": 4,
            "Conditions": None,
        },
        "Rollout": {
            "Phase": "Progressing",
            "Message": "Waiting for pods to be ready",
            "Badges": ["Scaling", "Unavailable"],
        },
    }
    replicasets = [
        {
            "UID": "rs-web-7c9f8d6b5",
            "Name": "web-7c9f8d6b5",
            "Namespace": "shop",
            "Kind": "ReplicaSet",
            "OwnerKind": "Deployment",
            "OwnerName": "web",
            "Labels": {"app": "web", "pod-template-hash": "7c9f8d6b5"},
            "CreatedAt": _t(17, 9, 4, tz=tz),
            "Replicas": 2,
            "ReadyReplicas": 1,
            "AvailableReplicas": 1,
            "Selector": {"app": "web", "pod-template-hash": "7c9f8d6b5"},
        },
        {
            "UID": "rs-web-old",
            "Name": "web-5b8d9f7c6",
            "Namespace": "shop",
            "Kind": "ReplicaSet",
            "OwnerKind": "Deployment",
            "OwnerName": "web",
            "CreatedAt": _t(2, 10, tz=tz),
        },
    ]
    return deployments, [statefulset], [daemonset], replicasets


def _networking(tz: str) -> tuple[list[Doc], list[Doc]]:
    def service(
        name: str, type_: str, ip: str, ports: list[Doc], selector: dict[str, str] | None
    ) -> Doc:
        badges = {"LoadBalancer": ["LB"], "NodePort": ["NodePort"]}.get(type_) or (
            ["Headless"] if ip == "None" else None
        )
        return {
            "Summary": {
                "Name": name,
                "Namespace": "shop" if name != "kubernetes" else "default",
                "Type": type_,
                "CreatedAt": _t(2, 10, tz=tz),
                "Age": "16d",
                "PortsCount": len(ports),
                "HasSelector": bool(selector),
                "Badges": badges,
                "ClusterIP": ip,
            },
            "Spec": {
                "Type": type_,
                "SessionAffinity": "None",
                "InternalTrafficPolicy": "Cluster",
                "IPFamilies": ["IPv4"],
                "IPFamilyPolicy": "SingleStack",
                "ClusterIPs": [ip] if ip else None,
            },
            "Ports": ports,
            "Selector": selector,
            "Network": {
                "ClusterIPs": [ip] if ip else None,
                "IPFamilies": ["IPv4"],
                "IPFamilyPolicy": "SingleStack",
                "InternalTrafficPolicy": "Cluster",
            },
            "Labels": {"app": name} if selector else None,
        }

    http = {"Name": "http", "Protocol": "TCP", "Port": 80, "TargetPort": "8080"}
    services = [
        service(
            "kubernetes",
            "ClusterIP",
            "10.96.0.1",
            [{"Name": "https", "Protocol": "TCP", "Port": 443, "TargetPort": "6443"}],
            None,
        ),
        service("web", "ClusterIP", "10.96.14.2", [http], {"app": "web"}),
        service(
            "db",
            "ClusterIP",
            "None",
            [{"Protocol": "TCP", "Port": 5432, "TargetPort": "postgres"}],
            {"app": "db"},
        ),
        service(
            "shop-lb",
            "LoadBalancer",
            "10.96.80.8",
            [{**http, "NodePort": 31380, "AppProtocol": "http"}],
            {"app": "web"},
        ),
        service("legacy", "ExternalName", "", [], None),
    ]
    services[3]["Spec"].update(
        ExternalTrafficPolicy="Local", HealthCheckNodePort=32001, AllocateLoadBalancerNodePorts=True
    )
    services[3]["Network"].update(
        LoadBalancerIngress=["203.0.113.10"], ExternalTrafficPolicy="Local"
    )
    services[4]["Summary"].update(ExternalName="legacy.example.com", Badges=["ExternalName"])
    services[4]["Spec"].update(
        ExternalName="legacy.example.com", SessionAffinityTimeoutSeconds=10800
    )
    services[4]["Ports"] = None

    def backend(name: str, port: int) -> Doc:
        return {"Type": "Service", "Service": {"Name": name, "PortNumber": port}}

    ingresses = [
        {
            "Summary": {
                "Name": "shop",
                "Namespace": "shop",
                "CreatedAt": _t(2, 10, tz=tz),
                "Age": "16d",
                "IngressClass": "nginx",
                "HostsCount": 2,
                "PathsCount": 3,
                "TLSEnabled": True,
                "Hosts": ["shop.example.com", "api.shop.example.com"],
            },
            "Spec": {
                "IngressClassName": "nginx",
                "Rules": [
                    {
                        "Host": "shop.example.com",
                        "Paths": [
                            {"Path": "/", "PathType": "Prefix", "Backend": backend("web", 80)},
                            {
                                "Path": "/static",
                                "PathType": "ImplementationSpecific",
                                "Backend": {
                                    "Type": "Service",
                                    "Service": {"Name": "web", "PortName": "http"},
                                },
                            },
                        ],
                    },
                    {
                        "Host": "api.shop.example.com",
                        "Paths": [
                            {"Path": "/v1", "PathType": "Exact", "Backend": backend("api", 8080)}
                        ],
                    },
                ],
                "TLS": [{"Hosts": ["shop.example.com"], "SecretName": "shop-tls"}],
            },
            "Status": {"LoadBalancer": ["203.0.113.10"]},
            "Annotations": {
                "nginx.ingress.kubernetes.io/configuration-snippet": "if ($host != <x>) { return 301 & ; }"
            },
        },
        {
            "Summary": {
                "Name": "fallback",
                "Namespace": "shop",
                "CreatedAt": _t(2, 10, tz=tz),
                "Age": "16d",
            },
            "Spec": {
                "DefaultBackend": {
                    "Type": "Resource",
                    "Resource": {
                        "APIGroup": "k8s.example.com",
                        "Kind": "StorageBucket",
                        "Name": "static",
                    },
                },
                "Rules": [{"Paths": None}],  # a rule without http: paths null
            },
        },
    ]
    return services, ingresses


def _config(tz: str) -> tuple[list[Doc], ...]:
    def meta(kind: str, name: str, namespace: str, **extra: Any) -> Doc:
        return {
            "UID": f"{kind.lower()}-{namespace}-{name}",
            "Name": name,
            "Namespace": namespace,
            "Kind": kind,
            "CreatedAt": _t(5, 6, 7, 8, tz=tz),
            **extra,
        }

    configmaps = [
        meta("ConfigMap", "kube-root-ca.crt", "shop", DataKeys=["ca.crt"]),
        meta(
            "ConfigMap",
            "web-config",
            "shop",
            Labels={"app": "web"},
            DataKeys=["app.yaml", "nginx.conf"],
        ),
        meta("ConfigMap", "empty", "default"),
    ]
    secrets = [
        meta("Secret", "db-credentials", "shop", Type="Opaque", DataKeys=["password", "username"]),
        meta(
            "Secret", "shop-tls", "shop", Type="kubernetes.io/tls", DataKeys=["tls.crt", "tls.key"]
        ),
        meta("Secret", "placeholder", "default", Type="Opaque"),
    ]
    quotas = [
        {
            "Name": "shop-quota",
            "Namespace": "shop",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "Hard": {"limits.memory": "16Gi", "pods": "50", "requests.cpu": "8"},
            "Used": {"limits.memory": "3Gi", "pods": "5", "requests.cpu": "900m"},
        },
        {
            "Name": "best-effort",
            "Namespace": "default",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "Scopes": ["BestEffort"],
            "Hard": {"pods": "3"},
        },
    ]
    limit_ranges = [
        {
            "Name": "shop-limits",
            "Namespace": "shop",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "Items": [
                {
                    "Type": "Container",
                    "Default": {"memory": "512Mi"},
                    "DefaultRequest": {"cpu": "100m", "memory": "128Mi"},
                    "Max": {"memory": "2Gi"},
                    "MaxLimitRequestRatio": {"memory": "4"},
                },
                {"Type": "PersistentVolumeClaim", "Min": {"storage": "1Gi"}},
            ],
        },
        {
            "Name": "empty-limits",
            "Namespace": "default",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
        },
    ]
    policies = [
        {
            "Name": "default-deny",
            "Namespace": "shop",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "PolicyTypes": ["Ingress"],
        },
        {
            "Name": "allow-web",
            "Namespace": "shop",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "PodSelector": '{"matchLabels":{"app":"web"}}',
            "PolicyTypes": ["Ingress", "Egress"],
            "IngressRuleCount": 1,
            "EgressRuleCount": 2,
        },
    ]
    accounts = [
        {"Name": "default", "Namespace": "shop", "CreatedAt": _t(2, 10, tz=tz), "Age": "16d"},
        {
            "Name": "builder",
            "Namespace": "shop",
            "CreatedAt": _t(2, 10, tz=tz),
            "Age": "16d",
            "SecretsCount": 1,
            "ImagePullSecretsCount": 2,
            "AutomountServiceAccountToken": False,
        },
    ]
    return configmaps, secrets, quotas, limit_ranges, policies, accounts


def _batch_storage(tz: str) -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
    jobs = [
        {
            "UID": "job-1",
            "Name": "report-29476320",
            "Namespace": "shop",
            "Kind": "Job",
            "Labels": {"job-name": "report-29476320"},
            "CreatedAt": _t(18, 2, tz=tz),
            "Succeeded": 1,
            "Complete": True,
            "StartTime": _t(18, 2, tz=tz),
            "FinishTime": _t(18, 2, 1, 40, tz=tz),
        },
        {
            "UID": "job-2",
            "Name": "migrate",
            "Namespace": "shop",
            "Kind": "Job",
            "CreatedAt": _t(18, 18, 59, 30, tz=tz),
            "Active": 1,
            "Failed": 2,
            "StartTime": _t(18, 18, 59, 30, tz=tz),
        },
    ]
    cronjobs = [
        {
            "UID": "cj-1",
            "Name": "report",
            "Namespace": "shop",
            "Kind": "CronJob",
            "CreatedAt": _t(1, 0, tz=tz),
            "Schedule": "0 2 * * *",
            "LastScheduleTime": _t(18, 2, tz=tz),
            "LastSuccessfulTime": _t(18, 2, 1, 40, tz=tz),
        },
        {
            "UID": "cj-2",
            "Name": "cleanup",
            "Namespace": "shop",
            "Kind": "CronJob",
            "CreatedAt": _t(1, 0, tz=tz),
            "Schedule": "*/5 * * * *",
            "Suspend": True,
        },
    ]
    pvs = [
        {
            "UID": "pv-1",
            "Name": "pvc-0b1c2d3e",
            "Kind": "PersistentVolume",
            "Labels": {"topology.kubernetes.io/zone": "eu-west-1a"},
            "CreatedAt": _t(2, 10, 1, tz=tz),
            "Capacity": "10Gi",
            "Phase": "Bound",
            "StorageClass": "gp3",
            "AccessModes": ["ReadWriteOnce"],
            "ReclaimPolicy": "Delete",
        }
    ]
    pvcs = [
        {
            "UID": "pvc-1",
            "Name": "data-db-0",
            "Namespace": "shop",
            "Kind": "PersistentVolumeClaim",
            "CreatedAt": _t(2, 10, tz=tz),
            "Phase": "Bound",
            "VolumeName": "pvc-0b1c2d3e",
            "StorageClass": "gp3",
            "AccessModes": ["ReadWriteOnce"],
            "RequestedCapacity": "10Gi",
            "ActualCapacity": "10Gi",
        },
        {
            "UID": "pvc-2",
            "Name": "scratch",
            "Namespace": "shop",
            "Kind": "PersistentVolumeClaim",
            "CreatedAt": _t(18, 18, tz=tz),
            "Phase": "Pending",
        },
    ]
    return jobs, cronjobs, pvs, pvcs


def _events(tz: str) -> list[Doc]:
    def event(uid: str, type_: str, reason: str, message: str, obj: Doc, **extra: Any) -> Doc:
        return {
            "UID": uid,
            "Name": f"{obj['Name']}.{uid}",
            "Namespace": obj.get("Namespace") or "default",
            "Kind": "Event",
            "CreatedAt": _t(18, 18, 40, tz=tz),
            "Type": type_,
            "Reason": reason,
            "Message": message,
            "InvolvedObject": obj,
            **extra,
        }

    crashing = {
        "Kind": "Pod",
        "Namespace": "shop",
        "Name": "web-7c9f8d6b5-kq8vn",
        "UID": "pod-kq8vn",
    }
    return [
        event(
            "ev-backoff",
            "Warning",
            "BackOff",
            "Back-off restarting failed container web in pod web-7c9f8d6b5-kq8vn_shop(pod-kq8vn)",
            crashing,
            Source="kubelet",
            Count=14,
            FirstTimestamp=_t(18, 17, 2, 3, tz=tz),
            LastTimestamp=_t(18, 18, 55, 1, tz=tz),
        ),
        # From events.k8s.io (the scheduler's): count 0, no first/last time, no source.
        event(
            "ev-failedscheduling",
            "Warning",
            "FailedScheduling",
            "0/4 nodes are available: 1 node(s) had untolerated taint "
            "{node-role.kubernetes.io/control-plane: }, 3 Insufficient memory. "
            "preemption: <none> & nothing\u2028to do",
            {"Kind": "Pod", "Namespace": "shop", "Name": "db-0", "UID": "pod-db-0"},
        ),
        event(
            "ev-scaled",
            "Normal",
            "ScalingReplicaSet",
            "Scaled up replica set web-7c9f8d6b5 to 2 from 1",
            {"Kind": "Deployment", "Namespace": "shop", "Name": "web", "UID": "deploy-web"},
            Source="deployment-controller",
            Count=1,
            FirstTimestamp=_t(17, 9, 4, tz=tz),
            LastTimestamp=_t(17, 9, 4, tz=tz),
        ),
        event(
            "ev-nodenotready",
            "Warning",
            "NodeNotReady",
            "Node worker-2 status is now: NodeNotReady",
            {"Kind": "Node", "Name": "worker-2", "UID": "node-worker-2"},
            Source="node-controller",
            Count=1,
            FirstTimestamp=_t(18, 18, 50, tz=tz),
            LastTimestamp=_t(18, 18, 50, tz=tz),
        ),
        event(
            "ev-pulled",
            "Normal",
            "Pulled",
            'Container image "ghcr.io/acme/web:1.4.2" already present on machine',
            {"Kind": "Pod", "Namespace": "shop", "Name": "web-7c9f8d6b5-x2x9k"},
            Source="kubelet",
            Count=3,
            FirstTimestamp=_t(17, 9, 5, tz=tz),
            LastTimestamp=_t(18, 12, 0, 9, tz=tz),
        ),
    ]


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
    deployments, statefulsets, daemonsets, replicasets = _workloads(tz)
    services, ingresses = _networking(tz)
    configmaps, secrets, quotas, limit_ranges, policies, accounts = _config(tz)
    jobs, cronjobs, pvs, pvcs = _batch_storage(tz)
    fraction = ".123456789" if tz != "Z" else ".1"
    snapshot: Doc = {
        "ClusterID": cluster_id,
        "FetchedAt": f"2026-01-18T19:00:03{fraction}{tz}",
        "Pods": _pods(tz),
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
                "Summary": {"Name": name, "CreatedAt": _t(1, 8, tz=tz), "Age": "17d"},
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
        "Nodes": _nodes(tz),
        "Events": _events(tz),
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


def item_struct(key: str) -> Struct:
    return next(item for _, json_key, item, _ in v2.LISTS if json_key == key)
