"""What a simulated cluster runs: the apps, their config, and how their logs read.

Plain data, so a cluster's layout is easy to read and to change in one place.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

DEPLOYMENT = "Deployment"
STATEFULSET = "StatefulSet"
DAEMONSET = "DaemonSet"


@dataclass(frozen=True)
class App:
    """One workload: what it runs, where, and how many replicas at least."""

    name: str
    namespace: str
    image: str
    port: int
    kind: str = DEPLOYMENT
    replicas: int = 1
    service: str | None = "ClusterIP"  # service type, None for no service
    logs: str = "http"  # flavour of its log lines, see `log_line`
    scalable: bool = True  # may get extra replicas (pod budget, simulated autoscaler)
    probe: str = "httpGet"  # httpGet | tcpSocket


# The base every cluster has, whatever its size.
BASE_APPS: tuple[App, ...] = (
    App(
        "coredns",
        "kube-system",
        "registry.k8s.io/coredns/coredns:v1.11.1",
        53,
        replicas=2,
        logs="dns",
        scalable=False,
    ),
    App(
        "metrics-server",
        "kube-system",
        "registry.k8s.io/metrics-server/metrics-server:v0.7.1",
        10250,
        logs="klog",
        scalable=False,
    ),
    App(
        "kube-proxy",
        "kube-system",
        "registry.k8s.io/kube-proxy:v1.29.4",
        10249,
        kind=DAEMONSET,
        service=None,
        logs="klog",
        scalable=False,
    ),
    App(
        "node-exporter",
        "monitoring",
        "quay.io/prometheus/node-exporter:v1.8.0",
        9100,
        kind=DAEMONSET,
        logs="klog",
        scalable=False,
    ),
    App(
        "prometheus",
        "monitoring",
        "quay.io/prometheus/prometheus:v2.51.2",
        9090,
        kind=STATEFULSET,
        logs="klog",
        scalable=False,
    ),
    App(
        "grafana",
        "monitoring",
        "docker.io/grafana/grafana:10.4.2",
        3000,
        service="NodePort",
        scalable=False,
    ),
    App(
        "frontend",
        "shop",
        "ghcr.io/acme/shop-frontend:1.14.2",
        8080,
        replicas=2,
        service="LoadBalancer",
    ),
    App("cart", "shop", "ghcr.io/acme/shop-cart:2.3.0", 8080),
    App("catalog", "shop", "ghcr.io/acme/shop-catalog:3.0.1", 8080),
    App("checkout", "shop", "ghcr.io/acme/shop-checkout:1.9.4", 8080),
    App("payments", "shop", "ghcr.io/acme/shop-payments:0.18.0", 8443),
    App(
        "redis",
        "shop",
        "docker.io/library/redis:7.2.4",
        6379,
        logs="redis",
        scalable=False,
        probe="tcpSocket",
    ),
    App(
        "postgres",
        "shop",
        "docker.io/library/postgres:16.2",
        5432,
        kind=STATEFULSET,
        replicas=2,
        logs="db",
        scalable=False,
        probe="tcpSocket",
    ),
)

# Namespaces that always exist (plus the namespaces of the apps).
SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
# Where extra apps of bigger clusters go, in order of use.
EXTRA_NAMESPACES = ("shop", "platform", "payments", "analytics", "team-a", "team-b")
_WORDS = (
    "api",
    "auth",
    "billing",
    "inventory",
    "orders",
    "search",
    "shipping",
    "reviews",
    "notifications",
    "recommendations",
    "email",
    "reports",
    "ledger",
    "pricing",
    "profile",
    "session",
    "media",
    "export",
    "importer",
    "audit",
    "gateway",
    "scheduler",
    "quotes",
    "loyalty",
    "fraud",
    "tax",
    "invoices",
    "catalog-sync",
    "webhooks",
    "feeds",
)
EXTRA_APPS_PER_NAMESPACE = 12
PODS_PER_EXTRA_APP = 6  # pod budget per extra app: more pods mean more apps, not just replicas


def extra_app(index: int, rng: random.Random) -> App:
    """The index-th extra app of a big cluster (names unique per namespace)."""
    namespace = EXTRA_NAMESPACES[(index // EXTRA_APPS_PER_NAMESPACE) % len(EXTRA_NAMESPACES)]
    word = _WORDS[index % len(_WORDS)]
    rounds = index // (EXTRA_APPS_PER_NAMESPACE * len(EXTRA_NAMESPACES))
    name = word if rounds == 0 else f"{word}-{rounds + 1}"
    image = f"ghcr.io/acme/{word}:{rng.randint(0, 4)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}"
    return App(name, namespace, image, rng.choice((8080, 8000, 9000, 3000)))


# ConfigMaps beside the per-namespace kube-root-ca.crt: (namespace, name) -> data.
CONFIGMAPS: dict[tuple[str, str], dict[str, str]] = {
    ("kube-system", "coredns"): {
        "Corefile": ".:53 {\n    errors\n    health\n"
        "    kubernetes cluster.local in-addr.arpa ip6.arpa\n"
        "    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n}\n",
    },
    ("monitoring", "prometheus-config"): {
        "prometheus.yml": "global:\n  scrape_interval: 30s\nscrape_configs:\n"
        "  - job_name: kubernetes-pods\n"
        "    kubernetes_sd_configs:\n      - role: pod\n",
    },
    ("monitoring", "grafana-datasources"): {
        "datasources.yaml": "apiVersion: 1\ndatasources:\n  - name: Prometheus\n"
        "    type: prometheus\n    url: http://prometheus:9090\n",
    },
    ("shop", "frontend-config"): {
        "API_BASE_URL": "http://checkout.shop.svc:8080",
        "FEATURE_FLAGS": "new-cart,express-checkout",
        "CACHE_TTL_SECONDS": "60",
    },
    ("shop", "postgres-init"): {"init.sql": "CREATE DATABASE shop;\n"},
}

# Secrets: metadata and key names only, never values.
SECRETS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("shop", "postgres-credentials", "Opaque", ("password", "username")),
    ("shop", "frontend-tls", "kubernetes.io/tls", ("tls.crt", "tls.key")),
    ("monitoring", "grafana-admin", "Opaque", ("admin-password", "admin-user")),
)

_PATHS = (
    "/",
    "/api/products",
    "/api/cart",
    "/api/checkout",
    "/healthz",
    "/api/users/me",
    "/api/orders",
    "/static/app.js",
    "/metrics",
)
_METHODS = ("GET", "GET", "GET", "POST", "PUT")


def log_line(flavour: str, stamp: str, rng: random.Random) -> str:
    """One plausible log line of an app of this flavour at `stamp` (`2026-01-18T10:00:03.123Z`)."""
    if flavour == "http":
        status = rng.choice((200, 200, 200, 200, 201, 204, 304, 404, 500))
        level = "ERROR" if status >= 500 else "INFO"
        return (
            f"{stamp} {level} request method={rng.choice(_METHODS)} path={rng.choice(_PATHS)} "
            f"status={status} duration={rng.randint(1, 900)}ms "
            f"trace_id={rng.getrandbits(64):016x}"
        )
    if flavour == "dns":
        name = rng.choice(
            (
                "kubernetes.default.svc.cluster.local.",
                "redis.shop.svc.cluster.local.",
                "api.github.com.",
                "prometheus.monitoring.svc.cluster.local.",
            )
        )
        client = f"10.244.{rng.randint(0, 5)}.{rng.randint(2, 250)}:{rng.randint(30000, 60000)}"
        return (
            f'[INFO] {client} - {rng.randint(1, 65535)} "A IN {name} udp 64 false 512" '
            f"NOERROR qr,aa,rd {rng.randint(60, 200)} 0.000{rng.randint(100, 999)}s"
        )
    if flavour == "db":
        head = f"{stamp[:10]} {stamp[11:23]} UTC [{rng.randint(60, 9000)}] LOG: "
        return head + rng.choice(
            (
                f" checkpoint complete: wrote {rng.randint(1, 900)} buffers",
                f" duration: {rng.randint(1, 2000)}.{rng.randint(100, 999)} ms  "
                "statement: SELECT * FROM orders WHERE id = $1",
                " connection authorized: user=shop database=shop",
            )
        )
    if flavour == "redis":
        stamp = f"{stamp[:10]} {stamp[11:23]}"
        return rng.choice(
            (
                f"1:M {stamp} * {rng.randint(1, 100)} changes in 60 seconds. Saving...",
                f"1:M {stamp} * Background saving started by pid {rng.randint(100, 999)}",
                f"1:M {stamp} * Background saving terminated with success",
            )
        )
    source = rng.choice(("server.go", "reflector.go", "controller.go"))
    message = rng.choice(
        ("Successfully synced", "Watch close", "Starting workers", "Scrape finished")
    )
    line = rng.randint(40, 900)
    return f"I{stamp[5:7]}{stamp[8:10]} {stamp[11:23]}       1 {source}:{line}] {message}"
