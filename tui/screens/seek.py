"""Modal: go to any event or moment of a replay, typed as an event number or a time; checked as you type."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from tui import keys
from tui.state.replay import ReplayControl, SeekError


class SeekScreen(ModalScreen[int | None]):
    """Dismisses with the position to show (how many of the recording's events), or `None` if cancelled."""

    DEFAULT_CSS = """
    SeekScreen {
        align: center middle;
    }
    SeekScreen > #seek-dialog {
        width: 70;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    SeekScreen #seek-title {
        text-style: bold;
    }
    SeekScreen #seek-hint {
        color: $text-muted;
    }
    SeekScreen #seek-status.-invalid {
        color: $text-error;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.SEEK

    def __init__(self, replay: ReplayControl, position: int) -> None:
        super().__init__()
        self.replay = replay
        self.position = position

    def compose(self) -> ComposeResult:
        with Vertical(id="seek-dialog"):
            yield Label("Go to an event or a moment of the replay", id="seek-title")
            yield Label(
                f"An event number (0-{len(self.replay)}, now {self.position}) or a time since the start "
                f"(e.g. 250 ms; the run lasted {self.replay.duration:.3f} s). Enter goes there, paused.",
                id="seek-hint",
            )
            yield Input(placeholder="42 or 1.5 s", id="seek-target")
            yield Static("", id="seek-status")

    @on(Input.Changed)
    def _check(self, event: Input.Changed) -> None:
        status = self.query_one("#seek-status", Static)
        try:
            position = self.replay.position_of(event.value) if event.value.strip() else None
        except SeekError as error:
            status.update(Text(str(error)))
            status.add_class("-invalid")
            return
        status.remove_class("-invalid")
        status.update("" if position is None else f"the run after event {position} of {len(self.replay)}")

    @on(Input.Submitted)
    def _go(self, event: Input.Submitted) -> None:
        try:
            self.dismiss(self.replay.position_of(event.value))
        except SeekError as error:
            self.notify(str(error), severity="error")

    def action_cancel(self) -> None:
        self.dismiss(None)
