"""Routes of the agent port, exactly as the Go Agent V2 calls them."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, Protocol

import msgspec
import trio
from quart import Response, g, request
from quart_trio import QuartTrio
from quart_trio.wrappers import TrioRequest
from werkzeug.exceptions import RequestTimeout

from ..config import AgentConfig
from ..datahub import DataHub
from ..metrics import Metrics
from ..model.agent import check_cluster_id
from ..model.command import Command, CommandResult
from ..model.errors import (
    BadRequest,
    Forbidden,
    MasterError,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
)
from ..model.snapshot import ClusterSnapshot, SnapshotLimits
from ..model.truncate import truncate
from ..processor import decode_snapshot
from ..webapi import bearer_token, decode_body, install_error_handlers, json_response
from .expand import Claim, MemoryBudget, expand_gzip, gzip_size
from .results import oversized, read_capped

log = logging.getLogger("master.agentsdk")

# Bodies that may expand past this are decompressed and parsed in a worker thread,
# off the event loop; deflate expands at most about 1032 times.
THREAD_THRESHOLD = 64 * 1024
DEFLATE_RATIO = 1032
# At most this many snapshots are decoded at once (CPU); memory is `snapshot_memory`'s.
DECODE_THREADS = 2
# Long polls end at a random point of the second half of the poll timeout, so agents
# that started together (a master restart, a fleet roll-out) do not all come back
# in the same instant ever after.
POLL_JITTER = 0.5

_result_decoder = msgspec.json.Decoder(CommandResult)
RouteHandler = Callable[..., Awaitable[Response]]


def _cluster_id(*, required: bool = True) -> str:
    cluster_id = request.headers.get("X-Cluster-ID") or request.args.get("cluster_id", "")
    if required and not cluster_id:
        raise BadRequest("cluster id missing: send the X-Cluster-ID header")
    return check_cluster_id(cluster_id) if cluster_id else cluster_id


class AgentCommands(Protocol):
    """The command lifecycle as the agent drives it, provided by the service layer: what
    it answers 200 for is on disk first."""

    async def hand_out(self, cluster_id: str, wait: float) -> Command | None:
        """The cluster's next command within `wait` seconds; Unavailable if it cannot be recorded."""

    async def complete(self, result: CommandResult, cluster_id: str) -> Command | None:
        """Record a result (None: it changed nothing); Forbidden, BadRequest, Unavailable."""


class AgentGuard(Protocol):
    """Agent authentication, provided by the service layer."""

    def verify(self, token: str | None, cluster_id: str | None) -> str | None:
        """The cluster the token is bound to; raises Unauthorized or Forbidden."""

    async def refused(self, ip: str, status: int, reason: str) -> None:
        """Note a refused call (rate-limited security record)."""


class _AgentRequest(TrioRequest):
    """Result bodies have no length limit here: the route's `read_capped` bounds what it keeps."""

    def __init__(self, method: str, scheme: str, path: str, *args: Any, **kwargs: Any) -> None:
        if path.endswith("/agent/result"):
            kwargs["max_content_length"] = None
        super().__init__(method, scheme, path, *args, **kwargs)


def create_agent_app(
    hub: DataHub,
    limits: AgentConfig,
    metrics: Metrics,
    guard: AgentGuard,
    commands: AgentCommands,
    *,
    poll_timeout: float,
    clock: Callable[[], float] = time.time,
) -> QuartTrio:
    """Build the agent app over `hub` (what agents report) and `commands` (what they run).

    Every agent route also answers under `/t/<token>/`, so a Go agent carries
    its token in `master_url` without knowing about it.
    """
    app = QuartTrio("master.agentsdk")
    app.config["MAX_CONTENT_LENGTH"] = limits.max_body_bytes
    app.request_class = _AgentRequest
    app.config["BODY_TIMEOUT"] = limits.body_timeout
    install_error_handlers(app)
    decode_limiter = trio.CapacityLimiter(DECODE_THREADS)
    budget = MemoryBudget(limits.snapshot_memory)
    # A snapshot bigger than the whole budget could never be expanded.
    limit = min(limits.max_snapshot_bytes, limits.snapshot_memory)
    snapshot_limits = SnapshotLimits(
        max_events=limits.max_events, max_event_message_bytes=limits.max_event_message_bytes
    )

    def parse(
        body: bytes, claim: Claim | None, header_cluster: str, received_at: float
    ) -> ClusterSnapshot:
        started = time.thread_time()
        data: bytes | bytearray = body
        try:
            if claim is not None:
                data = expand_gzip(body, limit, reserved=claim.size, grow=claim.grow)
            return decode_snapshot(
                data, header_cluster, received_at=received_at, limits=snapshot_limits
            )
        except MasterError as err:
            # The frames of a traceback keep their locals, the expanded body among them,
            # until the error is freed, and an error caught in a reference cycle waits
            # for the cycle collector: a refused bomb would hold its memory for minutes.
            data = body
            err.__traceback__ = err.__cause__ = err.__context__ = None
            raise
        finally:
            metrics.decode_cpu.inc(time.thread_time() - started)

    async def claim_for(body: bytes, encoding: str) -> Claim | None:
        """The budget claim for expanding `body`; None for a body sent uncompressed."""
        if encoding != "gzip":
            if len(body) > limit:
                raise PayloadTooLarge(f"snapshot body exceeds {limit} bytes")
            return None
        # The trailer may lie (or be cut off): never claim more than the limit, or than
        # deflate can expand this many bytes to.
        return await budget.claim(min(gzip_size(body), limit, len(body) * DEFLATE_RATIO))

    @app.after_request
    async def count_refusals(response: Response) -> Response:
        if response.status_code >= 400:
            metrics.rejected.labels(str(response.status_code)).inc()
        return response

    def route(path: str, method: str) -> Callable[[RouteHandler], RouteHandler]:
        def register(handler: RouteHandler) -> RouteHandler:
            app.add_url_rule(path, handler.__name__, handler, methods=[method])
            app.add_url_rule(
                f"/t/<token>{path}", f"{handler.__name__}_t", handler, methods=[method]
            )
            return handler

        return register

    async def refuse(err: Unauthorized | Forbidden) -> NoReturn:
        await guard.refused(request.remote_addr or "", err.status, err.message)
        raise err

    @app.before_request
    async def authenticate() -> None:
        if request.path == "/health":
            return
        token = (request.view_args or {}).get("token") or bearer_token()
        cluster = _cluster_id(required=False) or None
        try:
            g.token_cluster = guard.verify(token, cluster)
        except (Unauthorized, Forbidden) as err:
            await refuse(err)

    @app.get("/health")
    async def health() -> Response:
        return json_response({"status": "ok"})

    @route("/agent/snapshot", "POST")
    async def snapshot(token: str | None = None) -> Response:
        encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding not in ("gzip", "identity", ""):
            raise UnsupportedMediaType(f"Content-Encoding {encoding!r} not supported; use gzip")
        header_cluster = _cluster_id(required=False)
        body = await request.get_data(cache=False)
        assert isinstance(body, bytes)
        if not body:
            raise BadRequest("empty snapshot body")
        started = trio.current_time()
        now = clock()
        claim = await claim_for(body, encoding)
        try:
            if len(body) * (1 if claim is None else DEFLATE_RATIO) > THREAD_THRESHOLD:
                snap = await trio.to_thread.run_sync(
                    parse, body, claim, header_cluster, now, limiter=decode_limiter
                )
            else:
                snap = parse(body, claim, header_cluster, now)
        finally:
            if claim is not None:
                claim.release()
        if g.token_cluster is not None and snap.cluster_id != g.token_cluster:
            await refuse(
                Forbidden(
                    f"this token belongs to cluster {g.token_cluster!r}, not {snap.cluster_id!r}"
                )
            )
        changes = await hub.apply_snapshot(snap)
        metrics.snapshots.inc()
        metrics.snapshot_bytes.inc(snap.size_bytes)
        metrics.snapshot_seconds.observe(trio.current_time() - started)
        log.debug(
            "snapshot from cluster %s: %d bytes, %d pods, %d new and %d updated events",
            snap.cluster_id,
            snap.size_bytes,
            snap.summary.total_pods,
            len(changes.new_events),
            len(changes.updated_events),
        )
        return json_response({"status": "accepted", "cluster_id": snap.cluster_id})

    @route("/agent/heartbeat", "POST")
    async def heartbeat(token: str | None = None) -> Response:
        await hub.heartbeat(_cluster_id())
        metrics.heartbeats.inc()
        return json_response({"status": "ok"})

    @route("/agent/commands", "GET")
    async def poll(token: str | None = None) -> Response:
        cluster_id = _cluster_id()
        cmd = await commands.hand_out(
            cluster_id, poll_timeout * (1 - POLL_JITTER * random.random())
        )
        if cmd is None:
            return json_response({"has_command": False})
        return json_response({"has_command": True, "command": cmd.wire()})

    @route("/agent/result", "POST")
    async def result(token: str | None = None) -> Response:
        cluster_id = _cluster_id()
        try:
            with trio.fail_after(limits.body_timeout):
                body, total = await read_capped(request.body, limits.max_result_bytes)
        except trio.TooSlowError:
            raise RequestTimeout(
                f"result body not received within {limits.body_timeout:g}s"
            ) from None
        if total > limits.max_result_bytes:
            failure = oversized(body, total, limits.max_result_bytes)
            if failure is None:
                raise PayloadTooLarge(f"result body exceeds {limits.max_result_bytes} bytes")
            await record(failure, cluster_id)
            raise PayloadTooLarge(
                f"result of {total} bytes exceeds {limits.max_result_bytes}; "
                f"command {failure.command_id} is marked failed"
            )
        res = decode_body(_result_decoder, body, "result body")
        res.output = truncate(res.output, limits.max_output_bytes)
        await record(res, cluster_id)
        return json_response({"status": "ok"})

    async def record(res: CommandResult, cluster_id: str) -> None:
        """On disk before the 200; a result received twice changes nothing."""
        if await commands.complete(res, cluster_id) is None:
            log.info(
                "result for unknown or finished command %s from cluster %s ignored",
                res.command_id,
                cluster_id,
            )

    return app
