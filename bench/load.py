"""Load the master like a fleet of Go agents and report against the targets.

    python bench/load.py [--agents 200] [--pods 300] [--duration 40] [--idle-polls 0]
                         [--later-agents 0] [--otel big] [--commands-per-s 2] [--browsers 0]
                         [--url AGENT_URL --gateway-url URL] [--json PATH]

The fleet is Agent V2 (92d37dd: a snapshot every 20 s, one poll); `--later-agents N`
of them are the later agent (68cc533: a snapshot every 10 s in its spelling with an
`otel` subtree of `--otel` size, `ops` and `ai` polls held side by side).
Without --url it starts the master itself (loopback, throw-away data directory).
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import secrets
import sys
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, cast

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import msgspec  # noqa: E402
import trio  # noqa: E402

from bench.agents import (  # noqa: E402
    SNAPSHOT_INTERVAL,
    BenchAgent,
    Recorder,
    drive_commands,
    hold_idle_polls,
)
from bench.bodies import OTEL_SIZES, Template, build_bodies, targets  # noqa: E402
from bench.floor import floor_cpu_per_mb, master_decode_cpu_per_mb  # noqa: E402
from bench.masterproc import MasterProcess, read_metrics, run_master  # noqa: E402
from bench.rawclient import RawClient  # noqa: E402
from bench.report import render  # noqa: E402
from bench.saturate import run_bare_app, saturate  # noqa: E402
from bench.stats import rate, summarize  # noqa: E402
from master.demo import SimulatedCluster  # noqa: E402

HEARTBEAT_INTERVAL = 15.0
SATURATION_SECONDS = 5.0
SATURATION_CONNECTIONS = 32


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--agents", type=int, default=200, help="simulated clusters (default 200)")
    p.add_argument(
        "--pods", type=int, default=300, help="pods per cluster: sets snapshot size (default 300)"
    )
    p.add_argument("--duration", type=float, default=40, help="seconds of load (default 40)")
    p.add_argument(
        "--idle-polls", type=int, default=0, help="extra connections that only long-poll"
    )
    p.add_argument(
        "--later-agents",
        type=int,
        default=0,
        help="how many of the agents are the later generation (68cc533)",
    )
    p.add_argument(
        "--otel",
        choices=sorted(OTEL_SIZES),
        default="big",
        help="the otel subtree later agents send (none: no ClickHouse; big: about 1.1 MB)",
    )
    p.add_argument(
        "--browsers",
        type=int,
        default=0,
        help="websocket subscribers to every cluster's summaries (a separate process)",
    )
    p.add_argument("--commands-per-s", type=float, default=2, help="commands submitted per second")
    p.add_argument("--url", help="agent port of an already running master (default: start one)")
    p.add_argument("--gateway-url", help="its gateway (default: the --url host on port 8080)")
    p.add_argument("--admin-user", default="admin", help="administrator of a --url master")
    p.add_argument(
        "--admin-password",
        help="its password: the benchmark logs in and creates an agent token per simulated cluster",
    )
    p.add_argument(
        "--agent-token",
        help="instead, one bearer token all agents send (a --url "
        "master with MASTER_AGENT_REQUIRE_TOKEN=false, or a single cluster)",
    )
    p.add_argument("--gateway-token", help="instead of logging in, an operator's bearer token")
    p.add_argument(
        "--saturation-seconds",
        type=float,
        default=SATURATION_SECONDS,
        help="length of each heartbeat saturation run (0 skips it)",
    )
    p.add_argument("--json", type=Path, help="also write every figure as JSON here")
    args = p.parse_args(argv)
    if args.agents < 1 or args.pods < 1 or args.duration <= 0 or args.idle_polls < 0:
        p.error("--agents and --pods must be at least 1, --duration positive, --idle-polls >= 0")
    if not 0 <= args.later_agents <= args.agents:
        p.error("--later-agents must be between 0 and --agents")
    if args.url and not args.gateway_url:
        args.gateway_url = httpx.URL(args.url).copy_with(port=8080).__str__().rstrip("/")
    return args


class Progress:
    """One live line: elapsed, requests, errors (a line every 10 s when not a terminal)."""

    def __init__(self, recorder: Recorder, agents: list[BenchAgent]) -> None:
        self.recorder = recorder
        self.agents = agents
        self.tty = sys.stderr.isatty()

    def line(self, elapsed: float) -> str:
        r = self.recorder
        errors = r.errors + sum(a.errors - a.errors_seen for a in self.agents)
        return (
            f"[{elapsed:5.0f}s] requests {r.requests:7d}  errors {errors:4d}  "
            f"snapshots {len(r.snapshot_latency):6d}  commands {r.commands_succeeded}/{r.commands_submitted}"
        )

    async def run(self) -> None:
        started = trio.current_time()
        while True:
            await trio.sleep(1)
            elapsed = trio.current_time() - started
            if self.tty:
                print("\r" + self.line(elapsed), end="", file=sys.stderr, flush=True)
            elif round(elapsed) % 10 == 0:
                print(self.line(elapsed), file=sys.stderr, flush=True)


async def login(client: httpx.AsyncClient, gateway_url: str, user: str, password: str) -> str:
    r = await client.post(
        gateway_url + "/api/v2/user/login", json={"username": user, "password": password}
    )
    r.raise_for_status()
    token: str = r.json()["data"]["token"]
    return token


async def provision_tokens(
    client: httpx.AsyncClient, gateway_url: str, admin_token: str, cluster_ids: list[str]
) -> dict[str, str]:
    """One agent token per cluster, created through the admin API (50 requests at a time)."""
    tokens: dict[str, str] = {}
    limiter = trio.CapacityLimiter(50)

    async def one(cluster_id: str) -> None:
        async with limiter:
            r = await client.post(
                gateway_url + "/api/v2/agent-tokens",
                json={"cluster_id": cluster_id},
                headers={"Authorization": f"Bearer {admin_token}"},
            )
            r.raise_for_status()
            tokens[cluster_id] = r.json()["token"]

    async with trio.open_nursery() as nursery:
        for cluster_id in cluster_ids:
            nursery.start_soon(one, cluster_id)
    return tokens


def stage(text: str) -> None:
    print(f"-- {text}", file=sys.stderr, flush=True)


async def measure(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "scenario": {k: v for k, v in vars(args).items() if k != "json" and "token" not in k}
    }
    cluster_ids = [f"bench-{i:05d}" for i in range(1, args.agents + 1)]
    # Every k-th agent is a later one, so both generations share the templates.
    later = frozenset(later_ids(cluster_ids, args.later_agents))

    stage(f"building snapshots for {args.agents} agents x {args.pods} pods")
    t0 = time.monotonic()
    bodies, templates = await trio.to_thread.run_sync(
        partial(build_bodies, cluster_ids, args.pods, later=later, otel=args.otel)
    )
    results["snapshots"] = {"build_seconds": time.monotonic() - t0}
    for name, chosen in (
        ("", bodies),
        ("later_", [b for c, b in zip(cluster_ids, bodies, strict=True) if c in later]),
    ):
        sizes = [size for agent in chosen for _, size in agent]
        if sizes:
            results["snapshots"][f"{name}json_bytes_mean"] = sum(sizes) / len(sizes)
            results["snapshots"][f"{name}gzip_bytes_mean"] = sum(
                len(b) for agent in chosen for b, _ in agent
            ) / len(sizes)

    stage("measuring the floor: gunzip + typed decode of the same bytes")
    # Both generations' bodies, in the fleet's proportion.
    step = max(1, len(bodies) // (2 * len(templates)))
    sample = [b for agent in bodies[::step] for b, _ in agent]
    floor = await trio.to_thread.run_sync(floor_cpu_per_mb, sample)
    own_decode = await trio.to_thread.run_sync(master_decode_cpu_per_mb, sample)
    results["floor"] = {
        "cpu_ms_per_mb": floor * 1e3,
        "master_decode_cpu_ms_per_mb": own_decode * 1e3,
        "master_decode_vs_floor": own_decode / floor,
    }

    recorder = Recorder()
    idle_ids = [f"idle-{i}" for i in range(args.idle_polls)]
    async with trio.open_nursery() as root:
        if args.url:
            master = MasterProcess(args.url.rstrip("/"), args.gateway_url.rstrip("/"), None)
            password = args.admin_password
        else:
            stage("starting the master")
            password = secrets.token_urlsafe(16)
            master = await root.start(
                run_master, {"MASTER_LOG_LEVEL": "info", "MASTER_ADMIN_PASSWORD": password}
            )
        limits = httpx.Limits(
            max_connections=3 * args.agents + 50, max_keepalive_connections=3 * args.agents + 50
        )
        async with httpx.AsyncClient(limits=limits, timeout=90) as client:
            gateway_token = args.gateway_token
            tokens: dict[str, str] = {}
            if password:
                gateway_token = await login(client, master.gateway_url, args.admin_user, password)
                stage(f"creating {len(cluster_ids) + len(idle_ids)} agent tokens")
                tokens = await provision_tokens(
                    client, master.gateway_url, gateway_token, cluster_ids + idle_ids
                )
            elif args.agent_token:
                tokens = dict.fromkeys(cluster_ids + idle_ids, args.agent_token)
            gw_headers = {"Authorization": f"Bearer {gateway_token}"} if gateway_token else {}
            results.update(
                await _load(
                    args,
                    master,
                    client,
                    cluster_ids,
                    bodies,
                    templates,
                    recorder,
                    tokens,
                    gw_headers,
                    floor,
                )
            )
        root.cancel_scope.cancel()
    return results


async def _wait_for_gauge(
    client: httpx.AsyncClient, gateway_url: str, gauge: str, count: int
) -> None:
    """Poll the master's gauge (it has no push channel to wait on) until it reaches `count`."""
    with trio.fail_after(120):
        while (await read_metrics(client, gateway_url)).get(gauge, 0) < count:  # noqa: ASYNC110
            await trio.sleep(0.5)


async def _browsers(
    gateway_url: str,
    token: str,
    count: int,
    seconds: float,
    result: dict[str, Any],
    finished: trio.Event,
) -> None:
    """bench/browsers.py in its own process; its JSON lands in `result`."""
    done = await trio.run_process(
        [sys.executable, "-m", "bench.browsers", gateway_url, str(count), str(seconds)],
        capture_stdout=True,
        cwd=ROOT,
        env={**os.environ, "BENCH_GATEWAY_TOKEN": token},
    )
    result.update(json.loads(done.stdout))
    finished.set()


async def _load(
    args: argparse.Namespace,
    master: MasterProcess,
    client: httpx.AsyncClient,
    cluster_ids: list[str],
    bodies: list[list[tuple[bytes, int]]],
    templates: list[Template],
    recorder: Recorder,
    tokens: dict[str, str],
    gw_headers: dict[str, str],
    floor: float,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    template = SimulatedCluster("bench-template", pods=min(args.pods, 60), seed=1)
    # The fleet speaks through the light raw client; httpx would saturate this process first.
    fleet_client = cast(httpx.AsyncClient, RawClient())
    later = frozenset(later_ids(cluster_ids, args.later_agents))
    agents = [
        BenchAgent(
            master.agent_url,
            cid,
            template,
            b,
            recorder,
            client=fleet_client,
            token=tokens.get(cid),
            later=cid in later,
        )
        for cid, b in zip(cluster_ids, bodies, strict=True)
    ]
    agents_by_id = {a.cluster_id: a for a in agents}
    async with trio.open_nursery() as load:
        rss_idle = master.rss_bytes()
        if args.idle_polls:
            stage(f"opening {args.idle_polls} idle long polls")
            await load.start(
                partial(hold_idle_polls, master.agent_url, args.idle_polls, recorder, tokens=tokens)
            )
            await _wait_for_gauge(client, master.gateway_url, "master_polls_held", args.idle_polls)
            await trio.sleep(1)
            rss_held = master.rss_bytes()
            out["long_polls"] = {
                "held": args.idle_polls,
                "rss_idle_mb": rss_idle / 2**20 if rss_idle else None,
                "rss_held_mb": rss_held / 2**20 if rss_held else None,
                "rss_kb_per_poll": (rss_held - rss_idle) / 1024 / args.idle_polls
                if rss_idle and rss_held
                else None,
            }

        browsers: dict[str, Any] = {}
        browsers_done = trio.Event()
        if args.browsers:
            stage(f"connecting {args.browsers} stream subscribers")
            token = gw_headers.get("Authorization", "").removeprefix("Bearer ")
            load.start_soon(
                _browsers,
                master.gateway_url,
                token,
                args.browsers,
                args.duration,
                browsers,
                browsers_done,
            )
            await _wait_for_gauge(
                client, master.gateway_url, "master_stream_subscribers", args.browsers
            )

        stage(f"running {args.agents} agents for {args.duration:.0f}s")
        before = await read_metrics(client, master.gateway_url)
        cpu_before, wall_before = master.cpu_seconds(), trio.current_time()
        async with trio.open_nursery() as fleet:
            fleet.start_soon(Progress(recorder, agents).run)
            spread = min(SNAPSHOT_INTERVAL, args.duration / 2)
            for i, agent in enumerate(agents):
                fleet.start_soon(_start_later, agent, spread * i / len(agents))
            until = trio.current_time() + args.duration
            await drive_commands(
                master.gateway_url,
                agents,
                targets(template.snapshot(datetime.now(UTC))),
                args.commands_per_s,
                until,
                recorder,
                client,
                headers=gw_headers,
            )
            await trio.sleep_until(until)
            fleet.cancel_scope.cancel()
        wall = trio.current_time() - wall_before
        cpu_after = master.cpu_seconds()
        after = await read_metrics(client, master.gateway_url)
        rss_loaded = master.rss_bytes()
        print(file=sys.stderr)
        for agent in agents_by_id.values():
            agent.sync_errors()
        if args.browsers:
            with trio.fail_after(60):
                await browsers_done.wait()
            out["stream"] = browsers
        load.cancel_scope.cancel()

    accepted_mb = (
        after.get("master_snapshot_bytes_total", 0) - before.get("master_snapshot_bytes_total", 0)
    ) / 1e6
    snapshots = after.get("master_snapshots_total", 0) - before.get("master_snapshots_total", 0)
    cpu = cpu_after - cpu_before if cpu_after is not None and cpu_before is not None else None
    decode_cpu = after.get("master_snapshot_decode_cpu_seconds_total", 0) - before.get(
        "master_snapshot_decode_cpu_seconds_total", 0
    )
    out["ingest"] = {
        "latency_s": summarize(recorder.snapshot_latency),
        "later_latency_s": summarize(recorder.later_snapshot_latency),
        "snapshots_per_s": rate(snapshots, wall),
        "mb_per_s": rate(accepted_mb, wall),
        "load_side_mb": recorder.snapshot_bytes / 1e6,
        "master_mb": accepted_mb,
    }
    out["cost"] = {
        "master_cpu_s": cpu,
        "master_cpu_ms_per_mb": cpu / accepted_mb * 1e3
        if cpu is not None and accepted_mb
        else None,
        "ratio_total": cpu / accepted_mb / floor if cpu is not None and accepted_mb else None,
        "decode_cpu_ms_per_mb": decode_cpu / accepted_mb * 1e3 if accepted_mb else None,
        "ratio_decode": decode_cpu / accepted_mb / floor if accepted_mb else None,
    }
    out["commands"] = {
        "submitted": recorder.commands_submitted,
        "succeeded": recorder.commands_succeeded,
        "lost": recorder.commands_submitted - recorder.commands_succeeded,
        "dispatch_s": summarize(recorder.dispatch_latency()),
        "round_trip_s": summarize(recorder.command_round_trip),
        "master_dispatch_s_mean": _hist_mean(after, before, "master_command_dispatch_seconds"),
    }
    out["master"] = {
        "cpu_percent": cpu / wall * 100 if cpu is not None else None,
        "rss_mb": rss_loaded / 2**20 if rss_loaded else None,
        "refused": {
            k: v - before.get(k, 0)
            for k, v in after.items()
            if k.startswith("master_agent_rejected_total")
        },
    }
    out["errors"] = {"count": recorder.errors, "samples": recorder.error_samples}
    if args.saturation_seconds > 0:
        out["heartbeat"] = await _saturation(args, master, cluster_ids, tokens)
    return out


def _hist_mean(after: dict[str, float], before: dict[str, float], name: str) -> float:
    count = after.get(f"{name}_count", 0) - before.get(f"{name}_count", 0)
    total = after.get(f"{name}_sum", 0) - before.get(f"{name}_sum", 0)
    return total / count if count else math.nan


def later_ids(cluster_ids: list[str], count: int) -> list[str]:
    """`count` of `cluster_ids`, spread evenly."""
    if not count:
        return []
    step = len(cluster_ids) / count
    return [cluster_ids[int(i * step)] for i in range(count)]


async def _start_later(agent: BenchAgent, delay: float) -> None:
    await trio.sleep(delay)
    await agent.run()


async def _saturation(
    args: argparse.Namespace, master: MasterProcess, cluster_ids: list[str], tokens: dict[str, str]
) -> dict[str, Any]:
    stage(
        f"heartbeat saturation: master, then a bare ASGI app ({args.saturation_seconds:.0f}s each)"
    )
    ours = await saturate(
        master.agent_url,
        cluster_ids,
        tokens,
        connections=SATURATION_CONNECTIONS,
        seconds=args.saturation_seconds,
    )
    async with trio.open_nursery() as nursery:
        url, _pid = await nursery.start(run_bare_app)
        bare = await saturate(
            url,
            cluster_ids,
            tokens,
            connections=SATURATION_CONNECTIONS,
            seconds=args.saturation_seconds,
        )
        nursery.cancel_scope.cancel()
    return {
        "master_per_s": ours["requests_per_s"],
        "bare_asgi_per_s": bare["requests_per_s"],
        "ratio": ours["requests_per_s"] / bare["requests_per_s"],
        "errors": ours["errors"] + bare["errors"],
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    results = trio.run(measure, args)
    print(render(results))
    if args.json:
        args.json.write_bytes(msgspec.json.format(msgspec.json.encode(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
