"""Tests of the debugger's UI-free state: conditions, breakpoints and the debug session."""
