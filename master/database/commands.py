"""Command history: every lifecycle transition is saved, open commands are reloaded."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

import msgspec

from master.model.command import FINAL_STATUSES, PENDING, RUNNING, Command

_FIELDS = tuple(Command.__struct_fields__)
_COLUMNS = ", ".join(_FIELDS)

# A final row is never overwritten: the writes of one command may reach the writer out of
# order (a persister batch taken before the result was recorded), and a repeated result
# must change nothing.
_SAVE = (
    f"INSERT INTO command_history ({_COLUMNS}) VALUES ({', '.join(':' + f for f in _FIELDS)})"
    " ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{f} = excluded.{f}" for f in _FIELDS if f != "id")
    + f" WHERE command_history.status NOT IN ({', '.join(repr(s) for s in sorted(FINAL_STATUSES))})"
)


def save_command(conn: sqlite3.Connection, cmd: Command) -> None:
    """Insert the command or overwrite every field of the stored one (same id), unless
    the stored one is final already."""
    values = msgspec.structs.asdict(cmd)
    values["params"] = msgspec.json.encode(cmd.params).decode()
    conn.execute(_SAVE, values)


def delete_command(conn: sqlite3.Connection, command_id: str) -> None:
    """Forget a command that was refused after it was written."""
    conn.execute("DELETE FROM command_history WHERE id = ?", (command_id,))


def _select(conn: sqlite3.Connection, sql: str, args: Sequence[Any]) -> list[sqlite3.Row]:
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row  # whatever the connection's own factory is
    return cur.execute(sql, args).fetchall()


def _row_to_command(row: sqlite3.Row) -> Command:
    values: dict[str, Any] = {f: row[f] for f in _FIELDS}
    values["params"] = msgspec.json.decode(row["params"], type=dict[str, Any])
    if values["success"] is not None:
        values["success"] = bool(values["success"])
    return Command(**values)


def get_command(conn: sqlite3.Connection, command_id: str) -> Command | None:
    """The stored command with this id, or None."""
    rows = _select(conn, f"SELECT {_COLUMNS} FROM command_history WHERE id = ?", (command_id,))
    return _row_to_command(rows[0]) if rows else None


def list_commands(
    conn: sqlite3.Connection,
    *,
    cluster_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Command], int]:
    """One page of commands, newest first, and how many match in total.

    Raises ValueError for a negative limit or offset.
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    clauses: list[str] = []
    args: list[Any] = []
    if cluster_id is not None:
        clauses.append("cluster_id = ?")
        args.append(cluster_id)
    if status is not None:
        clauses.append("status = ?")
        args.append(status)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    total = int(conn.execute(f"SELECT COUNT(*) FROM command_history{where}", args).fetchone()[0])
    rows = _select(
        conn,
        f"SELECT {_COLUMNS} FROM command_history{where}"
        " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    return [_row_to_command(row) for row in rows], total


def load_open_commands(conn: sqlite3.Connection) -> list[Command]:
    """Pending and running commands, oldest first, to re-queue after a restart."""
    rows = _select(
        conn,
        f"SELECT {_COLUMNS} FROM command_history WHERE status IN (?, ?) ORDER BY created_at, id",
        (PENDING, RUNNING),
    )
    return [_row_to_command(row) for row in rows]
