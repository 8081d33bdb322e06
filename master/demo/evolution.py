"""How a simulated cluster changes with time: crash loops, autoscaling (with pods that
wait for room), flaky probes, a node going NotReady.

Incidents arrive as Poisson processes with per-minute rates, so the cluster
behaves the same whether it is ticked every second or every 20 s; busier
(bigger) clusters have proportionally more incidents, up to a cap.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from . import resources as res
from .catalog import DEPLOYMENT
from .entities import Crash, Pod, Workload
from .state import ClusterState

_MAX_STEP = 300.0  # seconds: a long pause between ticks counts as this much simulated time
# Incidents per minute in a 40-80 pod cluster.
_CRASH_RATE = 0.25
_PROBE_RATE = 0.12
_AUTOSCALE_RATE = 0.3
_NODE_DOWN_RATE = 1 / 40
_MAX_BACKOFF = 300  # seconds, kubelet's cap on CrashLoopBackOff


def advance(state: ClusterState, now: datetime) -> None:
    """Move the cluster from `state.now` to `now` (a `now` in the past changes nothing)."""
    step = min((now - state.now).total_seconds(), _MAX_STEP)
    if step <= 0:
        return
    state.now = now
    _advance_crashes(state, now)
    _advance_unscheduled(state, now)
    _advance_node_down(state, now)
    busy = min(max(len(state.pods) / 80, 1.0), 10.0)
    if _happens(state, step, _CRASH_RATE * busy):
        _start_crash(state, now)
    if _happens(state, step, _PROBE_RATE * busy):
        _probe_failure(state, now)
    if _happens(state, step, _AUTOSCALE_RATE * busy):
        _autoscale(state, now)
    if state.node_down is None and _happens(state, step, _NODE_DOWN_RATE):
        _node_down(state, now)
    state.events.prune(now)


def _happens(state: ClusterState, seconds: float, per_minute: float) -> bool:
    return state.rng.random() < 1 - math.exp(-per_minute * seconds / 60)


def _random_pod(state: ClusterState, *, probe: str = "") -> Pod | None:
    """A running, ready, healthy pod of a workload (a few tries; None if unlucky)."""
    pods = list(state.pods.values())
    for _ in range(8):
        pod = state.rng.choice(pods)
        if (
            pod.workload is not None
            and pod.ready
            and pod.uid not in state.crashes
            and (not probe or pod.workload.app.probe == probe)
        ):
            return pod
    return None


def _scalable(state: ClusterState) -> list[Workload]:
    return [w for w in state.workloads.values() if w.kind == DEPLOYMENT and w.app.scalable]


# -- crash loops --


def _start_crash(state: ClusterState, now: datetime) -> None:
    pod = _random_pod(state)
    if pod is None or pod.workload is None:
        return
    reason = "OOMKilled" if state.rng.random() < 0.3 else "Error"
    res.pod_crashed(pod.doc, reason=reason, at=state.stamp(now), backoff=10)
    until = now + timedelta(minutes=state.rng.uniform(3, 15))
    state.crashes[pod.uid] = Crash(until, now + timedelta(seconds=10), 10)
    _back_off(state, pod, now)
    state.refresh(pod.workload, now)


def _back_off(state: ClusterState, pod: Pod, at: datetime) -> None:
    container = pod.doc["containers"][0]["name"]
    state.pod_event(
        at,
        pod,
        "Warning",
        "BackOff",
        f"Back-off restarting failed container {container} in pod "
        f"{pod.name}_{pod.namespace}({pod.uid})",
    )


def _advance_crashes(state: ClusterState, now: datetime) -> None:
    """Restart crash-looping containers on kubelet's doubling back-off; recover when due."""
    for uid, crash in list(state.crashes.items()):
        pod = state.pods[uid]
        if now >= crash.until:
            del state.crashes[uid]
            res.pod_recovered(pod.doc, state.stamp(now))
            state.pod_event(
                now,
                pod,
                "Normal",
                "Started",
                f"Started container {pod.doc['containers'][0]['name']}",
            )
            if state.nodes[pod.node].ready != "True":
                res.pod_set_ready(pod.doc, False, state.stamp(now))
            if pod.workload is not None:
                state.refresh(pod.workload, now)
            continue
        while crash.next_restart <= now:
            crash.backoff = min(crash.backoff * 2, _MAX_BACKOFF)
            at = crash.next_restart
            res.pod_crashed(
                pod.doc,
                reason=pod.doc["containers"][0]["lastTerminationReason"],
                at=state.stamp(at),
                backoff=crash.backoff,
            )
            _back_off(state, pod, at)
            crash.next_restart = at + timedelta(seconds=crash.backoff)


# -- scheduling --


def _advance_unscheduled(state: ClusterState, now: datetime) -> None:
    """Pending pods get a node when due and one is free; until then the scheduler retries."""
    for uid, until in list(state.unscheduled.items()):
        pod = state.pods[uid]
        node = state.pick_node() if now >= until else None
        if node is None:
            scheduled = pod.doc["status"]["conditions"][0]
            state.pod_event(
                now, pod, "Warning", "FailedScheduling", scheduled["message"], "default-scheduler"
            )
            continue
        state.start_pod(pod, node, now)
        if pod.workload is not None:
            state.refresh(pod.workload, now)


def _autoscale(state: ClusterState, now: datetime) -> None:
    """A horizontal autoscaler's step: one replica back down towards the base, or one up.

    The more deployments run above their base, the likelier a step down, so a
    long run keeps about the pod count the cluster was built with. A new
    replica often finds no room for a few minutes (FailedScheduling).
    """
    candidates = _scalable(state)
    above = [w for w in candidates if w.replicas > w.base_replicas]
    if above and state.rng.random() < len(above) / (len(above) + 1):
        w = state.rng.choice(above)
        state.scale(w, w.replicas - 1, now)
        return
    room = [w for w in candidates if w.replicas < w.base_replicas + 2]
    if not room:
        return
    w = state.rng.choice(room)
    if state.rng.random() < 0.3:
        state.scale(w, w.replicas + 1, now)
        return
    before, w.replicas = w.replicas, w.replicas + 1
    rs = w.rs["name"] if w.rs is not None else w.app.name
    state.workload_event(
        now, w, "ScalingReplicaSet", f"Scaled up replica set {rs} to {w.replicas} from {before}"
    )
    state.add_pod(w, now, pending_until=now + timedelta(minutes=state.rng.uniform(1, 5)))
    state.refresh(w, now)


# -- probes and nodes --


def _probe_failure(state: ClusterState, now: datetime) -> None:
    pod = _random_pod(state)
    if pod is None or pod.workload is None:
        return
    app, ip = pod.workload.app, pod.doc["status"].get("podIP", "")
    if app.probe == "httpGet":
        message = state.rng.choice(
            (
                "Readiness probe failed: HTTP probe failed with statuscode: 503",
                f'Liveness probe failed: Get "http://{ip}:{app.port}/healthz": context deadline '
                "exceeded (Client.Timeout exceeded while awaiting headers)",
            )
        )
    else:
        message = f"Readiness probe failed: dial tcp {ip}:{app.port}: connect: connection refused"
    for _ in range(state.rng.randint(1, 3)):  # a flaky probe fails a few periods in a row
        state.pod_event(now, pod, "Warning", "Unhealthy", message)


def _node_down(state: ClusterState, now: datetime) -> None:
    """A worker stops reporting for a few minutes; its pods stop being Ready."""
    workers = [n for n in state.nodes.values() if not n.control_plane and n.ready == "True"]
    if len(workers) < 2:
        return
    node = state.rng.choice(workers)
    state.node_down = (node.name, now + timedelta(minutes=state.rng.uniform(2, 6)))
    state.set_ready(node, state.rng.choice(("False", "Unknown")), now)
    _node_pods_ready(state, node.name, False, now)


def _advance_node_down(state: ClusterState, now: datetime) -> None:
    if state.node_down is None or now < state.node_down[1]:
        return
    name = state.node_down[0]
    state.node_down = None
    state.set_ready(state.nodes[name], "True", now)
    _node_pods_ready(state, name, True, now)


def _node_pods_ready(state: ClusterState, node: str, ready: bool, now: datetime) -> None:
    stamp, touched = state.stamp(now), set[Workload]()
    for pod in state.pods.values():
        if pod.node != node or pod.doc["status"]["phase"] != "Running":
            continue
        if ready and pod.uid in state.crashes:
            continue
        res.pod_set_ready(pod.doc, ready, stamp, reason="" if ready else "NodeNotReady")
        if pod.workload is not None:
            touched.add(pod.workload)
    for w in touched:
        state.refresh(w, now)
