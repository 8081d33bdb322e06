"""One notification to one channel: the right sender, a time limit, retries with backoff."""

from __future__ import annotations

import httpx
import trio

from .channels import ChannelConfig, EmailConfig, SlackConfig
from .email import send_email
from .errors import SendError
from .message import Notification
from .slack import send_slack
from .webhook import send_webhook


async def send_once(
    config: ChannelConfig,
    note: Notification,
    *,
    client: httpx.AsyncClient,
    per_attempt: float,
    allow_private: bool,
) -> None:
    """One attempt within `per_attempt` seconds. Raises SendError.

    `client` must guard its connections the same way (guard.open_http_client).
    """
    try:
        with trio.fail_after(per_attempt):
            if isinstance(config, SlackConfig):
                await send_slack(client, config, note)
            elif isinstance(config, EmailConfig):
                await send_email(
                    config, note, socket_timeout=per_attempt, allow_private=allow_private
                )
            else:
                await send_webhook(client, config, note)
    except trio.TooSlowError:
        raise SendError(f"no answer within {per_attempt:g}s") from None


async def deliver(
    config: ChannelConfig,
    note: Notification,
    *,
    client: httpx.AsyncClient,
    per_attempt: float,
    attempts: int,
    backoff: float,
    allow_private: bool,
) -> int:
    """Send with up to `attempts` tries, waiting backoff, 2*backoff, ... between them.

    Returns the attempts it took. Raises SendError with the last failure.
    """
    for attempt in range(1, attempts + 1):
        try:
            await send_once(
                config, note, client=client, per_attempt=per_attempt, allow_private=allow_private
            )
            return attempt
        except SendError as err:
            if attempt == attempts:
                raise SendError(f"failed after {attempts} attempt(s): {err}") from None
            await trio.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")
