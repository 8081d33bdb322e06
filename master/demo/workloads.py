"""Builders of workload dicts (deployments, statefulsets, daemonsets, replicasets, jobs).

Workloads carry their identity and counts in `summary` (what the master reads);
replicasets and jobs are flat kinds with identity at the top level.
"""

from __future__ import annotations

from .catalog import DAEMONSET, DEPLOYMENT, STATEFULSET, App
from .resources import ZERO_TIME, Doc


def workload_doc(
    *,
    app: App,
    replicas: int,
    created: str,
    labels: dict[str, str],
    selector: dict[str, str],
    container: Doc,
) -> Doc:
    """A Deployment, StatefulSet or DaemonSet (by `app.kind`) with no pod ready yet."""
    spec: Doc = {
        "selector": {"matchLabels": selector},
        "template": {"labels": labels, "containers": [container]},
    }
    if app.kind == DEPLOYMENT:
        spec.update(
            replicas=replicas,
            revisionHistoryLimit=10,
            minReadySeconds=0,
            strategy={"type": "RollingUpdate", "maxSurge": "25%", "maxUnavailable": "25%"},
        )
    elif app.kind == STATEFULSET:
        spec.update(
            replicas=replicas,
            serviceName=app.name,
            podManagementPolicy="OrderedReady",
            updateStrategy={"type": "RollingUpdate"},
            volumeClaimTemplates=[
                {
                    "name": "data",
                    "storage": "10Gi",
                    "storageClassName": "gp3",
                    "accessModes": ["ReadWriteOnce"],
                }
            ],
        )
    else:
        spec.update(updateStrategy={"type": "RollingUpdate", "maxUnavailable": 1})
    doc: Doc = {
        "summary": {
            "name": app.name,
            "namespace": app.namespace,
            "replicas": replicas,
            "ready": 0,
            "available": 0,
            "updated": 0,
            "unavailable": replicas,
            "createdAt": created,
            "selector": ",".join(f"{k}={v}" for k, v in selector.items()),
            "images": [container["image"]],
        },
        "spec": spec,
        "status": {
            "observedGeneration": 1,
            "replicas": replicas,
            "readyReplicas": 0,
            "availableReplicas": 0,
            "updatedReplicas": 0,
            "conditions": [],
        },
        "labels": {"app.kubernetes.io/name": app.name, "app.kubernetes.io/part-of": app.namespace},
        "annotations": {"deployment.kubernetes.io/revision": "1"} if app.kind == DEPLOYMENT else {},
    }
    if app.kind == DAEMONSET:
        doc["summary"].update(desired=replicas, current=replicas)
    return doc


def workload_counts(doc: Doc, *, replicas: int, ready: int, updated: int, at: str) -> None:
    """Refresh a workload's counts after its pods changed."""
    summary = doc["summary"]
    summary.update(
        replicas=replicas,
        ready=ready,
        available=ready,
        updated=updated,
        unavailable=max(replicas - ready, 0),
    )
    if "desired" in summary:
        summary.update(desired=replicas, current=replicas)
    if "replicas" in doc["spec"]:
        doc["spec"]["replicas"] = replicas
    available = ready >= replicas
    doc["status"].update(
        replicas=replicas,
        readyReplicas=ready,
        availableReplicas=ready,
        updatedReplicas=updated,
        conditions=[
            {
                "type": "Available",
                "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "lastTransitionTime": at,
            },
            {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "lastTransitionTime": at,
            },
        ],
    )


def new_revision(doc: Doc, container: Doc, at: str, *, revision: int, restarted: bool) -> None:
    """Point the template at a new container spec: a rollout to `revision`."""
    template = doc["spec"]["template"]
    template["containers"] = [container]
    doc["summary"]["images"] = [container["image"]]
    doc["status"]["observedGeneration"] += 1
    if "deployment.kubernetes.io/revision" in doc["annotations"]:
        doc["annotations"]["deployment.kubernetes.io/revision"] = str(revision)
    if restarted:
        template["annotations"] = {
            **(template.get("annotations") or {}),
            "kubectl.kubernetes.io/restartedAt": at,
        }


def replicaset_doc(
    *,
    uid: str,
    name: str,
    namespace: str,
    owner: str,
    image: str,
    labels: dict[str, str],
    created: str,
    revision: int,
) -> Doc:
    """A deployment's ReplicaSet (flat kind), with no replicas yet."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "ReplicaSet",
        "replicas": 0,
        "ready": 0,
        "available": 0,
        "owner_kind": DEPLOYMENT,
        "owner_name": owner,
        "image": image,
        "revision": revision,
        "labels": labels,
        "created_at": created,
    }


def cronjob_doc(
    *, uid: str, name: str, namespace: str, schedule: str, last: str, created: str
) -> Doc:
    """A CronJob (flat kind)."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "CronJob",
        "schedule": schedule,
        "suspend": False,
        "active": 0,
        "concurrencyPolicy": "Forbid",
        "successfulJobsHistoryLimit": 3,
        "failedJobsHistoryLimit": 1,
        "last_schedule_time": last,
        "last_successful_time": last,
        "created_at": created,
        "labels": {"app": name},
    }


def job_doc(
    *, uid: str, name: str, namespace: str, owner: str, image: str, started: str, finished: str
) -> Doc:
    """A completed Job (flat kind) created by a CronJob."""
    return {
        "uid": uid,
        "name": name,
        "namespace": namespace,
        "kind": "Job",
        "ownerKind": "CronJob",
        "ownerName": owner,
        "image": image,
        "completions": 1,
        "parallelism": 1,
        "backoffLimit": 6,
        "active": 0,
        "succeeded": 1,
        "failed": 0,
        "complete": True,
        "start_time": started,
        "completion_time": finished or ZERO_TIME,
        "created_at": started,
        "labels": {"app": owner, "job-name": name},
    }
