"""`/api/v2/commands`: submit (optionally waiting for the result), status, history."""

from __future__ import annotations

import msgspec
import trio
from quart import Response
from quart_trio import QuartTrio

from ..model.auth import ADMIN, OPERATOR
from ..model.command import STATUSES, CommandRequest
from ..model.errors import BadRequest
from ..model.views import command_view
from ..query import Query
from ..service.commands import CommandService
from ..webapi import json_response, read_json
from . import params
from .auth import principal, requires

MAX_WAIT = 120.0
_request = msgspec.json.Decoder(CommandRequest)


def reveals_secrets() -> bool:
    """Whether the caller may see secret values in command outputs: administrators only."""
    return principal().role >= ADMIN


def register(app: QuartTrio, query: Query, service: CommandService) -> None:
    @app.post("/api/v2/commands")
    @requires(OPERATOR)
    async def submit() -> Response:
        wait = params.number("wait", 0.0, low=0.0, high=MAX_WAIT)
        req = await read_json(_request, "command body")
        cmd = await service.submit(req)
        if wait > 0:
            with trio.move_on_after(wait):
                await service.wait(cmd.id)
        return json_response(command_view(cmd, reveal_secrets=reveals_secrets()), 201)

    @app.get("/api/v2/commands/<command_id>")
    async def get_command(command_id: str) -> Response:
        return json_response(await query.command(command_id, reveal_secrets=reveals_secrets()))

    @app.get("/api/v2/commands")
    async def list_commands() -> Response:
        status = params.text("status")
        if status is not None and status not in STATUSES:
            raise BadRequest(f"status must be one of {list(STATUSES)}, got {status!r}")
        limit, offset = params.paging()
        return json_response(
            await query.commands(
                cluster_id=params.text("cluster_id"),
                status=status,
                limit=limit,
                offset=offset,
                reveal_secrets=reveals_secrets(),
            )
        )
