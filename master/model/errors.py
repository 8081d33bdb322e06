"""One error hierarchy, each error carrying its HTTP status and a stable code.

Both Quart apps turn any `MasterError` into the single JSON error shape
`{"error": {"code": ..., "message": ...}}`.
"""

from __future__ import annotations


class MasterError(Exception):
    """Base class: `status` is the HTTP status, `code` a stable machine-readable name."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, dict[str, object]]:
        """The JSON error body for this error."""
        return {"error": {"code": self.code, "message": self.message}}


class BadRequest(MasterError):
    status = 400
    code = "bad_request"


class Unauthorized(MasterError):
    status = 401
    code = "unauthorized"


class Forbidden(MasterError):
    status = 403
    code = "forbidden"


class NotFound(MasterError):
    status = 404
    code = "not_found"


class Conflict(MasterError):
    status = 409
    code = "conflict"


class PayloadTooLarge(MasterError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(MasterError):
    status = 415
    code = "unsupported_media_type"


class QueueFull(MasterError):
    status = 429
    code = "queue_full"


class Unavailable(MasterError):
    """Not now: the storage fails, or memory is taken; `retry_after` seconds, when known."""

    status = 503
    code = "unavailable"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyRequests(MasterError):
    """Throttled: `retry_after` seconds until the next attempt may be considered."""

    status = 429
    code = "too_many_requests"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AgentFailed(MasterError):
    """The agent ran the command and reported a failure (its own error is the message)."""

    status = 502
    code = "agent_failed"


class AgentTimeout(MasterError):
    """The agent did not answer in time; the command stays on its way."""

    status = 504
    code = "agent_timeout"
