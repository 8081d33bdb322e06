"""Generic webhooks: a JSON body signed with HMAC-SHA256.

Headers: `X-Atlhyper-Timestamp: <unix seconds>` and
`X-Atlhyper-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the
channel secret>`. A receiver recomputes it over the raw body and compares in constant
time, and refuses old timestamps to stop replays. No secret: no signature header.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import msgspec

from .channels import WebhookConfig
from .errors import SendError
from .message import Notification, webhook_payload

TIMESTAMP_HEADER = "X-Atlhyper-Timestamp"
SIGNATURE_HEADER = "X-Atlhyper-Signature"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


async def send_webhook(
    client: httpx.AsyncClient, config: WebhookConfig, note: Notification
) -> None:
    """Post the signed JSON body to the channel's URL. Raises SendError (the URL, a secret
    like Slack's, never in it)."""
    body = msgspec.json.encode(webhook_payload(note))
    timestamp = str(int(time.time()))
    headers = {"Content-Type": "application/json", TIMESTAMP_HEADER: timestamp}
    if config.secret:
        headers[SIGNATURE_HEADER] = sign(config.secret, timestamp, body)
    try:
        response = await client.post(config.url, content=body, headers=headers)
    except (httpx.HTTPError, httpx.InvalidURL) as err:
        raise SendError(f"{type(err).__name__}: {str(err).replace(config.url, '<url>')}") from None
    if response.status_code >= 300:
        raise SendError(f"webhook answered HTTP {response.status_code}")
