"""Parsers of setting values: what the environment (a string) or TOML gave, typed and checked.

Each returns the typed, validated value or raises ValueError with a message
that completes "<setting>: ...". Durations are float seconds, sizes int bytes.
"""

from __future__ import annotations

import ipaddress
import math
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

KiB = 1024
MiB = 1024 * KiB
GiB = 1024 * MiB
LOG_LEVELS = ("debug", "info", "warning", "error")
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


def integer(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected an integer, got {value!r}")


def port(value: object) -> int:
    try:
        port = integer(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ValueError(f"expected a port 0-65535 (0 picks a free port), got {value!r}")
    return port


def count(minimum: int) -> Callable[[object], int]:
    def parse(value: object) -> int:
        n = integer(value)
        if n < minimum:
            raise ValueError(f"expected an integer >= {minimum}, got {value!r}")
        return n

    return parse


def duration(*, allow_zero: bool = False, below: float | None = None) -> Callable[[object], float]:
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


def size(value: object) -> int:
    if not isinstance(value, str | int):
        raise ValueError(f"expected a size like '32MiB', got {value!r}")
    n = parse_size(value)
    if n < 1:
        raise ValueError(f"expected a size of at least 1 byte, got {value!r}")
    return n


def string(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"expected a non-empty string, got {value!r}")
    return value.strip()


def log_level(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in LOG_LEVELS:
        return value.strip().lower()
    raise ValueError(f"expected one of {', '.join(LOG_LEVELS)}, got {value!r}")


def optional_string(value: object) -> str:
    # "" means "not set": the master then generates what is needed (and says so).
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value.strip()


def boolean(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "on"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def list_items(value: object, what: str) -> tuple[str, ...]:
    """The non-empty items of a TOML list or a comma-separated string, stripped."""
    items = (
        list(value)
        if isinstance(value, list | tuple)
        else value.split(",")
        if isinstance(value, str)
        else None
    )
    if items is None or not all(isinstance(i, str) for i in items):
        raise ValueError(f"expected a comma-separated list of {what}, got {value!r}")
    return tuple(i.strip() for i in items if i.strip())


def origins(value: object) -> tuple[str, ...]:
    origins = tuple(i.rstrip("/") for i in list_items(value, "origins"))
    for origin in origins:
        if not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ValueError(f"expected origins like https://ops.example.com, got {origin!r}")
    return origins


def hosts(value: object) -> tuple[str, ...]:
    items = list_items(value, "host names")
    for host in items:
        if host != "*" and not re.fullmatch(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?", host):
            raise ValueError(f"expected host names like ops.example.com (or *), got {host!r}")
    return tuple(h.lower() for h in items)


def networks(value: object) -> tuple[str, ...]:
    items = list_items(value, "addresses or networks")
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ValueError(
                f"expected IP addresses or networks like 10.0.0.5 or 10.0.0.0/8, got {item!r}"
            ) from None
    return items


# HS256 keys shorter than the hash's 32 bytes are weaker than the algorithm (RFC 7518 3.2).
MIN_JWT_SECRET = 32


def jwt_secret(value: object) -> str:
    """A signing key of at least 32 bytes, or "" (generate one); never quoted back."""
    secret = optional_string(value)
    if secret and len(secret.encode()) < MIN_JWT_SECRET:
        raise ValueError(
            f"must be at least {MIN_JWT_SECRET} bytes (or empty to generate one), "
            f"got {len(secret.encode())}"
        )
    return secret


SMTP_TLS_MODES = ("starttls", "tls", "none")


def smtp_tls(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in SMTP_TLS_MODES:
        return value.strip().lower()
    raise ValueError(f"expected one of {', '.join(SMTP_TLS_MODES)}, got {value!r}")


def optional_url(value: object) -> str:
    url = optional_string(value)
    if url and not re.fullmatch(r"https?://[^/\s]+(/\S*)?", url):
        raise ValueError(f"expected an http:// or https:// URL, got {value!r}")
    return url


def addresses(value: object) -> tuple[str, ...]:
    addresses = list_items(value, "e-mail addresses")
    for address in addresses:
        if not re.fullmatch(r"[^@\s,]+@[^@\s,]+", address):
            raise ValueError(f"expected e-mail addresses like ops@example.com, got {address!r}")
    return addresses


def path(value: object) -> Path:
    return Path(string(value))


def optional_path(value: object) -> Path | None:
    # TOML has no null, so "" is how the file (or the environment) says "unset".
    if isinstance(value, str) and not value.strip():
        return None
    return path(value)
