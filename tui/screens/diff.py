"""Two recorded runs side by side: which components changed what, and where the time went.

Both files are read and decoded, and the diff computed, in a thread worker: recordings of long runs hold
thousands of events and megabytes of documents. The changed visits are listed on the left; picking one (or n/N)
scrolls the right-hand view to its section.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from pipeline.runs.diff import RunDiff, VisitDiff, diff_runs
from pipeline.runs.recording import RecordedRun, RecordingError, read_run
from tui import keys
from tui.commands.runs import LISTING_STYLES
from tui.render_diff import ADDED, REMOVED, timing_table, visit_table

_LOAD_WORKER = "load-diff"


@dataclass(frozen=True, slots=True)
class LoadedDiff:
    a: RecordedRun
    b: RecordedRun
    diff: RunDiff


def load_diff(a: Path, b: Path) -> LoadedDiff:
    """Read both runs and diff b against a; a `RecordingError` names the file that cannot be used."""
    run_a, run_b = load_run(a), load_run(b)
    return LoadedDiff(run_a, run_b, diff_runs(run_a.events, run_b.events))


def load_run(path: Path) -> RecordedRun:
    """A recording whose events start with `RunStarted`, which the diff's timing counts from."""
    recorded = read_run(path)
    recorded.check_started()
    return recorded


def run_heading(diff: LoadedDiff) -> Table:
    """One line per run: side, pipeline, id prefix, status, duration, file; then any lines skipped as damaged."""
    grid = Table.grid(padding=(0, 2))
    for _ in range(6):
        grid.add_column(no_wrap=True)
    for side, run, total in (("a", diff.a, diff.diff.total.a), ("b", diff.b, diff.diff.total.b)):
        seconds = total if total is not None else run.duration  # pipeline time; an unfinished run: its events' span
        duration = "" if seconds is None else f"{seconds * 1000:.1f} ms"
        grid.add_row(
            Text(side, style=f"bold {REMOVED if side == 'a' else ADDED}"),
            Text(run.header.pipeline_name, style="bold"),
            run.run_id[:8],
            Text(run.status, style=LISTING_STYLES.get(run.status, "")),
            duration,
            Text(run.path.name, style="dim"),
        )
        if run.problems:
            first = run.problems[0]
            note = f"skipped {len(run.problems)} damaged line(s); the first: {run.path}:{first.line}: {first.reason}"
            grid.add_row("", Text(note, style="yellow"))
    return grid


def visit_label(visit: VisitDiff) -> Text:
    """The list entry of a changed visit: its name, then what changed (status, or the sockets)."""
    label = Text(f"{visit.component} #{visit.visit}", style="bold")
    if visit.status_a != visit.status_b:
        changed = f"{visit.status_a or 'did not run'} → {visit.status_b or 'did not run'}"
    else:
        sides = [(side, sockets) for side, sockets in (("in", visit.inputs), ("out", visit.outputs)) if sockets]
        changed = "; ".join(f"{side}: {', '.join(socket.socket for socket in sockets)}" for side, sockets in sides)
    label.append(f"\n{changed}", style="dim")
    return label


class DiffScreen(Screen[None]):
    """Run b (`b`) compared with run a (`a`): a heading per run, timing per component, then each changed visit's
    inputs and outputs (documents added, removed, moved and rescored; text diffs; messages)."""

    DEFAULT_CSS = """
    DiffScreen #diff-heading {
        height: auto;
        padding: 0 1;
        background: $panel;
    }
    DiffScreen #diff-heading.-error {
        color: $text-error;
    }
    DiffScreen #diff-changes {
        width: 32;
        height: 1fr;
        border: round $foreground 30%;
        border-title-color: $text-muted;
    }
    DiffScreen #diff-changes:focus {
        border: round $accent;
    }
    DiffScreen #diff-body {
        width: 1fr;
        height: 1fr;
        padding: 0 1;
    }
    DiffScreen .diff-section {
        margin-bottom: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.DIFF

    def __init__(self, a: Path, b: Path) -> None:
        super().__init__()
        self.a, self.b = Path(a), Path(b)
        self.loaded: LoadedDiff | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Reading {self.a.name} and {self.b.name}…"), id="diff-heading")
        with Horizontal():
            changes = OptionList(id="diff-changes")
            changes.border_title = "Changed"
            yield changes
            with VerticalScroll(id="diff-body") as body:
                body.loading = True
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#diff-changes").display = False
        self.run_worker(
            partial(load_diff, self.a, self.b), name=_LOAD_WORKER, thread=True, exclusive=True, exit_on_error=False
        )

    @on(Worker.StateChanged)
    async def _loaded(self, event: Worker.StateChanged) -> None:
        if event.worker.name != _LOAD_WORKER or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        body = self.query_one("#diff-body", VerticalScroll)
        body.loading = False
        heading = self.query_one("#diff-heading", Static)
        error = event.worker.error
        if error is not None:
            self.error = str(error) if isinstance(error, RecordingError) else f"{type(error).__name__}: {error}"
            heading.update(Text(self.error))
            heading.add_class("-error")
            return
        loaded = event.worker.result
        assert isinstance(loaded, LoadedDiff)  # a worker that succeeded returned load_diff's result
        self.loaded = loaded
        heading.update(run_heading(loaded))
        await body.mount_all(self._sections(loaded.diff))
        changes = self.query_one("#diff-changes", OptionList)
        changes.add_options(
            Option(visit_label(visit), id=f"visit-{index}") for index, visit in enumerate(loaded.diff.changed_visits)
        )
        changes.display = changes.option_count > 0
        (changes if changes.display else body).focus()

    def _sections(self, diff: RunDiff) -> list[Static]:
        sections = []
        only = [
            Text(f"{sign} only in {side}: {', '.join(names)}", style=style)
            for sign, side, names, style in (("-", "a", diff.only_in_a, REMOVED), ("+", "b", diff.only_in_b, ADDED))
            if names
        ]
        if only:
            sections.append(Static(Text("\n").join(only), id="diff-only"))
        sections.append(Static(timing_table(diff), id="diff-timing"))
        changed = diff.changed_visits
        if not changed:
            sections.append(Static(Text("No differences in outputs.", style="bold green"), id="diff-none"))
        sections += [Static(visit_table(visit), id=f"visit-{index}") for index, visit in enumerate(changed)]
        for section in sections:
            section.add_class("diff-section")
        return sections

    @on(OptionList.OptionHighlighted, "#diff-changes")
    @on(OptionList.OptionSelected, "#diff-changes")
    def _show_section(self, event: OptionList.OptionHighlighted | OptionList.OptionSelected) -> None:
        """Bring the picked visit's section to the top of the view (named so as not to shadow Textual's own
        `Widget._scroll_to`, through which the screen itself is scrolled)."""
        section = self.query_one(f"#diff-body > #{event.option_id}")
        self.query_one("#diff-body", VerticalScroll).scroll_to_widget(section, top=True, animate=False)

    def action_jump(self, step: int) -> None:
        """Highlight the next (or previous) changed visit, which scrolls to it; at either end, a bell."""
        changes = self.query_one("#diff-changes", OptionList)
        if changes.option_count == 0:
            self.app.bell()
            return
        current = changes.highlighted
        target = (0 if step > 0 else changes.option_count - 1) if current is None else current + step
        if not 0 <= target < changes.option_count:
            self.app.bell()
            return
        changes.highlighted = target

    def action_close(self) -> None:
        self.dismiss()
