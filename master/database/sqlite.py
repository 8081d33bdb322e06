"""The SQLite file: one writer task that batches jobs, and a small pool of readers.

Datasette's `database.py` shape on trio: every write goes through one
connection owned by one task, so there is never a `database is locked`
between our own writers, and many small writes share one fsync. Reads use
their own WAL connections and never wait for the writer.

Faults from below (the disk full, the file made read-only, another process
holding the write lock past the busy timeout) never stop the master: the
failed writes raise Unavailable (a 503 for whoever asked), background writers
retry with backoff (`write(..., retry=True)`), reads go on, and the fault is
logged once when it starts and once when writes work again.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar, cast

import trio

from master.model.errors import Unavailable

from .migrations import migrate

T = TypeVar("T")

log = logging.getLogger("master.database")

# Jobs per transaction. Bounds how long one batch keeps readers' WAL growing
# and how much one failed COMMIT has to report back.
MAX_BATCH = 200
# Background writes retry a fault after this, doubling up to RETRY_MAX.
RETRY_FIRST = 0.1
RETRY_MAX = 2.0
# What a 503 for a failed write tells the client to wait before trying again.
RETRY_AFTER = 5.0
# Primary result codes that say the storage, not the statement, is at fault: the same
# write can succeed once it clears (sqlite3 errors carry the extended code).
_FAULT_CODES = {
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_NOMEM,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PROTOCOL,
}


def storage_fault(err: BaseException | None) -> bool:
    """Whether `err` is the storage failing (disk full, read-only, locked, I/O error)."""
    code = getattr(err, "sqlite_errorcode", None)
    return isinstance(err, sqlite3.Error) and code is not None and code & 0xFF in _FAULT_CODES


class _Job(Generic[T]):
    """A write waiting for the writer, and the place its outcome is left."""

    __slots__ = ("fn", "durable", "done", "result", "error", "batch_error")

    def __init__(self, fn: Callable[[sqlite3.Connection], T], durable: bool) -> None:
        self.fn = fn
        self.durable = durable
        self.done = trio.Event()
        self.result: T | None = None
        self.error: BaseException | None = None
        # The transaction failed: one exception shared by the whole batch.
        self.batch_error: Exception | None = None


def _connect(path: Path, busy_timeout: float) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN/COMMIT ourselves, the sqlite3 module
    # must not open transactions behind our back. check_same_thread=False:
    # trio runs each to_thread call on whichever worker thread is free.
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {round(busy_timeout * 1000)}")
    return conn


def _private_file(path: Path) -> None:
    """Create the file readable by its owner only (SQLite gives its -wal and -shm files the
    same mode); tighten one an older master left readable by others."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # anything that is not a file there is for SQLite to refuse, in its words
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if file.is_file() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except FileNotFoundError:
            pass


def _open_writer(path: Path, busy_timeout: float) -> sqlite3.Connection:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    _private_file(path)
    conn = _connect(path, busy_timeout)
    try:
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise RuntimeError(
                f"{path}: SQLite refused WAL mode (got {mode!r}); put the data directory "
                "on a local filesystem"
            )
        # FULL by default: a commit is on disk before write() returns, and a
        # command the operator was told was accepted must survive a power cut.
        # Batches of only non-durable jobs switch to NORMAL (see _run_batch).
        conn.execute("PRAGMA synchronous = FULL")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _open_reader(path: Path, busy_timeout: float) -> sqlite3.Connection:
    conn = _connect(path, busy_timeout)
    conn.execute("PRAGMA query_only = 1")
    return conn


def _run_batch(conn: sqlite3.Connection, jobs: list[_Job[Any]]) -> bool:
    """Run jobs in one transaction, each in its own savepoint; return whether it committed.

    A job that raises is rolled back to its savepoint and keeps its exception;
    the others still commit. If the transaction itself fails (BEGIN, COMMIT,
    or SQLite aborting it), every job that had no error of its own gets that
    error, because nothing it did was kept.
    """
    try:
        if conn.in_transaction:  # a ROLLBACK that failed last time (the disk went away)
            conn.execute("ROLLBACK")
        # NORMAL skips the fsync of this commit (WAL stays consistent; a power cut may
        # lose it): fine for the event window, which the next snapshot repeats anyway.
        durable = any(job.durable for job in jobs)
        conn.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        conn.execute("BEGIN IMMEDIATE")
        for job in jobs:
            conn.execute("SAVEPOINT job")
            try:
                job.result = job.fn(conn)
            except Exception as exc:
                job.error = exc
                conn.execute("ROLLBACK TO job")
            conn.execute("RELEASE job")
        conn.execute("COMMIT")
    except Exception as exc:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # SQLite rolled back on its own, or the next batch does it first
        for job in jobs:
            if job.error is None:
                job.result = None
                job.batch_error = exc
        return False
    return True


def _run_read(conn: sqlite3.Connection, fn: Callable[[sqlite3.Connection], T]) -> T:
    # One read transaction per call: fn sees one consistent snapshot even across
    # several queries (a page and its total), and the snapshot is released after.
    conn.execute("BEGIN")
    try:
        return fn(conn)
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _close_all(conns: list[sqlite3.Connection]) -> None:
    for conn in conns:
        conn.close()


class Database:
    """A SQLite database in WAL mode, written by `serve()` and read through a pool.

    `write_queue_size` bounds the jobs waiting for the writer: when the disk is
    slower than the producers, `write()` waits (backpressure) instead of
    memory growing. `read_connections` bounds concurrent reads, each of which
    holds a worker thread. `busy_timeout` (seconds) is how long a statement
    waits for another process's lock before it fails.
    """

    def __init__(
        self,
        path: Path,
        *,
        write_queue_size: int = 256,
        read_connections: int = 4,
        busy_timeout: float = 5.0,
    ) -> None:
        self.path = path
        self._busy_timeout = busy_timeout
        self._send, self._receive = trio.open_memory_channel[_Job[Any]](write_queue_size)
        self._read_limiter = trio.CapacityLimiter(read_connections)
        self._idle_readers: list[sqlite3.Connection] = []
        self._writer: sqlite3.Connection | None = None
        self._serving = False
        self._closing = False
        self._closed = False
        self._stopped = trio.Event()
        self.transactions = 0
        """Write transactions committed so far (one per batch), for metrics and tests."""
        self.fault: str | None = None
        """Why writes are failing now (disk full, read-only, locked...); None when they work."""
        self._fault_since = 0.0
        self._refused = 0

    async def serve(
        self, *, task_status: trio.TaskStatus[Database] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Open the file (creating it and its directory), migrate, then run the writer.

        Reports `self` as started once migrations are done. Returns after
        `aclose()` when every job queued before it has been committed. If
        cancelled, it stops after the batch in progress; jobs still queued fail
        with Unavailable. Raises RuntimeError if the schema is newer than this
        code, or sqlite3.Error if the file cannot be opened.
        """
        if self._serving:
            raise RuntimeError("Database.serve() is already running")
        self._serving = True
        try:
            self._writer = await trio.to_thread.run_sync(
                _open_writer, self.path, self._busy_timeout
            )
            task_status.started(self)
            await self._write_loop(self._writer)
        finally:
            self._closed = True
            self._fail_queued()
            conns = self._idle_readers
            self._idle_readers = []
            if self._writer is not None:
                conns.append(self._writer)
                self._writer = None
            with trio.CancelScope(shield=True):
                await trio.to_thread.run_sync(_close_all, conns)
            self._stopped.set()

    async def _write_loop(self, conn: sqlite3.Connection) -> None:
        while True:
            try:
                first = await self._receive.receive()
            except trio.EndOfChannel:
                return
            batch: list[_Job[Any]] = [first]
            while len(batch) < MAX_BATCH:
                try:
                    batch.append(self._receive.receive_nowait())
                except (trio.WouldBlock, trio.EndOfChannel):
                    break
            try:
                # Not abandoned on cancel: the thread owns the connection until it returns.
                committed = await trio.to_thread.run_sync(_run_batch, conn, batch)
                if committed:
                    self.transactions += 1
                errors = (job.batch_error or job.error for job in batch)
                fault = next((err for err in errors if storage_fault(err)), None)
                if fault is not None:
                    self._faulted(fault)
                elif committed:
                    self._recovered()
            finally:
                for job in batch:
                    job.done.set()

    def _faulted(self, err: BaseException) -> None:
        """A batch failed for the storage; say so once per fault, not once per write."""
        self._refused += 1
        if self.fault is None:
            self.fault = str(err)
            self._fault_since = time.monotonic()
            log.error(
                "database writes are failing (%s): %s; writes are answered 503 and background "
                "writes retried until it clears, reads go on",
                getattr(err, "sqlite_errorname", type(err).__name__),
                err,
            )

    def _recovered(self) -> None:
        if self.fault is not None:
            log.warning(
                "database writes work again after %.1fs (%d failed batches meanwhile)",
                time.monotonic() - self._fault_since,
                self._refused,
            )
            self.fault = None
            self._refused = 0

    def _fail_queued(self) -> None:
        """Answer jobs that were queued but will never run (crash path), then refuse new ones."""
        while True:
            try:
                job = self._receive.receive_nowait()
            except (trio.WouldBlock, trio.EndOfChannel):
                break
            job.error = Unavailable("database is shutting down")
            job.done.set()
        # Senders blocked on a full queue now get BrokenResourceError -> Unavailable.
        self._receive.close()

    async def write(
        self,
        fn: Callable[[sqlite3.Connection], T],
        *,
        durable: bool = True,
        retry: bool = False,
    ) -> T:
        """Run `fn(conn)` on the write connection, in a batch transaction, and return its result.

        `fn` runs in a worker thread inside a savepoint and must not BEGIN,
        COMMIT or ROLLBACK itself. Its exception is re-raised here and undoes
        only its own changes. Waits while the queue is full. Once queued, the
        job runs even if this caller is cancelled. Raises Unavailable after
        `aclose()`, once the writer has stopped, when the storage fails (disk
        full, read-only, locked past the busy timeout) or when the batch
        transaction itself failed (BEGIN/COMMIT error; the cause is chained).
        `durable=False` lets a batch made only of such writes commit without
        an fsync (SQLite's synchronous=NORMAL). `retry=True` (background
        writers) waits out storage faults instead, retrying with backoff until
        the write is done or the database shuts down.
        """
        delay = RETRY_FIRST
        while True:
            try:
                return await self._write_once(fn, durable)
            except Unavailable as err:
                if not retry or self._closing or self._closed or not storage_fault(err.__cause__):
                    raise
            await trio.sleep(delay)
            delay = min(delay * 2, RETRY_MAX)

    async def _write_once(self, fn: Callable[[sqlite3.Connection], T], durable: bool) -> T:
        if self._closing or self._closed:
            raise Unavailable("database is shutting down")
        job = _Job(fn, durable)
        try:
            await self._send.send(job)
        except (trio.ClosedResourceError, trio.BrokenResourceError) as err:
            raise Unavailable("database is shutting down") from err
        await job.done.wait()
        if job.error is not None:
            if storage_fault(job.error):
                raise Unavailable(
                    f"database write failed: {job.error}", retry_after=RETRY_AFTER
                ) from job.error
            raise job.error
        if job.batch_error is not None:
            # A fresh exception per caller: the shared one must not collect
            # every caller's traceback.
            raise Unavailable(
                f"database write failed: {job.batch_error}", retry_after=RETRY_AFTER
            ) from job.batch_error
        return cast(T, job.result)

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run `fn(conn)` in a worker thread on a read-only connection and return its result.

        `fn` sees one consistent snapshot of committed data. At most
        `read_connections` reads run at once; others wait their turn.
        Raises Unavailable before `serve()` has migrated or after it stopped;
        `fn`'s own exceptions propagate.
        """
        if self._writer is None or self._closed:
            raise Unavailable("database is not open")
        async with self._read_limiter:
            if self._closed:
                raise Unavailable("database is not open")
            if self._idle_readers:
                conn = self._idle_readers.pop()
            else:
                conn = await trio.to_thread.run_sync(_open_reader, self.path, self._busy_timeout)
            try:
                return await trio.to_thread.run_sync(_run_read, conn, fn)
            finally:
                if self._closed:
                    with trio.CancelScope(shield=True):
                        await trio.to_thread.run_sync(conn.close)
                else:
                    self._idle_readers.append(conn)

    async def aclose(self) -> None:
        """Stop taking writes and wait until the writer has committed what was queued.

        Idempotent. If `serve()` is not running, returns at once.
        """
        self._closing = True
        self._send.close()
        if self._serving:
            await self._stopped.wait()
        else:
            await trio.lowlevel.checkpoint()
