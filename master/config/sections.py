"""The settings, grouped as the TOML file groups them: one frozen dataclass per section.

Each field is declared once, with `setting()`: its default (in units: float
seconds, int bytes), its parser, its `MASTER_*` environment variable and its
help text. Loading, the shipped `config.toml` test and the docs tests iterate
over `SETTINGS`, derived from these classes, so a setting cannot be added in one
place and forgotten in another. Services take their section (`CommandsConfig`,
`StreamConfig`, ...), so nothing regroups settings by hand.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import values as v
from .values import MiB

T = TypeVar("T")

# The Go agent gives up on a poll after 60 s; that deadline also has to cover
# running the command and reporting its result, so the long poll must end first.
AGENT_POLL_DEADLINE = 60.0

_META = "master.setting"


@dataclass(frozen=True, slots=True)
class _Declared:
    parse: Callable[[object], object]
    env: str
    help: str


def setting(default: T, parse: Callable[[object], T], *, env: str, help: str) -> T:
    """A section field: its default, its parser, its environment variable, its help."""
    return dataclasses.field(default=default, metadata={_META: _Declared(parse, env, help)})


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerConfig:
    """[server]: where the two HTTP servers listen, how they stop, what they log."""

    bind_host: str = setting(
        "127.0.0.1",
        v.string,
        env="MASTER_BIND_HOST",
        help="Address both HTTP servers listen on; 0.0.0.0 for all interfaces.",
    )
    gateway_port: int = setting(
        8080,
        v.port,
        env="MASTER_GATEWAY_PORT",
        help="Port of the operator-facing gateway (REST API, websocket, dashboard); 0 picks a free port.",
    )
    agentsdk_port: int = setting(
        8081,
        v.port,
        env="MASTER_AGENTSDK_PORT",
        help="Port the cluster agents push to and poll; 0 picks a free port.",
    )
    shutdown_grace: float = setting(
        5.0,
        v.duration(allow_zero=True),
        env="MASTER_SHUTDOWN_GRACE",
        help="How long in-flight requests get to finish at shutdown (duration; 0 cuts them off).",
    )
    log_level: str = setting(
        "info",
        v.log_level,
        env="MASTER_LOG_LEVEL",
        help="Logging threshold: debug, info, warning or error.",
    )
    cors_origins: tuple[str, ...] = setting(
        (),
        v.origins,
        env="MASTER_CORS_ORIGINS",
        help="Browser origins besides the gateway's own allowed to call the API (comma-separated, e.g. https://ops.example.com); empty for none.",
    )
    allowed_hosts: tuple[str, ...] = setting(
        (),
        v.hosts,
        env="MASTER_ALLOWED_HOSTS",
        help="Host names the gateway answers to besides IP addresses, localhost and the host of public_url (comma-separated; * for any): a name an attacker points at the master (DNS rebinding) is refused.",
    )
    trusted_proxies: tuple[str, ...] = setting(
        (),
        v.networks,
        env="MASTER_TRUSTED_PROXIES",
        help="Addresses or networks of reverse proxies whose X-Forwarded-For names the real client (comma-separated, e.g. 10.0.0.5 or 10.0.0.0/8); empty trusts none.",
    )
    listen_backlog: int = setting(
        4096,
        v.count(1),
        env="MASTER_LISTEN_BACKLOG",
        help="Connections the kernel holds for each port until the master accepts them: a whole fleet reconnecting at once must fit (capped by net.core.somaxconn, with a warning).",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StorageConfig:
    """[storage]: the data directory, the database file and event retention."""

    data_dir: Path = setting(
        Path("data"),
        v.path,
        env="MASTER_DATA_DIR",
        help="Directory for durable state, created on first start; relative to the working directory.",
    )
    db_path: Path | None = setting(
        None,
        v.optional_path,
        env="MASTER_DB_PATH",
        help="SQLite database file; empty means master.db inside data_dir.",
    )
    event_retention_days: int = setting(
        30,
        v.count(1),
        env="MASTER_EVENT_RETENTION_DAYS",
        help="Stored Kubernetes events older than this many days are deleted.",
    )
    event_max_count: int = setting(
        100000,
        v.count(1),
        env="MASTER_EVENT_MAX_COUNT",
        help="Stored events kept per cluster; the oldest beyond this are deleted.",
    )
    event_cleanup_interval: float = setting(
        3600.0,
        v.duration(),
        env="MASTER_EVENT_CLEANUP_INTERVAL",
        help="How often the event retention limits are enforced (duration).",
    )
    event_max_bytes: int = setting(
        128 * MiB,
        v.size,
        env="MASTER_EVENT_MAX_BYTES",
        help="Stored events kept per cluster by size (their text); the oldest beyond this are deleted with the other retention limits (size).",
    )
    busy_timeout: float = setting(
        5.0,
        v.duration(),
        env="MASTER_DB_BUSY_TIMEOUT",
        help="How long a write waits for another process holding the database's write lock (a backup, a checkpoint) before it fails with 503 and is retried (duration).",
    )

    @property
    def database_path(self) -> Path:
        """The SQLite file: `db_path` when set, else `master.db` in the data directory."""
        return self.db_path if self.db_path is not None else self.data_dir / "master.db"


@dataclass(frozen=True, slots=True, kw_only=True)
class DatahubConfig:
    """[datahub]: how long live state counts as live."""

    heartbeat_expire: float = setting(
        45.0,
        v.duration(),
        env="MASTER_DATAHUB_HEARTBEAT_EXPIRE",
        help="An agent silent for this long is shown offline (duration).",
    )
    event_retention: float = setting(
        1800.0,
        v.duration(),
        env="MASTER_DATAHUB_EVENT_RETENTION",
        help="Realtime event window kept in memory, by event time (duration).",
    )
    event_window_max: int = setting(
        20000,
        v.count(1),
        env="MASTER_DATAHUB_EVENT_WINDOW_MAX",
        help="Most events the realtime window keeps per cluster, whatever an agent sends; the oldest leave first.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class CommandsConfig:
    """[commands]: queues, long polls and deadlines of operator commands."""

    poll_timeout: float = setting(
        30.0,
        v.duration(below=AGENT_POLL_DEADLINE),
        env="MASTER_TIMEOUT_COMMAND_POLL",
        help="How long an agent's long poll waits for a command (duration under 60s: the agent's 60s poll deadline must also cover running and reporting the command).",
    )
    queue_size: int = setting(
        100,
        v.count(1),
        env="MASTER_COMMAND_QUEUE_SIZE",
        help="Pending commands queued per cluster; a full queue answers 429 to the operator.",
    )
    expire: float = setting(
        300.0,
        v.duration(),
        env="MASTER_COMMAND_EXPIRE",
        help="A command not delivered to its agent within this is marked expired (duration).",
    )
    result_timeout: float = setting(
        300.0,
        v.duration(),
        env="MASTER_COMMAND_RESULT_TIMEOUT",
        help="A delivered command with no result within this is marked timeout (duration).",
    )
    max_attempts: int = setting(
        3,
        v.count(1),
        env="MASTER_COMMAND_MAX_ATTEMPTS",
        help="Times a repeatable command is handed out when its hand-off to the agent was lost.",
    )
    logs_tail_default: int = setting(
        1000,
        v.count(1),
        env="MASTER_COMMAND_LOGS_TAIL_DEFAULT",
        help="Log lines get_logs fetches when the request names no tailLines (the agent would fetch the whole log).",
    )
    logs_tail_max: int = setting(
        10000,
        v.count(1),
        env="MASTER_COMMAND_LOGS_TAIL_MAX",
        help="Most log lines one get_logs may ask for; more is refused with 400.",
    )
    ops_wait: float = setting(
        25.0,
        v.duration(below=30.0),
        env="MASTER_COMMAND_OPS_WAIT",
        help="How long the web UI's data calls (/api/v2/ops/pods/logs, configmaps/data, secrets/data) wait for the agent before 504 (duration under 30s, the UI's own timeout).",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentConfig:
    """[agent]: what the agent port accepts, and from whom."""

    max_body_bytes: int = setting(
        32 * MiB,
        v.size,
        env="MASTER_AGENT_MAX_BODY",
        help="Largest agent request body as sent, compressed (size: '32MiB', '10MB' or bytes).",
    )
    max_snapshot_bytes: int = setting(
        256 * MiB,
        v.size,
        env="MASTER_AGENT_MAX_SNAPSHOT",
        help="Largest snapshot after gzip decompression (size: '256MiB', '1GiB' or bytes).",
    )
    snapshot_memory: int = setting(
        512 * MiB,
        v.size,
        env="MASTER_AGENT_SNAPSHOT_MEMORY",
        help="Memory for snapshots being decompressed at the same time; one that would go over it waits, then gets 503 with Retry-After (size; snapshots above it are refused like those above max_snapshot_bytes).",
    )
    body_timeout: float = setting(
        60.0,
        v.duration(),
        env="MASTER_AGENT_BODY_TIMEOUT",
        help="An agent that has not finished sending its request body within this is cut off (duration).",
    )
    require_token: bool = setting(
        True,
        v.boolean,
        env="MASTER_AGENT_REQUIRE_TOKEN",
        help="Agents must present a per-cluster token (true or false; false only on a trusted network, and the master warns at start).",
    )
    max_result_bytes: int = setting(
        64 * MiB,
        v.size,
        env="MASTER_AGENT_MAX_RESULT",
        help="Largest command result an agent may send (a whole log can be big); a larger one fails its command with a note instead of leaving it running (size).",
    )
    max_output_bytes: int = setting(
        1 * MiB,
        v.size,
        env="MASTER_AGENT_MAX_OUTPUT",
        help="A command's output (logs, ConfigMap or Secret data) is kept up to this size; the rest is cut off and the output ends with a note saying so (size).",
    )
    max_events: int = setting(
        10000,
        v.count(1),
        env="MASTER_AGENT_MAX_EVENTS",
        help="Events kept of one snapshot, the newest; the summary still counts them all.",
    )
    max_event_message_bytes: int = setting(
        4096,
        v.size,
        env="MASTER_AGENT_MAX_EVENT_MESSAGE",
        help="Longest event message kept; a longer one is cut there and ends with a note (size).",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthConfig:
    """[auth]: operators, their tokens, login throttling and the audit trail."""

    admin_username: str = setting(
        "admin",
        v.string,
        env="MASTER_ADMIN_USERNAME",
        help="Name of the administrator created on first start when there are no users.",
    )
    admin_password: str = setting(
        "",
        v.optional_string,
        env="MASTER_ADMIN_PASSWORD",
        help="That administrator's password; empty generates a strong one and logs it once.",
    )
    jwt_secret: str = setting(
        "",
        v.jwt_secret,
        env="MASTER_JWT_SECRET",
        help="Key that signs operator tokens, at least 32 bytes; empty generates one kept in data_dir (mode 0600).",
    )
    jwt_lifetime: float = setting(
        43200.0,
        v.duration(),
        env="MASTER_JWT_LIFETIME",
        help="How long an operator's login token is valid (duration).",
    )
    public_read: bool = setting(
        False,
        v.boolean,
        env="MASTER_PUBLIC_READ",
        help="Let anonymous users read cluster state: clusters, overview, workloads, nodes, services, ingresses, namespaces, events and alerts; never commands, ConfigMaps, Secrets, users, audit, agent tokens or channels (true or false).",
    )
    login_max_failures: int = setting(
        5,
        v.count(1),
        env="MASTER_LOGIN_MAX_FAILURES",
        help="Failed logins of one account from one address before that pair is throttled (an address is throttled after four times as many across accounts).",
    )
    login_backoff: float = setting(
        30.0,
        v.duration(),
        env="MASTER_LOGIN_BACKOFF",
        help="First throttling delay after too many failed logins; it doubles with each further failure (duration).",
    )
    audit_retention_days: int = setting(
        90,
        v.count(1),
        env="MASTER_AUDIT_RETENTION_DAYS",
        help="Audit and security records older than this many days are deleted.",
    )
    audit_max_rows: int = setting(
        1_000_000,
        v.count(1000),
        env="MASTER_AUDIT_MAX_ROWS",
        help="Audit records, and security records, kept at most; the oldest beyond are deleted.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamConfig:
    """[stream]: the live websocket stream's buffers and timings."""

    replay: int = setting(
        10000,
        v.count(1),
        env="MASTER_STREAM_REPLAY",
        help="Live-stream messages kept so a reconnecting browser gets exactly what it missed; older gaps get a resync.",
    )
    queue: int = setting(
        256,
        v.count(1),
        env="MASTER_STREAM_QUEUE",
        help="Messages waiting for one subscriber before it counts as lagging and gets a resync instead of the backlog.",
    )
    coalesce: float = setting(
        0.5,
        v.duration(allow_zero=True),
        env="MASTER_STREAM_COALESCE",
        help="Least time between two summary (or last-seen) messages of one cluster; changes in between are merged into the next one (duration).",
    )
    ping_interval: float = setting(
        20.0,
        v.duration(),
        env="MASTER_STREAM_PING_INTERVAL",
        help="How often the server pings idle stream connections; a connection silent for two intervals is closed (duration).",
    )
    first_message_timeout: float = setting(
        10.0,
        v.duration(),
        env="MASTER_STREAM_FIRST_MESSAGE_TIMEOUT",
        help="A new stream connection that sends no subscribe message within this is closed "
        "(duration).",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DemoConfig:
    """[demo]: simulated clusters run inside the master."""

    agents: int = setting(
        0,
        v.count(0),
        env="MASTER_DEMO_AGENTS",
        help="Simulated clusters run inside the master, for demos and load tests; 0 for none.",
    )
    pods: int = setting(
        40,
        v.count(0),
        env="MASTER_DEMO_PODS",
        help="Pods in each simulated cluster.",
    )
    snapshot_interval: float = setting(
        20.0,
        v.duration(),
        env="MASTER_DEMO_SNAPSHOT_INTERVAL",
        help="How often each simulated cluster pushes a snapshot (duration).",
    )
    heartbeat_interval: float = setting(
        15.0,
        v.duration(),
        env="MASTER_DEMO_HEARTBEAT_INTERVAL",
        help="How often each simulated cluster sends a heartbeat (duration).",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertsConfig:
    """[alerts]: rule evaluation, repeats and digests."""

    enabled: bool = setting(
        True,
        v.boolean,
        env="MASTER_EVENT_ALERT_ENABLED",
        help="Evaluate alert rules and notify the channels (true or false).",
    )
    interval: float = setting(
        1.0,
        v.duration(),
        env="MASTER_EVENT_ALERT_INTERVAL",
        help="How often changed clusters are checked against the alert rules (duration).",
    )
    cooldown: float = setting(
        1800.0,
        v.duration(allow_zero=True),
        env="MASTER_ALERT_COOLDOWN",
        help="A firing alert that repeats within this is counted, not sent again (duration).",
    )
    deployment_grace: float = setting(
        300.0,
        v.duration(allow_zero=True),
        env="MASTER_ALERT_DEPLOYMENT_GRACE",
        help="How long a deployment may stay below its desired ready replicas before it alerts (duration).",
    )
    burst_count: int = setting(
        10,
        v.count(1),
        env="MASTER_ALERT_BURST_COUNT",
        help="More new alerts than this for one cluster within burst_window are sent as one digest.",
    )
    burst_window: float = setting(
        300.0,
        v.duration(),
        env="MASTER_ALERT_BURST_WINDOW",
        help="The window burst_count is counted over (duration).",
    )
    public_url: str = setting(
        "",
        v.optional_url,
        env="MASTER_PUBLIC_URL",
        help="Dashboard address as operators reach it, for links in alerts; empty for no links.",
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class NotifyConfig:
    """[notify]: delivery of notifications, and the channels seeded on first start."""

    timeout: float = setting(
        10.0,
        v.duration(),
        env="MASTER_NOTIFY_TIMEOUT",
        help="Time limit of one attempt to deliver a notification (duration).",
    )
    attempts: int = setting(
        3,
        v.count(1),
        env="MASTER_NOTIFY_ATTEMPTS",
        help="Attempts per notification and channel before it is recorded as failed.",
    )
    backoff: float = setting(
        1.0,
        v.duration(allow_zero=True),
        env="MASTER_NOTIFY_BACKOFF",
        help="Wait before the first retry; it doubles for each further retry (duration).",
    )
    queue_size: int = setting(
        100,
        v.count(1),
        env="MASTER_NOTIFY_QUEUE_SIZE",
        help="Notifications waiting per channel; beyond this they are dropped and counted.",
    )
    allow_private: bool = setting(
        False,
        v.boolean,
        env="MASTER_NOTIFY_ALLOW_PRIVATE",
        help="Let channels reach loopback, link-local and private addresses (true or false); checked against the address connected to, so DNS cannot sneak past.",
    )
    mail_enabled: bool = setting(
        False,
        v.boolean,
        env="MASTER_MAIL_ENABLED",
        help="Seed: the e-mail channel starts enabled (first start only, true or false).",
    )
    mail_smtp_host: str = setting(
        "",
        v.optional_string,
        env="MASTER_MAIL_SMTP_HOST",
        help="Seed: SMTP server of the e-mail channel (first start only).",
    )
    mail_smtp_port: int = setting(
        587,
        v.port,
        env="MASTER_MAIL_SMTP_PORT",
        help="Seed: SMTP port of the e-mail channel (first start only).",
    )
    mail_smtp_tls: str = setting(
        "starttls",
        v.smtp_tls,
        env="MASTER_MAIL_SMTP_TLS",
        help="Seed: starttls, tls (implicit, port 465) or none (first start only).",
    )
    mail_username: str = setting(
        "",
        v.optional_string,
        env="MASTER_MAIL_USERNAME",
        help="Seed: SMTP login of the e-mail channel; empty for none.",
    )
    mail_password: str = setting(
        "",
        v.optional_string,
        env="MASTER_MAIL_PASSWORD",
        help="Seed: SMTP password of the e-mail channel (stored encrypted).",
    )
    mail_from: str = setting(
        "",
        v.optional_string,
        env="MASTER_MAIL_FROM",
        help="Seed: sender address of alert e-mails (first start only).",
    )
    mail_to: tuple[str, ...] = setting(
        (),
        v.addresses,
        env="MASTER_MAIL_TO",
        help="Seed: recipients of alert e-mails, comma-separated (first start only).",
    )
    slack_enabled: bool = setting(
        False,
        v.boolean,
        env="MASTER_SLACK_ENABLED",
        help="Seed: the Slack channel starts enabled (first start only, true or false).",
    )
    slack_webhook_url: str = setting(
        "",
        v.optional_url,
        env="MASTER_SLACK_WEBHOOK_URL",
        help="Seed: Slack incoming-webhook URL (stored encrypted).",
    )
    webhook_enabled: bool = setting(
        False,
        v.boolean,
        env="MASTER_WEBHOOK_ENABLED",
        help="Seed: the generic webhook channel starts enabled (first start only).",
    )
    webhook_url: str = setting(
        "",
        v.optional_url,
        env="MASTER_WEBHOOK_URL",
        help="Seed: URL the generic webhook channel posts alerts to (first start only).",
    )
    webhook_secret: str = setting(
        "",
        v.optional_string,
        env="MASTER_WEBHOOK_SECRET",
        help="Seed: HMAC key that signs webhook bodies (stored encrypted).",
    )


Section = (
    ServerConfig
    | StorageConfig
    | DatahubConfig
    | CommandsConfig
    | AgentConfig
    | AuthConfig
    | StreamConfig
    | DemoConfig
    | AlertsConfig
    | NotifyConfig
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Config:
    """Every knob of the master, by TOML section, with its default. Built by `load_config`."""

    server: ServerConfig = dataclasses.field(default_factory=ServerConfig)
    storage: StorageConfig = dataclasses.field(default_factory=StorageConfig)
    datahub: DatahubConfig = dataclasses.field(default_factory=DatahubConfig)
    commands: CommandsConfig = dataclasses.field(default_factory=CommandsConfig)
    agent: AgentConfig = dataclasses.field(default_factory=AgentConfig)
    auth: AuthConfig = dataclasses.field(default_factory=AuthConfig)
    stream: StreamConfig = dataclasses.field(default_factory=StreamConfig)
    demo: DemoConfig = dataclasses.field(default_factory=DemoConfig)
    alerts: AlertsConfig = dataclasses.field(default_factory=AlertsConfig)
    notify: NotifyConfig = dataclasses.field(default_factory=NotifyConfig)

    def replace(self, **sections: Section | Mapping[str, Any]) -> Config:
        """A copy with some settings changed, no validation (for tests and `__main__` flags).

        Each keyword is a section, given whole or as the keys that change:
        `config.replace(commands={"poll_timeout": 0.3})`.
        """
        changed: dict[str, Any] = {}
        for name, change in sections.items():
            if name not in SECTIONS:
                raise TypeError(f"Config has no section {name!r}")
            current = getattr(self, name)
            changed[name] = (
                dataclasses.replace(current, **change) if isinstance(change, Mapping) else change
            )
        return dataclasses.replace(self, **changed)


@dataclass(frozen=True, slots=True)
class Setting:
    """One setting as loading and the docs see it: where it lives and what it means."""

    section: str
    key: str
    env: str
    parse: Callable[[object], object]
    help: str
    default: object

    @property
    def name(self) -> str:
        """Its dotted path in `Config`: `commands.poll_timeout`."""
        return f"{self.section}.{self.key}"

    @property
    def toml_name(self) -> str:
        """How error messages and docs name it in the file: `[server] gateway_port`."""
        return f"[{self.section}] {self.key}"

    def value(self, config: Config) -> object:
        """Its value in `config`."""
        return getattr(getattr(config, self.section), self.key)


SECTIONS: dict[str, type[Section]] = {
    f.name: type(getattr(Config(), f.name)) for f in dataclasses.fields(Config)
}
SETTINGS: tuple[Setting, ...] = tuple(
    Setting(section, f.name, d.env, d.parse, d.help, f.default)
    for section, cls in SECTIONS.items()
    for f in dataclasses.fields(cls)
    for d in [f.metadata[_META]]
)
