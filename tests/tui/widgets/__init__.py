"""Tests of the debugger's widgets and modal screens, each in a small app of its own (Pilot and snapshots)."""
