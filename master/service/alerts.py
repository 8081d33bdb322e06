"""The alert engine: rules over the hub's live state, dedup, cooldown, digests, history.

Every `interval` it looks at clusters whose snapshot or agent status changed
since its last look (identity comparisons, no decoding), evaluates the rules
of `alert_rules.py`, and turns what started, repeated and cleared into rows
of `alert_history` and notifications:

- one alert per dedup key (cluster, kind, namespace, name, reason) while it
  holds; a repeat within the cooldown only updates the row's count, a repeat
  after it sends a reminder;
- a resolved message when it clears (for alerts that were announced on
  their own; those in a digest clear quietly);
- what is already wrong when a cluster is first looked at (master start, or
  a new cluster) goes out as one start-up digest per cluster;
- more than `burst_count` new alerts for a cluster within `burst_window`
  go out as one digest, and further ones are gathered into one digest per
  window until the burst is over.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from math import inf
from typing import Any

import msgspec
import trio

from ..database import Database
from ..database.alerts import firing_alerts, query_alerts, save_alerts
from ..datahub import DataHub
from ..model.gotime import from_epoch
from ..notifier import SEVERITIES, AlertItem, Notification, severity_rank
from .alert_rules import MAX_COUNT, Condition, Key, evaluate
from .notify import NotifyService

__all__ = ["SEVERITIES", "AlertPolicy", "AlertService", "alert_view"]

log = logging.getLogger("master.alerts")


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    """When to look and when to speak."""

    interval: float = 1.0
    cooldown: float = 1800.0
    deployment_grace: float = 300.0
    burst_count: int = 10
    burst_window: float = 300.0
    offline_grace: float = 45.0
    public_url: str = ""


def alert_view(row: dict[str, Any]) -> dict[str, Any]:
    """An alert as GET /api/v2/alerts and the stream show it."""
    notified = row["notified"]
    return {
        "id": row["id"],
        "rule": row["rule"],
        "cluster_id": row["cluster_id"],
        "severity": row["severity"],
        "title": row["title"],
        "message": row["message"],
        "object": {
            "kind": row["object_kind"],
            "namespace": row["object_namespace"],
            "name": row["object_name"],
        },
        "reason": row["reason"],
        "status": row["status"],
        "fired_at": from_epoch(row["fired_at"]),
        "resolved_at": from_epoch(row["resolved_at"]),
        "count": row["count"],
        "notified_channels": msgspec.json.decode(notified)
        if isinstance(notified, str)
        else notified,
    }


def _key(row: dict[str, Any]) -> Key:
    return (
        row["cluster_id"],
        row["object_kind"],
        row["object_namespace"],
        row["object_name"],
        row["reason"],
    )


def _item(row: dict[str, Any]) -> AlertItem:
    return AlertItem(
        rule=row["rule"],
        severity=row["severity"],
        cluster_id=row["cluster_id"],
        kind=row["object_kind"],
        namespace=row["object_namespace"],
        name=row["object_name"],
        reason=row["reason"],
        message=row["message"],
        count=row["count"],
        status=row["status"],
    )


@dataclass
class _Tracked:
    row: dict[str, Any]
    announced: str = ""  # "", "direct" or "digest"
    last_sent: float = float("-inf")
    # Fired again within the cooldown after its resolved message: quiet for now,
    # announced if it is still firing when the cooldown is over.
    refired: bool = False
    said_resolved: bool = False  # the last message the channels got about it


@dataclass
class _Burst:
    sent: deque[float] = field(default_factory=deque)
    held_since: float | None = None
    held: list[_Tracked] = field(default_factory=list)


class AlertService:
    """Runs the engine (`serve`) and answers the alert history (`query`)."""

    def __init__(
        self,
        hub: DataHub,
        db: Database,
        notify: NotifyService,
        policy: AlertPolicy,
        *,
        on_change: Callable[[dict[str, Any]], None] = lambda view: None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._hub = hub
        self._db = db
        self._notify = notify
        self._policy = policy
        self.on_change = on_change
        self._clock = clock
        # cluster -> dedup key -> alert: firing ones, and resolved ones within their cooldown.
        self._alerts: dict[str, dict[Key, _Tracked]] = {}
        self._seen: dict[str, tuple[int, float | None, str]] = {}
        self._looked: set[str] = set()
        self._lagging: dict[str, dict[Key, float]] = {}
        # cluster -> when its next lagging deployment reaches the grace time
        self._due: dict[str, float] = {}
        self._bursts: dict[str, _Burst] = {}
        self._started = clock()
        self._changed: dict[int, _Tracked] = {}
        self._scope = trio.CancelScope()

    async def query(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        rows, total = await self._db.read(partial(query_alerts, **filters))
        return [alert_view(r) for r in rows], total

    async def load(self) -> None:
        """Carry on with what was firing before a restart (no second alert for it)."""
        for row in await self._db.read(firing_alerts):
            self._alerts.setdefault(row["cluster_id"], {})[_key(row)] = _Tracked(
                row,
                announced="direct" if row["notified"] != "[]" else "",
                last_sent=row["fired_at"],
            )
            self.on_change(alert_view(row))

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Look at changed clusters every `interval` until cancelled."""
        self._started = self._clock()
        with self._scope:
            task_status.started()
            while True:
                await trio.sleep(self._policy.interval)
                await self.tick()

    def stop(self) -> None:
        """End `serve` (shutdown: no new alerts once the servers are closing)."""
        self._scope.cancel()

    async def tick(self) -> None:
        """One look at every cluster that changed; persist, notify, report changes."""
        now = self._clock()
        notes: list[tuple[Notification, list[_Tracked]]] = []
        for agent in await self._hub.agents():
            cid = agent.cluster_id
            snapshot = await self._hub.snapshot(cid)
            # id() alone could be reused by a newer snapshot; with its arrival time it is not.
            marker = (id(snapshot), snapshot.received_at if snapshot else None, agent.status)
            first = cid not in self._looked
            if not first and self._seen.get(cid) == marker and now < self._due.get(cid, inf):
                continue  # nothing new, and no deployment's grace runs out yet
            offline_counts = now - self._started >= self._policy.offline_grace
            if first and snapshot is None and not offline_counts:
                continue  # a restored cluster: give its agent time to report first
            self._seen[cid] = marker
            conditions = evaluate(
                cid,
                agent,
                snapshot,
                now=now,
                lagging_since=self._lagging.setdefault(cid, {}),
                grace=self._policy.deployment_grace,
                offline_counts=offline_counts,
            )
            self._looked.add(cid)
            grace = self._policy.deployment_grace
            self._due[cid] = min(
                (
                    since + grace
                    for key, since in self._lagging[cid].items()
                    if key not in conditions
                ),
                default=inf,
            )
            notes += self._apply(cid, conditions, now, first=first)
            self._prune(cid, now)
            # One cluster at a time: a look at many big snapshots must not stall ingest.
            await trio.lowlevel.checkpoint()
        for cid, burst in self._bursts.items():
            notes += self._flush_burst(cid, burst, now)
        await self._persist_and_send(notes)

    # -- what changed -------------------------------------------------------------

    def _touch(self, tracked: _Tracked) -> None:
        self._changed[id(tracked)] = tracked

    def _apply(
        self, cid: str, conditions: dict[Key, Condition], now: float, *, first: bool
    ) -> list[tuple[Notification, list[_Tracked]]]:
        policy = self._policy
        new: list[_Tracked] = []
        current: list[_Tracked] = []
        notes: list[tuple[Notification, list[_Tracked]]] = []
        alerts = self._alerts.setdefault(cid, {})
        for key, cond in conditions.items():
            tracked = alerts.get(key)
            if tracked is not None and tracked.row["status"] == "firing":
                row = tracked.row
                if cond.count != row["count"] or cond.message != row["message"]:
                    repeated = cond.count > row["count"]
                    row.update(count=max(cond.count, row["count"]), message=cond.message)
                    self._touch(tracked)
                    if (
                        repeated
                        and not first
                        and tracked.announced == "direct"
                        and now - tracked.last_sent >= policy.cooldown
                    ):
                        tracked.last_sent = now
                        notes.append((self._single("repeat", tracked, now), [tracked]))
                if tracked.refired and not first and now - tracked.last_sent >= policy.cooldown:
                    # The channels' last word was "resolved": say it is back.
                    tracked.refired = tracked.said_resolved = False
                    tracked.announced = "direct"
                    tracked.last_sent = now
                    self._touch(tracked)
                    notes.append((self._single("firing", tracked, now), [tracked]))
            elif tracked is not None and now - tracked.last_sent < policy.cooldown:
                # Back within the cooldown: the same row fires again, quietly.
                tracked.row.update(
                    status="firing",
                    resolved_at=None,
                    count=min(tracked.row["count"] + 1, MAX_COUNT),
                    message=cond.message,
                )
                tracked.refired = tracked.said_resolved
                tracked.announced = ""
                self._touch(tracked)
            else:
                tracked = alerts[key] = _Tracked(self._new_row(cond, now))
                self._touch(tracked)
                new.append(tracked)
            current.append(tracked)
        for key, tracked in alerts.items():
            if key not in conditions and tracked.row["status"] == "firing":
                tracked.refired = False
                tracked.row.update(status="resolved", resolved_at=now)
                self._touch(tracked)
                burst = self._bursts.get(cid)
                if burst is not None and tracked in burst.held:
                    burst.held.remove(tracked)
                if tracked.announced == "direct":
                    tracked.last_sent = now
                    tracked.said_resolved = True
                    notes.append((self._single("resolved", tracked, now), [tracked]))
        if first:
            if current:
                notes.append((self._digest(cid, current, now, startup=True), current))
            return notes
        return notes + self._announce_new(cid, new, now)

    def _announce_new(
        self, cid: str, new: list[_Tracked], now: float
    ) -> list[tuple[Notification, list[_Tracked]]]:
        if not new:
            return []
        policy = self._policy
        burst = self._bursts.setdefault(cid, _Burst())
        while burst.sent and now - burst.sent[0] > policy.burst_window:
            burst.sent.popleft()
        if burst.held_since is not None:
            burst.held.extend(new)
            return []
        if len(burst.sent) + len(new) > policy.burst_count:
            burst.held_since = now
            return [(self._digest(cid, new, now, startup=False), new)]
        burst.sent.extend([now] * len(new))
        for tracked in new:
            tracked.last_sent = now
        return [(self._single("firing", t, now), [t]) for t in new]

    def _flush_burst(
        self, cid: str, burst: _Burst, now: float
    ) -> list[tuple[Notification, list[_Tracked]]]:
        if burst.held_since is None or now - burst.held_since < self._policy.burst_window:
            return []
        held, burst.held = burst.held, []
        if not held:
            burst.held_since = None  # a quiet window: the burst is over
            burst.sent.clear()
            return []
        burst.held_since = now
        return [(self._digest(cid, held, now, startup=False), held)]

    def _prune(self, cid: str, now: float) -> None:
        alerts = self._alerts.get(cid, {})
        stale = [
            k
            for k, t in alerts.items()
            if t.row["status"] == "resolved"
            and now - max(t.last_sent, t.row["resolved_at"] or 0) >= self._policy.cooldown
        ]
        for key in stale:
            del alerts[key]

    # -- messages -------------------------------------------------------------------

    def _link(self, cid: str) -> str:
        base = self._policy.public_url.rstrip("/")
        return f"{base}/#/cluster/{cid}" if base else ""

    @staticmethod
    def _new_row(cond: Condition, now: float) -> dict[str, Any]:
        return {
            "id": None,
            "rule": cond.rule,
            "cluster_id": cond.cluster_id,
            "severity": cond.severity,
            "title": cond.title,
            "message": cond.message,
            "object_kind": cond.kind,
            "object_namespace": cond.namespace,
            "object_name": cond.name,
            "reason": cond.reason,
            "status": "firing",
            "fired_at": now,
            "resolved_at": None,
            "count": cond.count,
            "notified": "[]",
        }

    def _single(self, kind: str, tracked: _Tracked, now: float) -> Notification:
        row = tracked.row
        title = {
            "firing": row["title"],
            "repeat": f"Still firing: {row['title']}",
            "resolved": f"Resolved: {row['title']}",
        }[kind]
        # A resolved message keeps its alert's severity, so it reaches the channels the alert did.
        return Notification(
            kind=kind,
            cluster_id=row["cluster_id"],
            severity=row["severity"],
            title=title,
            items=(_item(row),),
            link=self._link(row["cluster_id"]),
            at=now,
        )

    def _digest(
        self, cid: str, alerts: list[_Tracked], now: float, *, startup: bool
    ) -> Notification:
        items = tuple(_item(t.row) for t in alerts)
        severity = max((i.severity for i in items), key=severity_rank)
        title = (
            f"{cid}: {len(items)} problem(s) found at first look"
            if startup
            else f"{cid}: {len(items)} new alerts in a burst"
        )
        return Notification(
            kind="digest",
            cluster_id=cid,
            severity=severity,
            title=title,
            items=items,
            link=self._link(cid),
            at=now,
        )

    async def _persist_and_send(self, notes: list[tuple[Notification, list[_Tracked]]]) -> None:
        for note, alerts in notes:
            channels = self._notify.notify(note)
            for tracked in alerts:
                if note.kind in ("firing", "digest"):
                    # A start-up digest after a restart does not make an alert announced on
                    # its own before into a digest item: it still gets its resolved message.
                    if note.kind == "firing" or tracked.announced != "direct":
                        tracked.announced = "direct" if note.kind == "firing" else "digest"
                    tracked.last_sent = note.at
                if channels:
                    known = msgspec.json.decode(tracked.row["notified"])
                    merged = known + [c for c in channels if c not in known]
                    tracked.row["notified"] = msgspec.json.encode(merged).decode()
                self._touch(tracked)
        changed, self._changed = list(self._changed.values()), {}
        if not changed:
            return
        ids = await self._db.write(partial(save_alerts, alerts=[t.row for t in changed]))
        for tracked, alert_id in zip(changed, ids, strict=True):
            tracked.row["id"] = alert_id
            try:
                self.on_change(alert_view(tracked.row))
            except Exception:
                log.exception("alert change hook failed")
