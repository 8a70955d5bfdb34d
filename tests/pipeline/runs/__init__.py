"""Tests of the run views built from events."""
