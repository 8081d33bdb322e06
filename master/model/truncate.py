"""Cutting agent-supplied text to a size, saying so in the text itself."""

from __future__ import annotations

NOTE = "\n[truncated by the master: {total} bytes received, the first {kept} kept]"


def truncate(text: str, max_bytes: int) -> str:
    """`text` if its UTF-8 fits in `max_bytes`, else its head and a note, `max_bytes` in all.

    The head ends on a whole character. With `max_bytes` smaller than the
    note itself, the note alone (a little over) is what remains.
    """
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    room = max(max_bytes - len(NOTE.format(total=len(data), kept=max_bytes).encode()), 0)
    head = data[:room].decode(errors="ignore")
    return head + NOTE.format(total=len(data), kept=len(head.encode()))
