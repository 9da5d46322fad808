"""Placeholder module: replaced by its feature."""

COMMANDS: list = []
