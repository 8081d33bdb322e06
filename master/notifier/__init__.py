"""Slack, e-mail and generic webhook senders, and the messages they carry.

No I/O policy lives here beyond one delivery: what to send, when and to whom
is the alert service's business (master/service/notify.py).
"""

from ..model.alert import SEVERITIES, severity_rank
from .channels import (
    CHANNEL_TYPES,
    CONFIG_TYPES,
    DEFAULT_NAMES,
    MASK,
    SECRET_FIELDS,
    ChannelConfig,
    EmailConfig,
    SlackConfig,
    WebhookConfig,
    ineffective_reason,
    masked,
    normalize_config,
    wants,
)
from .deliver import deliver, send_once
from .errors import SendError
from .guard import open_http_client
from .message import AlertItem, Notification
from .webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

__all__ = [
    "CHANNEL_TYPES",
    "CONFIG_TYPES",
    "DEFAULT_NAMES",
    "MASK",
    "SECRET_FIELDS",
    "SEVERITIES",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "AlertItem",
    "ChannelConfig",
    "EmailConfig",
    "Notification",
    "SendError",
    "SlackConfig",
    "WebhookConfig",
    "deliver",
    "ineffective_reason",
    "masked",
    "normalize_config",
    "open_http_client",
    "send_once",
    "severity_rank",
    "sign",
    "wants",
]
