"""Modal: type the condition of a component's breakpoint, checked on every keystroke.

The text is compiled with the component's output socket names, so a typo in a name is caught here, with a caret
under the column at fault, instead of as a condition error on some later visit.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui import keys
from tui.state.breakpoints import Breakpoints
from tui.state.conditions import RESERVED_NAMES, Condition, ConditionSyntaxError


def pointed(error: ConditionSyntaxError) -> Text:
    """The faulty line of the condition, a caret under the column at fault, and the message after it."""
    lines = error.text.splitlines() or [""]
    source = lines[min(error.line, len(lines)) - 1]
    return Text(f"{source}\n{' ' * (error.column - 1)}^ {error.message}")


class ConditionScreen(ModalScreen[str | None]):
    """Dismisses with the condition text (`""` for an unconditional breakpoint), or `None` if cancelled.

    `socket_names` are the component's output sockets; `None` accepts any name (e.g. when they are unknown).
    """

    DEFAULT_CSS = """
    ConditionScreen {
        align: center middle;
    }
    ConditionScreen > #condition-dialog {
        width: 80%;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ConditionScreen #condition-title {
        text-style: bold;
    }
    ConditionScreen #condition-names {
        color: $text-muted;
    }
    ConditionScreen #condition-status {
        height: auto;
        min-height: 2;
        margin: 0 0 1 0;
    }
    ConditionScreen #condition-status.-invalid {
        color: $text-error;
    }
    ConditionScreen #condition-status.-valid {
        color: $text-success;
    }
    ConditionScreen #condition-buttons {
        height: auto;
        align-horizontal: right;
    }
    ConditionScreen #condition-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.CONDITION

    def __init__(self, component: str, socket_names: Collection[str] | None = None, text: str = "") -> None:
        super().__init__()
        self.component = component
        self.socket_names = None if socket_names is None else list(socket_names)
        self.initial_text = text
        self.error: ConditionSyntaxError | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="condition-dialog"):
            yield Label(Text.assemble("Break on ", (self.component, "bold"), " when…"), id="condition-title")
            names = [*(self.socket_names or []), *RESERVED_NAMES]
            yield Label(Text(f"Names: {', '.join(names)}. Leave empty to break on every visit."), id="condition-names")
            yield Input(self.initial_text, placeholder="e.g. len(documents) < 3", select_on_focus=False)
            yield Static(id="condition-status")
            with Horizontal(id="condition-buttons"):
                yield Button("OK (enter)", variant="primary", id="condition-ok")
                yield Button("Cancel (esc)", id="condition-cancel")

    def on_mount(self) -> None:
        self._check(self.initial_text)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._check(event.value)

    def _check(self, text: str) -> None:
        """Compile `text` and show the result: the error with a caret under its column, or that it is fine."""
        self.error = None
        if not text.strip():
            message = Text("No condition: break on every visit.")
        else:
            try:
                Condition.compile(text, self.socket_names)
            except ConditionSyntaxError as error:
                self.error = error
                message = pointed(error)
            else:
                message = Text("✓ valid")
        status = self.query_one("#condition-status", Static)
        status.update(message)
        status.set_class(self.error is not None, "-invalid")
        status.set_class(self.error is None, "-valid")

    @on(Input.Submitted)
    @on(Button.Pressed, "#condition-ok")
    def action_accept(self) -> None:
        """Accept a valid condition; an invalid one stays on screen with its error."""
        text = self.query_one(Input).value
        self._check(text)
        if self.error is not None:
            self.app.bell()
            return
        self.dismiss(text.strip())

    @on(Button.Pressed, "#condition-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


def condition_editor(
    breakpoints: Breakpoints, component: str, socket_names: Collection[str] | None, *, add: bool = True
) -> tuple[ConditionScreen, Callable[[str | None], None]]:
    """The modal for `component`'s breakpoint condition, and what to do with its answer: set it (`""`: break on
    every visit), adding the breakpoint if it has none unless `add` is false (it may have been removed while the
    modal was open); a cancelled modal changes nothing."""
    existing = breakpoints.get(component)

    def apply(condition: str | None) -> None:
        if condition is not None and component in breakpoints:
            breakpoints.set_condition(component, condition or None)
        elif condition is not None and add:
            breakpoints.add(component, condition or None)

    text = existing.condition_text if existing is not None else None
    return ConditionScreen(component, socket_names, text or ""), apply
