"""Behaviour over the hub and the database: command lifecycle, persistence, retention."""
