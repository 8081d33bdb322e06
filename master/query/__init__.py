"""Read models for the gateway: clusters, overview, resources, events, commands."""

from .reader import Query

__all__ = ["Query"]
