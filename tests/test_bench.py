"""The benchmark's own measuring code, and a tiny scenario end to end so it cannot rot."""

from __future__ import annotations

import gzip
import json
import math
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from bench import decode as decode_bench
from bench.floor import (
    LaterTypedEnvelope,
    TypedEnvelope,
    floor_cpu_per_mb,
    master_decode_cpu_per_mb,
    typed_decode,
)
from bench.report import targets
from bench.stats import percentile, rate, summarize
from master.processor import decode_snapshot

from .agent_v3.spelling import later_spelling
from .goagent import snapshot

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("samples", "p", "expected"),
    [
        ([5.0], 50, 5.0),
        ([1.0, 2.0, 3.0, 4.0], 50, 2.0),
        ([1.0, 2.0, 3.0, 4.0], 75, 3.0),
        ([4.0, 3.0, 2.0, 1.0], 100, 4.0),
        ([4.0, 3.0, 2.0, 1.0], 0, 1.0),
        (list(map(float, range(1, 101))), 99, 99.0),
        (list(map(float, range(1, 201))), 99, 198.0),
        (list(map(float, range(1, 51))), 99, 50.0),  # fewer than 100: p99 is the maximum
    ],
)
def test_percentile_is_nearest_rank(samples: list[float], p: float, expected: float) -> None:
    assert percentile(samples, p) == expected


def test_percentile_edges() -> None:
    assert math.isnan(percentile([], 50))
    with pytest.raises(ValueError):
        percentile([1.0], 101)
    assert summarize([3.0, 1.0, 2.0]) == {"n": 3, "p50": 2.0, "p99": 3.0, "max": 3.0}
    empty = summarize([])
    assert empty["n"] == 0 and math.isnan(empty["max"])
    assert rate(10, 4) == 2.5 and math.isnan(rate(1, 0))


@pytest.mark.parametrize("later", [False, True], ids=["v2", "v3"])
def test_floor_decodes_what_the_master_decodes(later: bool) -> None:
    body = msgspec.json.encode(later_spelling(snapshot()) if later else snapshot())
    typed = typed_decode(body)
    assert isinstance(typed, LaterTypedEnvelope if later else TypedEnvelope)
    ours = decode_snapshot(body, None, received_at=0.0)
    assert len(typed.pods or []) == ours.summary.total_pods
    assert len(typed.nodes or []) == ours.summary.total_nodes
    assert len(typed.events or []) == ours.summary.total_events
    flat = typed.replicaSets if isinstance(typed, LaterTypedEnvelope) else typed.replicasets
    assert [rs.owner_name for rs in flat or ()] == ["web"]


def test_floor_and_master_decode_cost_are_measured() -> None:
    gz = [gzip.compress(msgspec.json.encode(snapshot()))]
    floor = floor_cpu_per_mb(gz, min_seconds=0.05)
    ours = master_decode_cpu_per_mb(gz, min_seconds=0.05)
    assert 0 < floor < math.inf and 0 < ours < math.inf


def _results(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "errors": {"count": 0, "samples": []},
        "ingest": {"latency_s": {"n": 3, "p50": 0.01, "p99": 0.3, "max": 0.3}},
        "cost": {"ratio_total": 1.2},
        "commands": {
            "lost": 0,
            "dispatch_s": {"n": 0, "p50": math.nan, "p99": math.nan, "max": math.nan},
        },
        "heartbeat": {"ratio": 0.69},
        "long_polls": {"rss_kb_per_poll": None},
    }
    base.update(changes)
    return base


def test_targets_judge_each_figure() -> None:
    verdicts = {what: verdict for what, _, _, verdict in targets(_results())}
    assert verdicts["errors (non-2xx, timeouts)"] == "ok"
    assert verdicts["snapshot ingest p99"] == "MISSED"  # 300 ms > 250 ms
    assert verdicts["command dispatch p99"] == "n/a"  # nothing measured is not a pass
    assert verdicts["ingest cost ratio (master CPU/MB / floor)"] == "ok"
    assert verdicts["heartbeat throughput vs bare ASGI"] == "MISSED"
    assert verdicts["master RSS per held poll"] == "n/a"


@pytest.mark.slow
def test_tiny_scenario_end_to_end(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--agents",
            "4",
            "--later-agents",
            "2",
            "--otel",
            "small",
            "--pods",
            "20",
            "--duration",
            "4",
            "--commands-per-s",
            "2",
            "--idle-polls",
            "10",
            "--browsers",
            "3",
            "--saturation-seconds",
            "1",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "verdict" in proc.stdout
    r = json.loads(out.read_text())
    assert r["errors"]["count"] == 0, r["errors"]
    assert r["commands"]["submitted"] > 0 and r["commands"]["lost"] == 0
    assert r["commands"]["dispatch_s"]["n"] == r["commands"]["submitted"]
    assert r["ingest"]["latency_s"]["n"] >= 4 and r["ingest"]["master_mb"] > 0
    assert r["ingest"]["later_latency_s"]["n"] >= 2
    assert r["snapshots"]["later_json_bytes_mean"] > r["snapshots"]["json_bytes_mean"]
    assert r["cost"]["master_cpu_s"] > 0 and r["floor"]["cpu_ms_per_mb"] > 0
    assert r["long_polls"]["held"] == 10 and r["long_polls"]["rss_held_mb"] > 0
    assert r["heartbeat"]["master_per_s"] > 0 and r["heartbeat"]["bare_asgi_per_s"] > 0
    stream = r["stream"]
    assert stream["failures"] == 0 and stream["resyncs"] == 0, stream
    assert stream["update_latency_s"]["n"] >= 3 and stream["deliveries_per_s"] > 0


def test_decode_cost_is_measured_for_both_generations(capsys: pytest.CaptureFixture[str]) -> None:
    assert decode_bench.main(["--pods", "20", "--seconds", "0.001"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:]
    assert [r.split("  ")[0] for r in rows] == [
        "Agent V2",
        "later",
        "later + small otel",
        "later + big otel",
        "later + big otel, keys reordered",
    ]
