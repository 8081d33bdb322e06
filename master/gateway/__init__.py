"""The operator-facing Quart app: REST under /api/v2 (stream and dashboard later)."""

from .app import create_gateway_app

__all__ = ["create_gateway_app"]
