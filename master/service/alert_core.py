"""The alert lifecycle as a plain state machine: cluster state and time in, decisions out.

No trio, no database, no notifier (tests/test_layers.py checks it): `AlertEngine.look`
takes one cluster's agent status and snapshot, evaluates the rules of
`alert_rules.py` when something changed, and `conclude` hands back what to announce
and which alert records to store. `alerts.AlertService` is the shell that reads the
hub, sends, stores and feeds the live stream.

One alert per dedup key (cluster, kind, namespace, name, reason):

- new: announced on its own; or, at a cluster's first look, in its one start-up
  digest; or, when more than `burst_count` start within `burst_window`, in a burst
  digest (then held, one digest per window, until a window passes with none);
- while it holds: count and message follow the condition; a higher count after a
  cooldown since its last message sends one reminder (alerts announced on their own);
  a higher severity is announced at once;
- cleared: resolved, with a resolved message for alerts announced on their own
  (digest lines clear quietly);
- back within the cooldown since its last message: the same record fires again,
  quietly; if the channels' last word was "resolved", they hear it is back once the
  cooldown is over and it still holds;
- resolved and silent for a cooldown: forgotten; a later occurrence is a new alert.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from math import inf
from typing import Literal

from ..model.agent import AgentStatus
from ..model.alert import Alert, Key, Severity, severity_rank
from ..model.snapshot import ClusterSnapshot
from .alert_rules import MAX_COUNT, Condition, evaluate


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """When to look and when to speak (and where messages link to)."""

    interval: float = 1.0
    cooldown: float = 1800.0
    deployment_grace: float = 300.0
    burst_count: int = 10
    burst_window: float = 300.0
    offline_grace: float = 45.0
    public_url: str = ""


AnnouncementKind = Literal["firing", "repeat", "escalated", "resolved", "startup", "burst"]


@dataclass(frozen=True, slots=True)
class Announcement:
    """One message: about one alert, or a digest of several (`startup`, `burst`).

    `alerts` are the engine's records as they are when the decision is handed out.
    """

    kind: AnnouncementKind
    cluster_id: str
    alerts: tuple[Alert, ...]
    at: float

    @property
    def severity(self) -> Severity:
        """The highest of its alerts': a digest reaches every channel one of them would."""
        return max((a.severity for a in self.alerts), key=severity_rank)


@dataclass(frozen=True, slots=True)
class Decisions:
    """What one round decided: messages to send, then records to store (new ones have
    no `id` yet), every announced record among them."""

    announcements: tuple[Announcement, ...] = ()
    store: tuple[Alert, ...] = ()


class Heard(Enum):
    """What the channels last heard of an alert: it decides reminders and resolved messages."""

    NOTHING = "nothing"  # held in a burst, or back quietly
    ALONE = "alone"  # announced on its own: reminders and a resolved message follow
    DIGEST = "digest"  # a line of a digest: it clears quietly
    RESOLVED = "resolved"  # its resolved message: if it holds again, that is said too


@dataclass(slots=True, eq=False)
class _Tracked:
    alert: Alert
    heard: Heard = Heard.NOTHING
    last_sent: float = -inf


@dataclass(slots=True)
class _Burst:
    sent: deque[float] = field(default_factory=deque)  # when recent single alerts went out
    held_since: float | None = None  # set while a burst is on
    held: list[_Tracked] = field(default_factory=list)  # for the burst's next digest


@dataclass(slots=True)
class _Cluster:
    alerts: dict[Key, _Tracked] = field(default_factory=dict)  # firing, or resolved recently
    looked: bool = False
    # Snapshot identity and agent status at the last look. id() alone could be reused
    # by a newer snapshot; with its arrival time it is not.
    seen: tuple[int, float | None, str] | None = None
    lagging_since: dict[Key, float] = field(default_factory=dict)
    due: float = inf  # when the next lagging deployment's grace runs out
    burst: _Burst = field(default_factory=_Burst)


class AlertEngine:
    """The state of every cluster's alerts, driven by `look` and `conclude` with the time."""

    def __init__(self, policy: AlertPolicy, *, started: float) -> None:
        self.policy = policy
        self._started = started
        self._clusters: dict[str, _Cluster] = {}
        self._announcements: list[Announcement] = []
        self._store: dict[int, Alert] = {}  # by id() of the record, in first-touched order

    def begin(self, now: float) -> None:
        """The engine starts looking: the agents' offline grace counts from here."""
        self._started = now

    def restore(self, alerts: Iterable[Alert]) -> None:
        """Carry on with alerts still firing before a restart (no second alert for them).

        Their first look includes them in the cluster's start-up digest.
        """
        for alert in alerts:
            heard = Heard.ALONE if alert.notified else Heard.NOTHING
            self._cluster(alert.cluster_id).alerts[alert.key] = _Tracked(
                alert, heard, alert.fired_at
            )

    def look(self, agent: AgentStatus, snapshot: ClusterSnapshot | None, now: float) -> bool:
        """Judge one cluster if its snapshot or status changed, or a grace ran out.

        Returns whether it evaluated the rules (the shell yields after each such look).
        """
        cid = agent.cluster_id
        cluster = self._cluster(cid)
        seen = (id(snapshot), snapshot.received_at if snapshot else None, agent.status)
        first = not cluster.looked
        if not first and cluster.seen == seen and now < cluster.due:
            return False
        offline_counts = now - self._started >= self.policy.offline_grace
        if first and snapshot is None and not offline_counts:
            return False  # a restored cluster: give its agent time to report first
        cluster.seen = seen
        grace = self.policy.deployment_grace
        conditions = evaluate(
            cid,
            agent,
            snapshot,
            now=now,
            lagging_since=cluster.lagging_since,
            grace=grace,
            offline_counts=offline_counts,
        )
        cluster.looked = True
        cluster.due = min(
            (since + grace for k, since in cluster.lagging_since.items() if k not in conditions),
            default=inf,
        )
        self._apply(cid, cluster, conditions, now, first=first)
        self._prune(cluster, now)
        return True

    def conclude(self, now: float) -> Decisions:
        """End a round: send the digests of bursts whose window is over; hand out decisions."""
        for cid, cluster in self._clusters.items():
            self._flush_burst(cid, cluster.burst, now)
        decided = Decisions(tuple(self._announcements), tuple(self._store.values()))
        self._announcements, self._store = [], {}
        return decided

    def tracked(self, cluster_id: str) -> list[Alert]:
        """The cluster's alerts the engine still follows: firing, or resolved recently."""
        cluster = self._clusters.get(cluster_id)
        return [t.alert for t in cluster.alerts.values()] if cluster else []

    # -- one look -----------------------------------------------------------------

    def _cluster(self, cid: str) -> _Cluster:
        cluster = self._clusters.get(cid)
        if cluster is None:
            cluster = self._clusters[cid] = _Cluster()
        return cluster

    def _touch(self, tracked: _Tracked) -> None:
        self._store[id(tracked.alert)] = tracked.alert

    def _apply(
        self,
        cid: str,
        cluster: _Cluster,
        conditions: dict[Key, Condition],
        now: float,
        *,
        first: bool,
    ) -> None:
        cooldown = self.policy.cooldown
        new: list[_Tracked] = []
        current: list[_Tracked] = []
        for key, cond in conditions.items():
            tracked = cluster.alerts.get(key)
            if tracked is not None and tracked.alert.status == "firing":
                self._holds(cid, cluster, tracked, cond, now, first=first)
            elif tracked is not None and now - tracked.last_sent < cooldown:
                self._back(tracked, cond)
            else:
                tracked = cluster.alerts[key] = _Tracked(_new_alert(cond, now))
                self._touch(tracked)
                new.append(tracked)
            current.append(tracked)
        for key, tracked in cluster.alerts.items():
            if key not in conditions and tracked.alert.status == "firing":
                self._clears(cid, cluster, tracked, now)
        if first:
            if current:
                self._say("startup", cid, current, now)
        elif new:
            self._announce_new(cid, cluster.burst, new, now)

    def _holds(
        self,
        cid: str,
        cluster: _Cluster,
        tracked: _Tracked,
        cond: Condition,
        now: float,
        *,
        first: bool,
    ) -> None:
        alert = tracked.alert
        cooldown = self.policy.cooldown
        escalated = severity_rank(cond.severity) > severity_rank(alert.severity)
        if cond.count != alert.count or cond.message != alert.message or escalated:
            repeated = cond.count > alert.count
            alert.count = max(cond.count, alert.count)
            alert.message = cond.message
            if escalated:
                alert.severity = cond.severity
            self._touch(tracked)
            held = any(h is tracked for h in cluster.burst.held)
            if first:
                pass  # the start-up digest tells it as it is now
            elif escalated and not held:
                self._say("escalated", cid, [tracked], now)
            elif repeated and tracked.heard is Heard.ALONE and now - tracked.last_sent >= cooldown:
                self._say("repeat", cid, [tracked], now)
        if tracked.heard is Heard.RESOLVED and not first and now - tracked.last_sent >= cooldown:
            # The channels' last word was "resolved": say it is back.
            self._say("firing", cid, [tracked], now)

    def _back(self, tracked: _Tracked, cond: Condition) -> None:
        """Fires again within the cooldown since its last message: the same record, quietly."""
        alert = tracked.alert
        alert.status = "firing"
        alert.resolved_at = None
        alert.count = min(alert.count + 1, MAX_COUNT)
        alert.message = cond.message
        alert.severity = cond.severity
        if tracked.heard is not Heard.RESOLVED:
            tracked.heard = Heard.NOTHING
        self._touch(tracked)

    def _clears(self, cid: str, cluster: _Cluster, tracked: _Tracked, now: float) -> None:
        tracked.alert.status = "resolved"
        tracked.alert.resolved_at = now
        self._touch(tracked)
        held = cluster.burst.held
        held[:] = [h for h in held if h is not tracked]
        if tracked.heard is Heard.ALONE:
            self._say("resolved", cid, [tracked], now)

    def _announce_new(self, cid: str, burst: _Burst, new: list[_Tracked], now: float) -> None:
        policy = self.policy
        while burst.sent and now - burst.sent[0] > policy.burst_window:
            burst.sent.popleft()
        if burst.held_since is not None:
            burst.held.extend(new)
        elif len(burst.sent) + len(new) > policy.burst_count:
            burst.held_since = now
            self._say("burst", cid, new, now)
        else:
            burst.sent.extend([now] * len(new))
            for tracked in new:
                self._say("firing", cid, [tracked], now)

    def _flush_burst(self, cid: str, burst: _Burst, now: float) -> None:
        if burst.held_since is None or now - burst.held_since < self.policy.burst_window:
            return
        held, burst.held = burst.held, []
        if held:
            burst.held_since = now
            self._say("burst", cid, held, now)
        else:  # a window without new alerts: the burst is over
            burst.held_since = None
            burst.sent.clear()

    def _prune(self, cluster: _Cluster, now: float) -> None:
        cooldown = self.policy.cooldown
        stale = [
            key
            for key, t in cluster.alerts.items()
            if t.alert.status == "resolved"
            and now - max(t.last_sent, t.alert.resolved_at or 0) >= cooldown
        ]
        for key in stale:
            del cluster.alerts[key]

    def _say(self, kind: AnnouncementKind, cid: str, about: list[_Tracked], now: float) -> None:
        for tracked in about:
            tracked.last_sent = now
            if kind in ("firing", "escalated"):
                tracked.heard = Heard.ALONE
            elif kind == "resolved":
                tracked.heard = Heard.RESOLVED
            elif kind in ("startup", "burst") and tracked.heard is not Heard.ALONE:
                # A restored alert announced on its own keeps its resolved message.
                tracked.heard = Heard.DIGEST
            self._touch(tracked)
        alerts = tuple(t.alert for t in about)
        self._announcements.append(Announcement(kind, cid, alerts, now))


def _new_alert(cond: Condition, now: float) -> Alert:
    return Alert(
        rule=cond.rule,
        cluster_id=cond.cluster_id,
        severity=cond.severity,
        title=cond.title,
        message=cond.message,
        object_kind=cond.kind,
        object_namespace=cond.namespace,
        object_name=cond.name,
        reason=cond.reason,
        fired_at=now,
        count=cond.count,
    )
