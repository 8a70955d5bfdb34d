"""Screens of the debugger; the modals here return their result through `dismiss`."""
