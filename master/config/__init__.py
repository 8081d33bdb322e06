"""The master's configuration: `config.toml`, then `MASTER_*` environment overrides.

`Config` holds one frozen section per TOML table (`config.server`,
`config.commands`, ...); each setting is declared once, in `sections.py`, with
its default, parser, environment variable and help. Environment names are
those of the Go master, so a deployment can switch to this one without
renaming its variables.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .sections import (
    AGENT_POLL_DEADLINE,
    SECTIONS,
    SETTINGS,
    AgentConfig,
    AlertsConfig,
    AuthConfig,
    CommandsConfig,
    Config,
    DatahubConfig,
    DemoConfig,
    NotifyConfig,
    ServerConfig,
    Setting,
    StorageConfig,
    StreamConfig,
)
from .values import LOG_LEVELS, SMTP_TLS_MODES, parse_duration, parse_size

__all__ = [
    "AGENT_POLL_DEADLINE",
    "DEFAULT_CONFIG_PATH",
    "LOG_LEVELS",
    "SECTIONS",
    "SETTINGS",
    "SMTP_TLS_MODES",
    "AgentConfig",
    "AlertsConfig",
    "AuthConfig",
    "CommandsConfig",
    "Config",
    "ConfigError",
    "DatahubConfig",
    "DemoConfig",
    "NotifyConfig",
    "ServerConfig",
    "Setting",
    "StorageConfig",
    "StreamConfig",
    "load_config",
    "parse_duration",
    "parse_size",
    "unknown_env_vars",
]

DEFAULT_CONFIG_PATH = Path("config.toml")

_BY_TOML: dict[tuple[str, str], Setting] = {(s.section, s.key): s for s in SETTINGS}
_KEYS: dict[str, list[str]] = {
    name: [f.name for f in dataclasses.fields(cls)] for name, cls in SECTIONS.items()
}


class ConfigError(Exception):
    """A setting is missing its mark; the message names it and says what is wanted."""


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
    values: dict[str, dict[str, Any]] = {name: {} for name in SECTIONS}
    if path is not None:
        for setting, value in _read_toml(path):
            values[setting.section][setting.key] = value
    for setting in SETTINGS:
        if setting.env in env:
            values[setting.section][setting.key] = _parse(setting, env[setting.env], setting.env)
    return Config().replace(**values)


def unknown_env_vars(env: Mapping[str, str] | None = None) -> list[str]:
    """`MASTER_*` variables that are no setting, so a misspelt one can be warned about.

    Not an error: the environment is shared with everything else in the process.
    """
    env = os.environ if env is None else env
    known = {s.env for s in SETTINGS}
    return sorted(name for name in env if name.startswith("MASTER_") and name not in known)


def _read_toml(path: Path) -> list[tuple[Setting, object]]:
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except OSError as err:
        raise ConfigError(f"{path}: cannot read config file: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: invalid TOML: {err}") from err
    found: list[tuple[Setting, object]] = []
    for section, table in doc.items():
        if section not in SECTIONS:
            raise ConfigError(f"{path}: unknown {_describe_unknown(section, table)}")
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{section}] must be a table, got {table!r}")
        for key, raw in table.items():
            setting = _BY_TOML.get((section, key))
            if setting is None:
                hint = _did_you_mean(key, _KEYS[section])
                raise ConfigError(f"{path} [{section}]: unknown key {key!r}{hint}")
            found.append((setting, _parse(setting, raw, f"{path} {setting.toml_name}")))
    return found


def _describe_unknown(name: str, value: object) -> str:
    if isinstance(value, dict):
        return f"section [{name}]{_did_you_mean(name, list(SECTIONS))}"
    # A key outside any section: say which section it belongs in, if any.
    homes = [s.toml_name for s in SETTINGS if s.key == name]
    if homes:
        return f"top-level key {name!r} (it belongs under {' or '.join(homes)})"
    return f"top-level key {name!r} (settings go in sections {', '.join(SECTIONS)})"


def _did_you_mean(name: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _parse(setting: Setting, raw: object, where: str) -> object:
    try:
        return setting.parse(raw)
    except ValueError as err:
        raise ConfigError(f"{where}: {err}") from err
