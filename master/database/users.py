"""User accounts: who may sign in, with which role, and which of their JWTs still count.

Plain functions over a `sqlite3.Connection`; callers run them through
`Database.write` / `Database.read`. Usernames compare case-insensitively
(the column is `COLLATE NOCASE`, which folds ASCII letters only, as
`model.auth.fold_username` does). Changes name the user by its id, which is
never reused (AUTOINCREMENT), so a deleted account's tokens cannot come back
with a new account of the same name. Every change to role, status or password
bumps `token_version`, which the gateway puts in each JWT, so the user's tokens
issued before the change stop being accepted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from master.model.errors import Conflict

VIEWER = 1
OPERATOR = 2
ADMIN = 3
ROLES = (VIEWER, OPERATOR, ADMIN)

DISABLED = 0
ACTIVE = 1
STATUSES = (DISABLED, ACTIVE)


@dataclass(frozen=True, slots=True)
class User:
    """One row of `users`; times are Unix seconds. Never serialise `password_hash`."""

    id: int
    username: str
    password_hash: str
    display_name: str
    email: str
    role: int
    status: int
    token_version: int
    created_at: float
    updated_at: float
    last_login_at: float | None
    last_login_ip: str | None


_FIELDS = tuple(f.name for f in fields(User))
_COLUMNS = ", ".join(_FIELDS)


def _select(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row  # whatever the connection's own factory is
    # fetchall, not fetchone: an UPDATE ... RETURNING must run to completion.
    return cur.execute(sql, args).fetchall()


def _one(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> User | None:
    rows = _select(conn, sql, args)
    return User(**{f: rows[0][f] for f in _FIELDS}) if rows else None


def _check_role(role: int) -> None:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES} (viewer, operator, admin), got {role!r}")


def create_user(
    conn: sqlite3.Connection,
    *,
    username: str,
    password_hash: str,
    display_name: str,
    email: str,
    role: int,
    now: float,
) -> User:
    """Insert a new active user and return it (created_at = updated_at = now).

    Raises Conflict if the username is taken, in any letter case, and
    ValueError for an unknown role.
    """
    _check_role(role)
    user = _one(
        conn,
        "INSERT INTO users"
        " (username, password_hash, display_name, email, role, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        f" ON CONFLICT (username) DO NOTHING RETURNING {_COLUMNS}",
        (username, password_hash, display_name, email, role, now, now),
    )
    if user is None:
        raise Conflict(f"user {username!r} already exists; choose another username")
    return user


def get_user(conn: sqlite3.Connection, username: str) -> User | None:
    """The user with this username in any (ASCII) letter case, or None."""
    return _one(conn, f"SELECT {_COLUMNS} FROM users WHERE username = ?", (username,))


def get_user_by_id(conn: sqlite3.Connection, user_id: int) -> User | None:
    """The user with this id, or None (deleted, or never was)."""
    return _one(conn, f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,))


def list_users(conn: sqlite3.Connection) -> list[User]:
    """Every user, in the order they were created (by id)."""
    rows = _select(conn, f"SELECT {_COLUMNS} FROM users ORDER BY id", ())
    return [User(**{f: row[f] for f in _FIELDS}) for row in rows]


def count_users(conn: sqlite3.Connection) -> int:
    """How many users exist, active or not (0 means the first admin is still to be made)."""
    return int(conn.execute("SELECT COUNT(*) FROM users").fetchone()[0])


def count_active_admins(conn: sqlite3.Connection) -> int:
    """How many active admins exist, so the last one is not demoted, disabled or deleted."""
    row = conn.execute(
        "SELECT COUNT(*) FROM users WHERE role = ? AND status = ?", (ADMIN, ACTIVE)
    ).fetchone()
    return int(row[0])


def _update(
    conn: sqlite3.Connection, user_id: int, column: str, value: object, now: float
) -> User | None:
    # token_version + 1: a changed role, status or password must not keep
    # working through JWTs issued under the old one.
    return _one(
        conn,
        f"UPDATE users SET {column} = ?, updated_at = ?, token_version = token_version + 1"
        f" WHERE id = ? RETURNING {_COLUMNS}",
        (value, now, user_id),
    )


def update_role(conn: sqlite3.Connection, user_id: int, role: int, now: float) -> User | None:
    """Set the user's role and revoke their tokens; the updated user, or None if unknown.

    Raises ValueError for an unknown role.
    """
    _check_role(role)
    return _update(conn, user_id, "role", role, now)


def update_status(conn: sqlite3.Connection, user_id: int, status: int, now: float) -> User | None:
    """Enable (1) or disable (0) the user and revoke their tokens; the user, or None if unknown.

    Raises ValueError for a status other than ACTIVE or DISABLED.
    """
    if status not in STATUSES:
        raise ValueError(f"status must be 1 (active) or 0 (disabled), got {status!r}")
    return _update(conn, user_id, "status", status, now)


def update_password(
    conn: sqlite3.Connection, user_id: int, password_hash: str, now: float
) -> User | None:
    """Store a new password hash and revoke the user's tokens; the user, or None if unknown."""
    return _update(conn, user_id, "password_hash", password_hash, now)


def delete_user(conn: sqlite3.Connection, user_id: int) -> bool:
    """Delete the user; False if there was none. Their audit rows are kept."""
    return conn.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount > 0


def record_login(conn: sqlite3.Connection, user_id: int, ip: str, now: float) -> None:
    """Remember when and from where the user last signed in.

    Not a profile change: updated_at and token_version stay. Does nothing for
    an unknown user.
    """
    conn.execute(
        "UPDATE users SET last_login_at = ?, last_login_ip = ? WHERE id = ?",
        (now, ip, user_id),
    )
