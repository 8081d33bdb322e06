"""Command results of any size: the agent sends each once and never retries.

A result refused for its size would leave its command running (and a
`get_logs` handed out again and again). So the result route reads bodies of
any length, keeps at most `limit` bytes, and for a larger body fails the
command with a note: the Go agent writes `command_id` and `success` first, so
the head of the body still names the command.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterable

import msgspec

from ..model.command import CommandResult

_HEAD = re.compile(rb'\s*\{\s*"command_id"\s*:\s*"((?:[^"\\]|\\.){1,200})"\s*,\s*"success"\s*:')


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
        command_id = msgspec.json.decode(b'"' + m.group(1) + b'"', type=str)
    except msgspec.DecodeError:
        return None
    return CommandResult(
        command_id=command_id,
        success=False,
        error=(
            f"the agent's result was {total} bytes, over the master's limit of {limit} "
            "(MASTER_AGENT_MAX_RESULT); its output was dropped"
        ),
    )
