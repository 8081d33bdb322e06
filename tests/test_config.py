"""Config loading: parsers, file and environment precedence, errors that name the setting.

The shipped `config.toml` is checked against `SETTINGS` the way Datasette's
`tests/test_docs.py` checks its docs: a setting without a documented entry fails.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from master.config import (
    SECTIONS,
    SETTINGS,
    Config,
    ConfigError,
    DemoConfig,
    Setting,
    load_config,
    parse_duration,
    parse_size,
    unknown_env_vars,
)

REPO_CONFIG = Path(__file__).resolve().parent.parent / "config.toml"

# A valid non-default value per setting, as the environment would spell it,
# and what it must become. Keyed by name so a new setting must be added here.
OVERRIDES: dict[str, tuple[str, object]] = {
    "server.bind_host": ("0.0.0.0", "0.0.0.0"),
    "server.gateway_port": ("9090", 9090),
    "server.agentsdk_port": ("0", 0),
    "server.shutdown_grace": ("250ms", 0.25),
    "server.log_level": ("DEBUG", "debug"),
    "server.cors_origins": (
        "https://a.example, http://b:8080/",
        ("https://a.example", "http://b:8080"),
    ),
    "server.allowed_hosts": ("Ops.Example.com, *", ("ops.example.com", "*")),
    "server.trusted_proxies": ("10.0.0.5, 10.1.0.0/16, ::1", ("10.0.0.5", "10.1.0.0/16", "::1")),
    "server.listen_backlog": ("128", 128),
    "storage.data_dir": ("/var/lib/master", Path("/var/lib/master")),
    "storage.busy_timeout": ("250ms", 0.25),
    "storage.db_path": ("state/m.sqlite", Path("state/m.sqlite")),
    "storage.event_retention_days": ("7", 7),
    "storage.event_max_count": ("500", 500),
    "storage.event_cleanup_interval": ("10m", 600.0),
    "storage.event_max_bytes": ("1GiB", 1 << 30),
    "datahub.heartbeat_expire": ("90", 90.0),
    "datahub.event_retention": ("1h", 3600.0),
    "datahub.event_window_max": ("500", 500),
    "commands.poll_timeout": ("59.5s", 59.5),
    "commands.queue_size": ("5", 5),
    "commands.expire": ("1m30s", 90.0),
    "commands.result_timeout": ("2m", 120.0),
    "commands.max_attempts": ("1", 1),
    "commands.logs_tail_default": ("50", 50),
    "commands.logs_tail_max": ("500", 500),
    "commands.ops_wait": ("10s", 10.0),
    "agent.max_body_bytes": ("10MB", 10_000_000),
    "agent.max_snapshot_bytes": ("1GiB", 1 << 30),
    "agent.snapshot_memory": ("2GiB", 2 << 30),
    "agent.body_timeout": ("5s", 5.0),
    "agent.require_token": ("false", False),
    "agent.max_result_bytes": ("8MiB", 8 << 20),
    "agent.max_output_bytes": ("64KiB", 65536),
    "agent.max_events": ("300", 300),
    "agent.max_event_message_bytes": ("1KiB", 1024),
    "auth.admin_username": ("root", "root"),
    "auth.admin_password": ("s3cret-Passw0rd", "s3cret-Passw0rd"),
    "auth.jwt_secret": ("k" * 40, "k" * 40),
    "auth.jwt_lifetime": ("1h", 3600.0),
    "auth.public_read": ("true", True),
    "auth.login_max_failures": ("3", 3),
    "auth.login_backoff": ("2s", 2.0),
    "auth.audit_retention_days": ("30", 30),
    "auth.audit_max_rows": ("5000", 5000),
    "stream.replay": ("50", 50),
    "stream.queue": ("8", 8),
    "stream.coalesce": ("0", 0.0),
    "stream.ping_interval": ("1m", 60.0),
    "stream.first_message_timeout": ("3s", 3.0),
    "demo.agents": ("3", 3),
    "demo.pods": ("0", 0),
    "demo.snapshot_interval": ("2s", 2.0),
    "demo.heartbeat_interval": ("1.5s", 1.5),
    "alerts.enabled": ("off", False),
    "alerts.interval": ("250ms", 0.25),
    "alerts.cooldown": ("0", 0.0),
    "alerts.deployment_grace": ("90s", 90.0),
    "alerts.burst_count": ("3", 3),
    "alerts.burst_window": ("1m", 60.0),
    "alerts.public_url": ("https://ops.example.com", "https://ops.example.com"),
    "notify.timeout": ("3s", 3.0),
    "notify.attempts": ("1", 1),
    "notify.backoff": ("50ms", 0.05),
    "notify.queue_size": ("10", 10),
    "notify.allow_private": ("true", True),
    "notify.mail_enabled": ("true", True),
    "notify.mail_smtp_host": ("smtp.example.com", "smtp.example.com"),
    "notify.mail_smtp_port": ("465", 465),
    "notify.mail_smtp_tls": ("TLS", "tls"),
    "notify.mail_username": ("alerts", "alerts"),
    "notify.mail_password": ("p4ss", "p4ss"),
    "notify.mail_from": ("master@example.com", "master@example.com"),
    "notify.mail_to": ("a@example.com, b@example.com", ("a@example.com", "b@example.com")),
    "notify.slack_enabled": ("yes", True),
    "notify.slack_webhook_url": (
        "https://hooks.slack.com/services/T/B/x",
        "https://hooks.slack.com/services/T/B/x",
    ),
    "notify.webhook_enabled": ("1", True),
    "notify.webhook_url": ("http://10.0.0.5:9000/hook", "http://10.0.0.5:9000/hook"),
    "notify.webhook_secret": ("s3cr3t", "s3cr3t"),
}

# A value each setting must refuse. db_path has none: any text is a path, "" unsets it.
INVALID: dict[str, str] = {
    "server.bind_host": "  ",
    "server.gateway_port": "abc",
    "server.agentsdk_port": "65536",
    "server.shutdown_grace": "-1s",
    "server.log_level": "verbose",
    "server.cors_origins": "ops.example.com",
    "server.allowed_hosts": "ops example",
    "server.trusted_proxies": "10.0.0.300",
    "storage.data_dir": "",
    "storage.event_retention_days": "0",
    "storage.event_max_count": "many",
    "storage.event_cleanup_interval": "0s",
    "datahub.heartbeat_expire": "10x",
    "datahub.event_retention": "-5m",
    "commands.poll_timeout": "60s",
    "commands.queue_size": "0",
    "commands.expire": "h",
    "commands.result_timeout": "",
    "commands.max_attempts": "0",
    "agent.max_body_bytes": "32 MiBs",
    "agent.max_snapshot_bytes": "0",
    "agent.body_timeout": "forever",
    "agent.require_token": "maybe",
    "auth.admin_username": " ",
    "auth.jwt_lifetime": "0s",
    "auth.public_read": "2",
    "auth.login_max_failures": "0",
    "auth.login_backoff": "soon",
    "auth.audit_retention_days": "0",
    "auth.audit_max_rows": "999",
    "stream.replay": "0",
    "stream.queue": "many",
    "stream.coalesce": "-1s",
    "stream.ping_interval": "0",
    "stream.first_message_timeout": "0s",
    "demo.agents": "-1",
    "demo.pods": "1.5",
    "demo.snapshot_interval": "0",
    "demo.heartbeat_interval": "1 h",
    "alerts.enabled": "sometimes",
    "alerts.interval": "0s",
    "alerts.cooldown": "-1m",
    "alerts.deployment_grace": "later",
    "alerts.burst_count": "0",
    "alerts.burst_window": "0",
    "alerts.public_url": "ops.example.com",
    "notify.timeout": "0",
    "notify.attempts": "0",
    "notify.backoff": "-1s",
    "notify.queue_size": "none",
    "notify.allow_private": "sometimes",
    "notify.mail_enabled": "perhaps",
    "notify.mail_smtp_port": "70000",
    "notify.mail_smtp_tls": "ssl3",
    "notify.mail_to": "not-an-address",
    "notify.slack_enabled": "2",
    "notify.slack_webhook_url": "hooks.slack.com/x",
    "notify.webhook_enabled": "y",
    "notify.webhook_url": "ftp://example.com/hook",
}

BY_NAME = {s.name: s for s in SETTINGS}
SETTING_IDS = [s.name for s in SETTINGS]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# --- parse_duration / parse_size ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90s", 90.0),
        ("1h30m", 5400.0),
        ("500ms", 0.5),
        ("1.5h", 5400.0),
        ("2m3.5s", 123.5),
        ("30", 30.0),
        ("0.25", 0.25),
        ("0", 0.0),
        (" 45s ", 45.0),
        ("1500us", 0.0015),
        ("1500µs", 0.0015),
        ("2000000ns", 0.002),
        (".5s", 0.5),
        ("+5s", 5.0),
        ("-5s", -5.0),  # syntax is fine; validation rejects it per setting
        ("1h0m0.001s", 3600.001),
        (30, 30.0),
        (1.5, 1.5),
    ],
)
def test_parse_duration(text: str | int | float, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "10x",
        "h",
        "s30",
        "1h 30m",
        "1e3",
        "1.2.3s",
        "--5s",
        "5 s",
        "inf",
        "nan",
        float("inf"),
        True,
    ],
)
def test_parse_duration_rejects(text: str | float | bool) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_parse_duration_names_bad_unit() -> None:
    with pytest.raises(ValueError, match=r"unknown unit 'x'.*ns, us, ms, s, m or h"):
        parse_duration("10x")


@pytest.mark.parametrize(
    ("text", "size"),
    [
        (1024, 1024),
        ("100", 100),
        ("100B", 100),
        ("512KiB", 512 * 1024),
        ("32MiB", 32 * 1024**2),
        ("256MiB", 256 * 1024**2),
        ("1GiB", 1024**3),
        ("2TiB", 2 * 1024**4),
        ("10MB", 10_000_000),
        ("1kB", 1000),
        ("3GB", 3_000_000_000),
        ("32mib", 32 * 1024**2),
        ("64Mi", 64 * 1024**2),
        ("32 MiB", 32 * 1024**2),
        ("1.5KiB", 1536),
    ],
)
def test_parse_size(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "MiB", "32XB", "1.5B", "0.1KiB", "1e6", "ten", True])
def test_parse_size_rejects(text: str | bool) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


# --- the table, the dataclass and the shipped file --------------------------------


def test_settings_are_the_section_fields() -> None:
    sections = {f.name: f.type for f in dataclasses.fields(Config)}
    assert list(SECTIONS) == list(sections)
    found = [(name, f.name) for name, cls in SECTIONS.items() for f in dataclasses.fields(cls)]
    assert [(s.section, s.key) for s in SETTINGS] == found
    assert set(OVERRIDES) == set(BY_NAME), "OVERRIDES must cover every setting"


def test_every_section_is_a_toml_table() -> None:
    documented = {section for section, _ in _documented_keys(REPO_CONFIG.read_text())}
    assert documented == set(SECTIONS)


@pytest.mark.parametrize("attr", ["env", "toml_name"])
def test_settings_names_are_unique(attr: str) -> None:
    names = [getattr(s, attr) for s in SETTINGS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("setting", SETTINGS, ids=SETTING_IDS)
def test_setting_has_help_and_go_style_env_name(setting: Setting) -> None:
    assert setting.help.strip().endswith("."), "help text is a sentence"
    assert re.fullmatch(r"MASTER_[A-Z0-9_]+", setting.env)


@pytest.mark.parametrize("setting", SETTINGS, ids=SETTING_IDS)
def test_default_round_trips_through_its_parser(setting: Setting) -> None:
    # What `Config()` says is the default must itself be a valid setting.
    default = setting.default
    if default is None:
        raw = ""
    elif isinstance(default, tuple):
        raw = ",".join(default)
    else:
        raw = str(default)
    assert setting.parse(raw) == default


def _documented_keys(text: str) -> dict[tuple[str, str], list[str]]:
    """Each `key = value` line of a TOML file, with the comment lines right above it."""
    found: dict[tuple[str, str], list[str]] = {}
    section = ""
    comments: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if m := re.fullmatch(r"\[(\w+)\]", stripped):
            section, comments = m.group(1), []
        elif stripped.startswith("#"):
            comments.append(stripped.lstrip("# "))
        elif m := re.match(r"(\w+)\s*=", stripped):
            found[(section, m.group(1))] = comments
            comments = []
        else:
            comments = []
    return found


@pytest.mark.parametrize("setting", SETTINGS, ids=SETTING_IDS)
def test_config_toml_documents_setting(setting: Setting) -> None:
    documented = _documented_keys(REPO_CONFIG.read_text(encoding="utf-8"))
    key = (setting.section, setting.key)
    assert key in documented, f"config.toml lacks {setting.toml_name}"
    comment = " ".join(documented[key])
    assert comment, f"config.toml {setting.toml_name} has no comment above it"
    assert f"Env: {setting.env}." in comment, f"config.toml {setting.toml_name} omits its env var"
    assert "Format:" in comment


def test_repo_config_toml_gives_exactly_the_defaults() -> None:
    assert load_config(REPO_CONFIG, env={}) == Config()


def test_no_file_gives_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert load_config(env={}) == Config()


def test_default_path_is_cwd_config_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "[server]\ngateway_port = 9999\n")
    assert load_config(env={}).server.gateway_port == 9999


def test_env_none_means_os_environ(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MASTER_DEMO_AGENTS", "4")
    assert load_config().demo.agents == 4


# --- overrides ------------------------------------------------------------------------


@pytest.mark.parametrize("setting", SETTINGS, ids=SETTING_IDS)
def test_env_var_is_honoured(setting: Setting) -> None:
    raw, expected = OVERRIDES[setting.name]
    assert expected != setting.default
    config = load_config(REPO_CONFIG, env={setting.env: raw})
    assert setting.value(config) == expected
    assert config.replace(**{setting.section: {setting.key: setting.default}}) == Config()


@pytest.mark.parametrize("setting", SETTINGS, ids=SETTING_IDS)
def test_toml_key_is_honoured(tmp_path: Path, setting: Setting) -> None:
    raw, expected = OVERRIDES[setting.name]
    path = write(tmp_path, f"[{setting.section}]\n{setting.key} = {json.dumps(raw)}\n")
    assert setting.value(load_config(path, env={})) == expected


def test_env_wins_over_toml(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\ngateway_port = 9000\nlog_level = "error"\n')
    config = load_config(path, env={"MASTER_GATEWAY_PORT": "9001"})
    assert config.server.gateway_port == 9001
    assert config.server.log_level == "error"  # not overridden, so the file's value stands


@pytest.mark.parametrize(
    ("toml", "name", "expected"),
    [
        ("[commands]\npoll_timeout = 45", "commands.poll_timeout", 45.0),
        ("[commands]\npoll_timeout = 0.5", "commands.poll_timeout", 0.5),
        ("[agent]\nmax_body_bytes = 1048576", "agent.max_body_bytes", 1 << 20),
        ("[server]\nshutdown_grace = 0", "server.shutdown_grace", 0.0),
        ('[storage]\nevent_max_count = "200"', "storage.event_max_count", 200),
    ],
)
def test_toml_native_types(tmp_path: Path, toml: str, name: str, expected: object) -> None:
    assert BY_NAME[name].value(load_config(write(tmp_path, toml), env={})) == expected


def test_database_path() -> None:
    assert Config().storage.database_path == Path("data") / "master.db"
    config = load_config(REPO_CONFIG, env={"MASTER_DATA_DIR": "/srv"})
    assert config.storage.database_path == Path("/srv/master.db")
    env = {"MASTER_DATA_DIR": "/srv", "MASTER_DB_PATH": "/tmp/other.db"}
    assert load_config(REPO_CONFIG, env=env).storage.database_path == Path("/tmp/other.db")


def test_empty_db_path_in_env_unsets_the_file_value(tmp_path: Path) -> None:
    path = write(tmp_path, '[storage]\ndb_path = "x.db"\n')
    assert load_config(path, env={}).storage.db_path == Path("x.db")
    assert load_config(path, env={"MASTER_DB_PATH": ""}).storage.db_path is None


# --- errors name the setting ----------------------------------------------------------


@pytest.mark.parametrize("name", list(INVALID))
def test_bad_env_value_names_env_var(name: str) -> None:
    setting = BY_NAME[name]
    with pytest.raises(ConfigError) as info:
        load_config(REPO_CONFIG, env={setting.env: INVALID[name]})
    assert str(info.value).startswith(f"{setting.env}: ")
    assert repr(INVALID[name]) in str(info.value), "the message quotes the bad value"


@pytest.mark.parametrize("name", list(INVALID))
def test_bad_toml_value_names_file_and_key(tmp_path: Path, name: str) -> None:
    setting = BY_NAME[name]
    path = write(tmp_path, f"[{setting.section}]\n{setting.key} = {json.dumps(INVALID[name])}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, env={})
    assert str(info.value).startswith(f"{path} [{setting.section}] {setting.key}: ")


def test_port_message() -> None:
    with pytest.raises(ConfigError, match=r"^MASTER_GATEWAY_PORT: expected a port 0-65535"):
        load_config(REPO_CONFIG, env={"MASTER_GATEWAY_PORT": "abc"})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[server]\ngateway_port = true", r"\[server\] gateway_port: expected a port"),
        ("[server]\nbind_host = 8", r"\[server\] bind_host: expected a non-empty string"),
        ("[agent]\nmax_body_bytes = 1.5", r"\[agent\] max_body_bytes: expected a size"),
        ("[demo]\nagents = 2.0", r"\[demo\] agents: expected an integer"),
        ("[datahub]\nheartbeat_expire = [45]", r"\[datahub\] heartbeat_expire: expected a dur"),
        ("[commands]\npoll_timeout = 60", r"\[commands\] poll_timeout: .*under 60s"),
    ],
)
def test_wrong_toml_type(tmp_path: Path, toml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(write(tmp_path, toml), env={})


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (
            "[server]\ngateway_prot = 1",
            r"\[server\]: unknown key 'gateway_prot' \(did you mean 'gateway_port'\?\)",
        ),
        ("[server]\nverbose = 1", r"\[server\]: unknown key 'verbose'$"),
        ("[servers]\nbind_host = 'x'", r"unknown section \[servers\] \(did you mean 'server'\?\)"),
        ("[redis]\nurl = 'x'", r"unknown section \[redis\]"),
        (
            "gateway_port = 1",
            r"unknown top-level key 'gateway_port' \(it belongs under \[server\] gateway_port\)",
        ),
        ("port = 1", r"unknown top-level key 'port'"),
        # A key of one section in another is as wrong as a typo.
        ("[storage]\nbind_host = 'x'", r"\[storage\]: unknown key 'bind_host'"),
    ],
)
def test_unknown_toml_names_rejected(tmp_path: Path, toml: str, message: str) -> None:
    path = write(tmp_path, toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path, env={})
    assert str(info.value).startswith(str(path))


def test_invalid_toml_names_path(tmp_path: Path) -> None:
    path = write(tmp_path, "[server\ngateway_port = ")
    with pytest.raises(ConfigError, match=r"invalid TOML") as info:
        load_config(path, env={})
    assert str(info.value).startswith(f"{path}: ")


def test_missing_explicit_file_names_path(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match=r"cannot read config file") as info:
        load_config(path, env={})
    assert str(path) in str(info.value)


def test_error_chains_the_cause() -> None:
    with pytest.raises(ConfigError) as info:
        load_config(REPO_CONFIG, env={"MASTER_COMMAND_EXPIRE": "soon"})
    assert isinstance(info.value.__cause__, ValueError)


def test_unknown_env_vars() -> None:
    env = {"MASTER_GATEWAY_PORT": "1", "MASTER_GATEWAY_PROT": "1", "HOME": "/", "MASTER_X": ""}
    assert unknown_env_vars(env) == ["MASTER_GATEWAY_PROT", "MASTER_X"]


def test_config_is_frozen_and_replace_copies() -> None:
    config = Config()
    changed = config.replace(server={"gateway_port": 0, "agentsdk_port": 0})
    assert (changed.server.gateway_port, changed.server.agentsdk_port) == (0, 0)
    assert changed.server.bind_host == "127.0.0.1", "keys not given keep their value"
    assert config.server.gateway_port == 8080
    assert config.replace(demo=DemoConfig(agents=2)).demo == DemoConfig(agents=2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.server.gateway_port = 1  # type: ignore[misc]
    with pytest.raises(TypeError, match="no section 'gateway'"):
        config.replace(gateway={"port": 1})
    with pytest.raises(TypeError):
        config.replace(server={"gateway_prot": 1})


@pytest.mark.parametrize("secret", ["abc", "k" * 31, "\u00e9" * 15])
def test_short_jwt_secret_is_refused_without_quoting_it(secret: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(REPO_CONFIG, env={"MASTER_JWT_SECRET": secret})
    message = str(info.value)
    assert message.startswith("MASTER_JWT_SECRET: ") and "at least 32 bytes" in message
    assert secret not in message


def test_jwt_secret_of_32_bytes_is_taken() -> None:
    config = load_config(REPO_CONFIG, env={"MASTER_JWT_SECRET": "k" * 32})
    assert config.auth.jwt_secret == "k" * 32
