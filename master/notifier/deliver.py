"""One notification to one channel: the right sender, a time limit, retries with backoff."""

from __future__ import annotations

from typing import Any

import httpx
import trio

from .email import send_email
from .errors import SendError
from .message import Notification
from .slack import send_slack
from .webhook import send_webhook


async def send_once(
    type: str,
    config: dict[str, Any],
    note: Notification,
    *,
    client: httpx.AsyncClient,
    per_attempt: float,
) -> None:
    """One attempt within `per_attempt` seconds. Raises SendError."""
    try:
        with trio.fail_after(per_attempt):
            if type == "slack":
                await send_slack(client, config, note)
            elif type == "webhook":
                await send_webhook(client, config, note)
            else:
                await send_email(config, note, socket_timeout=per_attempt)
    except trio.TooSlowError:
        raise SendError(f"no answer within {per_attempt:g}s") from None


async def deliver(
    type: str,
    config: dict[str, Any],
    note: Notification,
    *,
    client: httpx.AsyncClient,
    per_attempt: float,
    attempts: int,
    backoff: float,
) -> int:
    """Send with up to `attempts` tries, waiting backoff, 2*backoff, ... between them.

    Returns the attempts it took. Raises SendError with the last failure.
    """
    for attempt in range(1, attempts + 1):
        try:
            await send_once(type, config, note, client=client, per_attempt=per_attempt)
            return attempt
        except SendError as err:
            if attempt == attempts:
                raise SendError(f"failed after {attempts} attempt(s): {err}") from None
            await trio.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
