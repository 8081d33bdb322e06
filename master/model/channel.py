"""A notification channel's stored state, and the outcomes it counts."""

from __future__ import annotations

from typing import Literal

import msgspec

# The outcome of one delivery, and of a test send.
SendStatus = Literal["ok", "failed", "dropped"]
TestStatus = Literal["ok", "failed"]


class ChannelState(msgspec.Struct, kw_only=True):
    """A channel's stored state besides its config: name, switch, last outcomes, counts.

    Times are Unix seconds, None until they happen; "" is a status not seen yet.
    """

    type: str
    name: str
    enabled: bool = False
    last_test_status: TestStatus | Literal[""] = ""
    last_test_message: str = ""
    last_test_at: float | None = None
    last_send_status: SendStatus | Literal[""] = ""
    last_send_error: str = ""
    last_send_at: float | None = None
    sent_count: int = 0
    failed_count: int = 0
    dropped_count: int = 0
    created_at: float | None = None
    updated_at: float | None = None
