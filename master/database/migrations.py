"""Numbered schema steps tracked with `PRAGMA user_version`.

Step N is `MIGRATIONS[N - 1]`. Steps are append-only: never edit one that has
shipped, add the next one instead, so every database walks the same path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

_V1 = """
CREATE TABLE clusters (
    cluster_id     TEXT PRIMARY KEY,
    first_seen     REAL NOT NULL,
    last_seen      REAL NOT NULL,
    last_heartbeat REAL,
    last_snapshot  REAL
);

CREATE TABLE cluster_events (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    event_uid          TEXT NOT NULL UNIQUE,
    cluster_id         TEXT NOT NULL,
    namespace          TEXT NOT NULL DEFAULT '',
    name               TEXT NOT NULL DEFAULT '',
    kind               TEXT NOT NULL DEFAULT '',
    type               TEXT NOT NULL DEFAULT '',
    reason             TEXT NOT NULL DEFAULT '',
    message            TEXT NOT NULL DEFAULT '',
    source_component   TEXT NOT NULL DEFAULT '',
    source_host        TEXT NOT NULL DEFAULT '',
    involved_kind      TEXT NOT NULL DEFAULT '',
    involved_name      TEXT NOT NULL DEFAULT '',
    involved_namespace TEXT NOT NULL DEFAULT '',
    involved_uid       TEXT NOT NULL DEFAULT '',
    first_timestamp    TEXT,
    last_timestamp     TEXT,
    count              INTEGER NOT NULL DEFAULT 0,
    created_at         TEXT NOT NULL,
    -- COALESCE(last_timestamp, first_timestamp, created_at), kept by the upsert:
    -- an event whose times are unknown sorts and expires by when we first saw it.
    sort_ts            TEXT NOT NULL
);
CREATE INDEX idx_cluster_events_cluster_sort ON cluster_events (cluster_id, sort_ts);
CREATE INDEX idx_cluster_events_sort ON cluster_events (sort_ts);
CREATE INDEX idx_cluster_events_object
    ON cluster_events (cluster_id, involved_kind, involved_namespace, involved_name);
CREATE INDEX idx_cluster_events_source_host ON cluster_events (cluster_id, source_host);
CREATE INDEX idx_cluster_events_type ON cluster_events (type);
CREATE INDEX idx_cluster_events_reason ON cluster_events (reason);

CREATE TABLE command_history (
    id               TEXT PRIMARY KEY,
    cluster_id       TEXT NOT NULL,
    action           TEXT NOT NULL,
    target_kind      TEXT NOT NULL DEFAULT '',
    target_namespace TEXT NOT NULL DEFAULT '',
    target_name      TEXT NOT NULL DEFAULT '',
    params           TEXT NOT NULL,  -- JSON object
    status           TEXT NOT NULL,
    created_at       REAL NOT NULL,
    expires_at       REAL NOT NULL,
    dispatched_at    REAL,
    deadline_at      REAL,
    finished_at      REAL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    success          INTEGER,
    output           TEXT NOT NULL DEFAULT '',
    error            TEXT NOT NULL DEFAULT '',
    executed_at      TEXT
);
CREATE INDEX idx_command_history_cluster_created ON command_history (cluster_id, created_at);
CREATE INDEX idx_command_history_status ON command_history (status);

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""

# Users, what they did, security incidents and agent credentials: what the
# gateway needs to authenticate people and agents and to answer "who did what".
_V2 = """
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    -- NOCASE: "Admin" and "admin" are one account, for lookup and for UNIQUE.
    username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    role          INTEGER NOT NULL CHECK (role IN (1, 2, 3)),  -- viewer, operator, admin
    status        INTEGER NOT NULL DEFAULT 1 CHECK (status IN (0, 1)),  -- disabled, active
    -- In every JWT; bumping it revokes all of the user's tokens at once.
    token_version INTEGER NOT NULL DEFAULT 0,
    created_at    REAL NOT NULL,
    updated_at    REAL NOT NULL,
    last_login_at REAL,
    last_login_ip TEXT
);

CREATE TABLE security_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    type       TEXT NOT NULL,
    severity   TEXT NOT NULL,
    ip         TEXT NOT NULL DEFAULT '',
    username   TEXT NOT NULL DEFAULT '',
    details    TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL
);
CREATE INDEX idx_security_events_created ON security_events (created_at);
CREATE INDEX idx_security_events_type_created ON security_events (type, created_at);

CREATE TABLE audit_logs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at   REAL NOT NULL,
    username     TEXT NOT NULL DEFAULT '',
    role         INTEGER,
    source       TEXT NOT NULL DEFAULT '',  -- 'gateway' or 'agent'
    action       TEXT NOT NULL,
    resource     TEXT NOT NULL DEFAULT '',
    method       TEXT NOT NULL,
    path         TEXT NOT NULL,
    status       INTEGER NOT NULL,
    success      INTEGER NOT NULL,
    error        TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    user_agent   TEXT NOT NULL DEFAULT '',
    duration_ms  REAL NOT NULL DEFAULT 0,
    request_body TEXT NOT NULL DEFAULT ''
);
CREATE INDEX idx_audit_logs_created ON audit_logs (created_at);
CREATE INDEX idx_audit_logs_username_created ON audit_logs (username, created_at);
CREATE INDEX idx_audit_logs_action_created ON audit_logs (action, created_at);

CREATE TABLE agent_tokens (
    id           TEXT PRIMARY KEY,
    cluster_id   TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    prefix       TEXT NOT NULL,  -- first 8 chars of the token, to recognise it
    description  TEXT NOT NULL DEFAULT '',
    created_at   REAL NOT NULL,
    created_by   TEXT NOT NULL DEFAULT '',
    last_used_at REAL,
    revoked_at   REAL
);
CREATE INDEX idx_agent_tokens_cluster ON agent_tokens (cluster_id);
"""

# Notification channels (one row per type; secret config fields are encrypted by the
# service before they get here) and the alerts raised and resolved.
_V3 = """
CREATE TABLE notify_channels (
    type              TEXT PRIMARY KEY CHECK (type IN ('slack', 'email', 'webhook')),
    name              TEXT NOT NULL DEFAULT '',
    enabled           INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    config            TEXT NOT NULL DEFAULT '{}',  -- JSON object
    last_test_status  TEXT NOT NULL DEFAULT '',    -- '', 'ok' or 'failed'
    last_test_message TEXT NOT NULL DEFAULT '',
    last_test_at      REAL,
    last_send_status  TEXT NOT NULL DEFAULT '',    -- '', 'ok', 'failed' or 'dropped'
    last_send_error   TEXT NOT NULL DEFAULT '',
    last_send_at      REAL,
    sent_count        INTEGER NOT NULL DEFAULT 0,
    failed_count      INTEGER NOT NULL DEFAULT 0,
    dropped_count     INTEGER NOT NULL DEFAULT 0,
    created_at        REAL NOT NULL,
    updated_at        REAL NOT NULL
);

CREATE TABLE alert_history (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    rule             TEXT NOT NULL,
    cluster_id       TEXT NOT NULL,
    severity         TEXT NOT NULL,
    title            TEXT NOT NULL,
    message          TEXT NOT NULL DEFAULT '',
    object_kind      TEXT NOT NULL DEFAULT '',
    object_namespace TEXT NOT NULL DEFAULT '',
    object_name      TEXT NOT NULL DEFAULT '',
    reason           TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    fired_at         REAL NOT NULL,
    resolved_at      REAL,
    count            INTEGER NOT NULL DEFAULT 1,
    notified         TEXT NOT NULL DEFAULT '[]'  -- JSON list of the channel types it went to
);
CREATE INDEX idx_alert_history_cluster_fired ON alert_history (cluster_id, fired_at);
CREATE INDEX idx_alert_history_fired ON alert_history (fired_at);
CREATE INDEX idx_alert_history_status ON alert_history (status);
"""

# A flood of refused calls is one security record per address, reason and window:
# how many it stands for and when the last one came.
_V4 = """
ALTER TABLE security_events ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
ALTER TABLE security_events ADD COLUMN last_at REAL;
"""

# Events keep the agent's created_at (the only time of an events.k8s.io event);
# the master's own first-store time becomes stored_at. No agent sends a host.
_V5 = """
ALTER TABLE cluster_events RENAME COLUMN created_at TO stored_at;
ALTER TABLE cluster_events ADD COLUMN created_at TEXT;
DROP INDEX idx_cluster_events_source_host;
ALTER TABLE cluster_events DROP COLUMN source_host;
"""

# Audit rows name the user by id too (the name alone may be reused after a delete).
_V6 = """
ALTER TABLE audit_logs ADD COLUMN user_id INTEGER NOT NULL DEFAULT 0;
CREATE INDEX idx_audit_logs_user_created ON audit_logs (user_id, created_at);
"""

# Which agent generation a cluster last spoke with ('v2', 'v3'), shown while it is offline.
_V7 = """
ALTER TABLE clusters ADD COLUMN agent_generation TEXT;
"""

MIGRATIONS: list[str] = [_V1, _V2, _V3, _V4, _V5, _V6, _V7]


def user_version(conn: sqlite3.Connection) -> int:
    """The schema version recorded in the database file (0 for a new file)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, steps: Sequence[str] = MIGRATIONS) -> int:
    """Apply the steps the database has not seen yet, each in its own transaction.

    A step that fails is rolled back whole (schema and `user_version`), so a
    half-migrated file never exists. `conn` must not be inside a transaction.
    Returns the schema version now in effect. Raises RuntimeError for a
    database written by a newer master, whose schema this code cannot know.
    """
    if conn.in_transaction:
        raise RuntimeError("migrate() needs a connection outside any transaction")
    version = user_version(conn)
    if version > len(steps):
        raise RuntimeError(
            f"database schema version {version} is newer than this master knows "
            f"({len(steps)}); run a newer master or restore a matching backup"
        )
    for number in range(version + 1, len(steps) + 1):
        # executescript would COMMIT a transaction opened by execute(), so the
        # transaction is part of the script itself; user_version is transactional.
        script = f"BEGIN IMMEDIATE;\n{steps[number - 1]}\n;PRAGMA user_version = {number};\nCOMMIT;"
        try:
            conn.executescript(script)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(steps)
