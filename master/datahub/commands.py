"""Per-cluster command queues on bounded memory channels, and command state.

Enqueue never waits (a full queue is the operator's 429). A long poll is a
`receive()` under a timeout; a cancelled `receive()` loses nothing, so a
poll whose agent hung up does not eat a command.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable

import trio

from ..config import CommandsConfig
from ..metrics import Metrics
from ..model.command import (
    EXPIRED,
    FAILED,
    LOST,
    PENDING,
    RUNNING,
    SAFE_TO_REPEAT,
    SUCCESS,
    TIMEOUT,
    Command,
    CommandResult,
    CommandStatus,
)
from ..model.errors import QueueFull
from ..model.gotime import format_time, parse_go_time

log = logging.getLogger("master.commands")


class _Queue:
    def __init__(self, size: int) -> None:
        self.send, self.receive = trio.open_memory_channel[str](size)
        # Commands handed to this cluster's agent that have no result yet.
        self.in_flight: dict[str, Command] = {}
        # Hand-outs taken back (`release`): handed out before the queue.
        self.returned: deque[str] = deque()


class CommandBoard:
    """Command queues and the state of every live command (final ones for a while).

    Every change of a command, from being queued to its final status, is reported
    to `on_change` (the hub persists and publishes from there).
    """

    def __init__(
        self,
        commands: CommandsConfig,
        *,
        keep_final: float,
        clock: Callable[[], float],
        on_change: Callable[[Command], None],
        metrics: Metrics,
    ) -> None:
        self._queue_size = commands.queue_size
        self._result_timeout = commands.result_timeout
        self._max_attempts = commands.max_attempts
        self._keep_final = keep_final
        self._clock = clock
        self._on_change = on_change
        self._metrics = metrics
        self._queues: dict[str, _Queue] = {}
        self._commands: dict[str, Command] = {}
        self._finished: dict[str, trio.Event] = {}
        self._polls: set[trio.CancelScope] = set()
        self._closing = False

    def _queue(self, cluster_id: str) -> _Queue:
        queue = self._queues.get(cluster_id)
        if queue is None:
            queue = self._queues[cluster_id] = _Queue(self._queue_size)
        return queue

    def get(self, command_id: str) -> Command | None:
        return self._commands.get(command_id)

    def held(self) -> list[Command]:
        """The commands in memory: open ones and those finished in the last minutes."""
        return list(self._commands.values())

    def enqueue(self, cmd: Command) -> None:
        """Queue a pending command; raises QueueFull when the cluster's queue is full."""
        try:
            self._queue(cmd.cluster_id).send.send_nowait(cmd.id)
        except trio.WouldBlock:
            raise QueueFull(
                f"command queue of cluster {cmd.cluster_id!r} is full ({self._queue_size} waiting)"
            ) from None
        self._commands[cmd.id] = cmd
        self._finished[cmd.id] = trio.Event()
        self._on_change(cmd)

    def restore(self, commands: Iterable[Command]) -> None:
        """Take back pending and running commands loaded after a restart."""
        for cmd in commands:
            if cmd.status == RUNNING:
                self._commands[cmd.id] = cmd
                self._finished[cmd.id] = trio.Event()
                self._queue(cmd.cluster_id).in_flight[cmd.id] = cmd
            elif cmd.status == PENDING:
                try:
                    self.enqueue(cmd)
                except QueueFull:
                    self._finish(
                        cmd, EXPIRED, error="command queue full when restoring after restart"
                    )

    def _transition(self, cmd: Command, status: CommandStatus) -> None:
        cmd.status = status
        self._metrics.commands.labels(status).inc()
        self._on_change(cmd)

    def _finish(self, cmd: Command, status: CommandStatus, *, error: str = "") -> None:
        cmd.finished_at = self._clock()
        if error:
            cmd.error = error
        self._queue(cmd.cluster_id).in_flight.pop(cmd.id, None)
        self._transition(cmd, status)
        log.info(
            "command %s on cluster %s: %s%s",
            cmd.id,
            cmd.cluster_id,
            status,
            f" ({error})" if error else "",
        )
        done = self._finished.get(cmd.id)
        if done is not None:
            done.set()

    def _hand_out(self, cmd: Command, queue: _Queue) -> Command:
        now = self._clock()
        cmd.attempts += 1
        if cmd.attempts == 1:
            self._metrics.dispatch_seconds.observe(max(0.0, now - cmd.created_at))
        cmd.dispatched_at = now
        cmd.deadline_at = now + self._result_timeout
        queue.in_flight[cmd.id] = cmd
        self._transition(cmd, RUNNING)
        log.info(
            "command %s (%s) handed to cluster %s, attempt %d",
            cmd.id,
            cmd.action,
            cmd.cluster_id,
            cmd.attempts,
        )
        return cmd

    def _repoll(self, queue: _Queue) -> Command | None:
        """A poll while a hand-off has no result means that hand-off was lost."""
        for cmd in list(queue.in_flight.values()):
            if cmd.action in SAFE_TO_REPEAT and cmd.attempts < self._max_attempts:
                return self._hand_out(cmd, queue)
            reason = (
                "agent polled again without reporting a result; not safe to repeat"
                if cmd.action not in SAFE_TO_REPEAT
                else f"hand-off lost {cmd.attempts} times"
            )
            self._finish(cmd, LOST, error=reason)
        return None

    async def poll(self, cluster_id: str) -> Command | None:
        """Wait for the cluster's next command; None once the board closes.

        Callers bound the wait with `trio.move_on_after`: a cancelled wait
        loses nothing, since the command is taken and marked without a checkpoint.
        """
        queue = self._queue(cluster_id)
        again = self._repoll(queue)
        if again is not None or self._closing:
            await trio.lowlevel.checkpoint()
            return again
        if queue.returned:
            await trio.lowlevel.checkpoint()  # before taking it: a cancel here loses nothing
            while queue.returned:
                cmd = self._commands.get(queue.returned.popleft())
                if cmd is not None and self._deliverable(cmd):
                    return self._hand_out(cmd, queue)
        with trio.CancelScope() as scope, self._metrics.polls_held.track_inprogress():
            self._polls.add(scope)
            try:
                while True:
                    command_id = await queue.receive.receive()
                    cmd = self._commands.get(command_id)
                    if cmd is not None and self._deliverable(cmd):
                        return self._hand_out(cmd, queue)
            finally:
                self._polls.discard(scope)
        return None

    def _deliverable(self, cmd: Command) -> bool:
        """A queued command still to hand out; one past its expiry is marked so."""
        if cmd.status != PENDING:
            return False
        if self._clock() >= cmd.expires_at:
            self._finish(cmd, EXPIRED, error="not delivered before it expired")
            return False
        return True

    def release(self, cmd: Command) -> None:
        """Take back a hand-out whose record could not be written: the agent never got it.

        A first hand-out is pending again, first in its queue; a repeated one (a lost
        hand-off handed out again) is back at its earlier attempt, still in flight.
        """
        queue = self._queue(cmd.cluster_id)
        if cmd.status != RUNNING or queue.in_flight.get(cmd.id) is not cmd:
            return
        cmd.attempts -= 1
        if cmd.attempts > 0:
            return
        del queue.in_flight[cmd.id]
        cmd.dispatched_at = cmd.deadline_at = None
        queue.returned.appendleft(cmd.id)
        self._transition(cmd, PENDING)

    def complete(self, result: CommandResult) -> Command | None:
        """Record an agent's result; None (and no change) for unknown or finished commands.

        Raises ValueError for an `executed_at` that is not RFC 3339.
        """
        executed_at = format_time(parse_go_time(result.executed_at))
        cmd = self._commands.get(result.command_id)
        if cmd is None or cmd.final:
            return None
        cmd.success = result.success
        cmd.output = result.output
        cmd.executed_at = executed_at
        self._finish(cmd, SUCCESS if result.success else FAILED, error=result.error)
        return cmd

    async def wait(self, command_id: str) -> Command | None:
        """Wait until the command is final; returns it (None if unknown to the board).

        Callers bound the wait with `trio.move_on_after` and then read `get()`.
        """
        done = self._finished.get(command_id)
        if done is not None:
            await done.wait()
        else:
            await trio.lowlevel.checkpoint()
        return self._commands.get(command_id)

    def sweep(self, now: float) -> None:
        """Expire undelivered commands, time out unanswered ones, forget old final ones."""
        for cmd in list(self._commands.values()):
            if cmd.status == PENDING and now >= cmd.expires_at:
                self._finish(cmd, EXPIRED, error="not delivered before it expired")
            elif cmd.status == RUNNING and cmd.deadline_at is not None and now >= cmd.deadline_at:
                self._finish(cmd, TIMEOUT, error="no result before the deadline")
            elif (
                cmd.final
                and (cmd.finished_at if cmd.finished_at is not None else now) + self._keep_final
                <= now
            ):
                del self._commands[cmd.id]
                self._finished.pop(cmd.id, None)

    def close(self) -> None:
        """Shutdown: answer every waiting poll with "no command" now; queued commands stay."""
        self._closing = True
        for scope in self._polls:
            scope.cancel()

    def queued(self, cluster_id: str) -> int:
        queue = self._queues.get(cluster_id)
        return queue.send.statistics().current_buffer_used + len(queue.returned) if queue else 0
