"""Slack incoming webhooks."""

from __future__ import annotations

from typing import Any

import httpx

from .errors import SendError
from .message import Notification, slack_payload


async def send_slack(client: httpx.AsyncClient, config: dict[str, Any], note: Notification) -> None:
    """Post the message to the channel's webhook URL. Raises SendError (the URL never in it)."""
    url = config["webhook_url"]
    try:
        response = await client.post(url, json=slack_payload(note))
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        # The URL is the credential: keep it out of the message.
        raise SendError(f"{type(err).__name__}: {str(err).replace(url, '<webhook_url>')}") from None
    if response.status_code >= 300:
        raise SendError(f"Slack answered HTTP {response.status_code}: {response.text[:200]}")
