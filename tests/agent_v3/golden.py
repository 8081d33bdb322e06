"""A golden snapshot of the later agent (68cc533): every kind, written as it writes them.

It is the Agent V2 golden cluster (`agent_v2.golden`, same Go field names)
as the later agent's converters fill it (`repository/k8s/*.go`,
`service/snapshot/snapshot.go`): jobs name their CronJob and carry their
template, limits and conditions, cron jobs their policy and template, network
policies their rules, service accounts their secrets, PVs their source and
claim, PVCs their volume mode, quotas and limit ranges their labels; every
node has `metrics` (usage, utilisation to 2 decimals, its pods, pressure
from its conditions, and an empty usage where metrics-server has none); a
pod of several containers sums their usage. `otel` is added on request.
Encoded in the later layout, that is camelCase keys where it renamed them.
"""

from __future__ import annotations

import copy
from typing import Any

from .. import agent_v2
from ..agent_v2.clock import Doc, kube_time
from ..agent_v2.pods import container
from ..gojson import GoType, Map, Ptr, Slice, Struct, encode
from . import layout
from .otel import OTelSize, otel


def _template(name: str, image: str) -> Doc:
    spec = container(name, image, 8080, probe=False)
    del spec["Ports"]
    return {"Labels": {"app": name}, "Containers": [spec], "ServiceAccountName": "default"}


def _quantity(text: str) -> float:
    """A CPU (m) or memory (Ki, Mi) quantity in millicores or KiB."""
    for suffix, factor in (("m", 1), ("Ki", 1), ("Mi", 1024), ("Gi", 1024 * 1024)):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    return float(text) * 1000  # whole cores


def _node_metrics(snapshot: Doc) -> None:
    """`enrichNodePodCount` and the node converter: `metrics` always, with utilisation."""
    on_node: dict[str, int] = {}
    for pod in snapshot["Pods"]:
        node = pod["Summary"].get("NodeName", "")
        if node:
            on_node[node] = on_node.get(node, 0) + 1
    for node in snapshot["Nodes"]:
        metrics = node.get("Metrics") or {"CPU": {"Usage": ""}, "Memory": {"Usage": ""}}
        for key in ("CPU", "Memory"):
            m = metrics[key]
            if m["Usage"] and m.get("Allocatable"):
                m["UtilPct"] = round(_quantity(m["Usage"]) / _quantity(m["Allocatable"]) * 100, 2)
        capacity = int(node["Allocatable"].get("Pods") or node["Capacity"].get("Pods") or 0)
        used = on_node.get(node["Summary"]["Name"], 0)
        metrics["Pods"] = {"Used": used, "Capacity": capacity}
        if capacity:
            metrics["Pods"]["UtilPct"] = round(used / capacity * 100, 2)
        flags = {
            "MemoryPressure": "MemoryPressure",
            "DiskPressure": "DiskPressure",
            "PIDPressure": "PIDPressure",
            "NetworkUnavailable": "NetworkUnavailable",
        }
        metrics["Pressure"] = {
            go: True
            for cond in node.get("Conditions") or ()
            for go, kind in flags.items()
            if cond["Type"] == kind and cond["Status"] == "True"
        }
        node["Metrics"] = metrics


def _later_values(snapshot: Doc, tz: str) -> None:
    """What the later agent fills that Agent V2 did not, in place."""
    down = snapshot["Nodes"][2]
    down["Conditions"].append(
        {
            "Type": "MemoryPressure",
            "Status": "True",
            "Reason": "KubeletHasInsufficientMemory",
            "Message": "kubelet has insufficient memory available",
            "LastHeartbeatTime": kube_time(18, 18, 59, tz=tz),
            "LastTransitionTime": kube_time(18, 18, 40, tz=tz),
        }
    )
    _node_metrics(snapshot)
    for pod in snapshot["Pods"]:
        status = pod.get("Status", {})
        if len(pod.get("Containers") or ()) > 1 and status.get("CPUUsage"):
            status["CPUUsage"] = "7m"  # the containers' sum, "%dm" and "%dKi"
            status["MemoryUsage"] = "120832Ki"
    report, migrate = snapshot["Jobs"]
    report.update(
        OwnerKind="CronJob",
        OwnerName="report",
        Completions=1,
        Parallelism=1,
        BackoffLimit=6,
        Template=_template("report", "ghcr.io/acme/report:2.0"),
        Conditions=[
            {
                "Type": "Complete",
                "Status": "True",
                "LastTransitionTime": kube_time(18, 2, 1, 40, tz=tz),
            }
        ],
    )
    migrate.update(
        BackoffLimit=0,  # set to 0: the pointer is there, the value 0
        Template=_template("migrate", "ghcr.io/acme/migrate:0.9"),
        Conditions=[
            {
                "Type": "Failed",
                "Status": "False",
                "Reason": "BackoffLimitExceeded",
                "Message": "Job has reached the specified backoff limit & <more>",
            }
        ],
    )
    report_cron, cleanup = snapshot["CronJobs"]
    report_cron.update(
        ConcurrencyPolicy="Forbid",
        SuccessfulJobsHistoryLimit=3,
        FailedJobsHistoryLimit=1,
        Template=_template("report", "ghcr.io/acme/report:2.0"),
    )
    cleanup.update(ConcurrencyPolicy="Allow", Template={"Containers": None})
    policy = snapshot["NetworkPolicies"][0]
    policy.update(
        IngressRules=[
            {
                "Peers": [
                    {"Type": "podSelector", "Selector": '{"matchLabels":{"app":"web"}}'},
                    {"Type": "ipBlock", "CIDR": "10.0.0.0/8", "Except": ["10.1.0.0/16"]},
                ],
                "Ports": [
                    {"Protocol": "TCP", "Port": "5432"},
                    {"Protocol": "TCP", "Port": "8000", "EndPort": 8080},
                    {"Protocol": "TCP", "Port": ""},
                ],
            }
        ],
        EgressRules=[{"Ports": [{"Protocol": "UDP", "Port": "dns"}]}],
        Labels={"team": "shop"},
        Annotations={"acme.io/why": "db <only> from web & jobs"},
    )
    account = snapshot["ServiceAccounts"][0]
    account.update(
        SecretNames=["web-token"], ImagePullSecretNames=["ghcr", "ecr"], Labels={"app": "web"}
    )
    snapshot["ResourceQuotas"][0]["Labels"] = {"team": "shop"}
    snapshot["LimitRanges"][0]["Annotations"] = {"acme.io/owner": "platform"}
    pv = snapshot["PersistentVolumes"][0]
    pv.update(VolumeSourceType="CSI", ClaimRefName="data-db-0", ClaimRefNS="shop")
    snapshot["PersistentVolumeClaims"][0]["VolumeMode"] = "Filesystem"


def golden(
    cluster_id: str = "golden-v3", tz: str = "+09:00", otel_size: OTelSize | None = None
) -> Doc:
    """The whole snapshot's values, every kind, in the agent's offset `tz`; with an `otel`
    subtree of `otel_size` when given (an agent with ClickHouse)."""
    snapshot = copy.deepcopy(agent_v2.golden(cluster_id, tz))
    _later_values(snapshot, tz)
    agent_v2.namespace_resources(snapshot)  # the quotas' copies get their labels too
    if otel_size is not None:
        snapshot["OTel"] = otel(tz, otel_size)
    snapshot["Summary"] = agent_v2.agent_summary(snapshot)
    return snapshot


def empty(cluster_id: str = "empty-v3", tz: str = "Z") -> Doc:
    """A cluster with nothing in it: the always-sent lists `[]`, the others absent."""
    snapshot: Doc = {"ClusterID": cluster_id, "FetchedAt": f"2026-04-20T10:00:03.5{tz}"}
    for go, _, _, _ in layout.LISTS:
        snapshot[go] = []
    snapshot["Summary"] = agent_v2.agent_summary(snapshot)
    return snapshot


def encode_snapshot(snapshot: Doc) -> bytes:
    return encode(layout.CLUSTER_SNAPSHOT, snapshot)


def encode_items(snapshot: Doc, key: str) -> list[bytes]:
    """The bytes of each item of the list `key` (JSON key, e.g. "statefulSets")."""
    for go, json_key, item, _ in layout.LISTS:
        if json_key == key:
            return [encode(item, doc) for doc in snapshot.get(go) or ()]
    raise KeyError(key)


def _strip(t: GoType, value: Any) -> Any:
    """`value` of the later layout's type with what `t` (Agent V2's) has no field for dropped."""
    if value is None:
        return None
    if isinstance(t, Struct):
        fields = {f.go: f.type for f in t.fields}
        return {k: _strip(fields[k], v) for k, v in value.items() if k in fields}
    if isinstance(t, Ptr):
        return _strip(t.elem, value)
    if isinstance(t, Slice):
        return [_strip(t.elem, v) for v in value]
    if isinstance(t, Map):
        return {k: _strip(t.elem, v) for k, v in value.items()}
    return value


def same_in_v2(snapshot: Doc) -> Doc:
    """The same cluster as Agent V2 writes it: what only the later agent has, dropped
    (the layouts share Go field names, so the rest encodes in Agent V2's)."""
    v2: Doc = _strip(agent_v2.CLUSTER_SNAPSHOT, snapshot)
    return v2
