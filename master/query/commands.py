"""Command status and history as operators see them."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..database.commands import get_command, list_commands
from ..model.command import Command
from ..model.errors import NotFound
from ..model.gotime import from_epoch
from .base import Reads

# Actions whose output carries secret values, shown to administrators only.
SECRET_OUTPUT_ACTIONS = frozenset({"get_secret"})
HIDDEN = "*** secret values are shown to administrators only ***"


def command_view(cmd: Command, *, reveal_secrets: bool) -> dict[str, Any]:
    """A command with RFC 3339 times and its result, if any (secret output masked unless revealed)."""
    result = None
    if cmd.success is not None:
        output = cmd.output
        if output and cmd.action in SECRET_OUTPUT_ACTIONS and not reveal_secrets:
            output = HIDDEN
        result = {
            "success": cmd.success, "output": output, "error": cmd.error,
            "executed_at": cmd.executed_at,
        }
    return {
        "command_id": cmd.id,
        "cluster_id": cmd.cluster_id,
        "action": cmd.action,
        "target_kind": cmd.target_kind,
        "target_namespace": cmd.target_namespace,
        "target_name": cmd.target_name,
        "params": cmd.params,
        "status": cmd.status,
        "attempts": cmd.attempts,
        "error": cmd.error,
        "created_at": from_epoch(cmd.created_at),
        "expires_at": from_epoch(cmd.expires_at),
        "dispatched_at": from_epoch(cmd.dispatched_at),
        "deadline_at": from_epoch(cmd.deadline_at),
        "finished_at": from_epoch(cmd.finished_at),
        "result": result,
    }


class CommandReads(Reads):
    async def command(self, command_id: str, *, reveal_secrets: bool) -> dict[str, Any]:
        cmd = self.hub.commands.get(command_id) or await self.db.read(
            partial(get_command, command_id=command_id)
        )
        if cmd is None:
            raise NotFound(f"command {command_id!r} not found")
        return command_view(cmd, reveal_secrets=reveal_secrets)

    async def commands(
        self, *, cluster_id: str | None, status: str | None, limit: int, offset: int,
        reveal_secrets: bool,
    ) -> dict[str, Any]:
        found, total = await self.db.read(
            partial(list_commands, cluster_id=cluster_id, status=status, limit=limit, offset=offset)
        )
        # The hub may hold a newer state than the last write: show that one.
        views = [command_view(self.hub.commands.get(c.id) or c, reveal_secrets=reveal_secrets)
                 for c in found]
        return {"commands": views, "total": total}
