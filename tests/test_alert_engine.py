"""The alert engine on its own, with a hand-driven clock: cooldown, reminders, flapping, and
the change hook the live stream is fed from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec

from master.database import Database
from master.datahub import MemoryHub
from master.metrics import Metrics
from master.processor import decode_snapshot
from master.service.alerts import AlertPolicy, AlertService
from master.service.notify import NotifyService
from master.service.secretbox import SecretBox

from .alerting import CLEAN, crash
from .goagent import snapshot


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_cooldown_reminder_flapping_and_change_hook(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    hub = MemoryHub(metrics=Metrics(), clock=clock)
    notify = NotifyService(db, SecretBox.in_dir(tmp_path), clock=clock)
    await notify.update("webhook", name=None, enabled=True, config={"url": "http://127.0.0.1:9/x"})
    changes: list[dict[str, Any]] = []
    engine = AlertService(
        hub,
        db,
        notify,
        AlertPolicy(cooldown=100, offline_grace=10_000),
        on_change=changes.append,
        clock=clock,
    )

    async def look(at: float, **body: Any) -> int:
        clock.now = 1_000_000.0 + at
        raw = msgspec.json.encode(snapshot("c1", **{**CLEAN, **body}))
        hub.apply_snapshot(decode_snapshot(raw, "c1", received_at=clock.now))
        await engine.tick()
        queued: int = notify.view("webhook")["queued"]  # nothing drains it here
        return queued

    assert await look(0) == 0, "a clean first look says nothing"
    assert await look(1, events=[crash(1)]) == 1
    first = changes[-1]
    assert first["cluster_id"] == "c1" and first["status"] == "firing" and first["count"] == 1
    assert first["notified_channels"] == ["webhook"] and first["id"] is not None
    assert await look(50, events=[crash(2)]) == 1, "a repeat within the cooldown is counted only"
    assert changes[-1]["count"] == 2 and len(changes) == 2
    assert await look(60, events=[crash(2)]) == 1 and len(changes) == 2, "no change, no call"
    assert await look(150, events=[crash(3)]) == 2, "past the cooldown: one reminder"
    assert await look(160) == 3 and changes[-1]["status"] == "resolved"
    assert await look(170, events=[crash(4)]) == 3, "back within the cooldown: quietly"
    assert changes[-1]["status"] == "firing" and changes[-1]["id"] == first["id"]
    assert await look(180) == 3, "and it clears quietly too"
    assert changes[-1]["status"] == "resolved"
    rows, total = await engine.query(cluster_id="c1")
    assert total == 1 and rows[0] == changes[-1]
    # Back again within the cooldown, and still firing when it is over: the channels,
    # whose last word was "resolved", hear that it is back (once), then its resolution.
    assert await look(190, events=[crash(5)]) == 3, "quietly at first"
    assert await look(200, events=[crash(5)]) == 3
    assert await look(265, events=[crash(5)]) == 4, "still firing past the cooldown: said once"
    assert await look(275, events=[crash(5)]) == 4
    assert await look(280) == 5 and changes[-1]["status"] == "resolved"


async def test_counts_add_up_without_passing_sqlite_integers(db: Database, tmp_path: Path) -> None:
    clock = Clock()
    hub = MemoryHub(metrics=Metrics(), clock=clock)
    engine = AlertService(
        hub,
        db,
        NotifyService(db, SecretBox.in_dir(tmp_path)),
        AlertPolicy(),
        clock=clock,
    )
    huge = [crash(2**63 - 1, uid="a"), crash(2**63 - 1, uid="b")]  # one object, one reason
    raw = msgspec.json.encode(snapshot("c1", **{**CLEAN, "events": huge}))
    hub.apply_snapshot(decode_snapshot(raw, "c1", received_at=clock.now))
    await engine.tick()
    rows, _ = await engine.query()
    assert [r["count"] for r in rows] == [2**63 - 1]
