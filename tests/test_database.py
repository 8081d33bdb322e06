"""The SQLite layer against real files in tmp_path.

Plain functions (events, commands, clusters, settings, migrations) are tested
on a plain migrated connection; the `Database` writer and reader pool are
tested running in the test's nursery, every async test bounded by
`trio.fail_after`.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import trio
import trio.testing

from master.database import Database
from master.database.clusters import list_clusters, upsert_cluster
from master.database.commands import get_command, list_commands, load_open_commands, save_command
from master.database.events import cleanup_events, query_events, upsert_events
from master.database.migrations import MIGRATIONS, migrate, user_version
from master.database.settings import get_setting, set_setting
from master.model.agent import AgentStatus
from master.model.command import Command
from master.model.errors import Unavailable
from master.model.event import Event, InvolvedObject
from master.model.gotime import from_epoch

TIMEOUT = 10
BASE = 1_700_000_000.0


def ts(minutes: float) -> str:
    """A format_time timestamp `minutes` after BASE."""
    value = from_epoch(BASE + minutes * 60)
    assert value is not None
    return value


def event(uid: str, **fields: Any) -> Event:
    return Event(uid=uid, name=f"{uid}.abc", namespace="default", kind="Event", **fields)


def uids(items: list[dict[str, Any]]) -> list[str]:
    return [item["uid"] for item in items]


def insert_setting(key: str) -> Any:
    def job(c: sqlite3.Connection) -> str:
        set_setting(c, key, "v", 1.0)
        return key

    return job


def count_settings(c: sqlite3.Connection) -> int:
    return int(c.execute("SELECT COUNT(*) FROM settings").fetchone()[0])


class Gate:
    """Holds the writer thread inside a job until the test has queued what it wants."""

    def __init__(self) -> None:
        self.entered = trio.Event()
        self._open = threading.Event()
        self._token = trio.lowlevel.current_trio_token()

    def job(self, c: sqlite3.Connection) -> None:
        trio.from_thread.run_sync(self.entered.set, trio_token=self._token)
        # Bounded so a failing test cannot hang on a thread trio must wait for.
        self._open.wait(TIMEOUT)

    def open(self) -> None:
        self._open.set()


# -- migrations --


def test_migrate_creates_schema(conn: sqlite3.Connection) -> None:
    assert user_version(conn) == len(MIGRATIONS)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"clusters", "cluster_events", "command_history", "settings"} <= tables
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"idx_cluster_events_cluster_sort", "idx_command_history_status"} <= indexes


def test_migrate_again_is_noop(conn: sqlite3.Connection) -> None:
    set_setting(conn, "k", "v", 1.0)
    assert migrate(conn) == len(MIGRATIONS)
    assert get_setting(conn, "k") == "v"


def test_newer_schema_is_refused(conn: sqlite3.Connection) -> None:
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(RuntimeError, match="newer than this master knows"):
        migrate(conn)


def test_events_of_an_older_schema_keep_their_time(tmp_path: Path) -> None:
    """Step 5: the master's first-store time becomes stored_at; source_host goes."""
    c = sqlite3.connect(tmp_path / "v3.db", isolation_level=None)
    migrate(c, MIGRATIONS[:3])
    c.execute(
        "INSERT INTO cluster_events (event_uid, cluster_id, source_host, created_at, sort_ts)"
        " VALUES ('u1', 'c1', 'node-1', ?, ?)",
        (ts(3), ts(3)),
    )
    assert migrate(c) == len(MIGRATIONS)
    columns = {r[1] for r in c.execute("PRAGMA table_info(cluster_events)")}
    assert "source_host" not in columns and {"created_at", "stored_at"} <= columns
    [item], _ = query_events(c)
    assert item["created_at"] is None and item["event_time"] is None
    assert c.execute("SELECT stored_at, sort_ts FROM cluster_events").fetchone() == (ts(3), ts(3))
    c.close()


def test_failing_step_is_rolled_back_whole(tmp_path: Path) -> None:
    c = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    steps = [MIGRATIONS[0], "CREATE TABLE half (a); INSERT INTO nowhere VALUES (1);"]
    with pytest.raises(sqlite3.OperationalError):
        migrate(c, steps)
    assert user_version(c) == 1
    assert c.execute("SELECT name FROM sqlite_master WHERE name = 'half'").fetchone() is None
    assert not c.in_transaction
    c.close()


async def test_serve_refuses_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    c = sqlite3.connect(path)
    c.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    c.close()
    with (
        trio.fail_after(TIMEOUT),
        pytest.RaisesGroup(pytest.RaisesExc(RuntimeError, match="newer"), allow_unwrapped=True),
    ):
        async with trio.open_nursery() as nursery:
            await nursery.start(Database(path).serve)


async def test_reopen_keeps_data_and_version(nursery: trio.Nursery, tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "master.db"
    with trio.fail_after(TIMEOUT):
        for round_ in range(2):
            db: Database = await nursery.start(Database(path).serve)
            if round_ == 0:
                await db.write(insert_setting("kept"))
            assert await db.read(lambda c: get_setting(c, "kept")) == "v"
            assert await db.read(user_version) == len(MIGRATIONS)
            await db.aclose()
    assert path.exists()


async def test_connection_pragmas(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        pragmas = await db.write(
            lambda c: [
                c.execute(f"PRAGMA {p}").fetchone()[0]
                for p in ("journal_mode", "synchronous", "busy_timeout")
            ]
        )
        assert pragmas == ["wal", 2, 5000]  # 2 = FULL
        assert await db.read(lambda c: c.execute("PRAGMA query_only").fetchone()[0]) == 1


# -- the writer --


@pytest.mark.parametrize(
    ("durables", "expected"), [((True,), 2), ((False,), 1), ((False, True), 2)]
)
async def test_only_batches_of_non_durable_writes_skip_the_fsync(
    db: Database, durables: tuple[bool, ...], expected: int
) -> None:
    """synchronous is FULL (2) when any job in the batch is durable, else NORMAL (1)."""
    seen: list[int] = []

    def probe(conn: sqlite3.Connection) -> None:
        seen.append(conn.execute("PRAGMA synchronous").fetchone()[0])

    gate = Gate()
    with trio.fail_after(TIMEOUT):
        async with trio.open_nursery() as nursery:
            # Hold the writer so the probes queue up and land in one batch.
            nursery.start_soon(db.write, gate.job)
            await gate.entered.wait()
            for durable in durables:
                nursery.start_soon(partial(db.write, probe, durable=durable))
            await trio.testing.wait_all_tasks_blocked()
            gate.open()
    assert seen == [expected] * len(durables)


async def test_concurrent_writes_are_batched(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        before = db.transactions
        results: list[str] = []

        async def one(i: int) -> None:
            results.append(await db.write(insert_setting(f"k{i}")))

        async with trio.open_nursery() as nursery:
            for i in range(500):
                nursery.start_soon(one, i)
        assert sorted(results) == sorted(f"k{i}" for i in range(500))
        assert await db.read(count_settings) == 500
        # 500 writes through a 256-deep queue in batches of up to 200.
        assert db.transactions - before <= 20


async def test_failing_job_raises_only_in_its_caller(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        gate = Gate()
        outcomes: dict[str, Any] = {}

        def failing(c: sqlite3.Connection) -> None:
            set_setting(c, "bad", "v", 1.0)
            raise KeyError("boom")

        async def call(name: str, fn: Any) -> None:
            try:
                outcomes[name] = await db.write(fn)
            except KeyError as exc:
                outcomes[name] = exc

        before = db.transactions
        async with trio.open_nursery() as nursery:
            nursery.start_soon(db.write, gate.job)
            await gate.entered.wait()
            nursery.start_soon(call, "a", insert_setting("a"))
            nursery.start_soon(call, "bad", failing)
            nursery.start_soon(call, "c", insert_setting("c"))
            await trio.testing.wait_all_tasks_blocked()
            gate.open()
        assert outcomes["a"] == "a" and outcomes["c"] == "c"
        assert isinstance(outcomes["bad"], KeyError)
        assert db.transactions - before == 2  # the gate's, then one for a, bad and c
        keys = await db.read(
            lambda c: [r[0] for r in c.execute("SELECT key FROM settings ORDER BY key")]
        )
        assert keys == ["a", "c"]


async def test_failed_transaction_is_reported_to_every_caller(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        gate = Gate()
        errors: list[BaseException] = []

        async def call(fn: Any) -> None:
            with pytest.raises(Unavailable, match="database write failed") as info:
                await db.write(fn)
            errors.append(info.value)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(db.write, gate.job)
            await gate.entered.wait()
            nursery.start_soon(call, insert_setting("a"))
            # A job that breaks the rules ends the whole transaction.
            nursery.start_soon(call, lambda c: c.execute("ROLLBACK"))
            nursery.start_soon(call, insert_setting("c"))
            await trio.testing.wait_all_tasks_blocked()
            gate.open()
        assert len(errors) == 3
        assert await db.read(count_settings) == 0
        assert await db.write(insert_setting("after")) == "after"  # the writer goes on


async def test_writes_queued_before_aclose_are_committed(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        gate = Gate()
        written: list[str] = []
        refused: list[str] = []

        async def one(i: int) -> None:
            try:
                written.append(await db.write(insert_setting(f"k{i}")))
            except Unavailable:
                refused.append(f"k{i}")

        async with trio.open_nursery() as nursery:
            nursery.start_soon(db.write, gate.job)
            await gate.entered.wait()
            for i in range(300):  # more than the queue holds: 44 wait in send()
                nursery.start_soon(one, i)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(db.aclose)
            await trio.testing.wait_all_tasks_blocked()
            gate.open()
        # Queued jobs all commit; callers still waiting for room are refused, never half-done.
        assert (len(written), len(refused)) == (256, 44)
        with pytest.raises(Unavailable, match="shutting down"):
            await db.write(insert_setting("late"))
        c = sqlite3.connect(db.path)
        keys = {row[0] for row in c.execute("SELECT key FROM settings")}
        c.close()
        assert keys == set(written)


async def test_write_after_aclose_is_unavailable(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        await db.aclose()
        await db.aclose()  # idempotent
        with pytest.raises(Unavailable, match="database is shutting down"):
            await db.write(insert_setting("x"))
        with pytest.raises(Unavailable):
            await db.read(count_settings)


async def test_cancelled_writer_fails_queued_jobs(tmp_path: Path) -> None:
    with trio.fail_after(TIMEOUT):
        gate = Gate()
        outcomes: list[str] = []

        async def one(db: Database, i: int) -> None:
            try:
                outcomes.append(await db.write(insert_setting(f"k{i}")))
            except Unavailable:
                outcomes.append("unavailable")

        async with trio.open_nursery() as callers:
            async with trio.open_nursery() as server:
                db: Database = await server.start(Database(tmp_path / "m.db").serve)
                callers.start_soon(db.write, gate.job)
                await gate.entered.wait()
                for i in range(5):
                    callers.start_soon(one, db, i)
                await trio.testing.wait_all_tasks_blocked()
                server.cancel_scope.cancel()  # the crash path: serve is cancelled
                gate.open()
        # Callers are answered rather than left waiting on a writer that is gone.
        assert outcomes == ["unavailable"] * 5
        with pytest.raises(Unavailable):
            await db.write(insert_setting("late"))


# -- the readers --


async def test_reads_are_bounded_and_read_only(nursery: trio.Nursery, tmp_path: Path) -> None:
    with trio.fail_after(TIMEOUT):
        db: Database = await nursery.start(Database(tmp_path / "r.db", read_connections=2).serve)
        lock = threading.Lock()
        active = [0, 0]  # now, most at once

        def slow(c: sqlite3.Connection) -> int:
            with lock:
                active[0] += 1
                active[1] = max(active)
            time.sleep(0.02)
            with lock:
                active[0] -= 1
            return count_settings(c)

        async with trio.open_nursery() as readers:
            for _ in range(8):
                readers.start_soon(db.read, slow)
        assert active[1] == 2
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await db.read(insert_setting("nope"))
        await db.aclose()


# -- events --


def test_upsert_twice_keeps_one_row_with_latest_values(conn: sqlite3.Connection) -> None:
    first = event("u1", count=3, message="first", last_timestamp=ts(1))
    again = event("u1", count=5, message="again", last_timestamp=ts(2))
    assert upsert_events(conn, "c1", [first], ts(1)) == 1
    assert upsert_events(conn, "c1", [again], ts(2)) == 1
    [item], total = query_events(conn)
    assert total == 1
    assert (item["count"], item["message"], item["last_timestamp"]) == (5, "again", ts(2))
    stored = conn.execute("SELECT stored_at FROM cluster_events").fetchone()[0]
    assert stored == ts(1)  # set on insert only


def test_upsert_does_not_overwrite_another_clusters_uid(conn: sqlite3.Connection) -> None:
    upsert_events(conn, "c1", [event("u1", message="mine", count=1)], ts(0))
    assert upsert_events(conn, "c2", [event("u1", message="theirs", count=9)], ts(1)) == 0
    items, total = query_events(conn)
    assert total == 1
    assert (items[0]["cluster_id"], items[0]["message"], items[0]["count"]) == ("c1", "mine", 1)


def test_upsert_skips_events_without_uid(conn: sqlite3.Connection) -> None:
    assert upsert_events(conn, "c1", [event(""), event("u1")], ts(0)) == 1


def test_known_time_is_not_forgotten(conn: sqlite3.Connection) -> None:
    upsert_events(conn, "c1", [event("u1", last_timestamp=ts(5))], ts(6))
    upsert_events(conn, "c1", [event("u1", count=2)], ts(7))
    [item], _ = query_events(conn, since=ts(5), until=ts(5))
    assert (item["last_timestamp"], item["count"]) == (ts(5), 2)


def test_created_at_is_the_time_of_an_event_without_first_or_last(
    conn: sqlite3.Connection,
) -> None:
    # events.k8s.io events (the scheduler's) come with count 0 and zero first/last times.
    scheduler = event("sched", count=0, created_at=ts(7))
    upsert_events(conn, "c1", [event("older", last_timestamp=ts(5)), scheduler], ts(30))
    items, _ = query_events(conn)
    assert uids(items) == ["sched", "older"]
    assert items[0]["created_at"] == items[0]["event_time"] == ts(7)
    assert uids(query_events(conn, since=ts(6), until=ts(8))[0]) == ["sched"]
    # Retention ages it by that time, not by when this master first stored it.
    assert cleanup_events(conn, older_than=ts(8), max_per_cluster=100) == 2
    # A later copy without created_at does not forget it.
    upsert_events(conn, "c1", [event("sched2", count=0, created_at=ts(9))], ts(31))
    upsert_events(conn, "c1", [event("sched2", count=0)], ts(32))
    [item], _ = query_events(conn)
    assert item["created_at"] == ts(9)


def test_unknown_times_sort_by_first_sight_and_survive_age_cleanup(
    conn: sqlite3.Connection,
) -> None:
    known = [event("old", last_timestamp=ts(0)), event("mid", first_timestamp=ts(10))]
    upsert_events(conn, "c1", known, ts(10))
    upsert_events(conn, "c1", [event("unknown")], ts(20))
    items, _ = query_events(conn)
    assert uids(items) == ["unknown", "mid", "old"]
    assert items[0]["first_timestamp"] is None and items[0]["last_timestamp"] is None
    assert cleanup_events(conn, older_than=ts(5), max_per_cluster=100) == 1
    assert uids(query_events(conn)[0]) == ["unknown", "mid"]


def test_query_item_is_event_json(conn: sqlite3.Connection) -> None:
    ev = Event(
        uid="u1",
        name="web.1",
        namespace="shop",
        kind="Event",
        type="Warning",
        reason="BackOff",
        message="restarting",
        source="kubelet",
        involved_object=InvolvedObject(kind="Pod", namespace="shop", name="web", uid="p1"),
        count=4,
        created_at=ts(0),
        first_timestamp=ts(1),
        last_timestamp=ts(2),
    )
    upsert_events(conn, "c1", [ev], ts(3))
    [item], _ = query_events(conn)
    assert item == ev.to_json("c1")
    assert item["created_at"] == ts(0) and item["event_time"] == ts(2)
    assert item["severity"] == "critical"


@pytest.fixture
def history(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Events 0..5 in c1 (u0 oldest) and two in c2, with varied fields."""
    pod = InvolvedObject(kind="Pod", namespace="shop", name="web-1")
    upsert_events(
        conn,
        "c1",
        [
            event("u0", type="Normal", reason="Pulled", last_timestamp=ts(0), involved_object=pod),
            event(
                "u1", type="Warning", reason="BackOff", last_timestamp=ts(1), involved_object=pod
            ),
            event("u2", type="Warning", reason="FailedMount", last_timestamp=ts(2)),
            event(
                "u3",
                type="Normal",
                reason="Scheduled",
                last_timestamp=ts(3),
                involved_object=InvolvedObject(kind="Node", name="node-1"),
            ),
            Event(
                uid="u4",
                namespace="kube-system",
                type="Normal",
                reason="Pulled",
                last_timestamp=ts(4),
            ),
            event("u5", type="Warning", reason="BackOff", first_timestamp=ts(5)),
        ],
        ts(10),
    )
    upsert_events(
        conn,
        "c2",
        [
            event(
                "v0", type="Warning", reason="BackOff", last_timestamp=ts(0), involved_object=pod
            ),
            event("v1", type="Normal", reason="Pulled", last_timestamp=ts(6)),
        ],
        ts(10),
    )
    return conn


POD = ("Pod", "shop", "web-1")
NODE = ("Node", "", "node-1")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["v1", "u5", "u4", "u3", "u2", "u1", "v0", "u0"]),
        ({"cluster_id": "c1"}, ["u5", "u4", "u3", "u2", "u1", "u0"]),
        ({"cluster_id": "c1", "type": "Warning"}, ["u5", "u2", "u1"]),
        ({"reason": "BackOff"}, ["u5", "u1", "v0"]),
        ({"namespace": "kube-system"}, ["u4"]),
        ({"cluster_id": "c1", "since": ts(2), "until": ts(4)}, ["u4", "u3", "u2"]),
        ({"cluster_id": "c1", "objects": [POD]}, ["u1", "u0"]),
        ({"cluster_id": "c1", "objects": [POD, NODE]}, ["u3", "u1", "u0"]),
        ({"cluster_id": "c1", "objects": [NODE]}, ["u3"]),
        ({"objects": [POD], "type": "Warning"}, ["u1", "v0"]),
        ({"cluster_id": "c1", "objects": []}, []),
        ({"cluster_id": "nope"}, []),
    ],
)
def test_query_filters(
    history: sqlite3.Connection, filters: dict[str, Any], expected: list[str]
) -> None:
    items, total = query_events(history, **filters)
    assert uids(items) == expected
    assert total == len(expected)


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [(2, 0, ["u5", "u4"]), (2, 2, ["u3", "u2"]), (4, 4, ["u1", "u0"]), (3, 6, []), (0, 0, [])],
)
def test_query_pages_with_total(
    history: sqlite3.Connection, limit: int, offset: int, expected: list[str]
) -> None:
    items, total = query_events(history, cluster_id="c1", limit=limit, offset=offset)
    assert uids(items) == expected
    assert total == 6


@pytest.mark.parametrize(
    ("older_than", "max_per_cluster", "left"),
    [
        (ts(2), 100, ["v1", "u5", "u4", "u3", "u2"]),
        (ts(0), 2, ["v1", "u5", "u4", "v0"]),
        (ts(4), 1, ["v1", "u5"]),
        (ts(0), 0, []),
        (ts(-1), 100, ["v1", "u5", "u4", "u3", "u2", "u1", "v0", "u0"]),
    ],
)
def test_cleanup_by_age_and_per_cluster_count(
    history: sqlite3.Connection, older_than: str, max_per_cluster: int, left: list[str]
) -> None:
    deleted = cleanup_events(history, older_than=older_than, max_per_cluster=max_per_cluster)
    assert uids(query_events(history)[0]) == left
    assert deleted == 8 - len(left)


def test_cleanup_by_bytes_per_cluster(conn: sqlite3.Connection) -> None:
    # Each event's text: uid (2) + namespace "default" (7) + name (6) + kind "Event" (5)
    # + its message; a 1000-byte message makes 1020.
    upsert_events(
        conn,
        "c1",
        [event(f"a{i}", message="x" * 1000, last_timestamp=ts(i)) for i in range(6)],
        ts(0),
    )
    upsert_events(conn, "c2", [event("b0", message="x" * 5000, last_timestamp=ts(0))], ts(0))
    deleted = cleanup_events(
        conn, older_than=ts(-1), max_per_cluster=100, max_bytes_per_cluster=3 * 1020
    )
    # c1 keeps its newest three; c2's one event is over the bound alone and goes too.
    assert uids(query_events(conn)[0]) == ["a5", "a4", "a3"]
    assert deleted == 4
    with pytest.raises(ValueError):
        cleanup_events(conn, older_than=ts(0), max_per_cluster=1, max_bytes_per_cluster=-1)


def test_cleanup_walks_indexes_not_the_table(conn: sqlite3.Connection) -> None:
    conn.execute("BEGIN")
    for cluster in ("a", "b", "c"):
        upsert_events(
            conn,
            cluster,
            (event(f"{cluster}{i}", last_timestamp=ts(i)) for i in range(10_000)),
            ts(0),
        )
    conn.execute("COMMIT")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)  # expanded SQL, bound values included
    deleted = cleanup_events(conn, older_than=ts(2_000), max_per_cluster=5_000)
    conn.set_trace_callback(None)
    assert deleted == 3 * 5_000
    plans = [row[3] for sql in statements for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans and not [p for p in plans if p.startswith("SCAN cluster_events")]
    for cluster in ("a", "b", "c"):
        items, total = query_events(conn, cluster_id=cluster, limit=1)
        assert (total, items[0]["uid"]) == (5_000, f"{cluster}9999")


async def test_events_through_the_database(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        window = [event(f"u{i}", count=i, last_timestamp=ts(i)) for i in range(50)]
        assert await db.write(lambda c: upsert_events(c, "c1", window, ts(60))) == 50
        assert await db.write(lambda c: upsert_events(c, "c1", window, ts(61))) == 50
        items, total = await db.read(lambda c: query_events(c, cluster_id="c1", limit=3))
        assert (uids(items), total) == (["u49", "u48", "u47"], 50)


# -- commands --


def command(id: str, **fields: Any) -> Command:
    values: dict[str, Any] = {
        "cluster_id": "c1",
        "action": "scale",
        "target_kind": "Deployment",
        "target_namespace": "shop",
        "target_name": "web",
        "created_at": BASE,
        "expires_at": BASE + 60,
    }
    return Command(id=id, **{**values, **fields})


@pytest.mark.parametrize(
    "cmd",
    [
        command("new"),
        command("scale", params={"replicas": 3, "nested": {"a": [1, 2.5, None, "x"]}}),
        command(
            "done",
            status="success",
            dispatched_at=BASE + 1,
            deadline_at=BASE + 31,
            finished_at=BASE + 2,
            attempts=2,
            success=True,
            output="ok",
            executed_at=ts(1),
        ),
        command("failed", status="failed", success=False, error="no such deployment", attempts=1),
    ],
    ids=lambda c: c.id,
)
def test_command_round_trip(conn: sqlite3.Connection, cmd: Command) -> None:
    save_command(conn, cmd)
    assert get_command(conn, cmd.id) == cmd


def test_save_command_overwrites_every_field(conn: sqlite3.Connection) -> None:
    save_command(conn, command("x", params={"replicas": 1}))
    done = command(
        "x", status="success", success=True, params={}, finished_at=BASE + 5, output="done"
    )
    save_command(conn, done)
    assert get_command(conn, "x") == done
    assert get_command(conn, "missing") is None


def test_a_final_command_is_never_overwritten(conn: sqlite3.Connection) -> None:
    """Writes of one command may reach the writer out of order; its final state stays."""
    done = command("x", status="success", success=True, finished_at=BASE + 5, output="done")
    save_command(conn, done)
    for late in (
        command("x", status="running", attempts=1, dispatched_at=BASE + 1),
        command("x", status="failed", success=False, error="a second result"),
    ):
        save_command(conn, late)
        assert get_command(conn, "x") == done
    save_command(conn, command("y", status="running", attempts=1))
    back = command("y", status="pending")  # a hand-out taken back is not final: it goes in
    save_command(conn, back)
    assert get_command(conn, "y") == back


@pytest.fixture
def commands(conn: sqlite3.Connection) -> sqlite3.Connection:
    rows = [
        ("c1", "success"),
        ("c1", "pending"),
        ("c2", "running"),
        ("c1", "expired"),
        ("c2", "pending"),
    ]
    for i, (cluster, status) in enumerate(rows):
        save_command(conn, command(f"k{i}", cluster_id=cluster, status=status, created_at=BASE + i))
    return conn


@pytest.mark.parametrize(
    ("filters", "expected", "total"),
    [
        ({}, ["k4", "k3", "k2", "k1", "k0"], 5),
        ({"cluster_id": "c1"}, ["k3", "k1", "k0"], 3),
        ({"status": "pending"}, ["k4", "k1"], 2),
        ({"cluster_id": "c2", "status": "pending"}, ["k4"], 1),
        ({"limit": 2, "offset": 1}, ["k3", "k2"], 5),
    ],
)
def test_list_commands(
    commands: sqlite3.Connection, filters: dict[str, Any], expected: list[str], total: int
) -> None:
    items, count = list_commands(commands, **filters)
    assert ([c.id for c in items], count) == (expected, total)


def test_load_open_commands_oldest_first(commands: sqlite3.Connection) -> None:
    assert [c.id for c in load_open_commands(commands)] == ["k1", "k2", "k4"]


# -- clusters and settings --


def test_upsert_cluster_keeps_first_seen_and_known_times(conn: sqlite3.Connection) -> None:
    upsert_cluster(conn, "c1", seen=10.0, heartbeat=None, snapshot=10.0)
    upsert_cluster(conn, "c1", seen=20.0, heartbeat=20.0, snapshot=None)
    upsert_cluster(conn, "c0", seen=5.0, heartbeat=5.0, snapshot=None)
    assert list_clusters(conn) == [
        AgentStatus(cluster_id="c0", first_seen=5.0, last_heartbeat=5.0),
        AgentStatus(cluster_id="c1", first_seen=10.0, last_heartbeat=20.0, last_snapshot=10.0),
    ]
    row = conn.execute("SELECT last_seen FROM clusters WHERE cluster_id = 'c1'").fetchone()
    assert tuple(row) == (20.0,)


def test_settings(conn: sqlite3.Connection) -> None:
    assert get_setting(conn, "theme") is None
    set_setting(conn, "theme", "dark", 1.0)
    set_setting(conn, "theme", "light", 2.0)
    assert get_setting(conn, "theme") == "light"
    row = conn.execute("SELECT value, updated_at FROM settings").fetchone()
    assert tuple(row) == ("light", 2.0)
