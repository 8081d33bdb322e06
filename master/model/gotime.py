"""Go `encoding/json` timestamps: RFC 3339 with nanoseconds and any offset.

An unset Go `time.Time` is `0001-01-01T00:00:00Z`; it means "unknown" and
becomes `None` here so it is never sorted or expired by.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


def parse_go_time(value: str | None) -> datetime | None:
    """Parse a Go timestamp into an aware UTC datetime (microsecond precision).

    Returns None for empty strings and Go's zero time (year 1).
    Raises ValueError for text that is not RFC 3339.
    """
    if not value:
        return None
    if _RFC3339.match(value) is None:
        raise ValueError(f"not an RFC 3339 timestamp: {value[:40]!r}")
    if value.startswith("0001-"):
        return None
    # Python 3.11 reads any fraction length (truncating past microseconds) and any offset.
    try:
        return datetime.fromisoformat(value).astimezone(UTC)
    except OverflowError as err:  # an offset pushing the time past year 9999
        raise ValueError(f"timestamp out of range: {value[:40]!r}") from err


@lru_cache(maxsize=1 << 16)
def normalize_go_time(value: str | None) -> str | None:
    """`format_time(parse_go_time(value))`, cached: events repeat their times in every snapshot."""
    return format_time(parse_go_time(value))


def format_time(value: datetime | None) -> str | None:
    """Format as RFC 3339 UTC with microseconds (`...Z`), sortable as text; None stays None."""
    if value is None:
        return None
    v = value.astimezone(UTC)
    # Not strftime: it does not pad years before 1000, and the text must sort as time.
    return (
        f"{v.year:04d}-{v.month:02d}-{v.day:02d}T{v.hour:02d}:{v.minute:02d}:"
        f"{v.second:02d}.{v.microsecond:06d}Z"
    )


def from_epoch(seconds: float | None) -> str | None:
    """Format a Unix time as `format_time` does; None stays None."""
    if seconds is None:
        return None
    return format_time(datetime.fromtimestamp(seconds, UTC))


def epoch_to_second(seconds: float | None) -> str | None:
    """A Unix time as RFC 3339 UTC to the second (`2006-01-02T15:04:05Z`), the way the Go
    master writes the times of its own records (users, audit rows); None stays None."""
    text = from_epoch(seconds)
    return None if text is None else text[:19] + "Z"
