"""Modal: edit a visit's sockets as JSON, one editor per socket, checked against the declared types.

Two uses: the outputs of a visit paused at a breakpoint (what it hands on), and the inputs of a recorded visit
to fork the run from (what it runs again with).

Documents and chat messages are shown as their `to_dict()` and rebuilt with `from_dict()` wherever the socket
type names them (`list[Document]`, `ChatMessage | None`, `dict[str, list[Document]]`, ...), so what is saved
has the types the receivers expect. Haystack's dataclasses (a bridged pipeline's sockets) likewise go through
their own `to_dict`/`from_dict`; values a recording holds as data (haystack-ai missing) are edited as that data.
A socket whose text is left untouched keeps its original value, so values JSON cannot express (arrays, custom
objects) survive an edit of the other sockets.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static, TextArea

from pipeline.core.type_utils import type_name, value_matches_type
from tui import keys
from tui.state.socket_values import dumps, from_json, mismatch


class SocketEditor(Vertical):
    """One socket: its name and type, a JSON editor, and the latest error under it."""

    def __init__(self, socket: str, value: Any, type_: Any) -> None:
        super().__init__(classes="socket-editor")
        self.socket, self.original, self.type_ = socket, value, type_
        self.initial_text = dumps(value)
        self.value: Any = value
        """The socket's value as of the latest valid text."""
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        title = Text.assemble((self.socket, "bold"), "  ", (type_name(self.type_), "dim"))
        yield Label(title, classes="socket-title")
        yield TextArea(self.initial_text, soft_wrap=False, show_line_numbers=True)
        yield Static("", classes="socket-error")

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    def parse(self) -> Any:
        """The socket's new value; raises `ValueError` with a message for the user."""
        if self.text == self.initial_text:
            return self.original
        try:
            data = json.loads(self.text)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {error.lineno}, column {error.colno}: {error.msg}") from None
        try:
            value = from_json(data, self.type_)
        except (ValueError, TypeError) as error:
            raise ValueError(str(error)) from None
        if not value_matches_type(value, self.type_):
            raise ValueError(mismatch(value, self.type_))
        return value

    def validate(self) -> bool:
        """Parse the text into `value`, or show why it does not fit the socket."""
        try:
            self.value = self.parse()
        except ValueError as error:
            self.error = str(error)
        else:
            self.error = None
        self.set_class(self.error is not None, "-invalid")
        self.query_one(".socket-error", Static).update(Text(self.error or ""))
        return self.error is None


class EditSocketsScreen(ModalScreen[dict[str, Any] | None]):
    """Edit `values` (socket -> value) of one visit's `kind` sockets; dismisses with the new values, or `None`
    if cancelled. `socket_types` are the component's declared socket types (a missing one means `Any`)."""

    DEFAULT_CSS = """
    EditSocketsScreen {
        align: center middle;
    }
    EditSocketsScreen > #edit-dialog {
        width: 90%;
        height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    EditSocketsScreen #edit-title {
        text-style: bold;
        height: 1;
        margin-bottom: 1;
    }
    EditSocketsScreen #edit-editors {
        height: 1fr;
    }
    EditSocketsScreen .socket-editor {
        height: auto;
        margin-bottom: 1;
    }
    EditSocketsScreen .socket-editor TextArea {
        height: auto;
        max-height: 16;
    }
    EditSocketsScreen .socket-editor.-invalid TextArea {
        border: tall $error;
    }
    EditSocketsScreen .socket-error {
        color: $text-error;
        height: auto;
    }
    EditSocketsScreen #edit-buttons {
        height: auto;
        align-horizontal: right;
    }
    EditSocketsScreen #edit-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.EDIT_SOCKETS

    def __init__(
        self,
        component: str,
        values: Mapping[str, Any],
        socket_types: Mapping[str, Any],
        *,
        kind: Literal["inputs", "outputs"] = "outputs",
        note: str = "",
    ) -> None:
        """`note`: what saving will do, shown after the title (e.g. that a fork runs from here)."""
        super().__init__()
        self.component = component
        self.values = dict(values)
        self.socket_types = dict(socket_types)
        self.kind = kind
        self.note = note

    def compose(self) -> ComposeResult:
        with Vertical(id="edit-dialog"):
            title = Text.assemble(f"Edit the {self.kind} of ", (self.component, "bold"), " (JSON)")
            if self.note:
                title.append(f" · {self.note}", style="dim")
            yield Label(title, id="edit-title")
            with VerticalScroll(id="edit-editors"):
                for socket, value in self.values.items():
                    yield SocketEditor(socket, value, self.socket_types.get(socket, Any))
            with Horizontal(id="edit-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="edit-save")
                yield Button("Cancel (esc)", id="edit-cancel")

    def on_mount(self) -> None:
        editors = self.query(TextArea)
        if editors:
            editors.first().focus()

    @on(TextArea.Changed)
    def _revalidate(self, event: TextArea.Changed) -> None:
        editor = event.text_area.parent
        if isinstance(editor, SocketEditor):
            editor.validate()

    @on(Button.Pressed, "#edit-save")
    def action_save(self) -> None:
        """Dismiss with the edited outputs if every socket is valid; otherwise show why and stay."""
        editors = list(self.query(SocketEditor))
        invalid = [editor for editor in editors if not editor.validate()]
        if invalid:
            invalid[0].query_one(TextArea).focus()
            self.notify(f"Fix {len(invalid)} invalid socket(s) first.", severity="error")
            return
        self.dismiss({editor.socket: editor.value for editor in editors})

    @on(Button.Pressed, "#edit-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
