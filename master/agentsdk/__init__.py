"""The agent-facing Quart app: the four calls of AGENT_PROTOCOL.md and /health."""

from .app import create_agent_app

__all__ = ["create_agent_app"]
