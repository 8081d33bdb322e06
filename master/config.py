"""The master's configuration: `config.toml`, then `MASTER_*` environment overrides.

Everything the master can be told lives in one frozen `Config` whose defaults
carry their units (durations are float seconds, sizes int bytes), in the manner
of hypercorn's `Config`. `SETTINGS` is the single table that ties each field to
its environment variable, its TOML section and key, its parser and its help
text; loading, the shipped `config.toml` and the docs tests all iterate over it,
so a setting cannot be added in one place and forgotten in another.

Environment names are those of the Go master, so a deployment can switch to
this one without renaming its variables.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
import os
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = [
    "DEFAULT_CONFIG_PATH",
    "LOG_LEVELS",
    "SETTINGS",
    "Config",
    "ConfigError",
    "Setting",
    "load_config",
    "parse_duration",
    "parse_size",
    "unknown_env_vars",
]

DEFAULT_CONFIG_PATH = Path("config.toml")
LOG_LEVELS = ("debug", "info", "warning", "error")

# The Go agent gives up on a poll after 60 s; that deadline also has to cover
# running the command and reporting its result, so the long poll must end first.
AGENT_POLL_DEADLINE = 60.0

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB


class ConfigError(Exception):
    """A setting is missing its mark; the message names it and says what is wanted."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Every knob of the master, with its default. Built by `load_config`."""

    # [server]
    bind_host: str = "127.0.0.1"
    gateway_port: int = 8080
    agentsdk_port: int = 8081
    shutdown_grace: float = 5.0
    log_level: str = "info"
    cors_origins: tuple[str, ...] = ()
    # [storage]
    data_dir: Path = Path("data")
    db_path: Path | None = None
    event_retention_days: int = 30
    event_max_count: int = 100_000
    event_cleanup_interval: float = 3600.0
    event_max_bytes: int = 128 * MiB
    # [datahub]
    heartbeat_expire: float = 45.0
    event_window: float = 1800.0
    # [commands]
    command_poll_timeout: float = 30.0
    command_queue_size: int = 100
    command_expire: float = 300.0
    command_result_timeout: float = 300.0
    command_max_attempts: int = 3
    command_output_max_bytes: int = 1 * MiB
    command_logs_tail_default: int = 1000
    command_logs_tail_max: int = 10_000
    # [agent]
    max_body_bytes: int = 32 * MiB
    max_snapshot_bytes: int = 256 * MiB
    body_timeout: float = 60.0
    agent_require_token: bool = True
    max_result_bytes: int = 64 * MiB
    max_events: int = 10_000
    max_event_message_bytes: int = 4 * KiB
    # [auth]
    admin_username: str = "admin"
    admin_password: str = ""
    jwt_secret: str = ""
    jwt_lifetime: float = 43200.0
    public_read: bool = False
    login_max_failures: int = 5
    login_backoff: float = 30.0
    audit_retention_days: int = 90
    # [stream]
    stream_replay: int = 10000
    stream_queue: int = 256
    stream_coalesce: float = 0.5
    stream_ping_interval: float = 20.0
    # [demo]
    demo_agents: int = 0
    demo_pods: int = 40
    demo_snapshot_interval: float = 20.0
    demo_heartbeat_interval: float = 15.0
    # [alerts]
    alert_enabled: bool = True
    alert_interval: float = 1.0
    alert_cooldown: float = 1800.0
    alert_deployment_grace: float = 300.0
    alert_burst_count: int = 10
    alert_burst_window: float = 300.0
    public_url: str = ""
    # [notify]
    notify_timeout: float = 10.0
    notify_attempts: int = 3
    notify_backoff: float = 1.0
    notify_queue_size: int = 100
    mail_enabled: bool = False
    mail_smtp_host: str = ""
    mail_smtp_port: int = 587
    mail_smtp_tls: str = "starttls"
    mail_username: str = ""
    mail_password: str = ""
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    slack_enabled: bool = False
    slack_webhook_url: str = ""
    webhook_enabled: bool = False
    webhook_url: str = ""
    webhook_secret: str = ""

    @property
    def database_path(self) -> Path:
        """The SQLite file: `db_path` when set, else `master.db` in the data directory."""
        return self.db_path if self.db_path is not None else self.data_dir / "master.db"

    def replace(self, **changes: Any) -> Config:
        """A copy with some fields changed (no validation: for tests and `__main__` flags)."""
        return dataclasses.replace(self, **changes)


# --- value parsers -----------------------------------------------------------
#
# Each parser takes what the environment (always a string) or TOML (string,
# int, float, ...) gave and returns the typed, validated value, or raises
# ValueError with a message that completes "<setting>: ...".

_DURATION_UNITS: dict[str, Fraction] = {
    "ns": Fraction(1, 10**9),
    "us": Fraction(1, 10**6),
    "µs": Fraction(1, 10**6),  # U+00B5 micro sign
    "μs": Fraction(1, 10**6),  # U+03BC Greek mu; Go accepts both
    "ms": Fraction(1, 10**3),
    "s": Fraction(1),
    "m": Fraction(60),
    "h": Fraction(3600),
}
_NUMBER = r"(?:\d+\.?\d*|\.\d+)"
_BARE_NUMBER = re.compile(rf"[-+]?{_NUMBER}")
_DURATION = re.compile(rf"([-+]?)((?:{_NUMBER}[^\d.]+)+)")
_DURATION_PART = re.compile(rf"({_NUMBER})([^\d.]+)")


def parse_duration(text: str | int | float) -> float:
    """Seconds from a Go `time.ParseDuration` string ("90s", "1h30m", "500ms").

    A bare number, or a TOML int or float, means seconds. Units are ns, us
    (or µs), ms, s, m and h. A sign is accepted here so that validation can
    reject negative values with a message about the setting, not the syntax.
    Raises ValueError for anything else.
    """
    if isinstance(text, bool):  # bool is an int; `true` is never a duration
        raise ValueError(f"expected a duration like '30s' or '1h30m', got {text!r}")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise ValueError(f"expected a finite duration, got {text!r}")
        return float(text)
    s = text.strip()
    if _BARE_NUMBER.fullmatch(s):
        return float(Fraction(s))
    m = _DURATION.fullmatch(s)
    if m is None:
        raise ValueError(f"expected a duration like '30s', '1h30m' or '500ms', got {text!r}")
    total = Fraction(0)
    for number, unit in _DURATION_PART.findall(m.group(2)):
        if unit not in _DURATION_UNITS:
            raise ValueError(
                f"unknown unit {unit!r} in duration {text!r} (use ns, us, ms, s, m or h)"
            )
        total += Fraction(number) * _DURATION_UNITS[unit]
    try:
        seconds = float(total)
    except OverflowError:
        raise ValueError(f"duration {text!r} is too large") from None
    return -seconds if m.group(1) == "-" else seconds


_SIZE_UNITS: dict[str, int] = {
    "": 1,
    "b": 1,
    "kb": 1000,
    "mb": 1000**2,
    "gb": 1000**3,
    "tb": 1000**4,
    "kib": KiB,
    "mib": MiB,
    "gib": GiB,
    "tib": 1024 * GiB,
    # Kubernetes quantity spellings, familiar to the people running this.
    "ki": KiB,
    "mi": MiB,
    "gi": GiB,
    "ti": 1024 * GiB,
}
_SIZE = re.compile(rf"([-+]?{_NUMBER})\s*([A-Za-z]*)")


def parse_size(text: str | int) -> int:
    """Bytes from an int or a string like "32MiB", "1GiB", "10MB" or "100B".

    Binary (KiB, MiB, GiB, TiB; also Ki, Mi, Gi, Ti) and decimal (kB, MB, GB,
    TB) units, case-insensitive; a bare number is bytes. Fractions are allowed
    when they come to whole bytes ("1.5KiB"). Raises ValueError otherwise.
    """
    if isinstance(text, bool):
        raise ValueError(f"expected a size like '32MiB', got {text!r}")
    if isinstance(text, int):
        return text
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"expected a size like '32MiB', '1GiB' or '10MB', got {text!r}")
    number, unit = m.groups()
    if unit.lower() not in _SIZE_UNITS:
        raise ValueError(
            f"unknown unit {unit!r} in size {text!r} (use B, KiB, MiB, GiB, TiB, kB, MB, GB, TB)"
        )
    size = Fraction(number) * _SIZE_UNITS[unit.lower()]
    if size.denominator != 1:
        raise ValueError(f"size {text!r} is not a whole number of bytes")
    return int(size)


def _int(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected an integer, got {value!r}")


def _port(value: object) -> int:
    try:
        port = _int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ValueError(f"expected a port 0-65535 (0 picks a free port), got {value!r}")
    return port


def _count(minimum: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        n = _int(value)
        if n < minimum:
            raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
        return n

    return parse


def _duration(*, allow_zero: bool = False, below: float | None = None) -> Callable[[object], float]:
    def parse(value: object) -> float:
        if not isinstance(value, str | int | float):
            raise ValueError(f"expected a duration like '30s' or '1h30m', got {value!r}")
        seconds = parse_duration(value)
        if seconds < 0 or (seconds == 0 and not allow_zero):
            bound = ">= 0" if allow_zero else "> 0"
            raise ValueError(f"expected a duration {bound}, got {value!r}")
        if below is not None and seconds >= below:
            raise ValueError(f"expected a duration under {below:g}s, got {value!r}")
        return seconds

    return parse


def _size(value: object) -> int:
    if not isinstance(value, str | int):
        raise ValueError(f"expected a size like '32MiB', got {value!r}")
    n = parse_size(value)
    if n < 1:
        raise ValueError(f"expected a size of at least 1 byte, got {value!r}")
    return n


def _string(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def _log_level(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in LOG_LEVELS:
        return value.strip().lower()
    raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")


def _optional_string(value: object) -> str:
    # "" means "not set": the master then generates what is needed (and says so).
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def _bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def _origins(value: object) -> tuple[str, ...]:
    items = (
        list(value)
        if isinstance(value, list | tuple)
        else value.split(",")
        if isinstance(value, str)
        else None
    )
    if items is None or not all(isinstance(i, str) for i in items):
        raise ValueError(f"expected a comma-separated list of origins, got {value!r}")
    origins = tuple(i.strip().rstrip("/") for i in items if i.strip())
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ValueError(f"expected origins like https://ops.example.com, got {origin!r}")
    return origins


SMTP_TLS_MODES = ("starttls", "tls", "none")


def _smtp_tls(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in SMTP_TLS_MODES:
        return value.strip().lower()
    raise ValueError(f"expected one of {', '.join(SMTP_TLS_MODES)}, got {value!r}")


def _optional_url(value: object) -> str:
    url = _optional_string(value)
    if url and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return url


def _addresses(value: object) -> tuple[str, ...]:
    items = (
        list(value)
        if isinstance(value, list | tuple)
        else value.split(",")
        if isinstance(value, str)
        else None
    )
    if items is None or not all(isinstance(i, str) for i in items):
        raise ValueError(f"expected a comma-separated list of e-mail addresses, got {value!r}")
    addresses = tuple(i.strip() for i in items if i.strip())
    for address in addresses:
        if not re.fullmatch(r"[^@\s,]+@[^@\s,]+", address):
            raise ValueError(f"expected e-mail addresses like ops@example.com, got {address!r}")
    return addresses


def _path(value: object) -> Path:
    return Path(_string(value))


def _optional_path(value: object) -> Path | None:
    # TOML has no null, so "" is how the file (or the environment) says "unset".
    if isinstance(value, str) and not value.strip():
        return None
    return _path(value)


# --- the table ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Setting:
    """One row of `SETTINGS`: where a `Config` field comes from and what it means."""

    field: str
    env: str
    section: str
    key: str
    parse: Callable[[object], object]
    help: str

    @property
    def toml_name(self) -> str:
        """How error messages and docs name it in the file: `[server] gateway_port`."""
        return f"[{self.section}] {self.key}"

    @property
    def default(self) -> object:
        """The value when neither the file nor the environment sets it."""
        return getattr(_DEFAULTS, self.field)


# One row per setting: field, env var, TOML section and key, parser, then help.
# fmt: off
SETTINGS: tuple[Setting, ...] = (
    Setting("bind_host", "MASTER_BIND_HOST", "server", "bind_host", _string,
            "Address both HTTP servers listen on; 0.0.0.0 for all interfaces."),
    Setting("gateway_port", "MASTER_GATEWAY_PORT", "server", "gateway_port", _port,
            "Port of the operator-facing gateway (REST API, websocket, dashboard); "
            "0 picks a free port."),
    Setting("agentsdk_port", "MASTER_AGENTSDK_PORT", "server", "agentsdk_port", _port,
            "Port the cluster agents push to and poll; 0 picks a free port."),
    Setting("shutdown_grace", "MASTER_SHUTDOWN_GRACE", "server", "shutdown_grace",
            _duration(allow_zero=True),
            "How long in-flight requests get to finish at shutdown (duration; 0 cuts them off)."),
    Setting("log_level", "MASTER_LOG_LEVEL", "server", "log_level", _log_level,
            "Logging threshold: debug, info, warning or error."),
    Setting("cors_origins", "MASTER_CORS_ORIGINS", "server", "cors_origins", _origins,
            "Browser origins besides the gateway's own allowed to call the API "
            "(comma-separated, e.g. https://ops.example.com); empty for none."),
    Setting("data_dir", "MASTER_DATA_DIR", "storage", "data_dir", _path,
            "Directory for durable state, created on first start; relative to the working "
            "directory."),
    Setting("db_path", "MASTER_DB_PATH", "storage", "db_path", _optional_path,
            "SQLite database file; empty means master.db inside data_dir."),
    Setting("event_retention_days", "MASTER_EVENT_RETENTION_DAYS", "storage",
            "event_retention_days", _count(1),
            "Stored Kubernetes events older than this many days are deleted."),
    Setting("event_max_count", "MASTER_EVENT_MAX_COUNT", "storage", "event_max_count",
            _count(1),
            "Stored events kept per cluster; the oldest beyond this are deleted."),
    Setting("event_cleanup_interval", "MASTER_EVENT_CLEANUP_INTERVAL", "storage",
            "event_cleanup_interval", _duration(),
            "How often the event retention limits are enforced (duration)."),
    Setting("event_max_bytes", "MASTER_EVENT_MAX_BYTES", "storage", "event_max_bytes", _size,
            "Stored events kept per cluster by size (their text); the oldest beyond this are "
            "deleted with the other retention limits (size)."),
    Setting("heartbeat_expire", "MASTER_DATAHUB_HEARTBEAT_EXPIRE", "datahub",
            "heartbeat_expire", _duration(),
            "An agent silent for this long is shown offline (duration)."),
    Setting("event_window", "MASTER_DATAHUB_EVENT_RETENTION", "datahub",
            "event_retention", _duration(),
            "Realtime event window kept in memory, by event last_timestamp (duration)."),
    Setting("command_poll_timeout", "MASTER_TIMEOUT_COMMAND_POLL", "commands",
            "poll_timeout", _duration(below=AGENT_POLL_DEADLINE),
            "How long an agent's long poll waits for a command (duration under 60s: the "
            "agent's 60s poll deadline must also cover running and reporting the command)."),
    Setting("command_queue_size", "MASTER_COMMAND_QUEUE_SIZE", "commands",
            "queue_size", _count(1),
            "Pending commands queued per cluster; a full queue answers 429 to the operator."),
    Setting("command_expire", "MASTER_COMMAND_EXPIRE", "commands",
            "expire", _duration(),
            "A command not delivered to its agent within this is marked expired (duration)."),
    Setting("command_result_timeout", "MASTER_COMMAND_RESULT_TIMEOUT", "commands",
            "result_timeout", _duration(),
            "A delivered command with no result within this is marked timeout (duration)."),
    Setting("command_max_attempts", "MASTER_COMMAND_MAX_ATTEMPTS", "commands",
            "max_attempts", _count(1),
            "Times a repeatable command is handed out when its hand-off to the agent was lost."),
    Setting("command_output_max_bytes", "MASTER_COMMAND_OUTPUT_MAX", "commands",
            "output_max_bytes", _size,
            "A command's output (logs, ConfigMap or Secret data) is kept up to this size; the "
            "rest is cut off and the output ends with a note saying so (size)."),
    Setting("command_logs_tail_default", "MASTER_COMMAND_LOGS_TAIL_DEFAULT", "commands",
            "logs_tail_default", _count(1),
            "Log lines get_logs fetches when the request names no tailLines (the agent would "
            "fetch the whole log)."),
    Setting("command_logs_tail_max", "MASTER_COMMAND_LOGS_TAIL_MAX", "commands",
            "logs_tail_max", _count(1),
            "Most log lines one get_logs may ask for; more is refused with 400."),
    Setting("max_body_bytes", "MASTER_AGENT_MAX_BODY", "agent",
            "max_body_bytes", _size,
            "Largest agent request body as sent, compressed (size: '32MiB', '10MB' or bytes)."),
    Setting("max_snapshot_bytes", "MASTER_AGENT_MAX_SNAPSHOT", "agent",
            "max_snapshot_bytes", _size,
            "Largest snapshot after gzip decompression (size: '256MiB', '1GiB' or bytes)."),
    Setting("body_timeout", "MASTER_AGENT_BODY_TIMEOUT", "agent",
            "body_timeout", _duration(),
            "An agent that has not finished sending its request body within this is cut off "
            "(duration)."),
    Setting("agent_require_token", "MASTER_AGENT_REQUIRE_TOKEN", "agent",
            "require_token", _bool,
            "Agents must present a per-cluster token (true or false; false only on a trusted "
            "network, and the master warns at start)."),
    Setting("max_result_bytes", "MASTER_AGENT_MAX_RESULT", "agent",
            "max_result_bytes", _size,
            "Largest command result an agent may send (a whole log can be big); a larger one "
            "fails its command with a note instead of leaving it running (size)."),
    Setting("max_events", "MASTER_AGENT_MAX_EVENTS", "agent", "max_events", _count(1),
            "Events kept of one snapshot, the newest; the summary still counts them all."),
    Setting("max_event_message_bytes", "MASTER_AGENT_MAX_EVENT_MESSAGE", "agent",
            "max_event_message_bytes", _size,
            "Longest event message kept; a longer one is cut there and ends with a note "
            "(size)."),
    Setting("admin_username", "MASTER_ADMIN_USERNAME", "auth", "admin_username", _string,
            "Name of the administrator created on first start when there are no users."),
    Setting("admin_password", "MASTER_ADMIN_PASSWORD", "auth", "admin_password",
            _optional_string,
            "That administrator's password; empty generates a strong one and logs it once."),
    Setting("jwt_secret", "MASTER_JWT_SECRET", "auth", "jwt_secret", _optional_string,
            "Key that signs operator tokens; empty generates one kept in data_dir (mode 0600)."),
    Setting("jwt_lifetime", "MASTER_JWT_LIFETIME", "auth", "jwt_lifetime", _duration(),
            "How long an operator's login token is valid (duration)."),
    Setting("public_read", "MASTER_PUBLIC_READ", "auth", "public_read", _bool,
            "Let anonymous users read cluster state (true or false)."),
    Setting("login_max_failures", "MASTER_LOGIN_MAX_FAILURES", "auth",
            "login_max_failures", _count(1),
            "Failed logins per account or address before further attempts are throttled."),
    Setting("login_backoff", "MASTER_LOGIN_BACKOFF", "auth", "login_backoff", _duration(),
            "First throttling delay after too many failed logins; it doubles with each "
            "further failure (duration)."),
    Setting("audit_retention_days", "MASTER_AUDIT_RETENTION_DAYS", "auth",
            "audit_retention_days", _count(1),
            "Audit and security records older than this many days are deleted."),
    Setting("stream_replay", "MASTER_STREAM_REPLAY", "stream", "replay", _count(1),
            "Live-stream messages kept so a reconnecting browser gets exactly what it "
            "missed; older gaps get a resync."),
    Setting("stream_queue", "MASTER_STREAM_QUEUE", "stream", "queue", _count(1),
            "Messages waiting for one subscriber before it counts as lagging and gets a "
            "resync instead of the backlog."),
    Setting("stream_coalesce", "MASTER_STREAM_COALESCE", "stream", "coalesce",
            _duration(allow_zero=True),
            "Least time between two summary (or last-seen) messages of one cluster; "
            "changes in between are merged into the next one (duration)."),
    Setting("stream_ping_interval", "MASTER_STREAM_PING_INTERVAL", "stream", "ping_interval",
            _duration(),
            "How often the server pings idle stream connections; a connection silent for "
            "two intervals is closed (duration)."),
    Setting("demo_agents", "MASTER_DEMO_AGENTS", "demo",
            "agents", _count(0),
            "Simulated clusters run inside the master, for demos and load tests; 0 for none."),
    Setting("demo_pods", "MASTER_DEMO_PODS", "demo",
            "pods", _count(0),
            "Pods in each simulated cluster."),
    Setting("demo_snapshot_interval", "MASTER_DEMO_SNAPSHOT_INTERVAL", "demo",
            "snapshot_interval", _duration(),
            "How often each simulated cluster pushes a snapshot (duration)."),
    Setting("demo_heartbeat_interval", "MASTER_DEMO_HEARTBEAT_INTERVAL", "demo",
            "heartbeat_interval", _duration(),
            "How often each simulated cluster sends a heartbeat (duration)."),
    Setting("alert_enabled", "MASTER_EVENT_ALERT_ENABLED", "alerts", "enabled", _bool,
            "Evaluate alert rules and notify the channels (true or false)."),
    Setting("alert_interval", "MASTER_EVENT_ALERT_INTERVAL", "alerts", "interval", _duration(),
            "How often changed clusters are checked against the alert rules (duration)."),
    Setting("alert_cooldown", "MASTER_ALERT_COOLDOWN", "alerts", "cooldown",
            _duration(allow_zero=True),
            "A firing alert that repeats within this is counted, not sent again (duration)."),
    Setting("alert_deployment_grace", "MASTER_ALERT_DEPLOYMENT_GRACE", "alerts",
            "deployment_grace", _duration(allow_zero=True),
            "How long a deployment may stay below its desired ready replicas before it alerts "
            "(duration)."),
    Setting("alert_burst_count", "MASTER_ALERT_BURST_COUNT", "alerts", "burst_count", _count(1),
            "More new alerts than this for one cluster within burst_window are sent as one "
            "digest."),
    Setting("alert_burst_window", "MASTER_ALERT_BURST_WINDOW", "alerts", "burst_window",
            _duration(),
            "The window burst_count is counted over (duration)."),
    Setting("public_url", "MASTER_PUBLIC_URL", "alerts", "public_url", _optional_url,
            "Dashboard address as operators reach it, for links in alerts; empty for no links."),
    Setting("notify_timeout", "MASTER_NOTIFY_TIMEOUT", "notify", "timeout", _duration(),
            "Time limit of one attempt to deliver a notification (duration)."),
    Setting("notify_attempts", "MASTER_NOTIFY_ATTEMPTS", "notify", "attempts", _count(1),
            "Attempts per notification and channel before it is recorded as failed."),
    Setting("notify_backoff", "MASTER_NOTIFY_BACKOFF", "notify", "backoff",
            _duration(allow_zero=True),
            "Wait before the first retry; it doubles for each further retry (duration)."),
    Setting("notify_queue_size", "MASTER_NOTIFY_QUEUE_SIZE", "notify", "queue_size", _count(1),
            "Notifications waiting per channel; beyond this they are dropped and counted."),
    Setting("mail_enabled", "MASTER_MAIL_ENABLED", "notify", "mail_enabled", _bool,
            "Seed: the e-mail channel starts enabled (first start only, true or false)."),
    Setting("mail_smtp_host", "MASTER_MAIL_SMTP_HOST", "notify", "mail_smtp_host",
            _optional_string, "Seed: SMTP server of the e-mail channel (first start only)."),
    Setting("mail_smtp_port", "MASTER_MAIL_SMTP_PORT", "notify", "mail_smtp_port", _port,
            "Seed: SMTP port of the e-mail channel (first start only)."),
    Setting("mail_smtp_tls", "MASTER_MAIL_SMTP_TLS", "notify", "mail_smtp_tls", _smtp_tls,
            "Seed: starttls, tls (implicit, port 465) or none (first start only)."),
    Setting("mail_username", "MASTER_MAIL_USERNAME", "notify", "mail_username",
            _optional_string, "Seed: SMTP login of the e-mail channel; empty for none."),
    Setting("mail_password", "MASTER_MAIL_PASSWORD", "notify", "mail_password",
            _optional_string, "Seed: SMTP password of the e-mail channel (stored encrypted)."),
    Setting("mail_from", "MASTER_MAIL_FROM", "notify", "mail_from", _optional_string,
            "Seed: sender address of alert e-mails (first start only)."),
    Setting("mail_to", "MASTER_MAIL_TO", "notify", "mail_to", _addresses,
            "Seed: recipients of alert e-mails, comma-separated (first start only)."),
    Setting("slack_enabled", "MASTER_SLACK_ENABLED", "notify", "slack_enabled", _bool,
            "Seed: the Slack channel starts enabled (first start only, true or false)."),
    Setting("slack_webhook_url", "MASTER_SLACK_WEBHOOK_URL", "notify", "slack_webhook_url",
            _optional_url, "Seed: Slack incoming-webhook URL (stored encrypted)."),
    Setting("webhook_enabled", "MASTER_WEBHOOK_ENABLED", "notify", "webhook_enabled", _bool,
            "Seed: the generic webhook channel starts enabled (first start only)."),
    Setting("webhook_url", "MASTER_WEBHOOK_URL", "notify", "webhook_url", _optional_url,
            "Seed: URL the generic webhook channel posts alerts to (first start only)."),
    Setting("webhook_secret", "MASTER_WEBHOOK_SECRET", "notify", "webhook_secret",
            _optional_string, "Seed: HMAC key that signs webhook bodies (stored encrypted)."),
)
# fmt: on

_DEFAULTS = Config()
_BY_TOML: dict[tuple[str, str], Setting] = {(s.section, s.key): s for s in SETTINGS}
_SECTIONS: dict[str, list[str]] = {}
for _setting in SETTINGS:
    _SECTIONS.setdefault(_setting.section, []).append(_setting.key)
del _setting

# The table and the dataclass must describe the same fields; fail at import, not in production.
if [s.field for s in SETTINGS] != [f.name for f in dataclasses.fields(Config)]:
    raise RuntimeError("master.config: SETTINGS and Config fields differ")


# --- loading ---------------------------------------------------------------------


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Build the `Config`: defaults, then the TOML file, then `MASTER_*` variables.

    `path` None reads `./config.toml` if it exists and uses defaults otherwise;
    an explicit path must exist. `env` None means `os.environ`.
    Raises ConfigError naming the setting (its variable, or file and key) for a
    bad value, an unknown section or key, or an unreadable or invalid file.
    """
    if path is None:
        path = DEFAULT_CONFIG_PATH if DEFAULT_CONFIG_PATH.exists() else None
    env = os.environ if env is None else env
    values: dict[str, Any] = {}
    if path is not None:
        values.update(_read_toml(path))
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.field] = _parse(setting, env[setting.env], setting.env)
    return dataclasses.replace(_DEFAULTS, **values)


def unknown_env_vars(env: Mapping[str, str] | None = None) -> list[str]:
    """`MASTER_*` variables that are no setting, so a misspelt one can be warned about.

    Not an error: the environment is shared with everything else in the process.
    """
    env = os.environ if env is None else env
    known = {s.env for s in SETTINGS}
    return sorted(name for name in env if name.startswith("MASTER_") and name not in known)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config file: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from err
    values: dict[str, Any] = {}
    for section, table in doc.items():
        if section not in _SECTIONS:
            raise ConfigError(f"{path}: unknown {_describe_unknown(section, table)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table, got {table!r}")
        for key, raw in table.items():
            setting = _BY_TOML.get((section, key))
            if setting is None:
                hint = _did_you_mean(key, _SECTIONS[section])
                raise ConfigError(f"{path} [{section}]: unknown key {key!r}{hint}")
            values[setting.field] = _parse(setting, raw, f"{path} {setting.toml_name}")
    return values


def _describe_unknown(name: str, value: object) -> str:
    if isinstance(value, dict):
        return f"section [{name}]{_did_you_mean(name, list(_SECTIONS))}"
    # A key outside any section: say which section it belongs in, if any.
    homes = [s.toml_name for s in SETTINGS if s.key == name]
    if homes:
        return f"top-level key {name!r} (it belongs under {' or '.join(homes)})"
    return f"top-level key {name!r} (settings go in sections {', '.join(_SECTIONS)})"


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse(setting: Setting, raw: object, where: str) -> object:
    try:
        return setting.parse(raw)
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from err
