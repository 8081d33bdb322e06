"""The golden snapshot's Pods and Nodes, as the agent's converters fill them."""

from __future__ import annotations

import copy
from typing import Any

from .clock import Doc, kube_time


def container(name: str, image: str, port: int, *, probe: bool = True) -> Doc:
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


def pods(tz: str) -> list[Doc]:
    web = container("web", "ghcr.io/acme/web:1.4.2", 8080)
    ready_conditions = [
        {"Type": t, "Status": "True", "LastTransitionTime": kube_time(17, 9, 5, tz=tz)}
        for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")
    ] + [
        {"Type": "PodScheduled", "Status": "True", "LastTransitionTime": kube_time(17, 9, 4, tz=tz)}
    ]
    running = {
        "Summary": {
            "Name": "web-7c9f8d6b5-x2x9k",
            "Namespace": "shop",
            "NodeName": "worker-1",
            "OwnerKind": "ReplicaSet",
            "OwnerName": "web-7c9f8d6b5",
            "CreatedAt": kube_time(17, 9, 4, tz=tz),
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
            "kubectl.kubernetes.io/restartedAt": kube_time(17, 9, 4, tz=tz),
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
            LastTerminationTime=kube_time(18, 18, 55, 1, tz=tz),
        )
    ]
    crashing["Annotations"] = None
    pending = {
        "Summary": {
            "Name": "db-0",
            "Namespace": "shop",
            "OwnerKind": "StatefulSet",
            "OwnerName": "db",
            "CreatedAt": kube_time(18, 18, 40, tz=tz),
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
                    "LastTransitionTime": kube_time(18, 18, 40, tz=tz),
                }
            ],
        },
        # No container status before scheduling: state "" (no omitempty), spec image.
        "Containers": [_pod_container(container("postgres", "postgres:16.2", 5432, probe=False))],
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
            "CreatedAt": kube_time(18, 2, tz=tz),
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
            "CreatedAt": kube_time(12, 23, 59, 59, tz=tz),
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
            "CreatedAt": kube_time(3, 4, 5, 6, tz=tz),
            "Age": "15d",
        },
        "Status": {"Phase": "Unknown", "Ready": "0/1", "Restarts": 2},
        "Containers": [
            {"Name": "node-exporter", "Image": "prom/node-exporter:v1.8.1", "Ports": []}
        ],
    }
    return [running, crashing, pending, succeeded, failed, unknown]


def nodes(tz: str) -> list[Doc]:
    def node(name: str, index: int, ready: str, roles: list[str] | None) -> Doc:
        ip = f"10.0.1.{10 + index}"
        doc: Doc = {
            "Summary": {
                "Name": name,
                "Roles": roles,
                "Ready": ready,
                "Schedulable": True,
                "Age": "120d",
                "CreationTime": kube_time(1, 8, tz=tz),
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
                    "LastHeartbeatTime": kube_time(18, 19, 0, 1, tz=tz),
                    "LastTransitionTime": kube_time(1, 8, 1, tz=tz),
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
            "TimeAdded": kube_time(18, 17, 30, tz=tz),
        }
    ]
    down = node("worker-2", 2, "False", None)
    lost = node("worker-3", 3, "Unknown", None)
    lost["Addresses"]["ExternalIP"] = "203.0.113.7"
    lost["Metrics"] = None  # metrics-server has no figure for it: omitted
    lost["Info"]["KubeProxyVersion"] = ""
    return [cp, cordoned, down, lost]
