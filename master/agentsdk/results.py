"""Command results of either agent generation, of any size: each is sent once, never again.

A result refused for its size would leave its command running (and a
`get_logs` handed out again and again). So the result route reads bodies of
any length, keeps at most `limit` bytes, and for a larger body fails the
command with a note: both Go agents write the command's id and `success`
first, so the head of the body still names the command.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable

import msgspec

from ..model.command import CommandResult, LaterCommandResult
from ..model.errors import BadRequest
from ..model.generation import V2, V3, Generation
from ..webapi import decode_body

_HEAD = re.compile(
    rb'\s*\{\s*"command(_id|Id)"\s*:\s*"((?:[^"\\]|\\.){1,200})"\s*,\s*"success"\s*:'
)


class _ResultKeys(msgspec.Struct):
    """Which spelling of the command's id a result body has."""

    v2: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="command_id")
    v3: msgspec.Raw = msgspec.field(default=msgspec.Raw(), name="commandId")


_keys = msgspec.json.Decoder(_ResultKeys)
_decoders: dict[Generation, msgspec.json.Decoder[CommandResult]] = {
    V2: msgspec.json.Decoder(CommandResult),
    V3: msgspec.json.Decoder(LaterCommandResult),
}


def read_result(body: bytes) -> CommandResult:
    """A result body in its generation's dialect: `command_id` (Agent V2) or `commandId`
    (the later agent). BadRequest for both, neither, bad JSON or wrong types."""
    keys = decode_body(_keys, body, "result body")
    if bool(keys.v2) == bool(keys.v3):
        which = "both" if keys.v2 else "neither"
        raise BadRequest(
            f"result body has {which} command_id (Agent V2) and commandId (the later agent)"
        )
    return decode_body(_decoders[V3 if keys.v3 else V2], body, "result body")


async def read_capped(body: AsyncIterable[bytes], limit: int) -> tuple[bytes, int]:
    """The first `limit` bytes of `body` (the rest is read and dropped) and its whole length."""
    kept = bytearray()
    total = 0
    async for chunk in body:
        total += len(chunk)
        room = limit - len(kept)
        if room > 0:
            kept += chunk[:room]
    return bytes(kept), total


def oversized(head: bytes, total: int, limit: int) -> CommandResult | None:
    """The failure to record for a result of `total` bytes over `limit`; None when `head`
    does not start the way the Go agent's result does (then nothing names the command)."""
    m = _HEAD.match(head)
    if m is None:
        return None
    try:
        command_id = msgspec.json.decode(b'"' + m.group(2) + b'"', type=str)
    except msgspec.DecodeError:
        return None
    dialect = LaterCommandResult if m.group(1) == b"Id" else CommandResult
    return dialect(
        command_id=command_id,
        success=False,
        error=(
            f"the agent's result was {total} bytes, over the master's limit of {limit} "
            "(MASTER_AGENT_MAX_RESULT); its output was dropped"
        ),
    )
