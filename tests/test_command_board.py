"""`CommandBoard` on its own: queues, hand-outs, re-polls, results, expiry, shutdown.

No HTTP and no database: the board is driven directly, on trio's MockClock
(autojump), so the long polls and deadlines below cost no real time.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
import trio
import trio.testing

from master.config import CommandsConfig
from master.datahub.commands import CommandBoard
from master.metrics import Metrics
from master.model.command import Command, CommandResult
from master.model.errors import QueueFull

EXPIRE = 300.0
_ids = itertools.count(1)


class Board:
    """A board on trio's clock, with every change it reports."""

    def __init__(self, **settings: Any) -> None:
        self.changes: list[tuple[str, str]] = []
        self.board = CommandBoard(
            CommandsConfig(**settings),
            keep_final=600.0,
            clock=trio.current_time,
            on_change=lambda cmd: self.changes.append((cmd.id, cmd.status)),
            metrics=Metrics(),
        )

    def command(self, action: str = "restart", cluster_id: str = "c1") -> Command:
        now = trio.current_time()
        cmd = Command(
            id=f"cmd-{next(_ids)}",
            cluster_id=cluster_id,
            action=action,
            target_kind="Deployment",
            target_namespace="default",
            target_name="web",
            created_at=now,
            expires_at=now + EXPIRE,
        )
        self.board.enqueue(cmd)
        return cmd

    async def poll(self, cluster_id: str = "c1", wait: float = 30.0) -> Command | None:
        with trio.move_on_after(wait):
            return await self.board.poll(cluster_id)
        return None


def result(cmd: Command, success: bool = True, **fields: str) -> CommandResult:
    return CommandResult(command_id=cmd.id, success=success, **fields)


async def test_queued_then_handed_out_then_done_each_change_reported(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board(result_timeout=60.0)
    cmd = b.command()
    assert b.changes == [(cmd.id, "pending")], "queuing is a change like any other"
    assert b.board.queued("c1") == 1
    await trio.sleep(5)
    got = await b.poll()
    assert got is cmd and cmd.status == "running" and cmd.attempts == 1
    assert cmd.dispatched_at == trio.current_time() and cmd.deadline_at == cmd.dispatched_at + 60
    assert b.board.queued("c1") == 0
    done = b.board.complete(result(cmd, output="ok", executed_at="2024-05-01T10:00:00+02:00"))
    assert done is cmd and cmd.status == "success" and cmd.output == "ok"
    assert cmd.executed_at == "2024-05-01T08:00:00.000000Z" and cmd.finished_at is not None
    assert b.changes == [(cmd.id, "pending"), (cmd.id, "running"), (cmd.id, "success")]
    assert b.board.complete(result(cmd, success=False)) is None, "a second result changes nothing"
    assert b.board.complete(CommandResult(command_id="nope", success=True)) is None
    assert cmd.status == "success" and len(b.changes) == 3


async def test_queues_are_per_cluster_and_in_order(autojump_clock: trio.testing.MockClock) -> None:
    b = Board()
    first, other, second = b.command(), b.command(cluster_id="c2"), b.command()
    assert [await b.poll(), await b.poll(), await b.poll("c2")] == [first, second, other]


async def test_full_queue_refuses_and_keeps_nothing(autojump_clock: trio.testing.MockClock) -> None:
    b = Board(queue_size=2)
    b.command(), b.command()
    with pytest.raises(QueueFull, match="c1"):
        b.command()
    assert b.board.queued("c1") == 2 and len(b.board.held()) == 2 and len(b.changes) == 2


async def test_long_poll_waits_for_a_command_and_a_cancelled_one_loses_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board()
    started = trio.current_time()
    assert await b.poll(wait=30) is None
    assert trio.current_time() - started == pytest.approx(30), "the poll waited its whole time"
    async with trio.open_nursery() as nursery:

        async def later() -> None:
            await trio.sleep(7)
            b.command()

        nursery.start_soon(later)
        got = await b.poll(wait=30)
    assert got is not None and trio.current_time() - started == pytest.approx(37)


async def test_a_repoll_rehands_what_is_safe_to_repeat_and_loses_the_rest(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board(max_attempts=2)
    logs, restart = b.command("get_logs"), b.command("restart")
    assert await b.poll() is logs
    assert await b.poll() is logs and logs.attempts == 2, "the hand-off was lost: again"
    # Attempts used up: lost; the next pending command is handed out instead.
    assert await b.poll() is restart and logs.status == "lost"
    assert "lost 2 times" in logs.error
    assert await b.poll(wait=1) is None
    assert restart.status == "lost" and "not safe to repeat" in restart.error


async def test_a_released_hand_out_is_pending_again_and_first_in_line(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """A hand-out whose record could not be written was never delivered: it goes back."""
    b = Board()
    first, second = b.command(), b.command()
    got = await b.poll()
    assert got is first
    b.board.release(first)
    assert first.status == "pending" and first.attempts == 0 and first.dispatched_at is None
    assert b.board.queued("c1") == 2
    assert await b.poll() is first and first.attempts == 1
    b.board.complete(result(first))
    assert await b.poll() is second
    assert [s for c, s in b.changes if c == first.id] == [
        "pending",
        "running",
        "pending",
        "running",
        "success",
    ]


async def test_a_released_repeat_hand_out_stays_running_at_its_earlier_attempt(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """A lost hand-off handed out again that could not be recorded: the agent may still
    have run the first one, so it stays in flight, never pending."""
    b = Board(max_attempts=3)
    logs = b.command("get_logs")
    assert await b.poll() is logs
    assert await b.poll() is logs and logs.attempts == 2
    b.board.release(logs)
    assert logs.status == "running" and logs.attempts == 1 and b.board.queued("c1") == 0
    assert await b.poll() is logs and logs.attempts == 2


async def test_sweep_expires_times_out_and_forgets(autojump_clock: trio.testing.MockClock) -> None:
    b = Board(result_timeout=60.0)
    waiting, handed = b.command(), b.command()
    assert await b.poll() is waiting
    b.board.sweep(trio.current_time() + 59)
    assert waiting.status == "running" and handed.status == "pending"
    b.board.sweep(trio.current_time() + 60)
    assert waiting.status == "timeout" and waiting.error == "no result before the deadline"
    b.board.sweep(trio.current_time() + EXPIRE)
    assert handed.status == "expired" and handed.error == "not delivered before it expired"
    assert await b.poll(wait=1) is None, "an expired command is never handed out"
    b.board.sweep(trio.current_time() + EXPIRE + 600)
    assert b.board.get(waiting.id) is None and b.board.held() == []


async def test_a_poll_skips_what_expired_before_the_sweep_saw_it(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board()
    stale = b.command()
    await trio.sleep(EXPIRE)
    fresh = b.command()
    assert await b.poll() is fresh and stale.status == "expired"


async def test_wait_returns_when_final(autojump_clock: trio.testing.MockClock) -> None:
    b = Board()
    cmd = b.command()
    assert await b.board.wait("unknown") is None
    async with trio.open_nursery() as nursery:

        async def agent() -> None:
            assert await b.poll() is cmd
            await trio.sleep(3)
            b.board.complete(result(cmd, success=False, error="boom"))

        nursery.start_soon(agent)
        started = trio.current_time()
        assert await b.board.wait(cmd.id) is cmd
    assert trio.current_time() - started == pytest.approx(3)
    assert cmd.status == "failed" and cmd.error == "boom" and cmd.success is False


async def test_bad_executed_at_is_refused_and_changes_nothing(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board()
    cmd = b.command()
    await b.poll()
    with pytest.raises(ValueError):
        b.board.complete(result(cmd, executed_at="yesterday"))
    assert cmd.status == "running"


async def test_close_answers_waiting_polls_and_keeps_the_queue(
    autojump_clock: trio.testing.MockClock,
) -> None:
    b = Board()
    answered: list[Command | None] = []
    async with trio.open_nursery() as nursery:

        async def poll() -> None:
            answered.append(await b.board.poll("c1"))

        nursery.start_soon(poll)
        await trio.sleep(1)
        b.board.close()
    assert answered == [None]
    cmd = b.command()
    assert await b.board.poll("c1") is None, "closed: polls answer at once"
    assert cmd.status == "pending" and b.board.queued("c1") == 1


async def test_restore_requeues_pending_and_rearms_running(
    autojump_clock: trio.testing.MockClock,
) -> None:
    old = Board()
    pending, running = old.command("scale"), old.command("get_logs")
    overflow = old.command("restart")
    running.status = "running"
    b = Board(queue_size=1)
    b.board.restore([running, pending, overflow])
    assert overflow.status == "expired" and "queue full" in overflow.error
    # The agent polls: the running hand-off was lost in the restart, and get_logs repeats.
    assert await b.poll() is running and running.attempts == 1
    b.board.complete(result(running))
    assert await b.poll() is pending


async def test_an_ai_poll_waits_gets_nothing_and_ends_at_close(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """The later agent's `ai` poll: never a command, never the re-poll rule; answered
    "no command" by its caller's timeout or by close()."""
    b = Board()
    cmd = b.command("get_logs")
    with trio.move_on_after(30) as waited:
        await b.board.poll("c1", "ai")
    assert waited.cancelled_caught and cmd.status == "pending"
    assert await b.board.poll("c1", "ops") is cmd
    with trio.move_on_after(30):
        await b.board.poll("c1", "ai")
    assert (cmd.status, cmd.attempts) == ("running", 1), "an ai poll says nothing of ops"
    answered: list[Command | None] = []
    async with trio.open_nursery() as nursery:

        async def ai() -> None:
            answered.append(await b.board.poll("c1", "ai"))

        nursery.start_soon(ai)
        await trio.sleep(1)
        b.board.close()
    assert answered == [None]


async def test_a_lost_hand_off_is_judged_by_its_own_poll_loop(
    autojump_clock: trio.testing.MockClock,
) -> None:
    """Agent V2's poll and the later agent's ops poll take from one queue; each loop's
    new poll judges only what was handed to that loop. A command restored after a
    restart went to either, so either loop's poll judges it."""
    b = Board()
    first, second = b.command("get_logs"), b.command("get_logs")
    assert await b.board.poll("c1") is first  # Agent V2's poll
    assert await b.board.poll("c1", "ops") is second  # the later agent, during an upgrade
    assert await b.poll() is first and first.attempts == 2, "V2's loop again: lost"
    assert second.attempts == 1
    assert await b.board.poll("c1", "ops") is second and second.attempts == 2
    restored = Board()
    first.status = "running"
    restored.board.restore([first])
    assert await restored.board.poll("c1", "ops") is first and first.attempts == 3
