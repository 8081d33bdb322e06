"""The command service: validate, queue, persist every transition, wait for results."""

from __future__ import annotations

import logging
import sqlite3
import time
import uuid
from collections.abc import Callable
from functools import partial

import trio

from ..config import CommandsConfig
from ..database import Database
from ..database.commands import load_open_commands, save_command
from ..datahub import MemoryHub
from ..model.command import Command, CommandLimits, CommandRequest, validate_request
from ..model.errors import NotFound

log = logging.getLogger("master.commands")


class CommandService:
    """Commands from operators to agents, durable from the moment they are accepted."""

    def __init__(
        self,
        hub: MemoryHub,
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
        """Validate and queue a command; it is on disk before this returns.

        Raises BadRequest (invalid action or target), NotFound (unknown cluster),
        QueueFull (the cluster's queue is full).
        """
        req = validate_request(req, self._limits)
        if not self._hub.known(req.cluster_id):
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
        self._hub.enqueue(cmd)
        # Writes the command's state at the time the writer runs: the agent may already have it.
        await self._db.write(partial(save_command, cmd=cmd))
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
        """Return when the command is final (bound it with `trio.move_on_after`)."""
        await self._hub.commands.wait(command_id)

    async def restore(self) -> int:
        """Re-queue pending commands and re-arm running ones after a restart."""
        commands = await self._db.read(load_open_commands)
        self._hub.commands.restore(commands)
        if commands:
            log.info("restored %d open commands from the database", len(commands))
        return len(commands)

    async def serve_persister(
        self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
    ) -> None:
        """Write every command transition to `command_history` (marks coalesce)."""
        task_status.started()
        while True:
            await self._save(await self._hub.wait_dirty_commands())

    async def flush(self) -> None:
        """Write what is marked now (shutdown)."""
        await self._save(self._hub.take_dirty_commands())

    async def _save(self, commands: list[Command]) -> None:
        def save_all(conn: sqlite3.Connection) -> None:
            for cmd in commands:
                save_command(conn, cmd)

        if commands:
            await self._db.write(save_all)
