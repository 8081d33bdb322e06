"""The benchmark's table: each figure beside its target."""

from __future__ import annotations

import math
from typing import Any


def _fmt(value: Any, unit: str = "", scale: float = 1.0, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value * scale:,.{digits}f}{unit}"


def _lat(summary: dict[str, float]) -> str:
    return (
        " / ".join(_fmt(summary[k], "", 1e3) for k in ("p50", "p99", "max"))
        + f" ms (n={summary['n']})"
    )


def _check(ok: bool | None) -> str:
    return "n/a" if ok is None else ("ok" if ok else "MISSED")


def _le(value: Any, limit: float) -> bool | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return bool(value <= limit)


def targets(r: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, verdict) rows."""
    ingest, cost, cmds = r["ingest"], r["cost"], r["commands"]
    rows = [
        (
            "errors (non-2xx, timeouts)",
            str(r["errors"]["count"]),
            "0",
            _check(r["errors"]["count"] == 0),
        ),
        ("lost commands", str(cmds["lost"]), "0", _check(cmds["lost"] == 0)),
        (
            "snapshot ingest p99",
            _fmt(ingest["latency_s"]["p99"], " ms", 1e3),
            "<= 250 ms",
            _check(_le(ingest["latency_s"]["p99"], 0.25)),
        ),
        (
            "command dispatch p99",
            _fmt(cmds["dispatch_s"]["p99"], " ms", 1e3),
            "<= 50 ms",
            _check(_le(cmds["dispatch_s"]["p99"], 0.05)),
        ),
        (
            "ingest cost ratio (master CPU/MB / floor)",
            _fmt(cost["ratio_total"], "", 1, 2),
            "<= 1.5",
            _check(_le(cost["ratio_total"], 1.5)),
        ),
    ]
    if "heartbeat" in r:
        ratio = r["heartbeat"]["ratio"]
        rows.append(
            (
                "heartbeat throughput vs bare ASGI",
                _fmt(ratio, "", 1, 2),
                ">= 0.7",
                _check(None if ratio is None else ratio >= 0.7),
            )
        )
    if "stream" in r:
        rows.append(
            (
                "stream update latency p99",
                _fmt(r["stream"]["update_latency_s"]["p99"], " ms", 1e3),
                "<= 250 ms",
                _check(_le(r["stream"]["update_latency_s"]["p99"], 0.25)),
            )
        )
    if "long_polls" in r:
        rows.append(
            (
                "master RSS per held poll",
                _fmt(r["long_polls"]["rss_kb_per_poll"], " KB"),
                "<= 40 KB",
                _check(_le(r["long_polls"]["rss_kb_per_poll"], 40)),
            )
        )
    return rows


def render(r: dict[str, Any]) -> str:
    s, ingest, cost, cmds, m = r["scenario"], r["ingest"], r["cost"], r["commands"], r["master"]
    sizes = r["snapshots"]
    lines = [
        f"scenario: {s['agents']} agents x {s['pods']} pods, {s['duration']:.0f}s, "
        f"{s['idle_polls']} idle polls, {s['commands_per_s']} commands/s",
        f"snapshot: {_fmt(sizes['json_bytes_mean'] / 1e6, ' MB', 1, 2)} JSON, "
        f"{_fmt(sizes['gzip_bytes_mean'] / 1e3, ' KB')} gzip (mean of the fleet)",
    ]
    if s.get("later_agents"):
        lines.append(
            f"later agents: {s['later_agents']} (otel {s['otel']}), their snapshot "
            f"{_fmt(sizes['later_json_bytes_mean'] / 1e6, ' MB', 1, 2)} JSON, "
            f"{_fmt(sizes['later_gzip_bytes_mean'] / 1e3, ' KB')} gzip, every 10 s"
        )
    lines += [
        "",
        f"snapshot ingest latency p50/p99/max  {_lat(ingest['latency_s'])}",
        *(
            [f"  of later agents p50/p99/max       {_lat(ingest['later_latency_s'])}"]
            if s.get("later_agents")
            else []
        ),
        f"snapshots accepted                   {_fmt(ingest['snapshots_per_s'], '/s')}, "
        f"{_fmt(ingest['mb_per_s'], ' MB/s', 1, 2)} of JSON",
        f"floor (gunzip + typed decode)        {_fmt(r['floor']['cpu_ms_per_mb'], ' ms CPU/MB', 1, 2)}",
        f"master CPU per MB (whole process)    {_fmt(cost['master_cpu_ms_per_mb'], ' ms/MB', 1, 2)}"
        f"  ratio {_fmt(cost['ratio_total'], '', 1, 2)}",
        f"master decode CPU per MB (counter)   {_fmt(cost['decode_cpu_ms_per_mb'], ' ms/MB', 1, 2)}"
        f"  ratio {_fmt(cost['ratio_decode'], '', 1, 2)}",
        f"command dispatch p50/p99/max         {_lat(cmds['dispatch_s'])}",
        f"command round trip p50/p99/max       {_lat(cmds['round_trip_s'])}",
        f"commands                             {cmds['succeeded']}/{cmds['submitted']} success",
        f"master CPU, RSS                      {_fmt(m['cpu_percent'], ' %')}, {_fmt(m['rss_mb'], ' MB')}",
    ]
    if "heartbeat" in r:
        hb = r["heartbeat"]
        lines.append(
            f"heartbeats/s master vs bare ASGI     {_fmt(hb['master_per_s'], '', 1, 0)} vs "
            f"{_fmt(hb['bare_asgi_per_s'], '', 1, 0)}"
        )
    if "stream" in r:
        st = r["stream"]
        lines.append(f"stream update latency p50/p99/max    {_lat(st['update_latency_s'])}")
        lines.append(
            f"stream deliveries, subscribers       {_fmt(st['deliveries_per_s'], '/s')}, "
            f"{st['subscribers']} ({st['resyncs']} resyncs, {st['failures']} failed)"
        )
    if "long_polls" in r:
        lp = r["long_polls"]
        lines.append(
            f"held polls, RSS idle -> held         {lp['held']}, {_fmt(lp['rss_idle_mb'], ' MB')} -> "
            f"{_fmt(lp['rss_held_mb'], ' MB')}"
        )
    if r["errors"]["samples"]:
        lines += ["", "first errors:"] + [f"  {e}" for e in r["errors"]["samples"]]
    rows = targets(r)
    width = max(len(w) for w, *_ in rows)
    lines += ["", f"{'target':<{width}}  {'measured':>10}  {'goal':>10}  verdict"]
    lines += [f"{w:<{width}}  {m_:>10}  {g:>10}  {v}" for w, m_, g, v in rows]
    return "\n".join(lines)
