"""What every part of the golden snapshot shares: its value type and its times."""

from __future__ import annotations

from typing import Any

Doc = dict[str, Any]


def kube_time(day: int, hour: int, minute: int = 0, second: int = 0, *, tz: str) -> str:
    """A Kubernetes time (whole seconds) in January 2026, in the agent's offset `tz`."""
    return f"2026-01-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}{tz}"
