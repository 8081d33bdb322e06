"""Channel types, their typed config (validated, with secrets kept on update), effectiveness."""

from __future__ import annotations

import re
from typing import Any

import httpx
import msgspec

from ..model.alert import SEVERITIES, severity_rank
from ..model.errors import BadRequest

CHANNEL_TYPES = ("slack", "email", "webhook")
DEFAULT_NAMES = {"slack": "Slack", "email": "E-mail", "webhook": "Webhook"}
# Encrypted at rest, never shown by the API or written to a log. A webhook's URL often
# carries its credential (a token in the path or query), like Slack's.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("webhook_url",),
    "email": ("smtp_password",),
    "webhook": ("url", "secret"),
}
MASK = "***"
SMTP_TLS_MODES = ("starttls", "tls", "none")
_URL = re.compile(r"https?://[^/\s?#]+(?:[/?#]\S*)?")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]+")
_ADDRESS = re.compile(r"[^@\s,<>]+@[^@\s,<>]+")


class _Filters(msgspec.Struct, frozen=True, kw_only=True):
    """Which alerts a channel wants: a least severity, and clusters (none listed: all)."""

    min_severity: str = "critical"
    clusters: tuple[str, ...] = ()


class SlackConfig(_Filters, frozen=True, kw_only=True):
    webhook_url: str = ""


class EmailConfig(_Filters, frozen=True, kw_only=True):
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_tls: str = "starttls"
    from_address: str = ""
    to_addresses: tuple[str, ...] = ()


class WebhookConfig(_Filters, frozen=True, kw_only=True):
    url: str = ""
    secret: str = ""


ChannelConfig = SlackConfig | EmailConfig | WebhookConfig
CONFIG_TYPES: dict[str, type[ChannelConfig]] = {
    "slack": SlackConfig,
    "email": EmailConfig,
    "webhook": WebhookConfig,
}
# The fields an operator may set, per type.
_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("webhook_url", "min_severity", "clusters"),
    "email": (
        "smtp_host",
        "smtp_port",
        "smtp_user",
        "smtp_password",
        "smtp_tls",
        "from_address",
        "to_addresses",
        "min_severity",
        "clusters",
    ),
    "webhook": ("url", "secret", "min_severity", "clusters"),
}


def channel_type(config: ChannelConfig) -> str:
    """ "slack", "email" or "webhook"."""
    return next(t for t, cls in CONFIG_TYPES.items() if isinstance(config, cls))


def _string(config: dict[str, Any], key: str) -> str:
    value = config.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        # A secret's value is never echoed, not even a wrong one.
        shown = type(value).__name__ if _is_secret(key) else repr(value)[:100]
        raise BadRequest(f"config.{key} must be a string, got {shown}")
    return value.strip()


def _is_secret(key: str) -> bool:
    return any(key in keys for keys in SECRET_FIELDS.values())


def _ascii(config: dict[str, Any], key: str) -> str:
    """SMTP AUTH sends the login as ASCII (smtplib would fail at send time)."""
    value = _string(config, key)
    if not value.isascii():
        raise BadRequest(f"config.{key} must be ASCII (SMTP login)")
    return value


def _url(config: dict[str, Any], key: str) -> str:
    url = _string(config, key)
    if not url:
        return url
    try:
        port = httpx.URL(url).port  # what the sender will parse; a bad port or host fails here
    except (httpx.InvalidURL, ValueError):
        port = -1
    if not _URL.fullmatch(url) or (port is not None and not 0 < port <= 65535):
        raise BadRequest(f"config.{key} must be an http:// or https:// URL")
    return url


def _list(config: dict[str, Any], key: str) -> tuple[str, ...]:
    value = config.get(key) or []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"config.{key} must be a list of strings")
    return tuple(v.strip() for v in value if v.strip())


def _tls(value: Any) -> str:
    # The Go master's smtp_tls is a boolean meaning implicit TLS.
    if value is None or value == "":
        return "starttls"
    if isinstance(value, bool):
        return "tls" if value else "none"
    if isinstance(value, str) and value.strip().lower() in SMTP_TLS_MODES:
        return value.strip().lower()
    raise BadRequest(f"config.smtp_tls must be one of {', '.join(SMTP_TLS_MODES)} or a boolean")


def _email(given: dict[str, Any], severity: str, clusters: tuple[str, ...]) -> EmailConfig:
    host = _string(given, "smtp_host")
    if host and not _HOST.fullmatch(host):
        raise BadRequest("config.smtp_host must be a host name or IP address")
    port = given.get("smtp_port", 0) or 0
    if isinstance(port, str) and port.strip().isascii() and port.strip().isdigit():
        port = int(port[:6])
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise BadRequest("config.smtp_port must be a port number 1-65535")
    tls = _tls(given.get("smtp_tls"))
    sender = _string(given, "from_address")
    if sender and not _ADDRESS.fullmatch(sender):
        raise BadRequest("config.from_address must be an e-mail address")
    to = _list(given, "to_addresses")
    for address in to:
        if not _ADDRESS.fullmatch(address):
            raise BadRequest(f"config.to_addresses: {address!r} is not an e-mail address")
    return EmailConfig(
        smtp_host=host,
        smtp_port=port or (465 if tls == "tls" else 587),
        smtp_user=_ascii(given, "smtp_user"),
        smtp_password=_ascii(given, "smtp_password"),
        smtp_tls=tls,
        from_address=sender,
        to_addresses=to,
        min_severity=severity,
        clusters=clusters,
    )


def normalize_config(type: str, config: Any, stored: ChannelConfig | None = None) -> ChannelConfig:
    """The channel config to store, from what an operator sent (a JSON object) and what is
    stored.

    A secret field that is omitted or sent as the mask keeps its stored value;
    an empty string clears it. Raises BadRequest naming the field at fault.
    """
    if not isinstance(config, dict):
        raise BadRequest("config must be a JSON object")
    unknown = sorted(set(config) - set(_FIELDS[type]))
    if unknown:
        raise BadRequest(
            f"config.{unknown[0]} is not a {type} setting (known: {', '.join(_FIELDS[type])})"
        )
    given = dict(config)
    for key in SECRET_FIELDS[type]:
        if key not in given or given[key] == MASK:
            given[key] = getattr(stored, key, "") if stored is not None else ""
    severity = given.get("min_severity") or "critical"  # wake people for what needs them
    if severity not in SEVERITIES:
        raise BadRequest(f"config.min_severity must be one of {', '.join(SEVERITIES)}")
    clusters = _list(given, "clusters")
    if type == "slack":
        return SlackConfig(
            webhook_url=_url(given, "webhook_url"), min_severity=severity, clusters=clusters
        )
    if type == "webhook":
        return WebhookConfig(
            url=_url(given, "url"),
            secret=_string(given, "secret"),
            min_severity=severity,
            clusters=clusters,
        )
    return _email(given, severity, clusters)


def ineffective_reason(enabled: bool, config: ChannelConfig) -> str | None:
    """Why the channel would send nothing, or None when it is effective."""
    if isinstance(config, SlackConfig) and not config.webhook_url:
        missing = "a webhook_url"
    elif isinstance(config, WebhookConfig) and not config.url:
        missing = "a url"
    elif isinstance(config, EmailConfig) and not config.smtp_host:
        missing = "an smtp_host"
    elif isinstance(config, EmailConfig) and not config.to_addresses:
        missing = "at least one address in to_addresses"
    else:
        return None if enabled else "disabled"
    return f"config needs {missing}" + ("" if enabled else "; and it is disabled")


def masked(config: ChannelConfig) -> tuple[ChannelConfig, dict[str, bool]]:
    """The config as the API shows it (secrets as the mask) and which secrets are set."""
    secrets = SECRET_FIELDS[channel_type(config)]
    is_set = {key: bool(getattr(config, key)) for key in secrets}
    shown = msgspec.structs.replace(config, **{key: MASK if is_set[key] else "" for key in secrets})
    return shown, is_set


def wants(config: ChannelConfig, cluster_id: str, severity: str) -> bool:
    """The channel's filters: minimum severity, and clusters (none listed: all)."""
    if config.clusters and cluster_id and cluster_id not in config.clusters:
        return False
    return severity_rank(severity) >= severity_rank(config.min_severity)
