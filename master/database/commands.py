"""Command history: every lifecycle transition is saved, open commands are reloaded."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from master.model.command import FINAL_STATUSES, PENDING, RUNNING, Command

from .paging import page, select

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


def _row_to_command(row: sqlite3.Row) -> Command:
    values: dict[str, Any] = {f: row[f] for f in _FIELDS}
    values["params"] = msgspec.json.decode(row["params"], type=dict[str, Any])
    if values["success"] is not None:
        values["success"] = bool(values["success"])
    return Command(**values)


def get_command(conn: sqlite3.Connection, command_id: str) -> Command | None:
    """The stored command with this id, or None."""
    rows = select(conn, f"SELECT {_COLUMNS} FROM command_history WHERE id = ?", (command_id,))
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
    filters = {"cluster_id": cluster_id, "status": status}
    rows, total = page(
        conn,
        table="command_history",
        columns=_COLUMNS,
        clauses=[f"{column} = ?" for column, value in filters.items() if value is not None],
        args=[value for value in filters.values() if value is not None],
        order="created_at DESC, id DESC",
        limit=limit,
        offset=offset,
    )
    return [_row_to_command(row) for row in rows], total


def load_open_commands(conn: sqlite3.Connection) -> list[Command]:
    """Pending and running commands, oldest first, to re-queue after a restart."""
    rows = select(
        conn,
        f"SELECT {_COLUMNS} FROM command_history WHERE status IN (?, ?) ORDER BY created_at, id",
        (PENDING, RUNNING),
    )
    return [_row_to_command(row) for row in rows]
