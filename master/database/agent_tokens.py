"""Agent tokens: the credentials a cluster's agent presents, stored only as hashes.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. The token itself is never stored: the
caller hashes what the agent sends and looks it up with `find_by_hash`.
Revoking keeps the row, so the audit trail can still name the token.
Times are Unix seconds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from master.model.errors import Conflict


@dataclass(frozen=True, slots=True)
class AgentToken:
    """One row of `agent_tokens`; `prefix` is the token's first 8 characters."""

    id: str
    cluster_id: str
    token_hash: str
    prefix: str
    description: str
    created_at: float
    created_by: str
    last_used_at: float | None
    revoked_at: float | None


_FIELDS = tuple(f.name for f in fields(AgentToken))
_COLUMNS = ", ".join(_FIELDS)


def _select(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[AgentToken]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row  # whatever the connection's own factory is
    # fetchall: an INSERT ... RETURNING must run to completion.
    rows = cur.execute(sql, args).fetchall()
    return [AgentToken(**{f: row[f] for f in _FIELDS}) for row in rows]


def create_agent_token(
    conn: sqlite3.Connection,
    *,
    id: str,
    cluster_id: str,
    token_hash: str,
    prefix: str,
    description: str,
    created_by: str,
    now: float,
) -> AgentToken:
    """Store a new token for `cluster_id` and return it.

    Raises Conflict if the id or the hash is already stored (a reused id, or
    the same token issued twice).
    """
    rows = _select(
        conn,
        "INSERT INTO agent_tokens"
        " (id, cluster_id, token_hash, prefix, description, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT DO NOTHING RETURNING {_COLUMNS}",
        (id, cluster_id, token_hash, prefix, description, now, created_by),
    )
    if not rows:
        raise Conflict(f"agent token {id!r} or its hash already exists; generate a new token")
    return rows[0]


def list_agent_tokens(
    conn: sqlite3.Connection, *, cluster_id: str | None = None, include_revoked: bool = False
) -> list[AgentToken]:
    """Tokens, newest first, of one cluster or all; revoked ones only if asked for."""
    clauses: list[str] = []
    args: list[Any] = []
    if cluster_id is not None:
        clauses.append("cluster_id = ?")
        args.append(cluster_id)
    if not include_revoked:
        clauses.append("revoked_at IS NULL")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    # rowid breaks ties in insertion order: ids are random text.
    return _select(
        conn,
        f"SELECT {_COLUMNS} FROM agent_tokens{where} ORDER BY created_at DESC, rowid DESC",
        args,
    )


def get_agent_token(conn: sqlite3.Connection, token_id: str) -> AgentToken | None:
    """The token with this id, revoked or not, or None."""
    rows = _select(conn, f"SELECT {_COLUMNS} FROM agent_tokens WHERE id = ?", (token_id,))
    return rows[0] if rows else None


def find_by_hash(conn: sqlite3.Connection, token_hash: str) -> AgentToken | None:
    """The token with this hash, or None.

    Revoked tokens are returned too: the caller checks `revoked_at`, so it can
    tell "revoked" from "unknown" in its security log.
    """
    rows = _select(conn, f"SELECT {_COLUMNS} FROM agent_tokens WHERE token_hash = ?", (token_hash,))
    return rows[0] if rows else None


def revoke_agent_token(conn: sqlite3.Connection, token_id: str, now: float) -> bool:
    """Mark the token revoked at `now`; False if it is unknown or already revoked.

    A second revocation changes nothing, so the first revocation time is kept.
    """
    cur = conn.execute(
        "UPDATE agent_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
        (now, token_id),
    )
    return cur.rowcount > 0


def touch_agent_token(conn: sqlite3.Connection, token_id: str, now: float) -> None:
    """Record that the token was used at `now`; does nothing for an unknown id.

    Never moves last_used_at backwards: writes queued by concurrent requests
    may commit out of order.
    """
    conn.execute(
        "UPDATE agent_tokens SET last_used_at = MAX(COALESCE(last_used_at, ?), ?) WHERE id = ?",
        (now, now, token_id),
    )
