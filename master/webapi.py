"""What both Quart apps share: JSON responses and the one error shape."""

from __future__ import annotations

import logging
import math
from typing import Any, TypeVar

import msgspec
import trio
from hypercorn.typing import ASGIReceiveCallable, ASGISendCallable, ASGISendEvent, Scope
from quart import Response, request
from quart_trio import QuartTrio
from werkzeug.exceptions import HTTPException

from .model.errors import BadRequest, MasterError, TooManyRequests, Unavailable

T = TypeVar("T")

log = logging.getLogger("master.http")

_encoder = msgspec.json.Encoder()
JSON = "application/json"


def json_response(body: Any, status: int = 200) -> Response:
    """Encode `body` (dicts, lists, msgspec Structs) once with msgspec."""
    return Response(_encoder.encode(body), status=status, content_type=JSON)


def raw_json_response(body: bytes, status: int = 200) -> Response:
    return Response(body, status=status, content_type=JSON)


def error_response(status: int, code: str, message: str) -> Response:
    return json_response({"error": {"code": code, "message": message}}, status)


def decode_body(decoder: msgspec.json.Decoder[T], body: bytes, what: str) -> T:
    """Decode a JSON request body; BadRequest naming `what` for bad JSON, types or UTF-8."""
    try:
        return decoder.decode(body)
    except (msgspec.DecodeError, UnicodeDecodeError) as err:
        raise BadRequest(f"invalid {what}: {err}") from err
    except RecursionError as err:
        raise BadRequest(f"invalid {what}: JSON nested too deeply") from err


async def read_json(
    decoder: msgspec.json.Decoder[T], what: str = "request body", *, cache: bool = True
) -> T:
    """The current request's JSON body, decoded; BadRequest naming `what` when it is not.

    `cache=False` keeps no copy once decoded (large agent bodies nothing reads again).
    """
    raw = await request.get_data(cache=cache)
    assert isinstance(raw, bytes)
    return decode_body(decoder, raw, what)


def bearer_token() -> str | None:
    """The token of the current request's `Authorization: Bearer` header, if any."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def install_error_handlers(app: QuartTrio) -> None:
    """Every error, ours or the framework's, leaves as `{"error": {"code", "message"}}`.

    Routing answers no redirect either: werkzeug would send an HTML 308 for a path
    with `//` (an encoded slash in an id) or without a rule's trailing slash.
    """
    app.url_map.merge_slashes = False
    app.url_map.strict_slashes = False
    _shield_sends(app)

    @app.after_request
    async def _close_after_early_errors(response: Response) -> Response:
        # An error answered before the request body was read leaves the rest of the body
        # on the connection; closing it is the only way the next request is not stuck.
        if response.status_code >= 400 and request.method in ("POST", "PUT", "PATCH"):
            response.headers["Connection"] = "close"
        return response

    @app.errorhandler(MasterError)
    async def _master_error(err: MasterError) -> Response:
        response = json_response(err.body(), err.status)
        if isinstance(err, TooManyRequests | Unavailable) and err.retry_after is not None:
            response.headers["Retry-After"] = str(max(1, math.ceil(err.retry_after)))
        return response

    @app.errorhandler(HTTPException)
    async def _http_error(err: HTTPException) -> Response:
        status = err.code or 500
        code = (err.name or "error").lower().replace(" ", "_")
        return error_response(status, code, err.description or err.name or "error")

    @app.errorhandler(Exception)
    async def _unexpected(err: Exception) -> Response:
        log.exception("unhandled error: %s", err)
        return error_response(500, "internal_error", "internal error; see the master's log")


def _shield_sends(app: QuartTrio) -> None:
    """Let the last send of a response finish even when the request is cancelled meanwhile.

    A response answered before its request body arrived (408, or an error before the
    body was read) ends with hypercorn closing the connection from inside that send.
    The same send reports `http.disconnect` to Quart, which cancels the request's tasks,
    the send among them: unshielded, the close was cut off and the socket stayed open,
    with hypercorn waiting for a body that would never come. Hypercorn already shields
    the socket write itself, so a shielded send waits for nothing more than before.
    """
    inner = app.asgi_app

    async def asgi_app(scope: Scope, receive: ASGIReceiveCallable, send: ASGISendCallable) -> None:
        if scope["type"] != "http":
            await inner(scope, receive, send)
            return

        async def shielded(message: ASGISendEvent) -> None:
            with trio.CancelScope(shield=True):
                await send(message)

        await inner(scope, receive, shielded)

    app.asgi_app = asgi_app  # type: ignore[method-assign]
