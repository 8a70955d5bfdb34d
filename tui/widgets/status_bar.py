"""The status bar: one line saying what the run is doing (from `RunController.status()`), and a loading bar.

It only draws what it is given: whether a run is paused, stopping or replaying is the controller's to say, so
the line is true at every moment the screen ticks.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar, Static

from tui.layout.dag import elide
from tui.state.controller import RunStatus

ERROR_CHARS = 60
"""Of a run's error in the status bar (the inspector has all of it): the bar is one line, shared."""
NAMES_SHOWN = 3
"""Components named in the running list; the rest are counted."""

_ACTIVITY = {
    "running": ("▶ running", "bold yellow"),
    "pausing": ("⏸ pausing…", "bold magenta"),
    "stopping": ("⏹ stopping…", "bold red"),
    "finished": ("✓ finished", "bold green"),
    "failed": ("✗ failed", "bold red"),
    "stopped": ("⊘ stopped", "bold"),
}


def status_text(status: RunStatus) -> Text:
    """The one line: pipeline, replay or fork, what the run does, its breakpoints and where it is recorded."""
    text = Text.assemble((f" {status.name} ", "bold reverse"), " ")
    replay = status.replay
    if replay is not None:
        text.append(f" ⏮ REPLAY {replay.speed} ", style="bold reverse magenta")
        if replay.imported is not None:
            text.append(f" ⇣ {replay.imported.upper()} ", style="bold reverse blue")
        text.append(f" event {replay.position}/{replay.events} ", style="magenta")
    elif status.fork_of is not None:
        text.append(f" ⑂ FORK of {status.fork_of} ", style="bold reverse cyan")
        text.append(" ")
    if status.activity == "loading":
        text.append("loading…", style="dim")
        return text
    if status.activity == "ready":
        text.append("ready", style="bold")
        text.append(" · r runs it", style="dim")
    else:
        text.append_text(_run_text(status))
    if status.breakpoints:
        text.append(f" · {status.breakpoints} breakpoint{'s' * (status.breakpoints > 1)}", style="dim")
    if status.path is not None:
        text.append(" · from " if status.from_recording else " · saved to ", style="dim")
        text.append(_short_path(status.path), style="cyan")
    elif not status.recording:
        text.append(" · not recording", style="dim")
    return text


def _run_text(status: RunStatus) -> Text:
    text = Text()
    if status.activity == "paused":
        where = f" at {status.paused_at}" if status.paused_at else ""
        text.append(f"⏸ paused{where}", style="bold magenta")
        text.append(f" ({status.pause_kind})", style="magenta")
        if status.condition_error is not None:
            text.append(f" condition error: {status.condition_error}", style="red")
    else:
        label, style = _ACTIVITY[status.activity]
        text.append(label, style=style)
    if status.error:
        text.append(f": {elide(status.error, ERROR_CHARS)}", style="red")
    if status.duration is not None:
        text.append(f" in {status.duration:.2f} s", style="dim")
        if status.left_out is not None:
            text.append(f" (+{status.left_out:.2f} s paused or warming up)", style="dim")
    running = status.running
    if running:
        more = f" (+{len(running) - NAMES_SHOWN})" if len(running) > NAMES_SHOWN else ""
        text.append(f" · running: {', '.join(running[:NAMES_SHOWN])}{more}", style="yellow")
    if status.queued:
        text.append(f" · queued: {', '.join(status.queued)}", style="bold yellow")
    if status.ready:
        more = f" (+{len(status.ready) - NAMES_SHOWN})" if len(status.ready) > NAMES_SHOWN else ""
        text.append(f" · ready: {', '.join(status.ready[:NAMES_SHOWN])}{more}", style="dim")
    return text


def _short_path(path: Path) -> str:
    """Relative to the working directory when inside it: the status bar is one line."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


class StatusBar(Horizontal):
    """The status line and, while something loads, a label and an indeterminate progress bar."""

    def __init__(self, loading: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._loading = loading
        self._shown: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        with Horizontal(id="progress"):
            yield Label(self._loading, id="progress-label")
            yield ProgressBar(total=None, show_eta=False, show_percentage=False)

    def show(self, status: RunStatus) -> None:
        """Draw `status`; a line that did not change is not drawn again."""
        text = status_text(status)
        if text != self._shown:
            self._shown = text
            self.query_one("#status", Static).update(text, layout=False)  # one line, always

    def set_progress(self, label: str | None) -> None:
        """Show the loading indicator with `label`, or hide it (`None`)."""
        progress = self.query_one("#progress")
        progress.display = label is not None
        if label is not None:
            self.query_one("#progress-label", Label).update(label)
