"""The golden snapshot's other kinds: networking, config, policy, batch, storage, events."""

from __future__ import annotations

from typing import Any

from .clock import Doc, kube_time


def networking(tz: str) -> tuple[list[Doc], list[Doc]]:
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
                "CreatedAt": kube_time(2, 10, tz=tz),
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
                "CreatedAt": kube_time(2, 10, tz=tz),
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
                "CreatedAt": kube_time(2, 10, tz=tz),
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


def config(tz: str) -> tuple[list[Doc], ...]:
    def meta(kind: str, name: str, namespace: str, **extra: Any) -> Doc:
        return {
            "UID": f"{kind.lower()}-{namespace}-{name}",
            "Name": name,
            "Namespace": namespace,
            "Kind": kind,
            "CreatedAt": kube_time(5, 6, 7, 8, tz=tz),
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
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
            "Hard": {"limits.memory": "16Gi", "pods": "50", "requests.cpu": "8"},
            "Used": {"limits.memory": "3Gi", "pods": "5", "requests.cpu": "900m"},
        },
        {
            "Name": "best-effort",
            "Namespace": "default",
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
            "Scopes": ["BestEffort"],
            "Hard": {"pods": "3"},
        },
    ]
    limit_ranges = [
        {
            "Name": "shop-limits",
            "Namespace": "shop",
            "CreatedAt": kube_time(2, 10, tz=tz),
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
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
        },
    ]
    policies = [
        {
            "Name": "default-deny",
            "Namespace": "shop",
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
            "PolicyTypes": ["Ingress"],
        },
        {
            "Name": "allow-web",
            "Namespace": "shop",
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
            "PodSelector": '{"matchLabels":{"app":"web"}}',
            "PolicyTypes": ["Ingress", "Egress"],
            "IngressRuleCount": 1,
            "EgressRuleCount": 2,
        },
    ]
    accounts = [
        {
            "Name": "default",
            "Namespace": "shop",
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
        },
        {
            "Name": "builder",
            "Namespace": "shop",
            "CreatedAt": kube_time(2, 10, tz=tz),
            "Age": "16d",
            "SecretsCount": 1,
            "ImagePullSecretsCount": 2,
            "AutomountServiceAccountToken": False,
        },
    ]
    return configmaps, secrets, quotas, limit_ranges, policies, accounts


def batch_storage(tz: str) -> tuple[list[Doc], list[Doc], list[Doc], list[Doc]]:
    jobs = [
        {
            "UID": "job-1",
            "Name": "report-29476320",
            "Namespace": "shop",
            "Kind": "Job",
            "Labels": {"job-name": "report-29476320"},
            "CreatedAt": kube_time(18, 2, tz=tz),
            "Succeeded": 1,
            "Complete": True,
            "StartTime": kube_time(18, 2, tz=tz),
            "FinishTime": kube_time(18, 2, 1, 40, tz=tz),
        },
        {
            "UID": "job-2",
            "Name": "migrate",
            "Namespace": "shop",
            "Kind": "Job",
            "CreatedAt": kube_time(18, 18, 59, 30, tz=tz),
            "Active": 1,
            "Failed": 2,
            "StartTime": kube_time(18, 18, 59, 30, tz=tz),
        },
    ]
    cronjobs = [
        {
            "UID": "cj-1",
            "Name": "report",
            "Namespace": "shop",
            "Kind": "CronJob",
            "CreatedAt": kube_time(1, 0, tz=tz),
            "Schedule": "0 2 * * *",
            "LastScheduleTime": kube_time(18, 2, tz=tz),
            "LastSuccessfulTime": kube_time(18, 2, 1, 40, tz=tz),
        },
        {
            "UID": "cj-2",
            "Name": "cleanup",
            "Namespace": "shop",
            "Kind": "CronJob",
            "CreatedAt": kube_time(1, 0, tz=tz),
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
            "CreatedAt": kube_time(2, 10, 1, tz=tz),
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
            "CreatedAt": kube_time(2, 10, tz=tz),
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
            "CreatedAt": kube_time(18, 18, tz=tz),
            "Phase": "Pending",
        },
    ]
    return jobs, cronjobs, pvs, pvcs


def events(tz: str) -> list[Doc]:
    def event(uid: str, type_: str, reason: str, message: str, obj: Doc, **extra: Any) -> Doc:
        return {
            "UID": uid,
            "Name": f"{obj['Name']}.{uid}",
            "Namespace": obj.get("Namespace") or "default",
            "Kind": "Event",
            "CreatedAt": kube_time(18, 18, 40, tz=tz),
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
            FirstTimestamp=kube_time(18, 17, 2, 3, tz=tz),
            LastTimestamp=kube_time(18, 18, 55, 1, tz=tz),
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
            FirstTimestamp=kube_time(17, 9, 4, tz=tz),
            LastTimestamp=kube_time(17, 9, 4, tz=tz),
        ),
        event(
            "ev-nodenotready",
            "Warning",
            "NodeNotReady",
            "Node worker-2 status is now: NodeNotReady",
            {"Kind": "Node", "Name": "worker-2", "UID": "node-worker-2"},
            Source="node-controller",
            Count=1,
            FirstTimestamp=kube_time(18, 18, 50, tz=tz),
            LastTimestamp=kube_time(18, 18, 50, tz=tz),
        ),
        event(
            "ev-pulled",
            "Normal",
            "Pulled",
            'Container image "ghcr.io/acme/web:1.4.2" already present on machine',
            {"Kind": "Pod", "Namespace": "shop", "Name": "web-7c9f8d6b5-x2x9k"},
            Source="kubelet",
            Count=3,
            FirstTimestamp=kube_time(17, 9, 5, tz=tz),
            LastTimestamp=kube_time(18, 12, 0, 9, tz=tz),
        ),
    ]
