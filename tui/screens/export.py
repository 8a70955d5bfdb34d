"""Modal: export a run to a file other tools open (Perfetto, an OpenTelemetry backend, a Mermaid renderer).

The file content is exactly what `pipedebug export` writes (`pipeline.runs.export.export_text`). Building it
and writing it happen in a thread worker: a long run's trace is megabytes of JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from pipeline import DefinitionError
from pipeline.core.events import RunEvent
from pipeline.core.pipeline import PipelineBase
from pipeline.runs.export import ExportFormat, export_text
from tui import keys

_EXPORT_WORKER = "export"


@dataclass(frozen=True, slots=True)
class Format:
    key: ExportFormat
    suffix: str
    label: str


FORMATS = (
    Format("chrome", ".trace.json", "Chrome trace, for Perfetto or chrome://tracing"),
    Format("otlp", ".otlp.json", "OTLP JSON, for OpenTelemetry backends"),
    Format("mermaid", ".mmd", "Mermaid graph with each component's time"),
)


class ExportFailed(Exception):
    """An export that could not be built or written; the message names the file or says what is missing."""


def write_export(
    path: Path,
    events: Sequence[RunEvent],
    fmt: ExportFormat,
    name: str,
    pipeline: PipelineBase | str | None,
    allowed_modules: Iterable[str],
) -> Path:
    """Build the export and write it to `path`; every expected failure is an `ExportFailed` naming the cause."""
    if not events:
        raise ExportFailed("Nothing to export: the run has no events yet.")
    try:
        text = export_text(events, fmt, name, pipeline=pipeline, allowed_modules=allowed_modules)
    except DefinitionError as exc:
        raise ExportFailed(f"The pipeline cannot be rebuilt to draw it: {exc}") from exc
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ExportFailed(f"{path}: cannot write the export: {exc.strerror or exc}") from exc
    return path


class ExportScreen(ModalScreen[Path | None]):
    """Choose a format and a file; dismisses with the path written, or `None` if cancelled.

    The file name starts as `directory / f"{name}{suffix}"` and follows the format until the user edits it.
    `name` is also the Chrome trace's process name. Mermaid needs `pipeline` (the pipeline or its YAML; YAML is
    loaded with `allowed_modules`): without one, that format is disabled. `events` are copied, so a run that
    goes on meanwhile does not change the export.
    """

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen > #export-dialog {
        width: 80%;
        max-width: 100;
        height: auto;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportScreen #export-title {
        text-style: bold;
        margin-bottom: 1;
    }
    ExportScreen RadioSet {
        width: 100%;
    }
    ExportScreen #export-path-label {
        margin-top: 1;
    }
    ExportScreen #export-status {
        height: auto;
        min-height: 1;
        margin-bottom: 1;
    }
    ExportScreen #export-status.-error {
        color: $text-error;
    }
    ExportScreen #export-buttons {
        height: auto;
        align-horizontal: right;
    }
    ExportScreen #export-buttons Button {
        margin-left: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.EXPORT

    def __init__(
        self,
        events: Sequence[RunEvent],
        *,
        name: str,
        directory: Path,
        pipeline: PipelineBase | str | None = None,
        allowed_modules: Iterable[str] = (),
    ) -> None:
        super().__init__()
        self.events = list(events)
        self.run_name = name
        self.directory = Path(directory)
        self.pipeline = pipeline
        self.allowed_modules = tuple(allowed_modules)
        self.format = FORMATS[0]
        self.writing = False
        self._suggested = str(self._suggestion(self.format))
        """The path last filled in for the user; a value other than this one was typed, and is kept."""

    def _suggestion(self, fmt: Format) -> Path:
        return self.directory / f"{self.run_name}{fmt.suffix}"

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Label(Text.assemble("Export the run ", (self.run_name, "bold")), id="export-title")
            with RadioSet(id="export-format"):
                for fmt in FORMATS:
                    unavailable = fmt.key == "mermaid" and self.pipeline is None
                    label = f"{fmt.label} ({fmt.suffix})" + (": no pipeline definition" if unavailable else "")
                    yield RadioButton(label, value=fmt is self.format, id=f"format-{fmt.key}", disabled=unavailable)
            yield Label("Write to", id="export-path-label")
            yield Input(self._suggested, id="export-path", select_on_focus=False)
            yield Static(id="export-status")
            with Horizontal(id="export-buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export-ok")
                yield Button("Cancel (esc)", id="export-cancel")

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    @on(RadioSet.Changed)
    def _format_changed(self, event: RadioSet.Changed) -> None:
        self.format = next(fmt for fmt in FORMATS if event.pressed.id == f"format-{fmt.key}")
        path = self.query_one("#export-path", Input)
        if path.value == self._suggested:
            self._suggested = path.value = str(self._suggestion(self.format))

    @on(Input.Submitted, "#export-path")
    @on(Button.Pressed, "#export-ok")
    def action_export(self) -> None:
        """Write the export in a thread; the modal stays until it is written, and shows why if it is not."""
        if self.writing:
            return
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._show_status("Give the file to write to.", error=True)
            return
        self._set_writing(True)
        self._show_status("Writing…", error=False)
        path = Path(text).expanduser()
        job = partial(
            write_export, path, self.events, self.format.key, self.run_name, self.pipeline, self.allowed_modules
        )
        self.run_worker(job, name=_EXPORT_WORKER, thread=True, exclusive=True, exit_on_error=False)

    @on(Worker.StateChanged)
    def _written(self, event: Worker.StateChanged) -> None:
        if event.worker.name != _EXPORT_WORKER or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        error = event.worker.error
        if error is None:
            self.dismiss(event.worker.result)
            return
        self._set_writing(False)
        self._show_status(str(error) if isinstance(error, ExportFailed) else f"{type(error).__name__}: {error}")

    def _set_writing(self, writing: bool) -> None:
        self.writing = writing
        self.query_one("#export-ok", Button).disabled = writing

    def _show_status(self, message: str, *, error: bool = True) -> None:
        status = self.query_one("#export-status", Static)
        status.update(Text(message))
        status.set_class(error, "-error")

    @on(Button.Pressed, "#export-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
