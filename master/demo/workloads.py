"""Workloads as the Go agent sends them (model_v2 `Deployment`, `StatefulSet`, `DaemonSet`)
and the flat kinds beside them (`ReplicaSet`, `Job`, `CronJob`).

Workloads carry their identity and counts in `summary` and their pod template
in `template`; the flat kinds carry `CommonMeta` (uid, name, namespace, kind,
created_at...) at the top level.
"""

from __future__ import annotations

from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET, App
from .resources import Doc, gomap, put

DEPLOYMENT_SUMMARY = (
    "name namespace strategy replicas updated ready available unavailable paused createdAt age"
    " selector"
).split()
DEPLOYMENT_STATUS = (
    "observedGeneration replicas updatedReplicas readyReplicas availableReplicas"
    " unavailableReplicas collisionCount conditions"
).split()
STATEFULSET_STATUS = (
    "observedGeneration replicas readyReplicas currentReplicas updatedReplicas availableReplicas"
    " currentRevision updateRevision collisionCount conditions"
).split()
DAEMONSET_STATUS = (
    "observedGeneration desiredNumberScheduled currentNumberScheduled numberReady numberAvailable"
    " numberUnavailable numberMisscheduled updatedNumberScheduled collisionCount conditions"
).split()
TEMPLATE = (
    "labels annotations containers volumes serviceAccountName nodeSelector tolerations affinity"
    " runtimeClassName imagePullSecrets hostNetwork dnsPolicy"
).split()
ROLLOUT = ("phase", "message", "badges")


def _template(container: Doc, labels: dict[str, str] | None) -> Doc:
    doc: Doc = {"labels": labels} if labels else {}
    doc.update(
        containers=[container],
        volumes=[{"name": "kube-api-access", "type": "Projected"}],
        serviceAccountName="default",
        dnsPolicy="ClusterFirst",
    )
    return doc


def workload_doc(
    *,
    app: App,
    replicas: int,
    created: str,
    labels: dict[str, str],
    selector: dict[str, str],
    container: Doc,
) -> Doc:
    """A Deployment, StatefulSet or DaemonSet (by `app.kind`) with no pod ready yet.

    Only a Deployment's template carries the pod labels: the agent copies them
    for Deployments alone.
    """
    selector_text = ",".join(f"{k}={v}" for k, v in selector.items())
    meta = {"app.kubernetes.io/name": app.name, "app.kubernetes.io/part-of": app.namespace}
    if app.kind == DEPLOYMENT:
        template_labels = {k: v for k, v in labels.items() if k != "pod-template-hash"}
        return {
            "summary": {
                "name": app.name,
                "namespace": app.namespace,
                "strategy": "RollingUpdate",
                "replicas": replicas,
                "updated": 0,
                "ready": 0,
                "available": 0,
                "unavailable": replicas or None,
                "createdAt": created,
                "age": "0m",
                "selector": selector_text,
            },
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": selector},
                "strategy": {
                    "type": "RollingUpdate",
                    "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"},
                },
                "revisionHistoryLimit": 10,
                "progressDeadlineSeconds": 600,
            },
            "template": _template(container, template_labels),
            "status": {"observedGeneration": 1, "replicas": replicas},
            "rollout": {"phase": "Progressing", "badges": ["Progressing"]},
            "annotations": {"deployment.kubernetes.io/revision": "1"},
            "labels": meta,
        }
    if app.kind == STATEFULSET:
        return {
            "summary": {
                "name": app.name,
                "namespace": app.namespace,
                "replicas": replicas,
                "ready": 0,
                "current": 0,
                "updated": 0,
                "available": 0,
                "createdAt": created,
                "age": "0m",
                "serviceName": app.name,
                "selector": selector_text,
            },
            "spec": {
                "replicas": replicas,
                "serviceName": app.name,
                "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "partition": 0},
                "revisionHistoryLimit": 10,
                "selector": {"matchLabels": selector},
                "volumeClaimTemplates": [
                    {
                        "name": "data",
                        "accessModes": ["ReadWriteOnce"],
                        "storageClass": "gp3",
                        "storage": "10Gi",
                    }
                ],
            },
            "template": _template(container, None),
            "status": {"observedGeneration": 1, "replicas": replicas},
            "rollout": {"phase": "Progressing"},
            "labels": meta,
        }
    assert app.kind == DAEMONSET
    return {
        "summary": {
            "name": app.name,
            "namespace": app.namespace,
            **dict.fromkeys(
                (
                    "desiredNumberScheduled currentNumberScheduled numberReady numberAvailable"
                    " numberUnavailable numberMisscheduled updatedNumberScheduled"
                ).split(),
                0,
            ),
            "createdAt": created,
            "age": "0m",
            "selector": selector_text,
        },
        "spec": {
            "updateStrategy": {"type": "RollingUpdate", "maxUnavailable": "1", "maxSurge": "0"},
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": selector},
        },
        "template": _template(container, None),
        "status": {
            "observedGeneration": 1,
            "desiredNumberScheduled": 0,
            "currentNumberScheduled": 0,
            "numberReady": 0,
            "numberMisscheduled": 0,
        },
        "rollout": {"phase": "Complete"},
        "labels": meta,
    }


def _rollout(phase: str, message: str = "", *badges: str) -> Doc:
    doc: Doc = {"phase": phase}
    if message:
        doc["message"] = message
    if badges:
        doc["badges"] = list(badges)
    return doc


def _progress(replicas: int, ready: int, updated: int) -> Doc:
    """A StatefulSet's or DaemonSet's rollout as the agent judges it."""
    if updated < replicas:
        return _rollout("Progressing", "Rolling update in progress", "Updating")
    if ready < replicas:
        return _rollout("Progressing", "Waiting for pods to be ready", "Scaling")
    return _rollout("Complete")


def workload_counts(
    doc: Doc, kind: str, *, replicas: int, ready: int, updated: int, at: str, rs: str = ""
) -> None:
    """Refresh a workload's counts after its pods changed, as the agent derives them."""
    summary, status = doc["summary"], doc["status"]
    if kind == DAEMONSET:
        unavailable = max(replicas - ready, 0)
        counts = {
            "desiredNumberScheduled": replicas,
            "currentNumberScheduled": replicas,
            "numberReady": ready,
            "numberAvailable": ready,
            "numberUnavailable": unavailable,
            "numberMisscheduled": 0,
            "updatedNumberScheduled": updated,
        }
        summary.update(counts)
        put(
            status,
            tuple(DAEMONSET_STATUS),
            **{
                **counts,
                # omitempty in DaemonSetStatus (not in its summary)
                "numberAvailable": ready or None,
                "numberUnavailable": unavailable or None,
                "updatedNumberScheduled": updated or None,
            },
        )
        phase = _progress(replicas, ready, updated)
        if unavailable:
            phase["badges"] = [*phase.get("badges", ()), "Unavailable"]
        doc["rollout"] = phase
        return
    if kind == STATEFULSET:
        summary.update(replicas=replicas, ready=ready, current=updated, updated=updated)
        summary["available"] = ready
        doc["spec"]["replicas"] = replicas
        put(
            status,
            tuple(STATEFULSET_STATUS),
            replicas=replicas,
            readyReplicas=ready or None,
            currentReplicas=updated or None,
            updatedReplicas=updated or None,
            availableReplicas=ready or None,
        )
        doc["rollout"] = _progress(replicas, ready, updated)
        return
    unavailable = max(replicas - ready, 0)
    put(
        summary,
        tuple(DEPLOYMENT_SUMMARY),
        replicas=replicas,
        updated=updated,
        ready=ready,
        available=ready,
        unavailable=unavailable or None,
    )
    doc["spec"]["replicas"] = replicas
    available = ready >= replicas
    put(
        status,
        tuple(DEPLOYMENT_STATUS),
        replicas=replicas,
        updatedReplicas=updated or None,
        readyReplicas=ready or None,
        availableReplicas=ready or None,
        unavailableReplicas=unavailable or None,
        conditions=[
            {
                "type": "Available",
                "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if available
                else "Deployment does not have minimum availability.",
                "lastUpdateTime": at,
                "lastTransitionTime": at,
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{rs}" has successfully progressed.',
                "lastUpdateTime": at,
                "lastTransitionTime": at,
            },
        ],
    )
    badges = ["Available", "Progressing"] if available else ["Progressing"]
    doc["rollout"] = _rollout(
        "Available" if available else "Progressing",
        f'ReplicaSet "{rs}" has successfully progressed.',
        *badges,
    )


def new_revision(
    doc: Doc, kind: str, container: Doc, at: str, *, revision: int, restarted: bool
) -> None:
    """Point the template at a new container spec: a rollout to `revision`."""
    changes: Doc = {"containers": [container]}
    if restarted:
        changes["annotations"] = gomap(
            {**(doc["template"].get("annotations") or {}), "kubectl.kubernetes.io/restartedAt": at}
        )
    template = dict(doc["template"])
    put(template, tuple(TEMPLATE), **changes)
    doc["template"] = template
    doc["status"]["observedGeneration"] += 1
    if kind == DEPLOYMENT:
        doc["annotations"] = {"deployment.kubernetes.io/revision": str(revision)}
    elif kind == STATEFULSET:
        put(
            doc["status"],
            tuple(STATEFULSET_STATUS),
            currentRevision=f"{doc['summary']['name']}-{revision}",
            updateRevision=f"{doc['summary']['name']}-{revision}",
        )


# -- the flat kinds --

REPLICASET = (
    "uid name namespace kind node_name owner_kind owner_name labels created_at replicas"
    " ready_replicas available_replicas selector"
).split()


def replicaset_doc(
    *,
    uid: str,
    name: str,
    namespace: str,
    owner: str,
    labels: dict[str, str],
    selector: dict[str, str],
    created: str,
) -> Doc:
    """A deployment's ReplicaSet (`CommonMeta` and its counts), with no replicas yet."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "ReplicaSet",
        "owner_kind": DEPLOYMENT,
        "owner_name": owner,
        "labels": labels,
        "created_at": created,
        "replicas": 0,
        "ready_replicas": 0,
        "available_replicas": 0,
        "selector": selector,
    }


def cronjob_doc(
    *, uid: str, name: str, namespace: str, schedule: str, last: str, created: str
) -> Doc:
    """A CronJob, last run at `last` (successfully)."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "CronJob",
        "labels": {"app": name},
        "created_at": created,
        "schedule": schedule,
        "suspend": False,
        "active_jobs": 0,
        "last_schedule_time": last,
        "last_successful_time": last,
    }


def job_doc(*, uid: str, name: str, namespace: str, owner: str, started: str, finished: str) -> Doc:
    """A completed Job created by the CronJob `owner` (the agent names no owner of a Job)."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "Job",
        "labels": {"app": owner, "job-name": name},
        "created_at": started,
        "active": 0,
        "succeeded": 1,
        "failed": 0,
        "complete": True,
        "start_time": started,
        "finish_time": finished,
    }
