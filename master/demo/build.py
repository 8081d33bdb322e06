"""Populate a new `ClusterState`: nodes, namespaces, apps and their pods, and the rest.

Sizes follow the pod budget: the base apps always run (see `catalog`), bigger
budgets add apps across more namespaces and replicas to the scalable ones.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from . import catalog
from . import resources as res
from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET, App
from .entities import Node, Pod, Workload
from .objects import ingress_doc, keys_doc, namespace_doc, policy_doc, service_doc
from .state import ClusterState
from .workloads import cronjob_doc, job_doc, workload_doc

_DEMO_CA = "-----BEGIN CERTIFICATE-----\n(demo CA)\n-----END CERTIFICATE-----\n"
_JOB_APP = App("nightly-report", "shop", "ghcr.io/acme/report-runner:1.2.0", 8080, service=None)


def populate(state: ClusterState, pods: int) -> None:
    """Build a realistic cluster of about `pods` pods (never fewer than the base apps need)."""
    rng, now = state.rng, state.now
    born = now - timedelta(days=rng.uniform(90, 400))
    node_count = rng.randint(3, 6)
    zones = [f"{rng.choice(('us-east-1', 'eu-west-1', 'ap-northeast-1'))}{z}" for z in "abc"]
    for i in range(node_count):
        name = "cp-1" if i == 0 else f"worker-{i}"
        roles = ["control-plane"] if i == 0 else ["worker"]
        ip = f"10.0.{1 + i // 200}.{10 + i % 200}"
        doc = res.node_doc(
            name=name,
            roles=roles,
            created=state.stamp(born),
            ip=ip,
            index=i,
            cpu=rng.choice((4, 8, 16)),
            memory_gi=rng.choice((16, 32, 64)),
            zone=zones[i % 3],
        )
        state.nodes[name] = Node(name, state.uid(), doc, i, ip, control_plane=i == 0)

    apps = list(catalog.BASE_APPS)
    fixed = sum(node_count if a.kind == DAEMONSET else a.replicas for a in apps) + 2  # + job pods
    budget = max(pods - fixed, 0)
    apps += [catalog.extra_app(i, rng) for i in range(budget // catalog.PODS_PER_EXTRA_APP)]
    replicas = {a: a.replicas for a in apps}
    scalable = [a for a in apps if a.scalable]
    for _ in range(max(budget - (len(apps) - len(catalog.BASE_APPS)), 0)):
        replicas[rng.choice(scalable)] += 1

    names = [*catalog.SYSTEM_NAMESPACES, *dict.fromkeys(a.namespace for a in apps)]
    for ns in names:
        state.named["namespaces"][("", ns)] = namespace_doc(ns, state.stamp(born))
        state.flat["serviceAccounts"][(ns, "default")] = policy_doc(
            "default", ns, state.stamp(born), secretsCount=0, imagePullSecretsCount=0
        )
        _configmap(state, ns, "kube-root-ca.crt", {"ca.crt": _DEMO_CA}, born)
    for app in apps:
        _workload(state, app, replicas[app])
    _services(state, apps)
    for (ns, name), data in catalog.CONFIGMAPS.items():
        _configmap(state, ns, name, data, now - timedelta(days=rng.uniform(1, 60)))
    for ns, name, type_, keys in catalog.SECRETS:
        state.flat["secrets"][(ns, name)] = keys_doc(
            "Secret",
            sorted(keys),
            uid=state.uid(),
            name=name,
            namespace=ns,
            created=state.stamp(now - timedelta(days=rng.uniform(1, 60))),
            type_=type_,
        )
    _policies(state, born)
    _jobs(state)


def _policies(state: ClusterState, born: datetime) -> None:
    """The shop's network policies, quota and default limits."""
    created = state.stamp(born)
    flat = state.flat
    flat["networkPolicies"][("shop", "default-deny-ingress")] = policy_doc(
        "default-deny-ingress",
        "shop",
        created,
        policyTypes=["Ingress"],
        ingressRuleCount=0,
        egressRuleCount=0,
    )
    flat["networkPolicies"][("shop", "allow-frontend-ingress")] = policy_doc(
        "allow-frontend-ingress",
        "shop",
        created,
        podSelector='{"matchLabels":{"app":"frontend"}}',
        policyTypes=["Ingress"],
        ingressRuleCount=1,
        egressRuleCount=0,
    )
    flat["resourceQuotas"][("shop", "shop-quota")] = policy_doc(
        "shop-quota",
        "shop",
        created,
        hard={"limits.memory": "64Gi", "pods": "200", "requests.cpu": "32"},
        used={"limits.memory": "8Gi", "pods": "20", "requests.cpu": "2"},
    )
    flat["limitRanges"][("shop", "shop-limits")] = policy_doc(
        "shop-limits",
        "shop",
        created,
        items=[
            {
                "type": "Container",
                "default": {"cpu": "500m", "memory": "512Mi"},
                "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                "max": {"memory": "4Gi"},
            }
        ],
    )


def _configmap(
    state: ClusterState, ns: str, name: str, data: dict[str, str], created: datetime
) -> None:
    state.configmap_data[(ns, name)] = data
    state.flat["configmaps"][(ns, name)] = keys_doc(
        "ConfigMap",
        sorted(data),
        uid=state.uid(),
        name=name,
        namespace=ns,
        created=state.stamp(created),
    )


def _workload(state: ClusterState, app: App, replicas: int) -> None:
    """One workload with its pods; about one pod in seven started within the last hour."""
    rng, now = state.rng, state.now
    created = now - timedelta(days=rng.uniform(2, 60))
    container = res.container_spec(app, app.image)
    template_hash = res.suffix(rng, 10)
    hash_label = "pod-template-hash" if app.kind == DEPLOYMENT else "controller-revision-hash"
    selector = {"app": app.name}
    labels = res.gomap(
        {
            **selector,
            "app.kubernetes.io/name": app.name,
            "app.kubernetes.io/part-of": app.namespace,
            "version": app.image.rsplit(":", 1)[-1],
            hash_label: template_hash,
        }
    )
    annotations = {"kubectl.kubernetes.io/default-container": app.name}
    if app.service is not None:
        annotations.update({"prometheus.io/scrape": "true", "prometheus.io/port": str(app.port)})
    annotations = res.gomap(annotations)
    if app.kind == DAEMONSET:
        replicas = len(state.nodes)
    doc = workload_doc(
        app=app,
        replicas=replicas,
        created=state.stamp(created),
        labels=labels,
        selector=selector,
        container=container,
    )
    w = Workload(
        app,
        state.uid(),
        doc,
        replicas,
        container,
        labels,
        annotations,
        template_hash,
        base_replicas=replicas,
    )
    state.workloads[w.key] = w
    if app.kind == DEPLOYMENT:
        state.new_replicaset(w, created)
    for i in range(replicas):
        young = rng.random() < 0.15
        at = now - (
            timedelta(seconds=rng.uniform(60, 3000))
            if young
            else timedelta(seconds=rng.uniform(3600, (now - created).total_seconds()))
        )
        node = list(state.nodes.values())[i] if app.kind == DAEMONSET else None
        state.add_pod(w, at, node=node, announce=young)
    state.refresh(w, now)


def _services(state: ClusterState, apps: list[App]) -> None:
    rng, now = state.rng, state.now
    services = state.named["services"]
    services[("default", "kubernetes")] = service_doc(
        name="kubernetes",
        namespace="default",
        type_="ClusterIP",
        cluster_ip="10.96.0.1",
        port=443,
        selector=None,
        created=state.nodes["cp-1"].doc["summary"]["creationTime"],
    )
    external = ""
    for app in apps:
        if app.service is None:
            continue
        name = "kube-dns" if app.name == "coredns" else app.name
        headless = app.kind == STATEFULSET and app.logs == "db"
        ip = "None" if headless else f"10.96.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        node_port = rng.randint(30000, 32767) if app.service != "ClusterIP" else 0
        lb_ip = f"203.0.113.{rng.randint(2, 254)}" if app.service == "LoadBalancer" else ""
        external = external or lb_ip
        owner = state.workloads[(app.kind, app.namespace, app.name)]
        services[(app.namespace, name)] = service_doc(
            name=name,
            namespace=app.namespace,
            type_=app.service,
            cluster_ip=ip,
            port=app.port,
            selector={"app": app.name},
            node_port=node_port,
            external_ip=lb_ip,
            created=owner.doc["summary"]["createdAt"],
        )
    for ns, name, port, tls in (
        ("shop", "frontend", 8080, "frontend-tls"),
        ("monitoring", "grafana", 3000, ""),
    ):
        host = f"{name if name != 'frontend' else 'shop'}.{state.cluster_id}.example.com"
        state.named["ingresses"][(ns, name)] = ingress_doc(
            name=name,
            namespace=ns,
            host=host,
            service=name,
            port=port,
            tls_secret=tls,
            address=external,
            created=state.stamp(now - timedelta(days=rng.uniform(2, 60))),
        )


def _jobs(state: ClusterState) -> None:
    """A nightly CronJob with its last two completed Jobs and their Succeeded pods."""
    now, app = state.now, _JOB_APP
    local = now.astimezone(state.tz)
    last_run = local.replace(hour=2, minute=0, second=0, microsecond=0)
    if last_run > local:
        last_run -= timedelta(days=1)
    state.flat["cronjobs"][(app.namespace, app.name)] = cronjob_doc(
        uid=state.uid(),
        name=app.name,
        namespace=app.namespace,
        schedule="0 2 * * *",
        last=state.stamp(last_run),
        created=state.stamp(last_run - timedelta(days=30)),
    )
    spec = res.container_spec(app, app.image)
    for days in (1, 0):
        started = last_run - timedelta(days=days)
        finished = started + timedelta(seconds=state.rng.randint(20, 400))
        job = f"{app.name}-{int(started.timestamp()) // 60}"
        state.flat["jobs"][(app.namespace, job)] = job_doc(
            uid=state.uid(),
            name=job,
            namespace=app.namespace,
            owner=app.name,
            started=state.stamp(started),
            finished=state.stamp(finished),
        )
        name = f"{job}-{res.suffix(state.rng, 5)}"
        doc = res.pod_doc(
            name=name,
            namespace=app.namespace,
            owner_kind="Job",
            owner_name=job,
            created=state.stamp(started),
            spec=spec,
            labels={"app": app.name, "job-name": job},
            annotations={},
        )
        pod = Pod(state.uid(), doc, None)
        state.pods[pod.uid] = pod
        state.pod_names[(app.namespace, name)] = pod
        node = state.pick_node()
        if node is not None:
            state.start_pod(pod, node, started, announce=False)
        res.pod_completed(doc, state.stamp(finished))
