"""The operator-facing Quart app: REST under /api/v2, the live stream, the dashboard, OpenAPI."""

from .app import GatewayServices, create_gateway_app

__all__ = ["GatewayServices", "create_gateway_app"]
