"""The breakpoints pane: every breakpoint with its condition, hit count and latest condition error.

Breakpoints are changed by the session (hits, errors) and by other widgets (the graph sets them), so the panel
redraws whenever `Breakpoints.version` moved: it polls, and `refresh_from()` redraws at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from tui import keys
from tui.state.breakpoints import Breakpoint, Breakpoints

POLL_INTERVAL = 1 / 10
EMPTY = "No breakpoints. Set one on a component in the graph."

SocketNames = Callable[[str], Collection[str] | None]
"""A component's output socket names, for checking condition names; `None` when unknown."""


def breakpoint_row(breakpoint_: Breakpoint) -> tuple[Text, ...]:
    """The cells of one breakpoint: enabled, component, condition, hits, last condition error."""
    return (
        Text("●", style="bold red") if breakpoint_.enabled else Text("○", style="dim"),
        Text(breakpoint_.component, style="bold" if breakpoint_.enabled else "dim"),
        _condition_cell(breakpoint_),
        Text(str(breakpoint_.hits), justify="right"),
        Text(breakpoint_.last_error or "", style="red"),
    )


def _condition_cell(breakpoint_: Breakpoint) -> Text:
    """The condition, after `before ` for a breakpoint before its component runs (its condition reads inputs)."""
    condition = Text(breakpoint_.condition_text or "always", style="" if breakpoint_.condition else "dim italic")
    return Text.assemble(("before ", "bold magenta"), condition) if breakpoint_.when == "before" else condition


class BreakpointsPanel(Vertical):
    """Lists `breakpoints`; space enables or disables the highlighted one, c edits its condition, delete removes
    it. `socket_names` gives the names a component's conditions may use (outputs, or inputs before it runs)."""

    DEFAULT_CSS = """
    BreakpointsPanel {
        height: auto;
        max-height: 12;
    }
    BreakpointsPanel > DataTable {
        height: auto;
        max-height: 10;
    }
    BreakpointsPanel > #breakpoints-empty {
        color: $text-muted;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.BREAKPOINTS

    class Selected(Message):
        """The user chose a breakpoint (enter or click): the screen may select its component."""

        def __init__(self, component: str) -> None:
            super().__init__()
            self.component = component

    class EditCondition(Message):
        """The user wants to edit a breakpoint's condition: the screen opens the modal (a widget opens no screen)."""

        def __init__(self, component: str, socket_names: Collection[str] | None) -> None:
            super().__init__()
            self.component = component
            self.socket_names = socket_names

    def __init__(
        self,
        breakpoints: Breakpoints,
        socket_names: SocketNames | None = None,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.breakpoints = breakpoints
        self.socket_names = socket_names
        self._version: int | None = None

    def compose(self) -> ComposeResult:
        yield Static(EMPTY, id="breakpoints-empty")
        yield DataTable(cursor_type="row")

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns("on", "component", "condition", "hits", "condition error")
        self.refresh_from()
        self.set_interval(POLL_INTERVAL, self.refresh_from)

    @property
    def current(self) -> Breakpoint | None:
        """The highlighted breakpoint, if any."""
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return None if row_key.value is None else self.breakpoints.get(row_key.value)

    def refresh_from(self) -> None:
        """Redraw if the breakpoints changed since the last draw, keeping the cursor on the same component."""
        if self._version == self.breakpoints.version:
            return
        self._version = self.breakpoints.version
        table = self.query_one(DataTable)
        current = self.current
        table.clear()
        for breakpoint_ in self.breakpoints:
            table.add_row(*breakpoint_row(breakpoint_), key=breakpoint_.component)
        if current is not None and current.component in self.breakpoints:
            table.move_cursor(row=table.get_row_index(current.component))
        table.display = bool(table.row_count)
        self.query_one("#breakpoints-empty").display = not table.row_count

    def action_toggle_enabled(self) -> None:
        breakpoint_ = self.current
        if breakpoint_ is not None:
            self.breakpoints.set_enabled(breakpoint_.component, not breakpoint_.enabled)
            self.refresh_from()

    def action_toggle_when(self) -> None:
        """Break before the highlighted component runs, or after it completes."""
        breakpoint_ = self.current
        if breakpoint_ is not None:
            self.breakpoints.toggle_when(breakpoint_.component)
            self.refresh_from()

    def action_remove(self) -> None:
        breakpoint_ = self.current
        if breakpoint_ is not None:
            self.breakpoints.remove(breakpoint_.component)
            self.refresh_from()

    def action_edit_condition(self) -> None:
        """Ask the screen for the condition modal of the highlighted breakpoint (`EditCondition`)."""
        breakpoint_ = self.current
        if breakpoint_ is not None:
            component = breakpoint_.component
            names = self.socket_names(component) if self.socket_names is not None else None
            self.post_message(self.EditCondition(component, names))

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Selected(event.row_key.value))
