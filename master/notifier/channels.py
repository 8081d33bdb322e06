"""Channel types, their config (validated, with secrets kept on update), and effectiveness."""

from __future__ import annotations

import re
from typing import Any

import httpx

from ..model.alert import SEVERITIES, severity_rank
from ..model.errors import BadRequest

CHANNEL_TYPES = ("slack", "email", "webhook")
DEFAULT_NAMES = {"slack": "Slack", "email": "E-mail", "webhook": "Webhook"}
# Encrypted at rest, never shown by the API or written to a log.
SECRET_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("webhook_url",),
    "email": ("smtp_password",),
    "webhook": ("secret",),
}
MASK = "***"
SMTP_TLS_MODES = ("starttls", "tls", "none")
_FILTERS = ("min_severity", "clusters")
_FIELDS: dict[str, tuple[str, ...]] = {
    "slack": ("webhook_url", *_FILTERS),
    "email": (
        "smtp_host",
        "smtp_port",
        "smtp_user",
        "smtp_password",
        "smtp_tls",
        "from_address",
        "to_addresses",
        *_FILTERS,
    ),
    "webhook": ("url", "secret", *_FILTERS),
}
_URL = re.compile(r"https?://[^/\s?#]+(?:[/?#]\S*)?")
_HOST = re.compile(r"[A-Za-z0-9._:\[\]-]+")
_ADDRESS = re.compile(r"[^@\s,<>]+@[^@\s,<>]+")


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


def _list(config: dict[str, Any], key: str) -> list[str]:
    value = config.get(key) or []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRequest(f"config.{key} must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _tls(value: Any) -> str:
    # The Go master's smtp_tls is a boolean meaning implicit TLS.
    if value is None or value == "":
        return "starttls"
    if isinstance(value, bool):
        return "tls" if value else "none"
    if isinstance(value, str) and value.strip().lower() in SMTP_TLS_MODES:
        return value.strip().lower()
    raise BadRequest(f"config.smtp_tls must be one of {', '.join(SMTP_TLS_MODES)} or a boolean")


def normalize_config(type: str, config: Any, stored: dict[str, Any]) -> dict[str, Any]:
    """The channel config to store, from what an operator sent and what is stored.

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
            given[key] = stored.get(key, "")
    out: dict[str, Any] = {}
    if type == "slack":
        out["webhook_url"] = _url(given, "webhook_url")
    elif type == "webhook":
        out["url"] = _url(given, "url")
        out["secret"] = _string(given, "secret")
    else:
        host = _string(given, "smtp_host")
        if host and not _HOST.fullmatch(host):
            raise BadRequest("config.smtp_host must be a host name or IP address")
        port = given.get("smtp_port", 0) or 0
        if isinstance(port, str) and port.strip().isascii() and port.strip().isdigit():
            port = int(port[:6])
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise BadRequest("config.smtp_port must be a port number 1-65535")
        tls = _tls(given.get("smtp_tls"))
        out.update(
            smtp_host=host,
            smtp_port=port or (465 if tls == "tls" else 587),
            smtp_user=_ascii(given, "smtp_user"),
            smtp_password=_ascii(given, "smtp_password"),
            smtp_tls=tls,
        )
        sender = _string(given, "from_address")
        if sender and not _ADDRESS.fullmatch(sender):
            raise BadRequest("config.from_address must be an e-mail address")
        out["from_address"] = sender
        to = _list(given, "to_addresses")
        for address in to:
            if not _ADDRESS.fullmatch(address):
                raise BadRequest(f"config.to_addresses: {address!r} is not an e-mail address")
        out["to_addresses"] = to
    severity = given.get("min_severity") or "critical"  # wake people for what needs them
    if severity not in SEVERITIES:
        raise BadRequest(f"config.min_severity must be one of {', '.join(SEVERITIES)}")
    out["min_severity"] = severity
    out["clusters"] = _list(given, "clusters")
    return out


def ineffective_reason(type: str, enabled: bool, config: dict[str, Any]) -> str | None:
    """Why the channel would send nothing, or None when it is effective."""
    if type == "slack" and not config.get("webhook_url"):
        missing = "a webhook_url"
    elif type == "webhook" and not config.get("url"):
        missing = "a url"
    elif type == "email" and not config.get("smtp_host"):
        missing = "an smtp_host"
    elif type == "email" and not config.get("to_addresses"):
        missing = "at least one address in to_addresses"
    else:
        return None if enabled else "disabled"
    return f"config needs {missing}" + ("" if enabled else "; and it is disabled")


def masked(type: str, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, bool]]:
    """The config as the API shows it (secrets as the mask) and which secrets are set."""
    shown = dict(config)
    is_set = {}
    for key in SECRET_FIELDS[type]:
        is_set[key] = bool(config.get(key))
        shown[key] = MASK if config.get(key) else ""
    return shown, is_set


def wants(config: dict[str, Any], cluster_id: str, severity: str) -> bool:
    """The channel's filters: minimum severity, and clusters (none listed: all)."""
    clusters = config.get("clusters") or []
    if clusters and cluster_id and cluster_id not in clusters:
        return False
    return severity_rank(severity) >= severity_rank(config.get("min_severity", "info"))
