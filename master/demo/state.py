"""A simulated cluster's live state and the moves that change it.

`ClusterState` holds every resource dict once and mutates it in place; the
builders (`build`), the clock (`evolution`) and operator commands (`commands`)
all change the cluster through the primitives here, so pods, owners, counts and
events stay consistent. Plain code, no I/O; every random choice comes from the
seeded RNGs, so a seed and a sequence of times give the same cluster.
"""

from __future__ import annotations

import random
from datetime import datetime, tzinfo

from . import resources as res
from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET
from .entities import Crash, Node, Pod, Workload
from .events import EventLog
from .objects import meta
from .resources import Doc
from .workloads import new_revision, replicaset_doc, workload_counts

_HISTORY = 3  # old ReplicaSets kept per deployment


class ClusterState:
    """Every resource of one simulated cluster, indexed for the moves below."""

    def __init__(self, cluster_id: str, *, seed: int, tz: tzinfo, now: datetime) -> None:
        self.cluster_id = cluster_id
        self.tz = tz
        self.now = now
        self.rng = random.Random(seed)
        # Uids mix in the cluster id so that clusters sharing a seed never share an event uid.
        self.uid_rng = random.Random(f"{cluster_id}/{seed}")
        self.nodes: dict[str, Node] = {}
        self.workloads: dict[tuple[str, str, str], Workload] = {}
        self.pods: dict[str, Pod] = {}  # by uid, in creation order
        self.pod_names: dict[tuple[str, str], Pod] = {}
        self.replicasets: dict[str, Doc] = {}
        # Summary kinds by (namespace, name): "services", "ingresses", "namespaces".
        self.named: dict[str, dict[tuple[str, str], Doc]] = {
            "services": {},
            "ingresses": {},
            "namespaces": {},
        }
        # Flat kinds by snapshot key, then (namespace, name).
        self.flat: dict[str, dict[tuple[str, str], Doc]] = {
            key: {}
            for key in (
                "jobs",
                "cronjobs",
                "configmaps",
                "secrets",
                "pvs",
                "pvcs",
                "serviceAccounts",
                "networkPolicies",
                "resourceQuotas",
                "limitRanges",
            )
        }
        self.configmap_data: dict[tuple[str, str], dict[str, str]] = {}
        self.events = EventLog(self.stamp, self.uid)
        self.crashes: dict[str, Crash] = {}
        self.unscheduled: dict[str, datetime] = {}  # pod uid -> when a node frees up
        self.node_down: tuple[str, datetime] | None = None

    # -- helpers --

    def stamp(self, dt: datetime) -> str:
        """A Kubernetes time as the agent sends it: whole seconds, in this cluster's offset."""
        return res.go_time(dt.astimezone(self.tz).replace(microsecond=0))

    def stamp_nano(self, dt: datetime) -> str:
        """A wall-clock time as Go's time.Now() gives it: nanoseconds, in this cluster's offset."""
        # Sub-microsecond digits derived from dt (odd, so all 9 digits show), not from the RNG,
        # so taking a snapshot never changes how the cluster evolves.
        nanos = dt.microsecond * 1000 + (dt.second * 37 + dt.microsecond) % 500 * 2 + 1
        return res.go_time(dt.astimezone(self.tz), nanos)

    def uid(self) -> str:
        return res.new_uid(self.uid_rng)

    # -- events --

    def pod_event(
        self, at: datetime, pod: Pod, type_: str, reason: str, message: str, source: str = "kubelet"
    ) -> Doc:
        return self.events.emit(
            at,
            type_,
            reason,
            message,
            kind="Pod",
            namespace=pod.namespace,
            name=pod.name,
            uid=pod.uid,
            source=source,
            series=source == "default-scheduler",
        )

    def workload_event(self, at: datetime, w: Workload, reason: str, message: str) -> None:
        source = "deployment-controller" if w.kind == DEPLOYMENT else f"{w.kind.lower()}-controller"
        self.events.emit(
            at,
            "Normal",
            reason,
            message,
            kind=w.kind,
            namespace=w.app.namespace,
            name=w.app.name,
            uid=w.uid,
            source=source,
        )

    # -- pods --

    def pick_node(self) -> Node | None:
        """The ready, schedulable worker with the fewest pods; None when there is none."""
        best: Node | None = None
        for node in self.nodes.values():
            if node.control_plane or not node.schedulable or node.ready != "True":
                continue
            if best is None or node.pods < best.pods:
                best = node
        return best

    def _pod_name(self, w: Workload) -> str:
        if w.kind == STATEFULSET:
            taken = {p.name for p in w.pods}
            ordinal = next(i for i in range(len(taken) + 1) if f"{w.app.name}-{i}" not in taken)
            return f"{w.app.name}-{ordinal}"
        prefix = w.rs["name"] if w.rs is not None else w.app.name
        return f"{prefix}-{res.suffix(self.rng, 5)}"

    def add_pod(
        self,
        w: Workload,
        at: datetime,
        *,
        node: Node | None = None,
        name: str = "",
        announce: bool = True,
        pending_until: datetime | None = None,
    ) -> Pod:
        """Create a pod of `w` and schedule it (on `node`, else the emptiest worker).

        With no node to go to, or a `pending_until`, the pod stays Pending with a
        FailedScheduling event until then.
        """
        name = name or self._pod_name(w)
        labels = w.labels
        if w.kind == STATEFULSET:
            labels = res.gomap({**labels, "statefulset.kubernetes.io/pod-name": name})
        owner_kind, owner_name = (
            ("ReplicaSet", w.rs["name"]) if w.rs is not None else (w.kind, w.app.name)
        )
        doc = res.pod_doc(
            name=name,
            namespace=w.app.namespace,
            owner_kind=owner_kind,
            owner_name=owner_name,
            created=self.stamp(at),
            spec=w.container,
            labels=labels,
            annotations=w.annotations,
        )
        pod = Pod(self.uid(), doc, w, w.revision)
        self.pods[pod.uid] = pod
        self.pod_names[(pod.namespace, name)] = pod
        w.pods.append(pod)
        if w.kind == STATEFULSET:
            self.ensure_claim(w, name, at)
        target = node or self.pick_node()
        if target is None or pending_until is not None:
            self.hold_pending(pod, at, pending_until or at)
        else:
            self.start_pod(pod, target, at, announce=announce)
        return pod

    def start_pod(self, pod: Pod, node: Node, at: datetime, *, announce: bool = True) -> None:
        """Bind the pod to `node` and run it (Scheduled, Pulled, Created, Started)."""
        self.unscheduled.pop(pod.uid, None)
        pod.node = node.name
        node.pods += 1
        ip = f"10.244.{node.index}.{node.next_ip}"
        node.next_ip = node.next_ip + 1 if node.next_ip < 254 else 2
        stamp = self.stamp(at)
        res.pod_running(
            pod.doc,
            node=node.name,
            pod_ip=ip,
            host_ip=node.ip,
            at=stamp,
            cpu=f"{self.rng.randint(1, 250)}m",
            memory=f"{self.rng.randint(20, 400)}Mi",
        )
        if announce:
            container = pod.doc["containers"][0]
            ns_name = f"{pod.namespace}/{pod.name}"
            self.pod_event(
                at,
                pod,
                "Normal",
                "Scheduled",
                f"Successfully assigned {ns_name} to {node.name}",
                "default-scheduler",
            )
            self.pod_event(
                at,
                pod,
                "Normal",
                "Pulled",
                f'Container image "{container["image"]}" already present on machine',
            )
            self.pod_event(at, pod, "Normal", "Created", f"Created container {container['name']}")
            self.pod_event(at, pod, "Normal", "Started", f"Started container {container['name']}")

    def hold_pending(self, pod: Pod, at: datetime, until: datetime) -> None:
        """Keep a new pod unschedulable at least until `until`, and until a node can take it."""
        self.unscheduled[pod.uid] = until
        total = len(self.nodes)
        message = (
            f"0/{total} nodes are available: 1 node(s) had untolerated taint "
            f"{{node-role.kubernetes.io/control-plane: }}, {total - 1} Insufficient memory. "
            f"preemption: 0/{total} nodes are available: 1 Preemption is not helpful for "
            f"scheduling, {total - 1} No preemption victims found for incoming pod."
        )
        res.pod_unschedulable(pod.doc, message, self.stamp(at))
        self.pod_event(at, pod, "Warning", "FailedScheduling", message, "default-scheduler")

    def remove_pod(self, pod: Pod, at: datetime, *, announce: bool = True) -> None:
        """Delete the pod (its owner is not told: callers scale or replace)."""
        if announce and pod.node:
            container = pod.doc["containers"][0]["name"]
            self.pod_event(at, pod, "Normal", "Killing", f"Stopping container {container}")
        del self.pods[pod.uid]
        del self.pod_names[(pod.namespace, pod.name)]
        if pod.workload is not None:
            pod.workload.pods.remove(pod)
        if pod.node:
            self.nodes[pod.node].pods -= 1
        self.crashes.pop(pod.uid, None)
        self.unscheduled.pop(pod.uid, None)

    def replace_pod(self, pod: Pod, at: datetime) -> Pod | None:
        """Delete the pod; its owner creates a successor (same name for a StatefulSet,
        same node for a DaemonSet). Returns the successor, None for an unowned pod."""
        w = pod.workload
        self.remove_pod(pod, at)
        if w is None:
            return None
        if w.kind == DAEMONSET:
            new = self.add_pod(w, at, node=self.nodes[pod.node])
        else:
            new = self.add_pod(w, at, name=pod.name if w.kind == STATEFULSET else "")
        self.refresh(w, at)
        return new

    def ensure_claim(self, w: Workload, pod_name: str, at: datetime) -> None:
        """A StatefulSet pod's PVC and its bound PV (kept when the pod goes, as Kubernetes does)."""
        ns, claim = w.app.namespace, f"data-{pod_name}"
        if (ns, claim) in self.flat["pvcs"]:
            return
        claim_uid, stamp = self.uid(), self.stamp(at)
        volume = f"pvc-{claim_uid}"
        labels = {"app": w.app.name}
        self.flat["pvcs"][(ns, claim)] = {
            **meta(
                "PersistentVolumeClaim",
                uid=claim_uid,
                name=claim,
                namespace=ns,
                created=stamp,
                labels=labels,
            ),
            "phase": "Bound",
            "volume_name": volume,
            "storage_class": "gp3",
            "access_modes": ["ReadWriteOnce"],
            "requested_capacity": "10Gi",
            "actual_capacity": "10Gi",
        }
        self.flat["pvs"][("", volume)] = {
            **meta("PersistentVolume", uid=self.uid(), name=volume, namespace="", created=stamp),
            "capacity": "10Gi",
            "phase": "Bound",
            "storage_class": "gp3",
            "access_modes": ["ReadWriteOnce"],
            "reclaim_policy": "Delete",
        }

    # -- workloads --

    def refresh(self, w: Workload, at: datetime) -> None:
        """Bring the workload's (and its ReplicaSet's) counts in line with its pods."""
        ready = sum(1 for p in w.pods if p.ready)
        updated = sum(1 for p in w.pods if p.revision == w.revision)
        workload_counts(
            w.doc,
            w.kind,
            replicas=w.replicas,
            ready=ready,
            updated=updated,
            at=self.stamp(at),
            rs=w.rs["name"] if w.rs is not None else "",
        )
        if w.rs is not None:
            w.rs.update(replicas=w.replicas, ready_replicas=ready, available_replicas=ready)

    def scale(self, w: Workload, replicas: int, at: datetime) -> None:
        """Add or remove pods until `replicas` run; the controller's event says so."""
        before = w.replicas
        w.replicas = replicas
        while len(w.pods) < replicas:
            pod = self.add_pod(w, at)
            if w.kind == STATEFULSET:
                self.workload_event(
                    at,
                    w,
                    "SuccessfulCreate",
                    f"create Pod {pod.name} in StatefulSet {w.app.name} successful",
                )
        # Scale down removes the highest ordinal of a StatefulSet; elsewhere pods that are
        # not serving first, then the newest. `order` ends with the first to go.
        if w.kind == STATEFULSET:
            order = sorted(w.pods, key=lambda p: int(p.name.rsplit("-", 1)[1]))
        else:
            ranked = sorted(enumerate(w.pods), key=lambda item: (not item[1].ready, item[0]))
            order = [p for _, p in ranked]
        while len(w.pods) > replicas:
            pod = order.pop()
            self.remove_pod(pod, at)
            if w.kind == STATEFULSET:
                self.workload_event(
                    at,
                    w,
                    "SuccessfulDelete",
                    f"delete Pod {pod.name} in StatefulSet {w.app.name} successful",
                )
        if w.rs is not None and replicas != before:
            direction = "up" if replicas > before else "down"
            self.workload_event(
                at,
                w,
                "ScalingReplicaSet",
                f"Scaled {direction} replica set {w.rs['name']} to {replicas} from {before}",
            )
        self.refresh(w, at)

    def new_replicaset(self, w: Workload, at: datetime) -> None:
        """Give a deployment a ReplicaSet for its current template (hash, labels)."""
        name = f"{w.app.name}-{w.template_hash}"
        selector = {"app": w.app.name, "pod-template-hash": w.template_hash}
        rs = replicaset_doc(
            uid=self.uid(),
            name=name,
            namespace=w.app.namespace,
            owner=w.app.name,
            labels={**w.labels},
            selector=selector,
            created=self.stamp(at),
        )
        if w.rs is not None:
            w.rs.update(replicas=0, ready_replicas=0, available_replicas=0)
            w.history.append(w.rs)
            while len(w.history) > _HISTORY:
                del self.replicasets[w.history.pop(0)["uid"]]
        w.rs = rs
        self.replicasets[rs["uid"]] = rs

    def rollout(self, w: Workload, at: datetime, *, image: str = "") -> None:
        """Replace every pod with one of a new revision (restart, or a new image)."""
        w.revision += 1
        w.template_hash = res.suffix(self.rng, 10)
        if image:
            w.container = {**w.container, "image": image}
        stamp = self.stamp(at)
        hash_label = "pod-template-hash" if w.kind == DEPLOYMENT else "controller-revision-hash"
        w.labels = res.gomap({**w.labels, hash_label: w.template_hash})
        if not image:
            w.annotations = res.gomap({**w.annotations, "kubectl.kubernetes.io/restartedAt": stamp})
        new_revision(w.doc, w.kind, w.container, stamp, revision=w.revision, restarted=not image)
        old_rs = w.rs
        if w.kind == DEPLOYMENT:
            self.new_replicaset(w, at)
            self.workload_event(
                at,
                w,
                "ScalingReplicaSet",
                f"Scaled up replica set {w.app.name}-{w.template_hash} to {w.replicas}",
            )
        for pod in list(w.pods):
            if w.kind == DAEMONSET:
                self.replace_pod(pod, at)
            else:
                name = pod.name if w.kind == STATEFULSET else ""
                self.remove_pod(pod, at)
                self.add_pod(w, at, name=name)
        if old_rs is not None:
            self.workload_event(
                at,
                w,
                "ScalingReplicaSet",
                f"Scaled down replica set {old_rs['name']} to 0 from {w.replicas}",
            )
        self.refresh(w, at)

    # -- nodes --

    def set_schedulable(self, node: Node, schedulable: bool, at: datetime) -> None:
        """Cordon or uncordon, with the kubelet's event."""
        node.schedulable = schedulable
        res.node_schedulable(node.doc, schedulable, self.stamp(at))
        self._node_event(
            at, node, "Normal", "NodeSchedulable" if schedulable else "NodeNotSchedulable"
        )

    def set_ready(self, node: Node, ready: str, at: datetime) -> None:
        """Node Ready condition: NotReady is a Warning from the node controller."""
        node.ready = ready
        res.node_ready(node.doc, ready, self.stamp(at))
        if ready == "True":
            self._node_event(at, node, "Normal", "NodeReady")
        else:
            self._node_event(at, node, "Warning", "NodeNotReady", source="node-controller")

    def _node_event(
        self, at: datetime, node: Node, type_: str, reason: str, source: str = "kubelet"
    ) -> None:
        self.events.emit(
            at,
            type_,
            reason,
            f"Node {node.name} status is now: {reason}",
            kind="Node",
            namespace="",
            name=node.name,
            uid=node.uid,
            source=source,
        )
