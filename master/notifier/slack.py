"""Slack incoming webhooks."""

from __future__ import annotations

import httpx
import msgspec

from .channels import SlackConfig
from .errors import SendError
from .message import Notification, slack_payload


async def send_slack(client: httpx.AsyncClient, config: SlackConfig, note: Notification) -> None:
    """Post the message to the channel's webhook URL. Raises SendError (the URL never in it,
    nor what the receiver answered: a test must not read out an internal service)."""
    url = config.webhook_url
    body = msgspec.json.encode(slack_payload(note))
    try:
        response = await client.post(
            url, content=body, headers={"Content-Type": "application/json"}
        )
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        # The URL is the credential: keep it out of the message.
        raise SendError(f"{type(err).__name__}: {str(err).replace(url, '<webhook_url>')}") from None
    if response.status_code >= 300:
        raise SendError(f"Slack answered HTTP {response.status_code}")
