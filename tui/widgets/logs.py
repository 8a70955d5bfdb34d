"""The log pane: what components print, warn and log, each line prefixed by its component in a stable colour.

A run's lines are its `ComponentLogged` events (the engine captures them per visit: see `pipeline.core.logs`),
so a live run, its recording and its replay show the same lines; the pane reads them from the session it
follows (`follow`; by default the `session` of the screen it is on), a few new events per poll. Lines printed
outside any visit (the app, a component's own threads) are not part of the run: a `tui.state.logs.LogCapture`
hands them to `submit` from whatever thread produced them, and a timer writes them on the UI side
(`App.call_from_thread` refuses the app's own thread).

The pane filters by component (a select, `o` for the graph's selection, or `show_component`) and searches (`/`;
escape leaves the field): what is shown is rebuilt from the kept lines whenever the filter changes.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Sequence
from typing import ClassVar, NamedTuple, Protocol

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, RichLog, Select

from pipeline.core.events import ComponentLogged, RunEvent
from tui import keys
from tui.escapes import safe_text
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
KEPT_LINES = 20_000
"""Lines kept for filtering; older ones are dropped (the recording keeps them all)."""
SHOWN_LINES = 2_000
"""Lines written when the filter changes: the newest that match (writing is the costly part)."""
ALL = "__all__"
"""The component select's value for every component."""


class EventSource(Protocol):
    """What the pane follows: a `DebugSession` (its events grow; a new session starts over)."""

    events: list[RunEvent]


class LogEntry(NamedTuple):
    component: str | None
    """`None` outside any visit."""
    visit_id: int | None
    level: str
    logger: str
    text: str

    @property
    def message(self) -> str:
        """The text as shown: a log record's logger name first."""
        return f"{self.logger}: {self.text}" if self.logger else self.text


def component_style(component: str | None) -> str:
    """The same colour for a component in every run and session (not `hash()`, which varies per process)."""
    if component is None:
        return "dim italic"
    return "bold " + COMPONENT_COLOURS[zlib.crc32(component.encode()) % len(COMPONENT_COLOURS)]


def log_text(component: str | None, text: str, level: str, search: str = "") -> Text:
    """One log line: the component, a level tag unless it is a plain print or info, then the text; what
    `search` matches is highlighted."""
    line = Text.assemble((component or OUTSIDE, component_style(component)), " ")
    style = LEVEL_STYLES.get(level, "")
    if level not in UNTAGGED_LEVELS:
        line.append(f"{level}: ", style=style or "dim")
    line.append(safe_text(text), style=style if level in ("stderr", "error", "critical") else "")
    if search:
        line.highlight_words([search], style="reverse", case_sensitive=False)
    return line


def matches(entry: LogEntry, component: str | None, search: str) -> bool:
    """Whether the filter shows `entry`: its component (`None`: any), and `search` anywhere in the line."""
    if component is not None and entry.component != component:
        return False
    if not search:
        return True
    needle = search.casefold()
    return needle in entry.message.casefold() or needle in (entry.component or OUTSIDE).casefold()


class LogView(Vertical):
    """Component output: `follow(session)` reads its `ComponentLogged` events, `submit()` takes lines from
    outside the run from any thread, `write()` appends one from the UI thread."""

    DEFAULT_CSS = """
    LogView {
        height: 1fr;
    }
    LogView > #logs-filter {
        height: 1;
    }
    LogView > #logs-filter > Input {
        width: 1fr;
    }
    LogView > #logs-filter > Select {
        width: 28;
    }
    LogView > RichLog {
        height: 1fr;
        background: $surface;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.LOGS

    def __init__(
        self,
        *,
        max_lines: int | None = 5_000,
        follow_screen: bool = True,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.max_lines = max_lines
        self.follow_screen = follow_screen
        """Follow the `session` attribute of the screen the pane is on (the debugger's current run)."""
        self.written = 0
        """Lines added since the view was made, cleared or not: a screen compares it with what it has shown."""
        self._pending: deque[LogLine] = deque()
        self._entries: deque[LogEntry] = deque(maxlen=KEPT_LINES)
        self._components: list[str] = []
        self._source: EventSource | None = None
        self._read = 0
        """How many of the followed source's events were read."""
        self.component: str | None = None
        """The component whose lines are shown; `None`: every component's."""
        self.search = ""

    def compose(self) -> ComposeResult:
        with Horizontal(id="logs-filter"):
            yield Input(placeholder="/ search the logs", id="logs-search", compact=True)
            yield Select([("all components", ALL)], value=ALL, allow_blank=False, id="logs-component", compact=True)
        yield RichLog(max_lines=self.max_lines, wrap=True, markup=False)

    def on_mount(self) -> None:
        self.set_interval(DRAIN_INTERVAL, self.drain)

    # -- what feeds it -------------------------------------------------------------------------------------------

    def follow(self, source: EventSource | None) -> None:
        """Show the log lines of `source`'s events, reading only those added since the last call; a new source
        replaces what was shown. Cheap when nothing changed: call it on every poll."""
        if source is not self._source:
            self._source, self._read = source, 0
            self._entries.clear()
            self._redraw()
        if source is None:
            return
        events = source.events
        if len(events) < self._read:  # the source started over
            self._read = 0
        new = [event for event in events[self._read :] if isinstance(event, ComponentLogged)]
        self._read = len(events)
        for event in new:
            self._add(LogEntry(event.component, event.visit_id, event.level, event.logger, event.text))

    def write(self, component: str | None, text: str, level: str = "stdout", logger: str = "") -> None:
        """Append a line; `component` is `None` for output from outside any visit."""
        self._add(LogEntry(component, None, level, logger, text))

    def submit(self, line: LogLine) -> None:
        """Queue a captured line; safe from any thread (a `LogCapture` sink). Written within `DRAIN_INTERVAL`."""
        self._pending.append(line)

    def drain(self) -> None:
        """Catch up with the screen's session (when `follow_screen`), then write the queued lines."""
        if self.follow_screen:
            self.follow(getattr(self.screen, "session", None))
        while self._pending:
            line = self._pending.popleft()
            self._add(LogEntry(line.component, line.visit_id, line.level, "", line.text))

    def clear(self) -> None:
        self._pending.clear()
        self._entries.clear()
        self._redraw()

    # -- filtering -----------------------------------------------------------------------------------------------

    @property
    def entries(self) -> Sequence[LogEntry]:
        """Every kept line, shown or filtered out."""
        return tuple(self._entries)

    def shown(self) -> list[LogEntry]:
        """The kept lines the filter shows."""
        return [entry for entry in self._entries if matches(entry, self.component, self.search)]

    def show_component(self, component: str | None) -> None:
        """Show only `component`'s lines (`None`: everyone's)."""
        if component is not None and component not in self._components:
            self._components.append(component)
            self._update_select()
        select = self.query_one(Select)
        with select.prevent(Select.Changed):
            select.value = ALL if component is None else component
        self._set_filter(component, self.search)

    def action_only_selected(self) -> None:
        """Show only the lines of the component selected in the graph (the screen's `selected`), or all again."""
        selected = getattr(self.screen, "selected", None)
        self.show_component(selected if self.component is None and isinstance(selected, str) else None)

    def action_search(self) -> None:
        self.query_one("#logs-search", Input).focus()

    def action_leave_search(self) -> None:
        self.query_one(RichLog).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "leave_search":  # escape elsewhere goes one level out, as the screen says
            return isinstance(self.app.focused, Input) and self.app.focused.id == "logs-search"
        return True

    @on(Input.Changed, "#logs-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._set_filter(self.component, event.value.strip())

    @on(Input.Submitted, "#logs-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one(RichLog).focus()

    @on(Select.Changed, "#logs-component")
    def _component_changed(self, event: Select.Changed) -> None:
        event.stop()
        value = event.value
        self._set_filter(value if isinstance(value, str) and value != ALL else None, self.search)

    # -- internals -----------------------------------------------------------------------------------------------

    def _add(self, entry: LogEntry) -> None:
        self._entries.append(entry)
        self.written += 1
        if entry.component is not None and entry.component not in self._components:
            self._components.append(entry.component)
            self._update_select()
        if matches(entry, self.component, self.search):
            self.query_one(RichLog).write(log_text(entry.component, entry.message, entry.level, self.search))

    def _update_select(self) -> None:
        select = self.query_one(Select)
        value = select.value
        options = [("all components", ALL), *((name, name) for name in sorted(self._components))]
        with select.prevent(Select.Changed):
            select.set_options(options)
            select.value = value if isinstance(value, str) and value in self._components else ALL

    def _set_filter(self, component: str | None, search: str) -> None:
        if (component, search) == (self.component, self.search):
            return
        self.component, self.search = component, search
        self._redraw()

    def _redraw(self) -> None:
        log = self.query_one(RichLog)
        log.clear()
        for entry in self.shown()[-SHOWN_LINES:]:
            log.write(log_text(entry.component, entry.message, entry.level, self.search))
