"""The alert engine's shell: hub state in, messages out, history stored, the live stream fed.

Every `interval` it hands each cluster's agent status and snapshot to the core
(`alert_core.AlertEngine`, which decides everything), queues the messages the core
decided on the notification channels, stores the changed alert records, and then
reports each change to `on_change` (the hub's live stream).

A change hook that fails stops neither the engine nor the writes (they came first):
the alerts it missed are offered to it again on the next round, as they are then,
until it takes them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from functools import partial
from typing import Any

import trio

from ..database import Database
from ..database.alerts import firing_alerts, query_alerts, save_alerts
from ..datahub import DataHub
from ..model.alert import SEVERITIES, Alert
from ..model.gotime import from_epoch
from ..notifier import AlertItem, Notification
from .alert_core import AlertEngine, AlertPolicy, Announcement
from .notify import NotifyService

__all__ = ["SEVERITIES", "AlertPolicy", "AlertService", "alert_view"]

log = logging.getLogger("master.alerts")


def alert_view(alert: Alert) -> dict[str, Any]:
    """An alert as GET /api/v2/alerts and the stream show it."""
    return {
        "id": alert.id,
        "rule": alert.rule,
        "cluster_id": alert.cluster_id,
        "severity": alert.severity,
        "title": alert.title,
        "message": alert.message,
        "object": {
            "kind": alert.object_kind,
            "namespace": alert.object_namespace,
            "name": alert.object_name,
        },
        "reason": alert.reason,
        "status": alert.status,
        "fired_at": from_epoch(alert.fired_at),
        "resolved_at": from_epoch(alert.resolved_at),
        "count": alert.count,
        "notified_channels": list(alert.notified),
    }


def _item(alert: Alert) -> AlertItem:
    return AlertItem(
        rule=alert.rule,
        severity=alert.severity,
        cluster_id=alert.cluster_id,
        kind=alert.object_kind,
        namespace=alert.object_namespace,
        name=alert.object_name,
        reason=alert.reason,
        message=alert.message,
        count=alert.count,
        status=alert.status,
    )


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
        self._engine = AlertEngine(policy, started=clock())
        # Stored changes the hook has not taken yet, by id (the latest state is offered).
        self._unreported: dict[int, Alert] = {}
        self._scope = trio.CancelScope()

    async def query(self, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        alerts, total = await self._db.read(partial(query_alerts, **filters))
        return [alert_view(a) for a in alerts], total

    async def load(self) -> None:
        """Carry on with what was firing before a restart (no second alert for it)."""
        restored = await self._db.read(firing_alerts)
        self._engine.restore(restored)
        self._report(restored)

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Look at changed clusters every `interval` until cancelled."""
        self._engine.begin(self._clock())
        with self._scope:
            task_status.started()
            while True:
                await trio.sleep(self._policy.interval)
                await self.tick()

    def stop(self) -> None:
        """End `serve` (shutdown: no new alerts once the servers are closing)."""
        self._scope.cancel()

    async def tick(self) -> None:
        """One round: look at every cluster, send and store what the core decided, report."""
        now = self._clock()
        for agent in await self._hub.agents():
            if self._engine.look(agent, await self._hub.snapshot(agent.cluster_id), now):
                # One cluster at a time: a look at many big snapshots must not stall ingest.
                await trio.lowlevel.checkpoint()
        decided = self._engine.conclude(now)
        for announcement in decided.announcements:
            channels = self._notify.notify(self._notification(announcement))
            for alert in announcement.alerts:
                alert.add_channels(channels)
        if decided.store:
            # Through a storage fault the engine waits here, its decisions kept.
            ids = await self._db.write(partial(save_alerts, alerts=decided.store), retry=True)
            for alert, alert_id in zip(decided.store, ids, strict=True):
                alert.id = alert_id
        self._report(decided.store)

    def _report(self, changed: tuple[Alert, ...] | list[Alert]) -> None:
        """Offer stored changes (and any the hook missed before) to the change hook."""
        missed = bool(self._unreported)
        for alert in changed:
            assert alert.id is not None
            self._unreported[alert.id] = alert
        failed = 0
        for alert_id, alert in list(self._unreported.items()):
            try:
                self.on_change(alert_view(alert))
            except Exception:
                if not missed and not failed:  # once per outage, not once per round
                    log.exception("alert change hook failed; the live stream misses alerts")
                failed += 1
            else:
                del self._unreported[alert_id]
        if missed and not failed:
            log.info("alert change hook works again; the live stream has every alert")

    # -- messages -------------------------------------------------------------------

    def _link(self, cid: str) -> str:
        base = self._policy.public_url.rstrip("/")
        return f"{base}/#/cluster/{cid}" if base else ""

    def _notification(self, announcement: Announcement) -> Notification:
        alerts, cid = announcement.alerts, announcement.cluster_id
        kind = announcement.kind
        first = alerts[0]
        title = {
            "firing": first.title,
            "repeat": f"Still firing: {first.title}",
            "escalated": f"Now {first.severity}: {first.title}",
            "resolved": f"Resolved: {first.title}",
            "startup": f"{cid}: {len(alerts)} problem(s) found at first look",
            "burst": f"{cid}: {len(alerts)} new alerts in a burst",
        }[kind]
        return Notification(
            kind="digest"
            if kind in ("startup", "burst")
            else "firing"
            if kind == "escalated"
            else kind,
            cluster_id=cid,
            # A resolved message keeps its alert's severity, so it reaches the channels
            # the alert did.
            severity=announcement.severity,
            title=title,
            items=tuple(_item(a) for a in alerts),
            link=self._link(cid),
            at=announcement.at,
        )
