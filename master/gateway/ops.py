"""`/api/v2/ops/*`: the Go master's operation calls, which its web UI makes.

Each is a thin entry into the command service: the same validation, queue and
audit as `POST /api/v2/commands`, operators and up (Secret values: administrators,
as for command outputs). Actions answer once the command is queued, as the Go
master does. The data calls (pod logs, ConfigMap and Secret data) wait for the
agent's answer, at most `[commands] ops_wait`, kept under the UI's own 30 s
timeout so the UI sees our 504 rather than its own; an agent that reports a
failure is a 502 with its error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
import trio
from quart import Response
from quart_trio import QuartTrio

from ..model.auth import ADMIN, OPERATOR
from ..model.command import CommandRequest
from ..model.errors import AgentFailed, AgentTimeout
from ..model.views import command_view
from ..query import Query
from ..service.commands import CommandService
from ..webapi import json_response, read_json
from .auth import requires
from .commands import reveals_secrets

# Log lines when the UI names none, as the Go master fetches.
GO_TAIL_LINES = 100


class Target(msgspec.Struct, kw_only=True):
    cluster_id: str = ""
    namespace: str = ""
    name: str = ""


class PodLogs(Target, kw_only=True):
    container: str = ""
    tail_lines: int = 0


class Scale(Target, kw_only=True):
    replicas: int


class Image(Target, kw_only=True):
    container: str = ""
    image: str = ""


S = TypeVar("S", bound=Target)


def _request(action: str, kind: str, t: Target, **params: Any) -> CommandRequest:
    return CommandRequest(
        cluster_id=t.cluster_id,
        action=action,
        target_kind=kind,
        target_namespace=t.namespace,
        target_name=t.name,
        params={k: v for k, v in params.items() if v not in ("", None)},
    )


def register(app: QuartTrio, query: Query, service: CommandService, wait: float) -> None:
    async def queue(req: CommandRequest, message: str) -> Response:
        cmd = await service.submit(req)
        return json_response({"message": message, **command_view(cmd, reveal_secrets=False)})

    async def output(req: CommandRequest) -> tuple[str, str]:
        """Run the command and wait for the agent: its output and the command's id."""
        cmd = await service.submit(req)
        with trio.move_on_after(wait):
            await service.wait(cmd.id)
        view = await query.command(cmd.id, reveal_secrets=reveals_secrets())
        result = view["result"]
        if result is None:
            raise AgentTimeout(
                f"the agent of cluster {cmd.cluster_id!r} did not answer within {wait:g}s; "
                f"command {cmd.id} is {view['status']} (GET /api/v2/commands/{cmd.id})"
            )
        if not result["success"]:
            raise AgentFailed(
                f"the agent could not {req.action} {req.target_kind} {req.target_name}: "
                f"{result['error'] or 'no reason given'} (command {cmd.id})"
            )
        return str(result["output"]), cmd.id

    def route(path: str, role: int, body: type[S], run: Callable[[S], Awaitable[Response]]) -> None:
        decoder = msgspec.json.Decoder(body)

        async def view() -> Response:
            return await run(await read_json(decoder))

        noun, verb = path.split("/")
        endpoint = f"ops_{noun.removesuffix('s')}_{verb}"  # ops_pod_logs, ops_node_cordon...
        app.add_url_rule(f"/api/v2/ops/{path}", endpoint, requires(role)(view), methods=["POST"])

    async def pod_logs(t: PodLogs) -> Response:
        tail = t.tail_lines if t.tail_lines > 0 else GO_TAIL_LINES
        logs, command_id = await output(
            _request("get_logs", "Pod", t, container=t.container, tailLines=tail)
        )
        return json_response({"message": "ok", "data": {"logs": logs}, "command_id": command_id})

    def data_of(action: str, kind: str) -> Callable[[Target], Awaitable[Response]]:
        async def data(t: Target) -> Response:
            text, command_id = await output(_request(action, kind, t))
            # The agent's JSON object of the keys and values, as text: the UI parses it.
            return json_response({"message": "ok", "data": text, "command_id": command_id})

        return data

    async def pod_restart(t: Target) -> Response:
        # Restarting a pod is deleting it: its owner starts a new one.
        return await queue(_request("delete", "Pod", t), "pod restart queued")

    async def deployment_scale(t: Scale) -> Response:
        return await queue(_request("scale", "Deployment", t, replicas=t.replicas), "scale queued")

    async def deployment_image(t: Image) -> Response:
        req = _request("update_image", "Deployment", t, container=t.container, image=t.image)
        return await queue(req, "image update queued")

    async def deployment_restart(t: Target) -> Response:
        return await queue(_request("restart", "Deployment", t), "restart queued")

    def node(action: str) -> Callable[[Target], Awaitable[Response]]:
        async def run(t: Target) -> Response:
            return await queue(_request(action, "Node", t), f"{action} queued")

        return run

    route("pods/logs", OPERATOR, PodLogs, pod_logs)
    route("pods/restart", OPERATOR, Target, pod_restart)
    route("deployments/scale", OPERATOR, Scale, deployment_scale)
    route("deployments/image", OPERATOR, Image, deployment_image)
    route("deployments/restart", OPERATOR, Target, deployment_restart)
    route("nodes/cordon", OPERATOR, Target, node("cordon"))
    route("nodes/uncordon", OPERATOR, Target, node("uncordon"))
    route("configmaps/data", OPERATOR, Target, data_of("get_configmap", "ConfigMap"))
    route("secrets/data", ADMIN, Target, data_of("get_secret", "Secret"))
