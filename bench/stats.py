"""Latency samples and their percentiles, as the benchmark reports them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence


def percentile(samples: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of `samples`; NaN when there are none.

    Nearest rank never invents a value that was not measured, so p99 of a
    small sample is a real observation (its maximum when n < 100).
    """
    if not 0 <= p <= 100:
        raise ValueError(f"percentile must be within 0..100, got {p}")
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(samples: Iterable[float]) -> dict[str, float]:
    """{"n", "p50", "p99", "max"} of the samples (NaN figures when empty)."""
    values = list(samples)
    return {
        "n": len(values),
        "p50": percentile(values, 50),
        "p99": percentile(values, 99),
        "max": max(values) if values else math.nan,
    }


def rate(count: float, seconds: float) -> float:
    """count per second; NaN for an empty interval."""
    return count / seconds if seconds > 0 else math.nan
