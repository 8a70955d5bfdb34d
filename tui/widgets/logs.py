"""The log pane: what components print, warn and log, each line prefixed by its component in a stable colour.

Lines come from `tui.state.logs.LogCapture` in whatever thread produced them, the event loop's included (async
components print there), so `submit` only queues them and a timer writes them on the UI side. That avoids
`App.call_from_thread`, which refuses to run on the app's own thread and would block a worker thread on the UI.
"""

from __future__ import annotations

import zlib
from collections import deque

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import RichLog

from tui.escapes import visible
from tui.state.logs import LogLine

COMPONENT_COLOURS = (
    "cyan",
    "magenta",
    "green",
    "yellow",
    "blue",
    "bright_cyan",
    "bright_magenta",
    "bright_green",
    "orange1",
    "orchid",
    "turquoise2",
    "gold1",
)
LEVEL_STYLES = {
    "stderr": "red",
    "debug": "dim",
    "warning": "yellow",
    "error": "bold red",
    "critical": "bold red reverse",
}
UNTAGGED_LEVELS = ("stdout", "info")
"""Levels written without a tag: plain prints and informational log records."""
OUTSIDE = "(outside)"
"""The prefix of lines printed outside any component visit."""
DRAIN_INTERVAL = 1 / 20


def component_style(component: str | None) -> str:
    """The same colour for a component in every run and session (not `hash()`, which varies per process)."""
    if component is None:
        return "dim italic"
    return "bold " + COMPONENT_COLOURS[zlib.crc32(component.encode()) % len(COMPONENT_COLOURS)]


def log_text(component: str | None, text: str, level: str) -> Text:
    """One log line: the component, a level tag unless it is a plain print or info, then the text."""
    line = Text.assemble((component or OUTSIDE, component_style(component)), " ")
    style = LEVEL_STYLES.get(level, "")
    if level not in UNTAGGED_LEVELS:
        line.append(f"{level}: ", style=style or "dim")
    line.append(text, style=style if level in ("stderr", "error", "critical") else "")
    return line


class LogView(Vertical):
    """A `RichLog` of component output: `write()` from the UI thread, `submit()` from anywhere."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
    }
    LogView > RichLog {
        height: 1fr;
        background: $surface;
    }
    """

    def __init__(
        self,
        *,
        max_lines: int | None = 5_000,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.max_lines = max_lines
        self.written = 0
        """Lines written since the view was made, cleared or not: a screen compares it with what it has shown."""
        self._pending: deque[LogLine] = deque()

    def compose(self) -> ComposeResult:
        yield RichLog(max_lines=self.max_lines, wrap=True, markup=False)

    def on_mount(self) -> None:
        self.set_interval(DRAIN_INTERVAL, self.drain)

    def write(self, component: str | None, text: str, level: str = "stdout") -> None:
        """Append a line; `component` is `None` for output from outside any visit."""
        self.query_one(RichLog).write(log_text(component, visible(text), level))
        self.written += 1

    def submit(self, line: LogLine) -> None:
        """Queue a captured line; safe from any thread (a `LogCapture` sink). Written within `DRAIN_INTERVAL`."""
        self._pending.append(line)

    def drain(self) -> None:
        """Write the queued lines now."""
        while self._pending:
            line = self._pending.popleft()
            self.write(line.component, line.text, line.level)

    def clear(self) -> None:
        self._pending.clear()
        self.query_one(RichLog).clear()
