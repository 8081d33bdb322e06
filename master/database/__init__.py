"""Durable state in one SQLite file: a batching writer task, a reader pool, migrations.

`Database` owns the connections; the sibling modules are plain functions over
a `sqlite3.Connection` that callers run through `Database.write` / `.read`.
"""

from .sqlite import Database

__all__ = ["Database"]
