"""Shapes that cross layers: snapshot index, events, commands, statuses, errors."""
