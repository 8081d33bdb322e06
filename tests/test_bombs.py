"""Decompression bombs against a master process: refused, memory bounded and given back.

Each bomb is 600 MiB of zeros in about 620 KB of gzip. Half of them carry an honest
gzip trailer (the master claims the snapshot limit at once), half a forged one that
says 1 MiB (the master's claim grows as it expands). The master's resident memory is
read from /proc: its peak (VmHWM, reset before each round) must stay within the
expansion budget, and what is left after a round must not grow with the number of
bombs. Meanwhile an agent keeps reporting and is answered every time.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import httpx
import pytest
import trio
import trio.testing

from master.agentsdk.expand import Claim, MemoryBudget
from master.model.errors import Unavailable

from .conftest import Figures, SpawnMaster
from .goagent import GoAgent
from .masterproc import MasterProcess

MiB = 1 << 20
BOMB = 600 * MiB
# A quarter of the defaults (256 MiB, 512 MiB), for time: zlib expands these zeros at
# ~300 MB/s here. The shape is the defaults': the budget holds two snapshots at the limit.
LIMIT = 64 * MiB
BUDGET = 160 * MiB
# Python objects, threads and allocator slack around the bodies themselves; half the
# limit, so a second copy of an expansion (the bug this guards) cannot hide in it.
SLACK = 32 * MiB


def bomb(expanded: int, *, claim: int | None = None) -> bytes:
    """`expanded` bytes of zeros as gzip; `claim` forges the trailer's size.

    Every MiB after the first compresses to the same bytes after a full flush, so
    the bomb is built by repetition in milliseconds.
    """
    zeros = b"\0" * MiB
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(zeros) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush()
    body = head + block * (expanded // MiB - 1) + tail[:-4]
    return body + ((claim if claim is not None else expanded) % (1 << 32)).to_bytes(4, "little")


def reset_peak(master: MasterProcess) -> None:
    """Start a new VmHWM window (Linux: writing 5 to clear_refs)."""
    Path(f"/proc/{master.pid}/clear_refs").write_text("5")


def peak(master: MasterProcess) -> int:
    for line in Path(f"/proc/{master.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


async def keep_reporting(agent: GoAgent, done: trio.Event, answers: list[int]) -> None:
    """An agent's heartbeats and small snapshots, one after the other, until `done`."""
    while not done.is_set():
        answers.append((await agent.heartbeat()).status_code)
        answers.append((await agent.snapshot()).status_code)


async def send_bomb(client: httpx.AsyncClient, body: bytes, statuses: list[int]) -> None:
    r = await client.post(
        "/agent/snapshot",
        content=body,
        headers={"Content-Encoding": "gzip", "X-Cluster-ID": "bomber"},
    )
    assert r.headers["content-type"].startswith("application/json"), r.text[:200]
    if r.status_code == 503:
        assert int(r.headers["Retry-After"]) >= 1
    statuses.append(r.status_code)


@pytest.mark.slow
async def test_bombs_in_a_row_and_at_once_cost_the_budget_at_most(
    spawn_master: SpawnMaster, figures: Figures
) -> None:
    master = spawn_master(
        MASTER_AGENT_MAX_SNAPSHOT=str(LIMIT), MASTER_AGENT_SNAPSHOT_MEMORY=str(BUDGET)
    )
    await master.start()
    honest, forged = bomb(BOMB), bomb(BOMB, claim=MiB)
    answers: list[int] = []
    async with (
        GoAgent.open(master.agent_url, "c1") as agent,
        httpx.AsyncClient(base_url=master.agent_url, timeout=60) as client,
    ):
        assert (await agent.snapshot()).status_code == 200
        baseline = master.rss()
        rounds = []
        for round_, (count, at_once) in enumerate([(10, False), (4, True)]):
            reset_peak(master)
            statuses: list[int] = []
            done = trio.Event()
            async with trio.open_nursery() as nursery:
                nursery.start_soon(keep_reporting, agent, done, answers)
                bodies = [honest if i % 2 else forged for i in range(count)]
                if at_once:
                    async with trio.open_nursery() as bombs:
                        for body in bodies:
                            bombs.start_soon(send_bomb, client, body, statuses)
                else:
                    for body in bodies:
                        await send_bomb(client, body, statuses)
                done.set()
            assert len(statuses) == count and set(statuses) <= {413, 503}, statuses
            assert 413 in statuses
            rounds.append((round_, count, at_once, statuses, peak(master), master.rss()))
    for round_, count, at_once, statuses, top, after in rounds:
        figures(
            f"round {round_}: {count} bombs {'at once' if at_once else 'in a row'} -> {statuses}; "
            f"RSS baseline {baseline / MiB:.0f} MiB, peak {top / MiB:.0f} MiB, "
            f"after {after / MiB:.0f} MiB"
        )
        # One bomb at a time costs the limit once; several, the budget at most.
        assert top - baseline <= (BUDGET if at_once else LIMIT) + SLACK
        # Given back: what stays does not add up from round to round.
        assert after - baseline <= SLACK
    assert answers and set(answers) == {200}, answers


async def test_a_claim_waits_for_room_then_gets_503(autojump_clock: trio.abc.Clock) -> None:
    budget = MemoryBudget(100)
    first = await budget.claim(60)
    got: list[Claim] = []

    async def second() -> None:
        got.append(await budget.claim(50))

    async with trio.open_nursery() as nursery:
        nursery.start_soon(second)
        await trio.testing.wait_all_tasks_blocked()
        assert not got  # no room: it waits
        first.release()
    assert budget.used == 50
    with pytest.raises(Unavailable) as refused:
        await budget.claim(60, wait=1.0)
    assert refused.value.status == 503 and refused.value.retry_after
    # Growing never waits: there is room for 50 more, not 51.
    assert got[0].grow(50) and not got[0].grow(1) and budget.used == 100
    got[0].release()
    assert budget.used == 0
