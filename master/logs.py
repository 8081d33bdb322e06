"""The master's log: one line per record, whatever the logged values hold.

Agents, operators and anonymous callers choose many of the values the master
logs (command ids, names, error texts); a newline in one of them would forge a
log line of its own. The one formatter of `python -m master` writes every
control character out instead (`\\n`, `\\x1b`).
"""

from __future__ import annotations

import logging

from .model.text import escape_controls

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """Escapes control characters in the message. A traceback stays several lines, each
    indented, so none of them can pass for a record of its own."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        return escape_controls(super().formatMessage(record))

    def formatException(self, ei: object) -> str:  # noqa: N802
        return _indented(super().formatException(ei))  # type: ignore[arg-type]

    def formatStack(self, stack_info: str) -> str:  # noqa: N802
        return _indented(stack_info)


def _indented(text: str) -> str:
    return "\n".join("  " + escape_controls(line) for line in text.splitlines())


def configure_logging(level: str) -> None:
    """Send every record to stderr through `OneLineFormatter`, at `level` and above."""
    handler = logging.StreamHandler()
    handler.setFormatter(OneLineFormatter(FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler], force=True)
    # One line per demo agent request would drown what the master itself says.
    logging.getLogger("httpx").setLevel(logging.WARNING)
