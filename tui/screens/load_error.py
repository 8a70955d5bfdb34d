"""Shown instead of the debugger when the pipeline does not load: where (file and line) and why.

The app stays up, so the user can fix the file and reload it (r) without restarting the command.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from tui import keys
from tui.loading import LoadFailure


class LoadErrorScreen(Screen[None]):
    DEFAULT_CSS = """
    LoadErrorScreen {
        align: center middle;
    }
    LoadErrorScreen > #error {
        width: 90%;
        height: auto;
        max-height: 90%;
        border: thick $error;
        border-title-color: $text-error;
        padding: 1 2;
    }
    LoadErrorScreen #location {
        color: $text-accent;
        text-style: bold;
    }
    LoadErrorScreen #reason {
        margin: 1 0;
    }
    LoadErrorScreen #details {
        height: auto;
        max-height: 20;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.LOAD_ERROR

    def __init__(self, failure: LoadFailure) -> None:
        super().__init__()
        self.failure = failure

    def compose(self) -> ComposeResult:
        with Vertical(id="error") as box:
            box.border_title = "The pipeline did not load"
            yield Static(Text(self.failure.location), id="location")
            yield Static(Text(self.failure.reason), id="reason")
            if self.failure.details:
                yield TextArea(self.failure.details, id="details", read_only=True, soft_wrap=False)
        yield Footer()
