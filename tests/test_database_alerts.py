"""Migration 3 and the channel and alert-history functions on a bare connection."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

from master.database.alerts import firing_alerts, query_alerts, save_alerts
from master.database.migrations import MIGRATIONS, migrate, user_version
from master.database.notify import StoredChannel, list_channels, record_send, seed_channels
from master.model.alert import Alert
from master.model.channel import ChannelState


def test_version_2_file_gets_the_alert_tables_and_keeps_its_data(tmp_path: Path) -> None:
    c = sqlite3.connect(tmp_path / "v2.db", isolation_level=None)
    assert migrate(c, MIGRATIONS[:2]) == 2
    c.execute("INSERT INTO settings (key, value, updated_at) VALUES ('theme', 'dark', 1)")
    assert migrate(c) == len(MIGRATIONS) == user_version(c)
    assert c.execute("SELECT value FROM settings").fetchone()[0] == "dark"
    tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"notify_channels", "alert_history"} <= tables
    c.close()


def test_seed_only_into_an_empty_table_and_outcomes_counted(conn: sqlite3.Connection) -> None:
    hook = StoredChannel(ChannelState(type="webhook", name="Hook", enabled=True), '{"url": ""}')
    assert seed_channels(conn, [hook], now=1.0) is True
    slack = StoredChannel(ChannelState(type="slack", name="Slack"), "{}")
    assert seed_channels(conn, [slack], now=2.0) is False
    for status in ("ok", "ok", "failed", "dropped"):
        record_send(conn, "webhook", status=status, error=status, now=3.0)
    ((stored, config),) = list_channels(conn)
    assert stored.enabled is True and stored.name == "Hook" and config == '{"url": ""}'
    assert (stored.sent_count, stored.failed_count, stored.dropped_count) == (2, 1, 1)
    assert stored.last_send_status == "dropped" and stored.created_at == 1.0


def alert(cluster_id: str, fired_at: float, **changes: Any) -> Alert:
    base = Alert(
        rule="workload_events",
        cluster_id=cluster_id,
        severity="warning",
        title="t",
        message="m",
        object_kind="Deployment",
        object_namespace="default",
        object_name="web",
        reason="BackOff",
        fired_at=fired_at,
    )
    return replace(base, **changes)


def test_alerts_saved_updated_and_queried(conn: sqlite3.Connection) -> None:
    ids = save_alerts(conn, [alert("a", 10.0), alert("b", 20.0), alert("a", 30.0)])
    assert len(set(ids)) == 3
    changed = alert(
        "a", 10.0, id=ids[0], status="resolved", resolved_at=40.0, count=7, notified=("slack",)
    )
    save_alerts(conn, [changed])
    assert [r.id for r in firing_alerts(conn)] == ids[1:]
    rows, total = query_alerts(conn, cluster_id="a")
    assert total == 2 and [r.fired_at for r in rows] == [30.0, 10.0]
    assert rows[1] == changed, "every field read back as written"
    rows, total = query_alerts(conn, since=15.0, until=25.0)
    assert total == 1 and rows[0].cluster_id == "b"
    rows, total = query_alerts(conn, limit=1, offset=1)
    assert total == 3 and rows[0].fired_at == 20.0
