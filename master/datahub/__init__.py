"""Live state: latest snapshot per cluster, agent status, command queues, change marks.

`DataHub` is the interface every consumer uses; `MemoryHub` implements it in
this process and only the supervisor names it.
"""

from .fanout import Opening, Subscriber
from .hub import DataHub
from .memory import MemoryHub

__all__ = ["DataHub", "MemoryHub", "Opening", "Subscriber"]
