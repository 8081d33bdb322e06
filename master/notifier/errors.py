"""The one failure a sender reports."""

from __future__ import annotations


class SendError(Exception):
    """A delivery attempt failed; the message is safe to log and show (no secrets)."""
