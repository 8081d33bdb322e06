"""Builders of the other resource dicts: networking, config, storage, events.

Services, ingresses and namespaces carry their identity in `summary`; the rest
are flat kinds (`name`, `namespace`, `uid`, `kind` at the top level). Secrets
carry key names only, never values.
"""

from __future__ import annotations

from .resources import Doc


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
        "port": port,
        "targetPort": str(port),
        "protocol": "TCP",
    }
    if node_port:
        port_doc["nodePort"] = node_port
    summary: Doc = {
        "name": name,
        "namespace": namespace,
        "type": type_,
        "clusterIP": cluster_ip,
        "ports": f"{port}/TCP" if not node_port else f"{port}:{node_port}/TCP",
        "createdAt": created,
    }
    if external_ip:
        summary["externalIP"] = external_ip
    doc: Doc = {
        "summary": summary,
        "spec": {
            "type": type_,
            "clusterIP": cluster_ip,
            "clusterIPs": [cluster_ip],
            "ports": [port_doc],
            "selector": selector,
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "internalTrafficPolicy": "Cluster",
        },
        "labels": {"app.kubernetes.io/name": name} if selector else {"component": "apiserver"},
    }
    if external_ip:
        doc["status"] = {"loadBalancer": {"ingress": [{"ip": external_ip}]}}
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
    return {
        "summary": {
            "name": name,
            "namespace": namespace,
            "ingressClass": "nginx",
            "hosts": [host],
            "address": address,
            "ports": "80, 443",
            "createdAt": created,
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": host,
                    "paths": [
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "serviceName": service,
                            "servicePort": port,
                        }
                    ],
                }
            ],
            "tls": [{"hosts": [host], "secretName": tls_secret}] if tls_secret else [],
        },
        "labels": {"app.kubernetes.io/name": service},
        "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
    }


def namespace_doc(name: str, created: str) -> Doc:
    """An Active namespace."""
    return {
        "summary": {"name": name, "createdAt": created},
        "status": {"phase": "Active"},
        "labels": {"kubernetes.io/metadata.name": name},
    }


def flat_doc(
    kind: str, *, uid: str, name: str, namespace: str, created: str, **fields: object
) -> Doc:
    """A flat-kind resource: identity at the top level, then its own fields."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": kind,
        **fields,
        "created_at": created,
    }


def event_doc(
    *,
    uid: str,
    namespace: str,
    type_: str,
    reason: str,
    message: str,
    source: str,
    host: str,
    obj: Doc,
    first: str,
    last: str,
) -> Doc:
    """An event seen once; `count` and `last_timestamp` grow when it repeats."""
    return {
        "uid": uid,
        "name": f"{obj['name']}.{uid.replace('-', '')[:16]}",
        "namespace": namespace,
        "kind": "Event",
        "type": type_,
        "reason": reason,
        "message": message,
        "source": source,
        "source_host": host,
        "involved_object": obj,
        "count": 1,
        "first_timestamp": first,
        "last_timestamp": last,
    }
