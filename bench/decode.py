"""Decode cost of one cluster as each agent generation writes it, with and without `otel`.

    python bench/decode.py [--pods 300] [--seconds 1]

The same simulated cluster as Agent V2 (92d37dd) writes it, as the later agent
(68cc533) writes it, and the later one with an `otel` subtree (what an agent
with ClickHouse adds: small, or about 1.1 MB for 10 nodes and 30 services).
For each: the master's `decode_snapshot` (UTF-8 check, typed index, events,
summary; no gunzip), the floor (one typed decode of the fields the master
uses) and, for scale, decoding everything into dicts. CPU per snapshot and
per MB of JSON, each the best of three runs of at least `--seconds`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import msgspec  # noqa: E402

from bench.bodies import otel_json  # noqa: E402
from bench.floor import typed_decode  # noqa: E402
from master.demo import SimulatedCluster  # noqa: E402
from master.demo.cluster import go_json  # noqa: E402
from master.demo.dialect import later_snapshot  # noqa: E402
from master.processor import decode_snapshot  # noqa: E402


def cpu_seconds(work: Callable[[], object], seconds: float) -> float:
    """CPU seconds of one call of `work`, the best of three runs of at least `seconds`."""
    best = float("inf")
    for _ in range(3):
        calls = 0
        started = time.process_time()
        while (spent := time.process_time() - started) < seconds or not calls:
            work()
            calls += 1
        best = min(best, spent / calls)
    return best


def bodies(pods: int) -> dict[str, bytes]:
    cluster = SimulatedCluster("decode-bench", pods=pods, seed=5)
    snapshot = cluster.snapshot(datetime.now(UTC))
    out = {"Agent V2": go_json(snapshot), "later": go_json(later_snapshot(snapshot))}
    for size in ("small", "big"):
        out[f"later + {size} otel"] = go_json(later_snapshot(snapshot, otel_json(size)))
    # Keys in another order than Go's (a hand-written client): the first guess is wrong.
    reordered = msgspec.json.decode(out["later + big otel"], type=dict[str, msgspec.Raw])
    reordered = {"pods": reordered.pop("pods"), **reordered}
    out["later + big otel, keys reordered"] = msgspec.json.encode(reordered)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--pods", type=int, default=300, help="pods of the cluster (default 300)")
    p.add_argument("--seconds", type=float, default=1.0, help="least CPU time per figure")
    args = p.parse_args(argv)
    print(
        f"{'body':34} {'JSON':>9} {'master':>16} {'floor':>16} {'ratio':>6} {'all dicts':>16}",
    )
    for name, body in bodies(args.pods).items():
        mb = len(body) / 1e6
        ours = cpu_seconds(partial(decode_snapshot, body, None, received_at=0.0), args.seconds)
        floor = cpu_seconds(partial(typed_decode, body), args.seconds)
        dicts = cpu_seconds(partial(msgspec.json.decode, body), args.seconds)
        print(
            f"{name:34} {mb:7.2f}MB "
            + " ".join(f"{t * 1e3:6.2f}ms {t * 1e3 / mb:5.2f}/MB" for t in (ours, floor))
            + f" {ours / floor:6.2f} {dicts * 1e3:6.2f}ms {dicts * 1e3 / mb:5.2f}/MB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
