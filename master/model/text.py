"""Text from outside (agents, callers) made safe to show on one line."""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators: anything a
# log file, a mail body or a chat message could take for the start of a new line.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """`text` with every control character written out (`\\n`, `\\x1b`, `\\u2028`), so one
    value can never start a line of its own in a log, a mail or a chat message."""
    return _CONTROLS.sub(_escape, text)
