"""Runnable example pipelines and their data."""
