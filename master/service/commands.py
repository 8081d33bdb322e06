"""The command service: validate, queue, persist every transition, wait for results.

What anyone is told has happened is on disk first: a command is written before it
is queued (a failed write leaves nothing to deliver), a hand-out is recorded as
running before the agent gets it, and a result is recorded before the agent's
200. The persister writes the other transitions (expiry, timeouts) as they come.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from functools import partial

import msgspec
import trio

from ..config import CommandsConfig
from ..database import Database
from ..database.commands import delete_command, load_open_commands, save_command
from ..datahub import DataHub
from ..model.command import (
    Command,
    CommandLimits,
    CommandRequest,
    CommandResult,
    validate_request,
)
from ..model.errors import BadRequest, NotFound, QueueFull, Unavailable

log = logging.getLogger("master.commands")


class CommandService:
    """Commands from operators to agents, durable from the moment they are accepted."""

    def __init__(
        self,
        hub: DataHub,
        db: Database,
        commands: CommandsConfig,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._hub = hub
        self._db = db
        self._expire = commands.expire
        self._limits = CommandLimits(
            logs_tail_default=commands.logs_tail_default, logs_tail_max=commands.logs_tail_max
        )
        self._clock = clock

    async def submit(self, req: CommandRequest) -> Command:
        """Validate, write and queue a command; it is on disk before it can be delivered.

        Raises BadRequest (invalid action or target), NotFound (unknown cluster),
        QueueFull (the cluster's queue is full), Unavailable (it could not be written;
        then it is not queued either).
        """
        req = validate_request(req, self._limits)
        if not await self._hub.known(req.cluster_id):
            raise NotFound(f"cluster {req.cluster_id!r} is not known to this master")
        now = self._clock()
        cmd = Command(
            id=uuid.uuid4().hex,
            cluster_id=req.cluster_id,
            action=req.action,
            target_kind=req.target_kind,
            target_namespace=req.target_namespace,
            target_name=req.target_name,
            params=req.params,
            created_at=now,
            expires_at=now + self._expire,
        )
        await self._record(cmd)
        try:
            await self._hub.enqueue(cmd)
        except QueueFull:
            # Filled up while the write ran: it must not come back after a restart either.
            with trio.CancelScope(shield=True):
                try:
                    await self._db.write(partial(delete_command, command_id=cmd.id))
                except Unavailable as err:
                    log.error(
                        "command %s was refused (queue full) but stays stored as pending: %s",
                        cmd.id,
                        err,
                    )
            raise
        log.info(
            "command %s queued for cluster %s: %s %s %s/%s",
            cmd.id,
            cmd.cluster_id,
            cmd.action,
            cmd.target_kind,
            cmd.target_namespace,
            cmd.target_name,
        )
        return cmd

    async def wait(self, command_id: str) -> None:
        """Return when the command is final and that is on disk (bound it with
        `trio.move_on_after`); under a storage fault, as soon as it is final."""
        cmd = await self._hub.wait_command(command_id)
        if cmd is not None and cmd.final:
            with contextlib.suppress(Unavailable):
                await self._record(cmd)

    async def hand_out(self, cluster_id: str, wait: float) -> Command | None:
        """The cluster's next command within `wait` seconds, recorded as running before the
        agent gets it; None when there is none.

        Raises Unavailable when that record cannot be written: the hand-out is then
        taken back (the command is queued first again), never delivered unrecorded.
        """
        cmd = None
        with trio.move_on_after(wait):  # the wait only: a command taken is recorded, whatever
            cmd = await self._hub.poll(cluster_id)
        if cmd is None:
            return None
        try:
            await self._record(cmd)
        except Unavailable:
            with trio.CancelScope(shield=True):
                await self._hub.release(cmd)
            raise
        return cmd

    async def complete(self, result: CommandResult, cluster_id: str) -> Command | None:
        """Record an agent's result; it is on disk before this returns.

        Returns None when it changes nothing (an unknown command, or one already
        final: a result received twice changes nothing the second time, and returns
        once what it repeats is on disk). Raises Forbidden (another cluster's
        command), BadRequest (`executed_at` not RFC 3339), Unavailable (it could not
        be written; the master keeps it and writes it when the storage is back).
        """
        try:
            cmd = await self._hub.complete(result, cluster_id=cluster_id)
        except ValueError as err:
            raise BadRequest(f"executed_at: {err}") from err
        recorded = cmd if cmd is not None else await self._hub.command(result.command_id)
        if recorded is not None and recorded.final:
            await self._record(recorded)
        return cmd

    async def _record(self, cmd: Command) -> None:
        """Write the command as it is now, durably (the writer may run after it changed)."""
        with trio.CancelScope(shield=True):  # bounded by busy_timeout; the outcome matters
            await self._db.write(partial(save_command, cmd=msgspec.structs.replace(cmd)))

    async def restore(self) -> int:
        """Re-queue pending commands and re-arm running ones after a restart."""
        commands = await self._db.read(load_open_commands)
        await self._hub.restore_commands(commands)
        if commands:
            log.info("restored %d open commands from the database", len(commands))
        return len(commands)

    async def serve_persister(
        self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Write every command transition to `command_history` (marks coalesce; through
        a storage fault they wait, and keep coalescing)."""
        task_status.started()
        while True:
            await self._save(await self._hub.wait_dirty_commands(), retry=True)

    async def flush(self) -> None:
        """Write what is marked now (shutdown: one attempt, Unavailable if it fails)."""
        await self._save(self._hub.take_dirty_commands(), retry=False)

    async def _save(self, commands: list[Command], *, retry: bool) -> None:
        def save_all(conn: sqlite3.Connection) -> None:
            for cmd in commands:
                save_command(conn, cmd)

        if commands:
            await self._db.write(save_all, retry=retry)
