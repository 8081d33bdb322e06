"""The golden snapshot's Deployments, StatefulSets, DaemonSets and ReplicaSets."""

from __future__ import annotations

from typing import Any

from .clock import Doc, kube_time
from .pods import container


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
            "CreatedAt": kube_time(2, 10, tz=tz),
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
        "Template": _template(container(name, image, 8080), labels={"app": name}),
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
                    "LastUpdateTime": kube_time(17, 9, 5, tz=tz),
                    "LastTransitionTime": kube_time(17, 9, 5, tz=tz),
                }
            ],
        },
        "Rollout": {"Phase": "Available", "Badges": ["Available"]},
        "Annotations": {"deployment.kubernetes.io/revision": "7"},
        "Labels": {"app": name},
    }
    doc["Summary"].update(extra)
    return doc


def workloads(tz: str) -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
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
            "CreatedAt": kube_time(18, 18, tz=tz),
            "Age": "1h",
        }
    ]
    statefulset = {
        "Summary": {
            "Name": "db",
            "Namespace": "shop",
            "Replicas": 1,
            "CreatedAt": kube_time(2, 10, tz=tz),
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
        "Template": _template(container("postgres", "postgres:16.2", 5432, probe=False)),
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
            "CreatedAt": kube_time(1, 9, tz=tz),
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
            "CreatedAt": kube_time(17, 9, 4, tz=tz),
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
            "CreatedAt": kube_time(2, 10, tz=tz),
        },
    ]
    return deployments, [statefulset], [daemonset], replicasets
