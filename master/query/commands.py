"""Command status and history as operators see them."""

from __future__ import annotations

from functools import partial
from typing import Any

from ..database.commands import get_command, list_commands
from ..model.errors import NotFound
from ..model.views import command_view
from .base import Reads


class CommandReads(Reads):
    async def command(self, command_id: str, *, reveal_secrets: bool) -> dict[str, Any]:
        cmd = await self.hub.command(command_id) or await self.db.read(
            partial(get_command, command_id=command_id)
        )
        if cmd is None:
            raise NotFound(f"command {command_id!r} not found")
        return command_view(cmd, reveal_secrets=reveal_secrets)

    async def commands(
        self,
        *,
        cluster_id: str | None,
        status: str | None,
        limit: int,
        offset: int,
        reveal_secrets: bool,
    ) -> dict[str, Any]:
        found, total = await self.db.read(
            partial(list_commands, cluster_id=cluster_id, status=status, limit=limit, offset=offset)
        )
        # The hub may hold a newer state than the last write: show that one. Outputs (whole
        # logs, secret values) only come with one command, `command()`.
        views = [
            command_view(
                await self.hub.command(c.id) or c, reveal_secrets=reveal_secrets, output=False
            )
            for c in found
        ]
        return {"commands": views, "total": total}
