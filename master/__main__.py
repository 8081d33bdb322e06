"""`python -m master [--config PATH] [--demo N]`: run the master until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import gc
import logging
import signal
import sys
from pathlib import Path

import trio

from .config import Config, ConfigError, load_config, unknown_env_vars
from .logs import configure_logging
from .supervisor import run_master

log = logging.getLogger("master")


# The hub and thousands of held polls keep a million objects alive; at CPython's default
# thresholds the cycle collector re-scans them so often that it stalls the event loop
# for hundreds of milliseconds (measured with bench/load.py --idle-polls 5000).
GC_THRESHOLDS = (50_000, 100, 1_000)


async def _main(config: Config) -> None:
    with trio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with trio.open_nursery() as nursery:
            running = await nursery.start(run_master, config)
            async for signum in signals:
                log.info("%s received: stopping", signal.Signals(signum).name)
                running.stop()
                break


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m master` and `atlhyper-master`; returns the exit status."""
    parser = argparse.ArgumentParser(prog="atlhyper-master", description=__doc__)
    parser.add_argument(
        "--config", type=Path, default=None, help="TOML file (default: ./config.toml when present)"
    )
    parser.add_argument(
        "--demo",
        type=int,
        default=None,
        metavar="N",
        help="start N simulated clusters (MASTER_DEMO_AGENTS)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as err:
        print(f"atlhyper-master: configuration error: {err}", file=sys.stderr)
        return 2
    if args.demo is not None:
        if args.demo < 0:
            parser.error("--demo must not be negative")
        config = config.replace(demo={"agents": args.demo})
    configure_logging(config.server.log_level)
    for name in unknown_env_vars():
        log.warning("ignoring unknown setting %s", name)
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        trio.run(_main, config)
    except Exception as err:  # the cause of a crash, logged once, then a non-zero exit
        log.critical("master crashed: %r", err, exc_info=err)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
