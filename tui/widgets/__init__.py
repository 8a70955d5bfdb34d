"""Reusable widgets of the debugger: each renders session state or edits what the session needs."""
