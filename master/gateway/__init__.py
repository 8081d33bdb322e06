"""The operator-facing Quart app: REST under /api/v2, the live stream, the dashboard, OpenAPI."""

from .app import GatewayServices, create_gateway_app
from .auth import Admission

__all__ = ["Admission", "GatewayServices", "create_gateway_app"]
