"""Users, audit log, security events and agent tokens (schema step 2) on real SQLite files.

The plain functions run on a plain migrated connection in tmp_path (no
row_factory, so they cannot lean on the caller's); migrations and the way the
gateway calls them run through a real `Database` in the test's nursery, every
async test bounded by `trio.fail_after`.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import trio

from master.database import Database
from master.database.agent_tokens import (
    AgentToken,
    create_agent_token,
    find_by_hash,
    get_agent_token,
    list_agent_tokens,
    revoke_agent_token,
    touch_agent_token,
)
from master.database.audit import (
    AuditEntry,
    cap_audit,
    cleanup_audit,
    query_audit,
    record_audit,
)
from master.database.clusters import list_clusters
from master.database.migrations import MIGRATIONS, migrate, user_version
from master.database.security import (
    add_to_security_event,
    cap_security_events,
    cleanup_security_events,
    list_security_events,
    record_security_event,
)
from master.database.settings import get_setting, set_setting
from master.database.users import (
    ACTIVE,
    ADMIN,
    DISABLED,
    OPERATOR,
    VIEWER,
    User,
    count_active_admins,
    count_users,
    create_user,
    delete_user,
    get_user,
    get_user_by_id,
    list_users,
    record_login,
    update_password,
    update_role,
    update_status,
)
from master.model.auth import fold_username
from master.model.errors import Conflict

TIMEOUT = 10
BASE = 1_700_000_000.0
NEW_TABLES = {"users", "security_events", "audit_logs", "agent_tokens"}
NEW_INDEXES = {
    "idx_security_events_created",
    "idx_security_events_type_created",
    "idx_audit_logs_created",
    "idx_audit_logs_username_created",
    "idx_audit_logs_action_created",
    "idx_agent_tokens_cluster",
}


def names(c: sqlite3.Connection, kind: str) -> set[str]:
    return {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}


# -- migration 2 --


async def test_fresh_file_gets_step_2(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        assert await db.read(user_version) == len(MIGRATIONS) >= 2
        assert NEW_TABLES <= await db.read(lambda c: names(c, "table"))
        assert NEW_INDEXES <= await db.read(lambda c: names(c, "index"))


async def test_version_1_file_is_upgraded_and_keeps_its_data(
    nursery: trio.Nursery, tmp_path: Path
) -> None:
    path = tmp_path / "v1.db"
    c = sqlite3.connect(path, isolation_level=None)
    assert migrate(c, MIGRATIONS[:1]) == 1
    set_setting(c, "theme", "dark", 1.0)
    c.execute(  # the version 1 columns
        "INSERT INTO clusters (cluster_id, first_seen, last_seen, last_heartbeat)"
        " VALUES ('c1', 10.0, 10.0, 10.0)"
    )
    c.close()
    with trio.fail_after(TIMEOUT):
        db: Database = await nursery.start(Database(path).serve)
        assert await db.read(user_version) == len(MIGRATIONS)
        assert await db.read(lambda c: get_setting(c, "theme")) == "dark"
        assert [status.cluster_id for status in await db.read(list_clusters)] == ["c1"]
        assert NEW_TABLES <= await db.read(lambda c: names(c, "table"))
        await db.write(lambda c: add_user(c, "alice"))
        assert await db.read(count_users) == 1
        await db.aclose()


def test_version_3_security_events_get_a_count_of_one(tmp_path: Path) -> None:
    c = sqlite3.connect(tmp_path / "v3.db", isolation_level=None)
    assert migrate(c, MIGRATIONS[:3]) == 3
    c.execute(
        "INSERT INTO security_events (type, severity, ip, username, details, created_at)"
        " VALUES ('login_failed', 'warning', '10.0.0.1', 'kim', 'old', 1.0)"
    )
    assert migrate(c) == len(MIGRATIONS) == user_version(c)
    (item,), total = list_security_events(c)
    assert (item["details"], item["count"], item["last_at"], total) == ("old", 1, None, 1)
    c.close()


# -- users --


def add_user(c: sqlite3.Connection, username: str, role: int = VIEWER, now: float = BASE) -> User:
    return create_user(
        c,
        username=username,
        password_hash=f"hash-of-{username}",
        display_name=username.title(),
        email=f"{username}@example.com",
        role=role,
        now=now,
    )


def test_create_user_returns_the_stored_row(conn: sqlite3.Connection) -> None:
    user = add_user(conn, "Alice", role=OPERATOR)
    assert user == User(
        id=user.id,
        username="Alice",
        password_hash="hash-of-Alice",
        display_name="Alice",
        email="Alice@example.com",
        role=OPERATOR,
        status=ACTIVE,
        token_version=0,
        created_at=BASE,
        updated_at=BASE,
        last_login_at=None,
        last_login_ip=None,
    )
    assert get_user(conn, "Alice") == user


@pytest.mark.parametrize(
    ("name", "found"), [("Alice", True), ("alice", True), ("ALICE", True), ("al", False)]
)
def test_get_user_ignores_letter_case(conn: sqlite3.Connection, name: str, found: bool) -> None:
    add_user(conn, "Alice")
    user = get_user(conn, name)
    assert (user.username if user else None) == ("Alice" if found else None)


@pytest.mark.parametrize("name", ["alice", "ALICE", "aLiCe"])
def test_duplicate_username_is_a_conflict(conn: sqlite3.Connection, name: str) -> None:
    first = add_user(conn, "alice")
    with pytest.raises(Conflict, match="already exists"):
        add_user(conn, name, role=ADMIN)
    assert list_users(conn) == [first]


@pytest.mark.parametrize("role", [0, 4, -1])
def test_unknown_role_is_refused(conn: sqlite3.Connection, role: int) -> None:
    alice = add_user(conn, "alice")
    with pytest.raises(ValueError, match="role"):
        add_user(conn, "bob", role=role)
    with pytest.raises(ValueError, match="role"):
        update_role(conn, alice.id, role, BASE + 1)
    assert [(u.username, u.role, u.token_version) for u in list_users(conn)] == [
        ("alice", VIEWER, 0)
    ]


def test_unknown_status_is_refused(conn: sqlite3.Connection) -> None:
    alice = add_user(conn, "alice")
    with pytest.raises(ValueError, match="status"):
        update_status(conn, alice.id, 2, BASE + 1)


UPDATES: list[tuple[Callable[..., User | None], Any, str]] = [
    (update_role, ADMIN, "role"),
    (update_status, DISABLED, "status"),
    (update_password, "new-hash", "password_hash"),
]


@pytest.mark.parametrize(
    ("update", "value", "field"), UPDATES, ids=lambda x: getattr(x, "__name__", None)
)
def test_updates_bump_token_version(
    conn: sqlite3.Connection, update: Callable[..., User | None], value: Any, field: str
) -> None:
    before = add_user(conn, "alice")
    bob = add_user(conn, "bob")
    after = update(conn, before.id, value, BASE + 5)
    assert after == dataclasses.replace(
        before, token_version=1, updated_at=BASE + 5, **{field: value}
    )
    assert get_user(conn, "alice") == after
    again = update(conn, before.id, value, BASE + 6)  # even an unchanged value revokes
    assert again is not None and again.token_version == 2
    assert get_user(conn, "bob") == bob


@pytest.mark.parametrize(
    ("update", "value", "field"), UPDATES, ids=lambda x: getattr(x, "__name__", None)
)
def test_updating_unknown_user_returns_none(
    conn: sqlite3.Connection, update: Callable[..., User | None], value: Any, field: str
) -> None:
    assert update(conn, 404, value, BASE) is None


def test_list_and_count_users(conn: sqlite3.Connection) -> None:
    assert (list_users(conn), count_users(conn)) == ([], 0)
    for name in ("zoe", "adam", "mia"):
        add_user(conn, name)
    assert [u.username for u in list_users(conn)] == ["zoe", "adam", "mia"]  # by id
    assert count_users(conn) == 3


def test_delete_user(conn: sqlite3.Connection) -> None:
    alice = add_user(conn, "alice")
    add_user(conn, "bob")
    assert delete_user(conn, alice.id) is True
    assert delete_user(conn, alice.id) is False
    assert [u.username for u in list_users(conn)] == ["bob"]
    again = add_user(conn, "alice")  # the name is free again, under a new id
    assert again.id > alice.id and get_user_by_id(conn, alice.id) is None


def test_ids_of_deleted_users_are_never_reused(conn: sqlite3.Connection) -> None:
    """What binds tokens to accounts: a deleted newest user's id is not handed out again."""
    alice = add_user(conn, "alice")
    delete_user(conn, alice.id)
    assert add_user(conn, "alice").id == alice.id + 1


@pytest.mark.parametrize(
    ("name", "found"), [("KIM", True), ("\u212aim", False), ("k\u0131m", False)]
)
def test_names_fold_ascii_letters_only(conn: sqlite3.Connection, name: str, found: bool) -> None:
    add_user(conn, "kim")
    assert (get_user(conn, name) is not None) is found
    assert (fold_username(name) == "kim") is found


def test_record_login_is_not_a_profile_change(conn: sqlite3.Connection) -> None:
    before = add_user(conn, "alice")
    record_login(conn, before.id, "10.0.0.7", BASE + 9)
    record_login(conn, 404, "10.0.0.8", BASE + 9)
    assert get_user(conn, "alice") == dataclasses.replace(
        before, last_login_at=BASE + 9, last_login_ip="10.0.0.7"
    )


def test_count_active_admins(conn: sqlite3.Connection) -> None:
    users = [
        add_user(conn, name, role=role)
        for name, role in (("root", ADMIN), ("ops", ADMIN), ("eve", OPERATOR), ("vic", VIEWER))
    ]
    assert count_active_admins(conn) == 2
    update_status(conn, users[1].id, DISABLED, BASE + 1)
    assert count_active_admins(conn) == 1
    update_role(conn, users[2].id, ADMIN, BASE + 2)
    assert count_active_admins(conn) == 2
    update_role(conn, users[0].id, VIEWER, BASE + 3)
    delete_user(conn, users[2].id)
    assert count_active_admins(conn) == 0


# -- audit log --


def entry(resource: str, **fields: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "created_at": BASE,
        "username": "alice",
        "role": ADMIN,
        "source": "gateway",
        "action": "read",
        "method": "GET",
        "path": f"/api/{resource}",
        "status": 200,
        "success": True,
    }
    return AuditEntry(resource=resource, **{**values, **fields})


@pytest.fixture
def audit(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Entries r0..r5, r0 oldest, created one second apart."""
    entries = [
        entry("r0"),
        entry("r1", action="scale", method="POST", status=202),
        entry("r2", username="bob", user_id=7, role=VIEWER, status=403, success=False, error="no"),
        entry("r3", username="", role=None, source="agent", action="heartbeat", method="POST"),
        entry(
            "r4",
            username="bob",
            user_id=7,
            action="scale",
            method="POST",
            status=500,
            success=False,
        ),
        entry("r5", action="login", method="POST"),
    ]
    timed = (dataclasses.replace(e, created_at=BASE + i) for i, e in enumerate(entries))
    assert record_audit(conn, timed) == 6
    return conn


def resources(items: list[dict[str, Any]]) -> list[str]:
    return [item["resource"] for item in items]


def test_audit_item_has_every_column(conn: sqlite3.Connection) -> None:
    e = entry(
        "deployments/shop/web",
        action="scale",
        method="POST",
        status=500,
        success=False,
        error="timeout",
        ip="10.0.0.1",
        user_agent="curl/8",
        duration_ms=12.5,
        request_body='{"replicas": 3}',
    )
    assert record_audit(conn, [e]) == 1
    [item], total = query_audit(conn)
    assert total == 1
    assert item == {"id": item["id"], **dataclasses.asdict(e)}
    assert item["success"] is False
    assert list(item)[1:] == [f.name for f in dataclasses.fields(AuditEntry)]


def test_audit_defaults_match_the_columns(conn: sqlite3.Connection) -> None:
    bare = AuditEntry(
        created_at=BASE, action="read", method="GET", path="/", status=200, success=True
    )
    record_audit(conn, [bare])
    conn.execute(
        "INSERT INTO audit_logs (created_at, action, method, path, status, success)"
        " VALUES (?, 'read', 'GET', '/', 200, 1)",
        (BASE,),
    )
    first, second = query_audit(conn)[0]
    assert {**first, "id": 0} == {**second, "id": 0}


def test_record_empty_batch(conn: sqlite3.Connection) -> None:
    assert record_audit(conn, []) == 0


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["r5", "r4", "r3", "r2", "r1", "r0"]),
        ({"username": "bob"}, ["r4", "r2"]),
        ({"username": ""}, ["r3"]),
        ({"actions": ["scale"]}, ["r4", "r1"]),
        ({"actions": ["scale", "login"]}, ["r5", "r4", "r1"]),
        ({"actions": []}, []),
        ({"user_id": 7}, ["r4", "r2"]),
        ({"method": "GET"}, ["r2", "r0"]),
        ({"success": False}, ["r4", "r2"]),
        ({"success": True}, ["r5", "r3", "r1", "r0"]),
        ({"status": 202}, ["r1"]),
        ({"since": BASE + 2}, ["r5", "r4", "r3", "r2"]),
        ({"until": BASE + 2}, ["r2", "r1", "r0"]),
        ({"since": BASE + 1, "until": BASE + 4}, ["r4", "r3", "r2", "r1"]),
        ({"username": "bob", "actions": ["scale"], "success": False}, ["r4"]),
        ({"username": "alice", "method": "POST", "since": BASE + 2}, ["r5"]),
        ({"username": "nobody"}, []),
    ],
)
def test_query_audit_filters(
    audit: sqlite3.Connection, filters: dict[str, Any], expected: list[str]
) -> None:
    items, total = query_audit(audit, **filters)
    assert (resources(items), total) == (expected, len(expected))


@pytest.mark.parametrize(
    ("limit", "offset", "expected"),
    [(2, 0, ["r5", "r4"]), (2, 2, ["r3", "r2"]), (4, 4, ["r1", "r0"]), (3, 6, []), (0, 0, [])],
)
def test_query_audit_pages_with_total(
    audit: sqlite3.Connection, limit: int, offset: int, expected: list[str]
) -> None:
    items, total = query_audit(audit, limit=limit, offset=offset)
    assert (resources(items), total) == (expected, 6)


@pytest.mark.parametrize(
    "query",
    [
        lambda c: query_audit(c, limit=-1),
        lambda c: query_audit(c, offset=-1),
        lambda c: list_security_events(c, limit=-1),
        lambda c: list_security_events(c, offset=-1),
    ],
)
def test_negative_paging_is_refused(
    conn: sqlite3.Connection, query: Callable[[sqlite3.Connection], Any]
) -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        query(conn)


@pytest.mark.parametrize(
    ("older_than", "left"),
    [
        (BASE, ["r5", "r4", "r3", "r2", "r1", "r0"]),
        (BASE + 2, ["r5", "r4", "r3", "r2"]),
        (BASE + 6, []),
    ],
)
def test_cleanup_audit(audit: sqlite3.Connection, older_than: float, left: list[str]) -> None:
    assert cleanup_audit(audit, older_than=older_than) == 6 - len(left)
    assert resources(query_audit(audit)[0]) == left


def test_cap_audit_keeps_the_newest(audit: sqlite3.Connection) -> None:
    assert cap_audit(audit, keep=4) == 2
    assert resources(query_audit(audit)[0]) == ["r5", "r4", "r3", "r2"]
    assert cap_audit(audit, keep=4) == 0


# -- security events --


@pytest.fixture
def security(conn: sqlite3.Connection) -> sqlite3.Connection:
    """Events s0..s4, s0 oldest, created one second apart."""
    kinds = ["login_failed", "login_failed", "token_rejected", "lockout", "login_failed"]
    for i, kind in enumerate(kinds):
        record_security_event(
            conn,
            type=kind,
            severity="high" if kind == "lockout" else "medium",
            ip=f"10.0.0.{i}",
            username="alice",
            details=f"s{i}",
            now=BASE + i,
        )
    return conn


def details(items: list[dict[str, Any]]) -> list[str]:
    return [item["details"] for item in items]


def test_security_event_has_every_column(security: sqlite3.Connection) -> None:
    items, _ = list_security_events(security, type="lockout")
    assert items == [
        {
            "id": items[0]["id"],
            "type": "lockout",
            "severity": "high",
            "ip": "10.0.0.3",
            "username": "alice",
            "details": "s3",
            "created_at": BASE + 3,
            "count": 1,
            "last_at": None,
        }
    ]


def test_a_flood_is_one_event_with_a_count(security: sqlite3.Connection) -> None:
    row = record_security_event(
        security,
        type="gateway_refused",
        severity="warning",
        ip="10.9.9.9",
        username="",
        details="flood",
        now=BASE + 20,
        count=3,
        last_at=BASE + 21,
    )
    add_to_security_event(security, row, count=900, last_at=BASE + 80)
    items, _ = list_security_events(security, type="gateway_refused")
    assert [(i["id"], i["count"], i["last_at"]) for i in items] == [(row, 900, BASE + 80)]


def test_cap_keeps_the_newest(security: sqlite3.Connection) -> None:
    assert cap_security_events(security, keep=2) == 3
    assert details(list_security_events(security)[0]) == ["s4", "s3"]
    assert cap_security_events(security, keep=2) == 0


@pytest.mark.parametrize(
    ("filters", "expected", "total"),
    [
        ({}, ["s4", "s3", "s2", "s1", "s0"], 5),
        ({"type": "login_failed"}, ["s4", "s1", "s0"], 3),
        ({"since": BASE + 3}, ["s4", "s3"], 2),
        ({"type": "login_failed", "since": BASE + 1}, ["s4", "s1"], 2),
        ({"type": "nope"}, [], 0),
        ({"limit": 2, "offset": 1}, ["s3", "s2"], 5),
        ({"type": "login_failed", "limit": 1, "offset": 2}, ["s0"], 3),
    ],
)
def test_list_security_events(
    security: sqlite3.Connection, filters: dict[str, Any], expected: list[str], total: int
) -> None:
    items, count = list_security_events(security, **filters)
    assert (details(items), count) == (expected, total)


@pytest.mark.parametrize(
    ("older_than", "left"),
    [(BASE, ["s4", "s3", "s2", "s1", "s0"]), (BASE + 3, ["s4", "s3"]), (BASE + 10, [])],
)
def test_cleanup_security_events(
    security: sqlite3.Connection, older_than: float, left: list[str]
) -> None:
    assert cleanup_security_events(security, older_than=older_than) == 5 - len(left)
    assert details(list_security_events(security)[0]) == left


# -- agent tokens --


def add_token(
    c: sqlite3.Connection, id: str, cluster_id: str = "c1", now: float = BASE
) -> AgentToken:
    return create_agent_token(
        c,
        id=id,
        cluster_id=cluster_id,
        token_hash=f"sha256-{id}",
        prefix=f"{id}prefix"[:8],
        description=f"token {id}",
        created_by="alice",
        now=now,
    )


def test_create_agent_token_returns_the_stored_row(conn: sqlite3.Connection) -> None:
    token = add_token(conn, "t1")
    assert token == AgentToken(
        id="t1",
        cluster_id="c1",
        token_hash="sha256-t1",
        prefix="t1prefix",
        description="token t1",
        created_at=BASE,
        created_by="alice",
        last_used_at=None,
        revoked_at=None,
    )
    assert get_agent_token(conn, "t1") == token
    assert get_agent_token(conn, "t2") is None


@pytest.mark.parametrize(
    "clash", [{"id": "t1", "token_hash": "other"}, {"id": "t2", "token_hash": "sha256-t1"}]
)
def test_duplicate_id_or_hash_is_a_conflict(
    conn: sqlite3.Connection, clash: dict[str, str]
) -> None:
    first = add_token(conn, "t1")
    with pytest.raises(Conflict, match="already exists"):
        create_agent_token(
            conn, cluster_id="c2", prefix="x", description="", created_by="", now=BASE, **clash
        )
    assert list_agent_tokens(conn, include_revoked=True) == [first]


@pytest.fixture
def tokens(conn: sqlite3.Connection) -> sqlite3.Connection:
    """t0..t4, t0 oldest; t1 and t3 share a creation time; t2 is revoked."""
    for id, cluster, at in (("t0", "c1", 0), ("t1", "c2", 1), ("t2", "c1", 2), ("t3", "c1", 1)):
        add_token(conn, id, cluster, BASE + at)
    add_token(conn, "t4", "c2", BASE + 4)
    assert revoke_agent_token(conn, "t2", BASE + 5)
    return conn


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["t4", "t3", "t1", "t0"]),
        ({"include_revoked": True}, ["t4", "t2", "t3", "t1", "t0"]),
        ({"cluster_id": "c1"}, ["t3", "t0"]),
        ({"cluster_id": "c1", "include_revoked": True}, ["t2", "t3", "t0"]),
        ({"cluster_id": "c2"}, ["t4", "t1"]),
        ({"cluster_id": "c9", "include_revoked": True}, []),
    ],
)
def test_list_agent_tokens(
    tokens: sqlite3.Connection, filters: dict[str, Any], expected: list[str]
) -> None:
    assert [t.id for t in list_agent_tokens(tokens, **filters)] == expected


@pytest.mark.parametrize(
    ("token_hash", "id", "revoked_at"),
    [("sha256-t0", "t0", None), ("sha256-t2", "t2", BASE + 5), ("sha256-nope", None, None)],
)
def test_find_by_hash_returns_revoked_tokens_too(
    tokens: sqlite3.Connection, token_hash: str, id: str | None, revoked_at: float | None
) -> None:
    token = find_by_hash(tokens, token_hash)
    found = (token.id, token.revoked_at) if token else (None, None)
    assert found == (id, revoked_at)


def test_revoke_twice_keeps_the_first_time(tokens: sqlite3.Connection) -> None:
    assert revoke_agent_token(tokens, "t0", BASE + 10) is True
    assert revoke_agent_token(tokens, "t0", BASE + 20) is False
    assert revoke_agent_token(tokens, "nope", BASE + 20) is False
    token = get_agent_token(tokens, "t0")
    assert token is not None and token.revoked_at == BASE + 10


def test_touch_never_moves_backwards(tokens: sqlite3.Connection) -> None:
    def last_used(id: str) -> float | None:
        token = get_agent_token(tokens, id)
        assert token is not None
        return token.last_used_at

    touch_agent_token(tokens, "t0", BASE + 10)
    assert last_used("t0") == BASE + 10
    touch_agent_token(tokens, "t0", BASE + 8)  # a late commit of an earlier request
    assert last_used("t0") == BASE + 10
    touch_agent_token(tokens, "t0", BASE + 12)
    touch_agent_token(tokens, "nope", BASE + 12)
    assert (last_used("t0"), last_used("t1")) == (BASE + 12, None)


# -- query plans --


@pytest.mark.parametrize(
    "call",
    [
        lambda c: get_user(c, "ALICE"),
        lambda c: get_user_by_id(c, 1),
        lambda c: update_role(c, 1, ADMIN, BASE),
        lambda c: record_login(c, 1, "10.0.0.1", BASE),
        lambda c: query_audit(c, username="alice", limit=10),
        lambda c: query_audit(c, actions=["scale"], since=BASE),
        lambda c: query_audit(c, user_id=3, limit=10),
        lambda c: query_audit(c, since=BASE, until=BASE + 60),
        lambda c: cleanup_audit(c, older_than=BASE),
        lambda c: list_security_events(c, type="login_failed"),
        lambda c: cleanup_security_events(c, older_than=BASE),
        lambda c: cap_security_events(c, keep=10),
        lambda c: cap_audit(c, keep=10),
        lambda c: find_by_hash(c, "sha256-t1"),
        lambda c: list_agent_tokens(c, cluster_id="c1"),
        lambda c: touch_agent_token(c, "t1", BASE),
    ],
)
def test_hot_statements_use_an_index(
    conn: sqlite3.Connection, call: Callable[[sqlite3.Connection], Any]
) -> None:
    statements: list[str] = []
    conn.set_trace_callback(statements.append)  # expanded SQL, bound values included
    call(conn)
    conn.set_trace_callback(None)
    plans = [row[3] for sql in statements for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    assert plans and not [p for p in plans if p.startswith("SCAN ")], plans


# -- through the Database --


async def test_gateway_calls_through_the_database(db: Database) -> None:
    with trio.fail_after(TIMEOUT):
        await db.write(lambda c: add_user(c, "admin", role=ADMIN))
        with pytest.raises(Conflict):
            await db.write(lambda c: add_user(c, "ADMIN"))
        user = await db.read(lambda c: get_user(c, "Admin"))
        assert user is not None and user.role == ADMIN
        batch = [entry(f"r{i}", created_at=BASE + i) for i in range(300)]
        assert await db.write(lambda c: record_audit(c, batch), durable=False) == 300
        items, total = await db.read(lambda c: query_audit(c, limit=2))
        assert (resources(items), total) == (["r299", "r298"], 300)
        await db.write(lambda c: add_token(c, "t1"))
        token = await db.read(lambda c: find_by_hash(c, "sha256-t1"))
        assert token is not None and token.id == "t1"
