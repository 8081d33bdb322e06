"""The alert engine's shell with a hand-driven clock over a real database and real channels:
what it stores, what it queues, what the live stream's change hook gets, and what happens
when the hook or a channel's queue fails it."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import msgspec
import pytest
import trio

from master.config import NotifyConfig
from master.database import Database
from master.database.notify import list_channels
from master.datahub import MemoryHub
from master.metrics import Metrics
from master.processor import decode_snapshot
from master.service.alerts import AlertPolicy, AlertService
from master.service.notify import NotifyService
from master.service.secretbox import SecretBox

from .alerting import CLEAN, crash
from .goagent import node, snapshot
from .receivers import http_receiver


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


class Rig:
    """A hub, channels and the alert service on one clock; `look` posts and runs a round."""

    def __init__(
        self, db: Database, tmp_path: Path, *, queue_size: int = 10, **policy: Any
    ) -> None:
        self.clock = Clock()
        self.hub = MemoryHub(metrics=Metrics(), clock=self.clock)
        self.box = SecretBox.in_dir(tmp_path)
        delivery = NotifyConfig(queue_size=queue_size, backoff=0.01)
        self.notify = NotifyService(db, self.box, delivery, clock=self.clock)
        self.changes: list[dict[str, Any]] = []
        self.broken = False
        self.engine = AlertService(
            self.hub,
            db,
            self.notify,
            AlertPolicy(**{"offline_grace": 10_000, **policy}),
            on_change=self.hook,
            clock=self.clock,
        )

    def hook(self, view: dict[str, Any]) -> None:
        if self.broken:
            raise RuntimeError("the stream is down")
        self.changes.append(view)

    async def look(self, at: float, **body: Any) -> None:
        self.clock.now = 1_000_000.0 + at
        raw = msgspec.json.encode(snapshot("c1", **{**CLEAN, **body}))
        await self.hub.apply_snapshot(decode_snapshot(raw, "c1", received_at=self.clock.now))
        await self.engine.tick()

    def channel(self, type: str = "webhook") -> dict[str, Any]:
        view: dict[str, Any] = msgspec.to_builtins(self.notify.view(type))
        return view


def down(*names: str) -> list[dict[str, Any]]:
    return [node("node-1"), *(node(n, ready="False") for n in names)]


async def test_stores_queues_and_reports_what_the_core_decides(
    db: Database, tmp_path: Path
) -> None:
    rig = Rig(db, tmp_path, cooldown=100)
    config = {"url": "http://x.test/", "min_severity": "warning"}
    await rig.notify.update("webhook", name=None, enabled=True, config=config)
    await rig.look(0, nodes=down("n2"))
    assert rig.channel()["queued"] == 1, "the start-up digest"
    (first,) = rig.changes
    assert first["status"] == "firing" and first["id"] is not None
    assert first["notified_channels"] == ["webhook"] and first["object"]["name"] == "n2"
    await rig.look(1, nodes=down("n2"), events=[crash(1)])
    assert rig.channel()["queued"] == 2 and len(rig.changes) == 2
    await rig.look(2, nodes=down("n2"), events=[crash(1)])
    assert len(rig.changes) == 2, "no change, no write, no report"
    await rig.look(3)
    assert rig.channel()["queued"] == 3, "n2 (a digest line) quietly, the crash with a message"
    assert [c["status"] for c in rig.changes[2:]] == ["resolved", "resolved"]
    rows, total = await rig.engine.query(cluster_id="c1")
    assert total == 2 and {r["id"]: r for r in rows} == {c["id"]: c for c in rig.changes[2:]}
    # A restarted engine carries on with what is firing: no new row, reported at once.
    await rig.look(4, events=[crash(2)])
    again = Rig(db, tmp_path)
    await again.engine.load()
    assert [c["id"] for c in again.changes] == [rig.changes[-1]["id"]]


async def test_counts_add_up_without_passing_sqlite_integers(db: Database, tmp_path: Path) -> None:
    rig = Rig(db, tmp_path)
    # One object, one reason, two events at the largest count SQLite can hold.
    await rig.look(0, events=[crash(2**63 - 1, uid="a"), crash(2**63 - 1, uid="b")])
    rows, _ = await rig.engine.query()
    assert [r["count"] for r in rows] == [2**63 - 1]


async def test_a_failing_change_hook_stops_nothing_and_catches_up(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rig = Rig(db, tmp_path)
    await rig.look(0)
    rig.broken = True
    with caplog.at_level(logging.INFO, "master.alerts"):
        await rig.look(1, nodes=down("n2"))
        await rig.look(2, nodes=down("n2", "n3"))
        assert rig.changes == []
        rows, _ = await rig.engine.query(status="firing")
        assert {r["object"]["name"] for r in rows} == {"n2", "n3"}, "stored all the same"
        rig.broken = False
        await rig.look(3, nodes=down("n2"))  # n3 resolves: both missed changes catch up
    latest = {c["object"]["name"]: c["status"] for c in rig.changes}
    assert latest == {"n2": "firing", "n3": "resolved"}
    rows, _ = await rig.engine.query()
    assert sorted(rig.changes, key=lambda c: c["id"]) == sorted(rows, key=lambda r: r["id"])
    logged = [r.levelname for r in caplog.records if r.name == "master.alerts"]
    assert logged == ["ERROR", "INFO"], "one error for the outage, one line when it is over"


async def test_a_full_queue_drops_and_counts_and_the_alert_says_where_it_went(
    db: Database, tmp_path: Path
) -> None:
    rig = Rig(db, tmp_path, queue_size=1)
    await rig.notify.update("webhook", name=None, enabled=True, config={"url": "http://x.test/"})
    await rig.look(0)
    await rig.look(1, nodes=down("n2", "n3"))  # two alerts, each on its own
    view = rig.channel()
    assert view["queued"] == 1 and view["dropped_count"] == 1
    assert view["last_send_status"] == "dropped" and view["last_send_error"] == "queue full"
    channels = {c["object"]["name"]: c["notified_channels"] for c in rig.changes}
    assert channels == {"n2": ["webhook"], "n3": []}


async def test_a_channel_disabled_after_a_message_was_queued_sends_nothing(
    db: Database, tmp_path: Path
) -> None:
    async with http_receiver() as hook:
        rig = Rig(db, tmp_path)
        await rig.notify.update("webhook", name=None, enabled=True, config={"url": hook.url})
        await rig.look(0, nodes=down("n2"))
        assert rig.channel()["queued"] == 1
        await rig.notify.update("webhook", name=None, enabled=False, config=None)
        async with trio.open_nursery() as nursery:
            await nursery.start(rig.notify.serve)
            await rig.notify.aclose()
            with trio.fail_after(10):
                await rig.notify.stopped.wait()
        assert hook.requests == []
        view = rig.channel()
        assert (view["sent_count"], view["failed_count"], view["dropped_count"]) == (0, 0, 1)
        assert view["last_send_error"] == "not sent: disabled"
        (stored,) = [c for c, _ in await db.read(list_channels) if c.type == "webhook"]
        assert stored.dropped_count == 1, "counted durably"
