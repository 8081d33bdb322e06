"""AtlHyper master: the hub of a multi-cluster Kubernetes monitoring platform."""

__version__ = "0.1.0"
