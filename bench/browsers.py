"""Dashboards on the live stream: websocket subscribers that time each summary they get.

    BENCH_GATEWAY_TOKEN=... python -m bench.browsers GATEWAY_URL COUNT SECONDS

Runs in its own process (so the agents' load generator does not delay its
clock readings), subscribes COUNT connections to every cluster's summaries,
and prints one JSON object: update latency from the master accepting a
snapshot (`received_at`) to a subscriber holding its summary, deliveries/s,
resyncs and connection failures.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trio  # noqa: E402
from trio_websocket import ConnectionClosed, HandshakeError, open_websocket_url  # noqa: E402

from bench.stats import rate, summarize  # noqa: E402

CONNECT_TIMEOUT = 30


@dataclass
class Seen:
    latency: list[float] = field(default_factory=list)
    deliveries: int = 0
    resyncs: int = 0
    failures: list[str] = field(default_factory=list)


async def subscriber(
    url: str,
    token: str,
    seen: Seen,
    measuring: trio.Event,
    *,
    task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED,
) -> None:
    started = False
    try:
        async with open_websocket_url(url, connect_timeout=CONNECT_TIMEOUT) as ws:
            subscribe = {"type": "subscribe", "clusters": ["*"], "topics": ["summary"]}
            if token:  # none against a master with public read
                subscribe["token"] = token
            await ws.send_message(json.dumps(subscribe))
            task_status.started()
            started = True
            while True:
                raw = await ws.get_message()
                now = time.time()
                msg = json.loads(raw)
                kind = msg["type"]
                if kind == "ping":
                    await ws.send_message('{"type":"pong"}')
                elif not measuring.is_set():
                    continue
                elif kind == "summary" and not msg.get("state"):
                    seen.latency.append(now - msg["received_at"])
                    seen.deliveries += 1
                elif kind == "resync":
                    seen.resyncs += 1
    except (ConnectionClosed, HandshakeError, OSError, trio.TooSlowError) as err:
        seen.failures.append(f"{type(err).__name__}: {err}"[:200])
        if not started:
            task_status.started()


async def run(gateway_url: str, token: str, count: int, seconds: float) -> dict[str, Any]:
    url = (
        gateway_url.replace("http://", "ws://").replace("https://", "wss://") + "/api/v2/subscribe"
    )
    seen = Seen()
    measuring = trio.Event()
    async with trio.open_nursery() as nursery:
        for _ in range(count):
            await nursery.start(subscriber, url, token, seen, measuring)
        print("ready", file=sys.stderr, flush=True)
        measuring.set()
        started = trio.current_time()
        await trio.sleep(seconds)
        wall = trio.current_time() - started
        nursery.cancel_scope.cancel()
    return {
        "subscribers": count,
        "update_latency_s": summarize(seen.latency),
        "deliveries_per_s": rate(seen.deliveries, wall),
        "resyncs": seen.resyncs,
        "failures": len(seen.failures),
        "failure_samples": seen.failures[:5],
    }


def main() -> None:
    # The token comes through the environment: argv is visible to every local user.
    gateway_url, count, seconds = sys.argv[1:4]
    token = os.environ.get("BENCH_GATEWAY_TOKEN", "")
    print(json.dumps(trio.run(run, gateway_url, token, int(count), float(seconds))), flush=True)


if __name__ == "__main__":
    main()
