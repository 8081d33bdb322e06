"""Live state: latest snapshot per cluster, agent status, command queues, change marks.

`MemoryHub` keeps it in this process; a Redis hub would offer the same methods.
"""

from .memory import MemoryHub

__all__ = ["MemoryHub"]
