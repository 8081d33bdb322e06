"""The simulated objects behind the resource dicts: what the state indexes and moves."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .catalog import App
from .resources import Doc


@dataclass(eq=False)
class Node:
    """A node and what scheduling needs of it (pod count, readiness, cordon)."""

    name: str
    uid: str
    doc: Doc
    index: int
    ip: str
    control_plane: bool
    pods: int = 0
    ready: str = "True"
    schedulable: bool = True
    next_ip: int = 2


@dataclass(eq=False)
class Workload:
    """A Deployment, StatefulSet or DaemonSet, its pods and its current template."""

    app: App
    uid: str
    doc: Doc
    replicas: int
    container: Doc  # the current template's container spec, shared by its pods
    labels: dict[str, str]  # pod labels of the current revision
    annotations: dict[str, str]  # pod annotations of the current revision
    template_hash: str
    base_replicas: int = 1  # what it was built with; the simulated autoscaler returns to it
    pods: list[Pod] = field(default_factory=list)
    revision: int = 1
    rs: Doc | None = None  # current ReplicaSet (deployments only)
    history: list[Doc] = field(default_factory=list)  # old ReplicaSets, oldest first

    @property
    def kind(self) -> str:
        return self.app.kind

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.app.kind, self.app.namespace, self.app.name)


@dataclass(eq=False)
class Pod:
    """A pod; its uid lives here because the Go agent's pod JSON does not carry one."""

    uid: str
    doc: Doc
    workload: Workload | None
    revision: int = 1
    node: str = ""

    @property
    def name(self) -> str:
        return str(self.doc["summary"]["name"])

    @property
    def namespace(self) -> str:
        return str(self.doc["summary"]["namespace"])

    @property
    def ready(self) -> bool:
        return bool(self.doc["containers"][0]["ready"])


@dataclass
class Crash:
    """A crash loop in progress: kubelet's next restart and back-off, and when it ends."""

    until: datetime
    next_restart: datetime
    backoff: int
