"""Reading rows whatever the connection's row factory, and pages of a filtered list."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any


def select(conn: sqlite3.Connection, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
    """Every row of `sql` as `sqlite3.Row`, whatever the connection's own row factory."""
    cur = conn.cursor()
    cur.row_factory = sqlite3.Row
    return cur.execute(sql, args).fetchall()


def page(
    conn: sqlite3.Connection,
    *,
    table: str,
    columns: str,
    clauses: Sequence[str],
    args: Sequence[Any],
    order: str,
    limit: int,
    offset: int,
) -> tuple[list[sqlite3.Row], int]:
    """One page of the rows of `table` matching every clause, in `order`, and how many match.

    Raises ValueError for a negative limit or offset.
    """
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    total = int(conn.execute(f"SELECT COUNT(*) FROM {table}{where}", args).fetchone()[0])
    rows = select(
        conn,
        f"SELECT {columns} FROM {table}{where} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, limit, offset],
    )
    return rows, total
