"""The main screen's ways to other screens: the runs browser, the comparison, an export, a fork's diff.

A base of `DebuggerScreen` (a `Screen`), kept apart so the screen stays a thin view: these actions need only the
screen's `RunController` and its runs folder.
"""

from __future__ import annotations

from pathlib import Path

from textual.screen import Screen

from pipeline.runs.store import RunStore
from tui.messages import OpenRun
from tui.screens.compare import CompareScreen, example_queries
from tui.screens.diff import DiffScreen
from tui.screens.export import ExportScreen
from tui.screens.runs import RunsScreen
from tui.state.controller import RunController


class DebuggerDialogs(Screen[None]):
    """Runs (`ctrl+o`), compare (`ctrl+k`), export (`ctrl+e`) and a fork's diff with its parent (`D`)."""

    controller: RunController
    runs_dir: str | None

    def action_open_runs(self) -> None:
        self.app.push_screen(RunsScreen(self.runs_dir), self._open_run)

    def _open_run(self, path: Path | None) -> None:
        if path is not None:
            self.post_message(OpenRun(path))

    def action_compare(self) -> None:
        control = self.controller
        if control.loaded is None:
            return
        try:
            queries = example_queries(control.loaded.pipe, control.loaded.name)
        except ValueError as error:
            self.notify(str(error), title="Nothing to compare", severity="warning")
            return
        pipe, name, runs_dir = control.loaded.pipe, control.loaded.name, self.runs_dir
        screen = CompareScreen(
            pipe, name, queries, concurrency=control.concurrency, runs_dir=runs_dir, record=control.recording
        )
        self.app.push_screen(screen)

    def action_export(self) -> None:
        session = self.controller.session
        if session is None or not session.events:
            self.notify("Nothing to export yet: run the pipeline first.")
            return
        loaded, directory = self.controller.loaded, RunStore(self.runs_dir).directory
        pipe = loaded.pipe if loaded is not None else None
        screen = ExportScreen(
            list(session.events), name=self.controller.export_name(), directory=directory, pipeline=pipe
        )
        self.app.push_screen(screen, self._exported)

    def _exported(self, path: Path | None) -> None:
        if path is not None:
            self.notify(f"Exported: {path}", title="Export", timeout=6)

    def action_diff_parent(self) -> None:
        control = self.controller
        if control.parent_path is not None and control.record_path is not None and control.allowed("diff_parent"):
            self.app.push_screen(DiffScreen(control.parent_path, control.record_path))
