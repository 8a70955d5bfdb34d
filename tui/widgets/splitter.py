"""A draggable bar between two panes."""

from __future__ import annotations

from typing import Literal

from textual import events
from textual.widget import Widget

MIN_PANE = 12
"""Cells a pane keeps however far a splitter is dragged."""


class Splitter(Widget):
    """A bar between two panes: drag it with the mouse to resize `target` (the pane on its left, or below it)."""

    DEFAULT_CSS = """
    Splitter {
        background: $panel;
    }
    Splitter:hover, Splitter.-dragging {
        background: $accent;
    }
    Splitter.-columns {
        width: 1;
        height: 1fr;
    }
    Splitter.-rows {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, target: str, axis: Literal["columns", "rows"], *, id: str | None = None) -> None:
        super().__init__(id=id, classes=f"-{axis}")
        self.target = target
        self.axis = axis
        self._dragging = False

    def render(self) -> str:
        return ""

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._dragging = True
        self.add_class("-dragging")
        self.capture_mouse()
        event.stop()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.remove_class("-dragging")
            self.release_mouse()
            event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        pane = self.screen.query_one(self.target)
        region = pane.region
        if self.axis == "columns":
            pane.styles.width = max(MIN_PANE, min(event.screen_x - region.x, self.screen.size.width - MIN_PANE))
        else:
            pane.styles.height = max(3, min(region.bottom - event.screen_y - 1, self.screen.size.height - MIN_PANE))
        event.stop()
