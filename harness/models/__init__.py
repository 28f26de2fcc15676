"""Summarizers: extractive baselines and ``transformers`` models."""
