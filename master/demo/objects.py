"""The other kinds as the Go agent sends them: networking, config, storage, policy, events.

Services, ingresses and namespaces carry their identity in `summary` (model_v2
`Service`, `Ingress`, `Namespace`); ConfigMaps, Secrets, volumes and events
carry `CommonMeta` at the top level; quotas, limit ranges, network policies and
service accounts are flat camelCase. Secrets carry key names only, never values.
"""

from __future__ import annotations

from .resources import ZERO_TIME, Doc


def service_doc(
    *,
    name: str,
    namespace: str,
    type_: str,
    cluster_ip: str,
    port: int,
    selector: dict[str, str] | None,
    created: str,
    node_port: int = 0,
    external_ip: str = "",
) -> Doc:
    """A Service; headless when `cluster_ip` is "None"."""
    port_doc: Doc = {
        "name": "http" if port != 443 else "https",
        "protocol": "TCP",
        "port": port,
        "targetPort": str(port) if port != 443 else "6443",
    }
    if node_port:
        port_doc["nodePort"] = node_port
    badges = {"LoadBalancer": ["LB"], "NodePort": ["NodePort"]}.get(type_) or (
        ["Headless"] if cluster_ip == "None" else []
    )
    summary: Doc = {
        "name": name,
        "namespace": namespace,
        "type": type_,
        "createdAt": created,
        "age": "0m",
        "portsCount": 1,
        "hasSelector": bool(selector),
    }
    if badges:
        summary["badges"] = badges
    summary["clusterIP"] = cluster_ip
    spec: Doc = {"type": type_, "sessionAffinity": "None"}
    if type_ in ("NodePort", "LoadBalancer"):
        spec["externalTrafficPolicy"] = "Cluster"
    spec.update(
        internalTrafficPolicy="Cluster",
        ipFamilies=["IPv4"],
        ipFamilyPolicy="SingleStack",
        clusterIPs=[cluster_ip],
    )
    if type_ == "LoadBalancer":
        spec["allocateLoadBalancerNodePorts"] = True
    doc: Doc = {"summary": summary, "spec": spec, "ports": [port_doc]}
    if selector:
        doc["selector"] = selector
    network: Doc = {"clusterIPs": [cluster_ip]}
    if external_ip:
        network["loadBalancerIngress"] = [external_ip]
    network.update(ipFamilies=["IPv4"], ipFamilyPolicy="SingleStack")
    if type_ in ("NodePort", "LoadBalancer"):
        network["externalTrafficPolicy"] = "Cluster"
    network["internalTrafficPolicy"] = "Cluster"
    doc["network"] = network
    doc["labels"] = {"app.kubernetes.io/name": name} if selector else {"component": "apiserver"}
    return doc


def ingress_doc(
    *,
    name: str,
    namespace: str,
    host: str,
    service: str,
    port: int,
    tls_secret: str,
    address: str,
    created: str,
) -> Doc:
    """An nginx Ingress routing one host to one service."""
    summary: Doc = {
        "name": name,
        "namespace": namespace,
        "createdAt": created,
        "age": "0m",
        "ingressClass": "nginx",
        "hostsCount": 1,
        "pathsCount": 1,
        "tlsEnabled": bool(tls_secret),
        "hosts": [host],
    }
    spec: Doc = {
        "ingressClassName": "nginx",
        "rules": [
            {
                "host": host,
                "paths": [
                    {
                        "path": "/",
                        "pathType": "Prefix",
                        "backend": {
                            "type": "Service",
                            "service": {"name": service, "portNumber": port},
                        },
                    }
                ],
            }
        ],
    }
    if tls_secret:
        spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
    return {
        "summary": summary,
        "spec": spec,
        "status": {"loadBalancer": [address]} if address else {},
        "labels": {"app.kubernetes.io/name": service},
        "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
    }


NAMESPACE_RESOURCES = (
    "pods podsRunning podsPending podsFailed podsSucceeded deployments statefulSets daemonSets"
    " replicaSets jobs cronJobs services ingresses networkPolicies configMaps secrets"
    " serviceAccounts pvcs"
).split()


def namespace_doc(name: str, created: str) -> Doc:
    """An Active namespace; `cluster` fills its counts, quotas and limit ranges per snapshot."""
    return {
        "summary": {"name": name, "createdAt": created, "age": "0m"},
        "status": {"phase": "Active"},
        "resources": dict.fromkeys(NAMESPACE_RESOURCES, 0),
        "labels": {"kubernetes.io/metadata.name": name},
    }


def meta(
    kind: str,
    *,
    uid: str,
    name: str,
    namespace: str,
    created: str,
    labels: dict[str, str] | None = None,
) -> Doc:
    """`CommonMeta`: identity at the top level (no namespace for cluster-wide kinds)."""
    doc: Doc = {"uid": uid, "name": name}
    if namespace:
        doc["namespace"] = namespace
    doc["kind"] = kind
    if labels:
        doc["labels"] = labels
    doc["created_at"] = created
    return doc


def keys_doc(
    kind: str,
    keys: list[str],
    *,
    uid: str,
    name: str,
    namespace: str,
    created: str,
    labels: dict[str, str] | None = None,
    type_: str = "Opaque",
) -> Doc:
    """A ConfigMap or Secret (`type_`): its key names (omitted when none), never the values."""
    doc = meta(kind, uid=uid, name=name, namespace=namespace, created=created, labels=labels)
    if kind == "Secret":
        doc["type"] = type_
    if keys:
        doc["data_keys"] = keys
    return doc


def policy_doc(name: str, namespace: str, created: str, **fields: object) -> Doc:
    """A ResourceQuota, LimitRange, NetworkPolicy or ServiceAccount: flat camelCase.

    Their `createdAt` is a seconds-only string in the agent's offset.
    """
    return {"name": name, "namespace": namespace, "createdAt": created, "age": "0m", **fields}


def event_doc(
    *,
    uid: str,
    namespace: str,
    type_: str,
    reason: str,
    message: str,
    source: str,
    obj: Doc,
    at: str,
    series: bool,
) -> Doc:
    """An event seen once; `count` and `last_timestamp` grow when it repeats.

    A `series` event (events.k8s.io, as the scheduler writes them) has count 0,
    no first or last time and no source: its `created_at` is its only time.
    """
    doc: Doc = {
        "uid": uid,
        "name": f"{obj['name']}.{uid.replace('-', '')[:16]}",
        "namespace": namespace,
        "kind": "Event",
        "created_at": at,
        "type": type_,
        "reason": reason,
        "message": message,
    }
    if source and not series:
        doc["source"] = source
    doc.update(
        involved_object=obj,
        count=0 if series else 1,
        first_timestamp=ZERO_TIME if series else at,
        last_timestamp=ZERO_TIME if series else at,
    )
    return doc
