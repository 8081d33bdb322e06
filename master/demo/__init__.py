"""Demo agents: simulated Kubernetes clusters that speak the agent protocol over HTTP.

Used by `python -m master --demo N` and the load benchmark. Like the Go agent,
this package is only a client of the master: it imports no other master package.
"""

from .agent import DemoAgent, serve_demo_agents
from .cluster import SimulatedCluster

__all__ = ["DemoAgent", "SimulatedCluster", "serve_demo_agents"]
