"""Metrics: each a class built once per run with a pure ``score`` method."""
