"""The main screen: graph, inputs, inspector, timeline, logs and breakpoints around one run.

The screen composes the panes, binds keys and renders; what runs, and what may be done now, is its
`RunController`'s (`tui.state.controller`, no Textual), which drives each run in a task of its own: the screen
never waits on a run, not even to stop or close one. A timer polls the session's version about 30 times a
second and redraws what changed, so a burst of a thousand completions costs one redraw per tick.

The same screen shows a live run or a replay of a recorded one (`set_replay`); a fork of a replay opens in a new
screen on top of it, so its parent stays one escape away.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, ClassVar, Literal

from rich.pretty import Pretty
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, Static, TabbedContent, TabPane

from pipeline.runs.recording import Parent, RecordedRun
from tui import keys
from tui.loading import LoadedPipeline
from tui.messages import ComponentSelected, TimeSelected, VisitSelected
from tui.screens.condition import condition_editor
from tui.screens.debugger_dialogs import DebuggerDialogs
from tui.screens.debugger_errors import DebuggerErrors
from tui.screens.debugger_keys import DebuggerKeys
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.seek import SeekScreen
from tui.state.breakpoints import Breakpoints
from tui.state.controller import RunController
from tui.state.replay import ReplayControl
from tui.state.session import DebugSession
from tui.widgets.breakpoints import BreakpointsPanel
from tui.widgets.fit import ScreenFit, focus_first
from tui.widgets.graph import GraphView
from tui.widgets.inputs_form import InputsError, InputsForm
from tui.widgets.inspector import Inspector
from tui.widgets.logs import LogView
from tui.widgets.run_panes import TICK_SECONDS, RunPanes
from tui.widgets.splitter import MIN_PANE, Splitter
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelineView


class DebuggerScreen(DebuggerKeys, DebuggerErrors, DebuggerDialogs, Screen[None]):
    """Everything about one pipeline; `set_pipeline` fills it in once the app's loading worker is done."""

    BINDINGS: ClassVar[list[BindingType]] = keys.DEBUGGER

    def __init__(
        self,
        source: str,
        *,
        record: bool = True,
        runs_dir: str | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] | None = time.perf_counter,
        closable: bool = False,
        controller: RunController | None = None,
    ) -> None:
        """`source` names the pipeline while it loads; `clock` times running components (`None`: show no
        times, so screenshots do not depend on the machine's speed). `closable`: escape closes the screen (a
        replay or a fork opened on top of another one). `controller`: one prepared elsewhere (a fork's)."""
        super().__init__()
        self.source = source
        self.closable = closable
        self.controller = controller or RunController(
            source, record=record, runs_dir=runs_dir, concurrency=concurrency, clock=clock
        )
        self.runs_dir = self.controller.runs_dir
        self.panes = RunPanes(self, self.controller)
        """What the panes show of the controller's run, redrawn by a timer."""
        self.controller.notify, self.controller.log_sink = self.notify, self.panes.log
        self.controller.on_session = self.panes.adopt

    # -- what the app, the key mixin and tests read: the controller's ------------------------------------------

    @property
    def session(self) -> DebugSession | None:
        return self.controller.session

    @property
    def replay(self) -> ReplayControl | None:
        return self.controller.replay

    @property
    def loaded(self) -> LoadedPipeline | None:
        return self.controller.loaded

    @property
    def breakpoints(self) -> Breakpoints:
        return self.controller.breakpoints

    @breakpoints.setter
    def breakpoints(self, breakpoints: Breakpoints) -> None:
        """Share another screen's breakpoints (set before this one is shown)."""
        self.controller.breakpoints = breakpoints

    @property
    def record_path(self) -> Path | None:
        return self.controller.record_path

    @property
    def forked_from(self) -> Parent | None:
        return self.controller.forked_from

    @property
    def status(self) -> str:
        return self.controller.state

    @property
    def position(self) -> int:
        return self.controller.position

    @property
    def _shown_visit(self) -> int | None:
        return self.panes.shown_visit

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ScreenFit(id="fit")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                graph = GraphView(id="graph")
                graph.border_title = "Graph"
                yield graph
                panel = BreakpointsPanel(self.breakpoints, self.controller.condition_names, id="breakpoints-pane")
                panel.border_title = "Breakpoints"
                yield panel
            yield Splitter("#left", "columns", id="column-splitter")
            with Vertical(id="right"):
                inputs = Vertical(id="inputs-pane")
                inputs.border_title = "Inputs"
                with inputs:
                    yield Label(f"Loading {self.source}…", id="inputs-placeholder")
                inspector = Inspector(id="inspector")
                inspector.border_title = "Inspector"
                yield inspector
        yield Splitter("#bottom", "rows", id="row-splitter")
        with TabbedContent(id="bottom", initial="timeline-tab"):
            with TabPane("Timeline", id="timeline-tab"):
                yield TimelineView(id="timeline")
            with TabPane("Logs", id="logs-tab"):
                yield LogView(id="logs")
        yield StatusBar(f"Loading {self.source}", id="status-bar")
        yield Footer()

    def on_mount(self) -> None:
        self.panes.mounted()
        self.set_interval(TICK_SECONDS, self.panes.tick)
        self.query_one(GraphView).focus()
        self.panes.tick()

    def on_unmount(self) -> None:
        """A screen that goes away stops its run, in the background."""
        self.controller.close()

    def set_pipeline(self, loaded: LoadedPipeline) -> None:
        """Show the loaded pipeline; its warm-up may still be running, and runs are allowed meanwhile (each
        component's warm-up runs once: a run waits for the one in progress)."""
        self.controller.set_pipeline(loaded)
        self.panes.set_graph(loaded)
        if loaded.note:
            self.notify(loaded.note, title=loaded.name, severity="warning", timeout=8)
        pane = self.query_one("#inputs-pane")
        pane.remove_children()
        if self.replay is None:
            pane.mount(InputsForm(loaded.pipe, id="inputs"))
        self.refresh_bindings()

    def set_replay(self, recorded: RecordedRun, speed: float | None = 1.0) -> None:
        """Replay `recorded` here (its pipeline already set with `set_pipeline`), starting at once; `speed` as in
        `ReplayControl`. Nothing is executed and nothing is recorded again."""
        self.controller.open_replay(recorded, speed)
        pane = self.query_one("#inputs-pane")
        pane.border_title = "Inputs (recorded)"
        pane.remove_children()
        pane.mount(Static(Pretty(self.controller.recorded_inputs), id="recorded-inputs"))

    def set_progress(self, label: str | None) -> None:
        """Show the loading indicator with `label`, or hide it (`None`)."""
        self.query_one(StatusBar).set_progress(label)

    # -- run control: the controller's ----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only what makes sense now; greyed out (None) what will make sense again soon."""
        if action in ("close", "back"):
            return self.closable if action == "close" else self.can_go_back()
        return self.controller.allowed(action, visit_id=self._shown_visit)

    def action_run(self) -> None:
        form = self.query(InputsForm)
        if form:
            try:
                self.start_run(form.first().values())
            except InputsError as error:
                self.notify(str(error), title="Inputs", severity="error")

    @on(InputsForm.Submitted)
    def _inputs_submitted(self, event: InputsForm.Submitted) -> None:
        self.start_run(event.data)

    def start_run(self, data: dict[str, Any]) -> None:
        self.controller.start_run(data)

    def action_resume(self) -> None:
        self.controller.resume()

    def action_step(self) -> None:
        self.controller.step()

    def action_pause(self) -> None:
        self.controller.pause()

    def action_stop(self) -> None:
        self.controller.stop()

    def action_restart(self) -> None:
        self.controller.restart()

    def action_seek_completion(self, direction: int) -> None:
        self.controller.seek_completion(direction)

    def action_seek(self, position: int) -> None:
        self.controller.seek(position)

    def action_go_to(self) -> None:
        if self.replay is not None:
            self.app.push_screen(SeekScreen(self.replay, self.position), self._go_to)

    def _go_to(self, position: int | None) -> None:
        if position is not None:
            self.controller.seek(position)

    @on(TimeSelected)
    def _time_selected(self, event: TimeSelected) -> None:
        self.controller.seek_time(event.seconds)

    def action_speed(self, factor: float) -> None:
        self.controller.change_speed(factor)

    def action_fork(self) -> None:
        """Edit the inspected visit's recorded inputs, then run the pipeline live from that visit on."""
        target = self.controller.fork_target(self._shown_visit)
        if target is None:
            return

        record = target.record
        dialog = EditSocketsScreen(record.component, record.inputs or {}, target.types, kind="inputs", note=target.note)
        self.app.push_screen(dialog, partial(self._fork, target.visit_id))

    def _fork(self, visit_id: int, inputs: dict[str, Any] | None) -> None:
        """Open the fork in a screen of its own on top, and start it once that screen shows (and logs) it."""
        fork = self.controller.fork(visit_id, inputs) if inputs is not None else None
        if fork is not None and fork.loaded is not None:
            screen, loaded = DebuggerScreen(self.source, closable=True, controller=fork), fork.loaded
            self.app.push_screen(screen)
            screen.call_after_refresh(screen.start_fork, loaded)

    def start_fork(self, loaded: LoadedPipeline) -> None:
        self.set_pipeline(loaded)
        self.set_progress(None)
        self.controller.start()

    async def action_close(self) -> None:
        """Back to the screen this one was opened from, at once; a run still going stops in the background."""
        if self.closable:
            self.controller.close()
            self.dismiss(None)

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#bottom", TabbedContent).active = f"{tab}-tab"
        self.query_one(f"#{tab}").focus()

    @property
    def selected(self) -> str | None:
        return self.query_one(GraphView).selected

    def action_toggle_breakpoint(self) -> None:
        name = self.selected
        if name is None:
            self.notify("Select a component first (arrow keys or click in the graph).")
            return
        added = self.breakpoints.toggle(name)
        self.notify(f"Breakpoint {'set on' if added else 'removed from'} {name}.", timeout=2)

    def action_condition(self) -> None:
        name = self.selected
        if name is None or self.loaded is None:
            self.notify("Select a component first (arrow keys or click in the graph).")
            return
        self.app.push_screen(*condition_editor(self.breakpoints, name, self.controller.condition_names(name)))

    @on(BreakpointsPanel.EditCondition)
    def _edit_condition(self, event: BreakpointsPanel.EditCondition) -> None:
        self.app.push_screen(*condition_editor(self.breakpoints, event.component, event.socket_names, add=False))

    def action_edit_outputs(self) -> None:
        target = self.controller.edit_target()
        if target is not None:
            screen = EditSocketsScreen(target.record.component, target.record.outputs or {}, target.types)
            self.app.push_screen(screen, partial(self._edited, target.visit_id))

    def _edited(self, visit_id: int, outputs: dict[str, Any] | None) -> None:
        if outputs is not None:
            self.controller.edit_outputs(visit_id, outputs)

    def action_toggle_recording(self) -> None:
        self.controller.toggle_recording()

    def action_save_run(self) -> None:
        self.controller.save_run()

    @on(ComponentSelected)
    def _component_selected(self, event: ComponentSelected) -> None:
        self.panes.component_selected(event.name, event.control)

    @on(BreakpointsPanel.Selected)
    def _breakpoint_selected(self, event: BreakpointsPanel.Selected) -> None:
        self.query_one(GraphView).select(event.component)

    @on(VisitSelected)
    def _visit_selected(self, event: VisitSelected) -> None:
        self.panes.visit_selected(event.visit_id, event.component)

    def action_visit(self, delta: int) -> None:
        self.panes.step_visit(self.selected, delta)

    def action_focus_inputs(self) -> None:
        """The first input field; a replay has none: the first thing to focus beside its recorded inputs."""
        fields = self.query("#inputs Input")
        focus_first(fields.first() if fields else self.query_one("#right"))

    def action_resize_columns(self, delta: int) -> None:
        left = self.query_one("#left")
        left.styles.width = max(MIN_PANE, min(_cells(left, "width") + delta, self.size.width - MIN_PANE))

    def action_resize_bottom(self, delta: int) -> None:
        bottom = self.query_one("#bottom")
        bottom.styles.height = max(4, min(_cells(bottom, "height") + delta, self.size.height - MIN_PANE))

    @on(TabbedContent.TabActivated, "#bottom")
    def _bottom_tab_shown(self) -> None:
        self.panes.count_unseen_logs()


def _cells(widget: Widget, dimension: Literal["width", "height"]) -> int:
    """The size a splitter or key last gave `widget`, else its laid-out size: keys pressed faster than the
    screen lays out each add up."""
    scalar = getattr(widget.styles, dimension)
    if scalar is not None and scalar.is_cells:
        return int(scalar.value)
    return getattr(widget.outer_size, dimension)
