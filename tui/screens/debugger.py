"""The main screen: graph, inputs, inspector, timeline, logs and breakpoints around one run, and its control.

One run at a time is driven by a `DebugSession` in an async worker on the app's event loop; the screen never
waits on it. A timer polls `session.version` about 30 times a second and redraws what changed, so a burst of
a thousand completions costs one redraw per tick, not one per event.

The same screen shows a live run or a replay of a recorded one (`set_replay`): both are sessions over an event
stream, so every pane works the same; a replay adds speed, seeking and forking, and says "replay" in the status
bar. A fork of a replay opens in a new screen on top of it, so its parent stays one escape away.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from rich.pretty import Pretty
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, ProgressBar, Static, TabbedContent, TabPane

from pipeline import AsyncPipeline, PipelineValidationError
from pipeline.core.events import EventStream, RunEvent, RunStarted
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.compare import concurrency_profile
from pipeline.runs.fork import ForkError, fork_run
from pipeline.runs.recording import EventList, Parent, RecordedRun, RunRecorder
from pipeline.runs.spans import RunSummary
from pipeline.runs.store import RunStore
from tui import keys
from tui.layout.dag import elide
from tui.layout.timeline import TimelineModel
from tui.loading import LoadedPipeline
from tui.messages import ComponentSelected, OpenRun, TimeSelected, VisitSelected
from tui.screens.compare import CompareScreen, example_queries
from tui.screens.condition import ConditionScreen
from tui.screens.debugger_errors import DebuggerErrors
from tui.screens.debugger_keys import DebuggerKeys
from tui.screens.diff import DiffScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.export import ExportScreen
from tui.screens.runs import RunsScreen
from tui.screens.seek import SeekScreen
from tui.state import Breakpoints, DebugSession, SessionError
from tui.state.flow import NO_ROUTING, Routing, routing
from tui.state.logs import LogCapture, LogLine
from tui.state.replay import ReplayControl
from tui.state.session import ENDED
from tui.state.streams import LiveRecording
from tui.widgets.breakpoints import BreakpointsPanel
from tui.widgets.fit import ScreenFit
from tui.widgets.graph import GraphView, node_states
from tui.widgets.inputs_form import InputsError, InputsForm
from tui.widgets.inspector import Inspector
from tui.widgets.logs import LogView
from tui.widgets.splitter import MIN_PANE, Splitter
from tui.widgets.timeline import TimelineView

TICK_SECONDS = 1 / 30
"""How often the panes catch up with the session: often enough to look live, rarely enough to batch events."""
ERROR_CHARS = 60
"""Of a run's error in the status bar (the inspector has all of it): the bar is one line, shared."""
NOT_TRACED = (
    "Not traced: content tracing was off in the service this run was imported from, so its spans hold no inputs "
    "or outputs (Haystack: HAYSTACK_CONTENT_TRACING_ENABLED=true)."
)
"""The inspector's word on a visit of such a run, instead of empty (or only marked) inputs and outputs."""
SLOW_PANES_SECONDS = 0.25
"""While a run goes on, the footer and the inspector (which re-mount widgets: a layout and a full repaint) catch
up at most this often; the graph and the status line keep the tick's pace. Pauses and endings show at once."""
NAMES_SHOWN = 3
"""Components named in the status bar's running list; the rest are counted."""
TIMELINE_SECONDS = 0.1
"""While a run goes on, the timeline is redrawn at most this often (its bars re-indexed, running bars grown)."""


class DebuggerScreen(DebuggerKeys, DebuggerErrors, Screen[None]):
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
    ) -> None:
        """`source` names the pipeline while it loads; `clock` times running components (`None`: show no
        times, so screenshots do not depend on the machine's speed). `closable`: escape closes the screen (a
        replay or a fork opened on top of another one)."""
        super().__init__()
        self.source = source
        self.closable = closable
        self.recording = record
        self.runs_dir = runs_dir
        self.concurrency = concurrency
        self.clock = clock
        self.loaded: LoadedPipeline | None = None
        self.breakpoints = Breakpoints()
        self.session: DebugSession | None = None
        self.record_path: Path | None = None
        """Where the current run is (being) recorded: live, or by "save run" afterwards; a replay's file."""
        self.replay: ReplayControl | None = None
        """Set for a replay of a recorded run (`set_replay`); `None` for live runs."""
        self.forked_from: Parent | None = None
        """For a fork: the recorded run and visit it started from."""
        self.parent_path: Path | None = None
        """For a fork: the parent run's file."""
        self._connections: list[tuple[str, str, str, str]] = []
        self._lanes: list[str] = []
        """The timeline's lanes: every component, in the graph's reading order (top to bottom, left to right)."""
        self._timeline: TimelineModel | None = None
        self._timeline_seen: tuple[object, ...] | None = None
        self._timeline_drawn = 0.0
        self._seen: tuple[object, ...] | None = None
        self._status = "idle"
        self._pause_seen: object = None
        """The last pause (its `PauseReason`) or ending the screen reacted to, so it reacts once to each."""
        self._pinned_visit: int | None = None
        """The visit the inspector shows when the user picked one with [ and ]; `None` follows the latest."""
        self._routing_seen: tuple[DebugSession, int, Routing] | None = None
        """The session and its version the routing was computed for, and the routing."""
        self._slow_shown = 0.0
        self._run_started = 0.0
        self._slow_pending = False
        self._logged = False
        self._run_error: str | None = None
        self._shown_visit: int | None = None
        """The visit the inspector shows: what the timeline highlights and a fork starts from."""
        self._logs_seen = 0
        """`LogView.written` when the Logs tab was last in front."""
        self._logs_counted = 0
        """`LogView.written` when the tab's label was last brought up to date."""
        self._visit_to_pin: int | None = None
        """A visit picked in the timeline, pinned when the graph has selected its component."""

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ScreenFit(id="fit")
        with Horizontal(id="panes"):
            with Vertical(id="left"):
                graph = GraphView(id="graph")
                graph.border_title = "Graph"
                yield graph
                panel = BreakpointsPanel(self.breakpoints, self._socket_names, id="breakpoints-pane")
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
        with Horizontal(id="status-bar"):
            yield Static(id="status")
            with Horizontal(id="progress"):
                yield Label(f"Loading {self.source}", id="progress-label")
                yield ProgressBar(total=None, show_eta=False, show_percentage=False)
        yield Footer()

    def on_mount(self) -> None:
        self._log_view = self.query_one(LogView)
        """Kept for the log sink, which runs in component threads, where querying the DOM is not safe."""
        self.set_interval(TICK_SECONDS, self._tick)
        self.query_one(GraphView).focus()
        self._tick()

    def set_pipeline(self, loaded: LoadedPipeline) -> None:
        """Show the loaded pipeline; its warm-up may still be running, and runs are allowed meanwhile (each
        component's warm-up runs once: a run waits for the one in progress)."""
        self.loaded = loaded
        self._connections = list(loaded.pipe.connections())
        boxes = loaded.layout.boxes
        self._lanes = sorted(boxes, key=lambda name: (boxes[name].y, boxes[name].x))  # as the graph reads
        self.query_one(TimelineView).update_model(TimelineModel.from_summary(RunSummary(), lanes=self._lanes))
        graph = self.query_one(GraphView)
        graph.set_graph(loaded.layout)
        graph.border_title = f"Graph · {loaded.name}"
        graph.border_subtitle = loaded.note or ""
        if loaded.note:
            self.notify(loaded.note, title=loaded.name, severity="warning", timeout=8)
        pane = self.query_one("#inputs-pane")
        pane.remove_children()
        if self.replay is None:
            pane.mount(InputsForm(loaded.pipe, id="inputs"))
        if loaded.layout.boxes:
            graph.select(next(iter(loaded.layout.boxes)))
        self.refresh_bindings()
        self._seen = None

    def set_replay(self, recorded: RecordedRun, speed: float | None = 1.0) -> None:
        """Replay `recorded` in this screen (its pipeline already set with `set_pipeline`), starting at once;
        `speed` as in `ReplayControl`. Nothing is executed and nothing is recorded again."""
        self.replay = ReplayControl(recorded, speed)
        self.record_path = recorded.path
        started = recorded.events[0]
        assert isinstance(started, RunStarted)
        pane = self.query_one("#inputs-pane")
        pane.border_title = "Inputs (recorded)"
        pane.remove_children()
        pane.mount(Static(Pretty(started.inputs), id="recorded-inputs"))
        self._open_replay_at(0, paused=False)

    def start_fork(self, run: PipelineRun, parent: Parent, parent_path: Path, inputs: dict[str, Any]) -> None:
        """Drive a fork of a recorded run (its pipeline already set), recorded with its parent link; the parent's
        file is what `diff_parent` compares the fork with."""
        self.forked_from, self.parent_path = parent, parent_path
        self._begin(run, inputs)

    def set_progress(self, label: str | None) -> None:
        """Show the loading indicator with `label`, or hide it (`None`)."""
        progress = self.query_one("#progress")
        progress.display = label is not None
        if label is not None:
            self.query_one("#progress-label", Label).update(label)
        self._seen = None

    # -- run control ------------------------------------------------------------------------------------------

    @property
    def status(self) -> str:
        return self.session.status if self.session is not None else "idle"

    @property
    def active(self) -> bool:
        """A run is in progress (running or paused): no second run may start."""
        return self.status in ("running", "paused")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show only what makes sense now; greyed out (None) what will make sense again soon."""
        status = self.status
        replaying = self.replay is not None
        if action == "run":
            return False if self.active or replaying else self.loaded is not None or None
        if action in ("restart", "seek_completion", "speed", "seek", "go_to"):
            return replaying
        if action == "fork":
            return (replaying and self._shown_visit is not None) or (None if replaying else False)
        if action == "close":
            return self.closable
        if action == "back":
            return self.can_go_back()
        if action == "diff_parent":
            forked = self.forked_from is not None and self.parent_path is not None
            return forked and ((status in ENDED and self.record_path is not None) or None)
        if action == "compare":
            return self.loaded is not None and not replaying and (not self.active or None)
        if action in ("toggle_breakpoint", "condition", "focus_inputs"):
            return self.loaded is not None or None
        if action in ("resume", "step"):
            return True if status == "paused" else None if self.active else False
        if action == "pause":
            return True if status == "running" else None if self.active else False
        if action == "stop":
            return self.active
        if action == "edit_outputs":
            return self.session is not None and self.session.editable_visit is not None
        if action == "save_run":
            return not replaying and self.session is not None and bool(self.session.events)
        if action == "export":
            return self.session is not None and bool(self.session.events)
        return True

    def action_run(self) -> None:
        form = self.query(InputsForm)
        if not form:
            return
        try:
            data = form.first().values()
        except InputsError as error:
            self.notify(str(error), title="Inputs", severity="error")
            return
        self.start_run(data)

    @on(InputsForm.Submitted)
    def _inputs_submitted(self, event: InputsForm.Submitted) -> None:
        if self.active:
            self.notify("A run is in progress: stop it (x) or let it finish first.", severity="warning")
            return
        self.start_run(event.data)

    def start_run(self, data: dict[str, Any]) -> None:
        """Start a run of the loaded pipeline with `data`, recorded as it happens unless recording is off."""
        assert self.loaded is not None
        pipe: AsyncPipeline = self.loaded.pipe
        try:
            run = pipe.events(data, concurrency_limit=self.concurrency, capture_logs=True)
        except PipelineValidationError as error:
            self.notify(str(error), title="Cannot run", severity="error")
            return
        self.forked_from = self.parent_path = None  # a run started here is nobody's fork, even on a fork's screen
        self._begin(run, data)

    def _begin(self, run: PipelineRun, data: dict[str, Any]) -> None:
        """Drive a live run, recorded as it happens unless recording is off."""
        assert self.loaded is not None
        stream: EventStream = run
        self.record_path = None
        if self.recording:
            try:
                recorder = RunStore(self.runs_dir).record(
                    run, pipeline_name=self.loaded.name, pipeline=self.loaded.pipe, inputs=data, parent=self.forked_from
                )
            except OSError as error:
                self.notify(f"Not recording: {error}", title="Runs folder", severity="warning")
            else:
                stream = LiveRecording(run, recorder)
                self.record_path = recorder.path
        self._adopt(DebugSession(stream, self.breakpoints, live=True))

    def _adopt(self, session: DebugSession) -> None:
        """Make `session` the screen's run and drive it; a session driven before is cancelled (exclusive)."""
        self.session = session
        self._pinned_visit, self._run_error = None, None
        self._timeline_seen = None
        self._slow_shown = self._run_started = time.monotonic()  # a short run never re-lays the footer out
        if self._logged:  # clearing an empty log would still repaint it, in the middle of the run's start
            self._logged = False
            self.query_one(LogView).clear()
        self.drive(self.session)

    @work(exclusive=True, group="run", exit_on_error=False)
    async def drive(self, session: DebugSession) -> None:
        """Pump the session's events on the app's loop; component output goes to the log pane meanwhile."""
        with LogCapture(self._log):
            try:
                await session.run()
            except Exception as error:  # a bug in the debugger's pump: the session shows it as the run's failure
                self._run_error = f"{type(error).__name__}: {error}"
                self.notify(self._run_error, title="Debugger error", severity="error")

    def _log(self, line: LogLine) -> None:
        """The capture's sink, called from any thread: queue the line for the log pane."""
        self._logged = True
        self._log_view.submit(line)

    def action_resume(self) -> None:
        if self.session is not None:
            self.session.resume()

    def action_step(self) -> None:
        if self.session is not None:
            self.session.step()

    def action_pause(self) -> None:
        if self.session is not None:
            self.session.pause()

    def action_stop(self) -> None:
        if self.session is not None:
            self.session.stop()

    async def stop_run(self) -> None:
        """Stop the run, if any, and wait until its stream is closed (no task or thread left behind)."""
        if self.session is not None:
            self.session.stop()
        await self.workers.wait_for_complete([w for w in self.workers if w.group == "run"])

    # -- replay ---------------------------------------------------------------------------------------------

    def _open_replay_at(self, position: int, *, paused: bool) -> None:
        """Show the recording as it was after `position` events, and play on from there unless `paused`."""
        assert self.replay is not None
        self._adopt(self.replay.session_at(position, self.breakpoints, paused=paused))
        self._pause_seen = None

    @property
    def position(self) -> int:
        """How many of the replay's events the panes show."""
        return len(self.session.events) if self.session is not None else 0

    def action_restart(self) -> None:
        if self.replay is not None:
            self._open_replay_at(0, paused=False)

    def action_seek_completion(self, direction: int) -> None:
        """Step back (-1) or forward (+1) to the moment after a component completion, paused there."""
        if self.replay is None:
            return
        position = self.position
        target = self.replay.previous_completion(position) if direction < 0 else self.replay.next_completion(position)
        self._open_replay_at(target, paused=True)

    def action_seek(self, position: int) -> None:
        """Go to event `position` of the replay (negative: from the end, -1 being the end), paused there."""
        if self.replay is not None:
            self._open_replay_at(position if position >= 0 else len(self.replay) + 1 + position, paused=True)

    def action_go_to(self) -> None:
        replay = self.replay
        if replay is None:
            return

        def chosen(position: int | None) -> None:
            if position is not None:
                self._open_replay_at(position, paused=True)

        self.app.push_screen(SeekScreen(replay, self.position), chosen)

    @on(TimeSelected)
    def _time_selected(self, event: TimeSelected) -> None:
        if self.replay is None:
            self.notify("Seeking in time works in replays: open a saved run (ctrl+o).", timeout=3)
            return
        self._open_replay_at(self.replay.position_at(event.seconds), paused=True)

    def action_speed(self, factor: float) -> None:
        if self.replay is None:
            return
        if factor > 1:
            self.replay.faster()
        else:
            self.replay.slower()
        self.notify(f"Replay speed: {self.replay.describe_speed()}", timeout=1.5)
        self._seen = None

    def action_fork(self) -> None:
        """Edit the inspected visit's recorded inputs, then run the pipeline live from that visit on."""
        session, replay, visit_id = self.session, self.replay, self._shown_visit
        record = session.visit(visit_id) if session is not None and visit_id is not None else None
        if replay is None or record is None or record.inputs is None or self.loaded is None:
            self.notify("Select a visit that started in the replay (graph, timeline or [ ]) to fork from it.")
            return
        sockets = self.loaded.pipe.inputs(include_components_with_connected_inputs=True).get(record.component, {})
        types = {socket: info["type"] for socket, info in sockets.items()}
        original = record.inputs
        note = f"save runs it again from visit {record.visit + 1}, live"

        def edited(inputs: dict[str, Any] | None) -> None:
            if inputs is None or visit_id is None:
                return
            changed = {socket: value for socket, value in inputs.items() if value is not original.get(socket)}
            self._fork(replay, visit_id, changed)

        self.app.push_screen(EditSocketsScreen(record.component, original, types, kind="inputs", note=note), edited)

    def _fork(self, replay: ReplayControl, visit_id: int, inputs: dict[str, Any]) -> None:
        assert self.loaded is not None
        try:
            run, parent = fork_run(
                replay.recorded, visit_id, inputs=inputs, pipeline=self.loaded.pipe, concurrency_limit=self.concurrency
            )
        except (ForkError, PipelineValidationError) as error:
            self.notify(str(error), title="Cannot fork", severity="error")
            return
        started = replay.events[0]
        assert isinstance(started, RunStarted)
        fork = DebuggerScreen(
            self.source,
            record=self.recording,
            runs_dir=self.runs_dir,
            concurrency=self.concurrency,
            clock=self.clock,
            closable=True,
        )
        fork.breakpoints = self.breakpoints
        loaded = self.loaded

        def begin() -> None:
            fork.set_pipeline(loaded)
            fork.start_fork(run, parent, replay.recorded.path, dict(started.inputs))

        self.app.push_screen(fork, lambda _: None)
        fork.call_after_refresh(begin)

    async def action_close(self) -> None:
        """Back to the screen this one was opened from; a fork still running is stopped first."""
        if self.closable:
            await self.stop_run()
            self.dismiss(None)

    # -- other screens ------------------------------------------------------------------------------------------

    def action_open_runs(self) -> None:
        def chosen(path: Path | None) -> None:
            if path is not None:
                self.post_message(OpenRun(path))

        self.app.push_screen(RunsScreen(self.runs_dir), chosen)

    def action_compare(self) -> None:
        if self.loaded is None:
            return
        try:
            queries = example_queries(self.loaded.pipe, self.loaded.name)
        except ValueError as error:
            self.notify(str(error), title="Nothing to compare", severity="warning")
            return
        self.app.push_screen(
            CompareScreen(
                self.loaded.pipe,
                self.loaded.name,
                queries,
                concurrency=self.concurrency,
                runs_dir=self.runs_dir,
                record=self.recording,
            )
        )

    def action_export(self) -> None:
        session = self.session
        if session is None or not session.events:
            self.notify("Nothing to export yet: run the pipeline first.")
            return
        run_id = session.events[0].run_id[:8]
        name = self.record_path.stem if self.record_path is not None else f"{self.source}-{run_id}"
        directory = RunStore(self.runs_dir).directory

        def exported(path: Path | None) -> None:
            if path is not None:
                self.notify(f"Exported: {path}", title="Export", timeout=6)

        pipe = self.loaded.pipe if self.loaded is not None else None
        screen = ExportScreen(list(session.events), name=name, directory=directory, pipeline=pipe)
        self.app.push_screen(screen, exported)

    def action_diff_parent(self) -> None:
        if self.parent_path is not None and self.record_path is not None and self.status in ENDED:
            self.app.push_screen(DiffScreen(self.parent_path, self.record_path))

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#bottom", TabbedContent).active = f"{tab}-tab"
        self.query_one(f"#{tab}").focus()

    # -- breakpoints and edits ------------------------------------------------------------------------------

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
        existing = self.breakpoints.get(name)
        text = existing.condition_text if existing is not None else None

        def chosen(condition: str | None) -> None:
            if condition is None:
                return
            if name in self.breakpoints:
                self.breakpoints.set_condition(name, condition or None)
            else:
                self.breakpoints.add(name, condition or None)

        self.app.push_screen(ConditionScreen(name, self._socket_names(name), text or ""), chosen)

    def action_edit_outputs(self) -> None:
        session = self.session
        visit_id = session.editable_visit if session is not None else None
        record = session.visit(visit_id) if session is not None and visit_id is not None else None
        if session is None or visit_id is None or record is None or self.loaded is None:
            self.notify("Outputs can be edited while the run is paused on a component's completion.")
            return
        sockets = self.loaded.pipe.outputs(include_components_with_connected_outputs=True).get(record.component, {})
        types = {socket: info["type"] for socket, info in sockets.items()}

        def edited(outputs: dict[str, Any] | None) -> None:
            if outputs is None:
                return
            try:
                session.edit_outputs(visit_id, outputs)
            except SessionError as error:
                self.notify(str(error), title="Outputs not replaced", severity="error")
            else:
                self.notify(f"Outputs of {record.component} replaced.", timeout=2)

        self.app.push_screen(EditSocketsScreen(record.component, record.outputs or {}, types), edited)

    # -- recording ------------------------------------------------------------------------------------------

    def action_toggle_recording(self) -> None:
        self.recording = not self.recording
        self.notify("Runs are recorded as they happen." if self.recording else "Runs are not recorded.", timeout=2)
        self._seen = None

    def action_save_run(self) -> None:
        session = self.session
        if session is None or not session.events:
            self.notify("Nothing to save yet: run the pipeline first.")
            return
        if self.record_path is not None:
            self.notify(f"Saved (recorded as it ran): {self.record_path}", title="Run saved", timeout=6)
            return
        self.save_events(list(session.events))

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def save_events(self, events: list[RunEvent]) -> None:
        """Write events already read to a run file, off the UI thread (encoding a large run takes a while)."""
        assert self.loaded is not None
        stream = EventList(events)
        try:
            recorder = RunStore(self.runs_dir).record(stream, pipeline_name=self.loaded.name, pipeline=self.loaded.pipe)
            asyncio.run(_drain(recorder))
        except OSError as error:
            self.app.call_from_thread(self.notify, f"Cannot save the run: {error}", severity="error")
            return
        self.app.call_from_thread(self._saved, recorder.path)

    def _saved(self, path: Path) -> None:
        self.record_path = path
        self.notify(f"Saved: {path}", title="Run saved", timeout=6)
        self._seen = None

    # -- selection and visits ---------------------------------------------------------------------------------

    @on(ComponentSelected)
    def _component_selected(self, event: ComponentSelected) -> None:
        graph = self.query_one(GraphView)
        if event.control is not graph:
            graph.select(event.name)  # comes back here from the graph, which scrolls to it
        elif event.name == graph.selected:  # not a stale message from an earlier selection
            self._pinned_visit = self._visit_to_pin
            self._visit_to_pin = None
            self._show_inspector()

    @on(BreakpointsPanel.Selected)
    def _breakpoint_selected(self, event: BreakpointsPanel.Selected) -> None:
        self.query_one(GraphView).select(event.component)

    def _socket_names(self, component: str) -> list[str] | None:
        """A component's output sockets, which its breakpoint conditions may name."""
        if self.loaded is None:
            return None
        return list(self.loaded.pipe.outputs(include_components_with_connected_outputs=True).get(component, {}))

    @on(VisitSelected)
    def _visit_selected(self, event: VisitSelected) -> None:
        graph = self.query_one(GraphView)
        if event.component is not None and event.component != graph.selected:
            self._visit_to_pin = event.visit_id  # pinned once the graph's selection comes back
            graph.select(event.component)
            return
        self._pinned_visit = event.visit_id
        self._show_inspector()

    def action_visit(self, delta: int) -> None:
        """Step through the selected component's visits (loops run a component many times)."""
        visits = self._visit_ids(self.selected)
        if not visits:
            return
        current = self._pinned_visit if self._pinned_visit in visits else visits[-1]
        index = max(0, min(len(visits) - 1, visits.index(current) + delta))
        self._pinned_visit = None if index == len(visits) - 1 else visits[index]
        self._show_inspector()

    def action_focus_inputs(self) -> None:
        fields = self.query("#inputs Input")
        if fields:
            fields.first().focus()

    def action_resize_columns(self, delta: int) -> None:
        left = self.query_one("#left")
        left.styles.width = max(MIN_PANE, min(_cells(left, "width") + delta, self.size.width - MIN_PANE))

    def action_resize_bottom(self, delta: int) -> None:
        bottom = self.query_one("#bottom")
        bottom.styles.height = max(4, min(_cells(bottom, "height") + delta, self.size.height - MIN_PANE))

    def _visit_ids(self, name: str | None) -> list[int]:
        if name is None or self.session is None:
            return []
        return [span.visit_id for span in self.session.summary.spans if span.component == name]

    def _show_inspector(self) -> None:
        """The selected component's pinned visit, or its latest; the inspector ignores calls changing nothing."""
        inspector = self.query_one(Inspector)
        name = self.selected
        visits = self._visit_ids(name)
        if not visits or self.session is None:
            inspector.border_subtitle = ""
            skipped = name is not None and name in self._routing(self.session).skipped
            inspector.show(name, None, None, "skipped" if skipped else "")
            self._show_visit(None)
            return
        visit_id = self._pinned_visit if self._pinned_visit in visits else visits[-1]
        self._show_visit(visit_id)
        inspector.border_subtitle = (
            f"visit {visits.index(visit_id) + 1} of {len(visits)} · [ ] other visits" if len(visits) > 1 else ""
        )
        span = self.session.summary.span(visit_id)
        status = span.status if span is not None else ""
        reason = self.session.pause_reason if self.session.status == "paused" else None
        if reason is not None and reason.visit_id == visit_id:
            status = "paused"
        inspector.show(
            name,
            span.visit if span is not None else None,
            self.session.visit(visit_id),
            status,
            children=self.session.children.of_visit(visit_id),
            no_content=NOT_TRACED if self._untraced_content() else None,
        )

    def _untraced_content(self) -> bool:
        """A replay of a run imported from traces whose service did not trace inputs and outputs."""
        imported = self.replay.recorded.header.imported if self.replay is not None else None
        return imported is not None and not imported.content_traced

    def _show_visit(self, visit_id: int | None) -> None:
        if visit_id != self._shown_visit:
            self._shown_visit = visit_id
            self.refresh_bindings()  # fork needs a visit
        self.query_one(TimelineView).select_visit(visit_id)

    # -- the refresh tick -------------------------------------------------------------------------------------

    def _tick(self) -> None:
        """Catch up with the session: redraw what changed since the last tick, animate what is running."""
        session = self.session
        if (
            session is not None
            and session.status in ("idle", "running")
            and time.monotonic() - self._run_started < TICK_SECONDS
        ):
            return  # a state that lasts less than a frame is never drawn: a short run costs no frame mid-way
        running = session is not None and bool(session.summary.running)
        clock = self._now()
        playing = self.replay is not None and session is not None and session.status not in ENDED
        now = clock if running or playing else None  # a replay's playhead moves even when nothing runs
        graph = self.query_one(GraphView)
        view = (graph.scroll_offset, graph.size)
        logs = self._log_view.written
        seen = (session.version if session is not None else 0, self.breakpoints.version, now, view, logs)
        if seen == self._seen and not self._slow_pending:
            return
        self._seen = seen
        if self.loaded is not None:
            names = graph.visible_names()
            flow = self._routing(session)
            states = node_states(names, session, self.breakpoints, clock, flow)
            graph.update_states(states, session.queued if session is not None else (), flow.untaken)
        if session is not None:
            self._update_timeline(session, now)
        self.query_one("#status", Static).update(self._status_text(), layout=False)  # one line, always
        if logs != self._logs_counted:  # the tab's label changes only with new lines (or another tab shown)
            self._count_unseen_logs()
        moment = time.monotonic()
        under_way = session is not None and session.status in ("idle", "running")  # idle: about to start
        if not under_way or moment - self._slow_shown >= SLOW_PANES_SECONDS:
            self._slow_shown, self._slow_pending = moment, False
            if session is not None:
                self._follow(session)
            self._show_inspector()
        else:
            self._slow_pending = True

    @on(TabbedContent.TabActivated, "#bottom")
    def _bottom_tab_shown(self) -> None:
        self._count_unseen_logs()

    def _count_unseen_logs(self) -> None:
        """Behind the timeline, the Logs tab counts the lines written since it was last shown."""
        tabs = self.query_one("#bottom", TabbedContent)
        written = self._logs_counted = self._log_view.written
        if tabs.active == "logs-tab":
            self._logs_seen = written
        unseen = max(0, written - self._logs_seen)
        label = f"Logs ({unseen} new)" if unseen else "Logs"
        tab = tabs.get_tab("logs-tab")
        if str(tab.label) != label:
            tab.label = label

    def _routing(self, session: DebugSession | None) -> Routing:
        """The untaken connections and skipped components, recomputed only when the session changed."""
        if session is None or self.loaded is None:
            return NO_ROUTING
        seen = self._routing_seen
        if seen is None or seen[0] is not session or seen[1] != session.version:
            found = routing(self.loaded.model, session.flow, finished=session.status == "finished")
            seen = self._routing_seen = (session, session.version, found)
        return seen[2]

    def _now(self) -> float | None:
        """The run's clock: the machine's for a live run, the recording's for a replay; `None` without a clock."""
        if self.clock is None:
            return None
        if self.replay is None or self.replay.stream is None:
            return self.clock()
        if self.status == "paused" and self.position:  # a paused replay's time stands still, unlike a live run's
            return self.replay.events[self.position - 1].time
        return self.replay.stream.clock()

    def _update_timeline(self, session: DebugSession, now: float | None) -> None:
        """Redraw the timeline: at once when the run paused or ended (with the critical path once it ended), at
        most every `TIMELINE_SECONDS` while it runs (bars re-indexed if the session changed, running bars grown
        to `now`): a full-width pane repainted at 30 Hz would cost a run of short components a third more."""
        moment = time.monotonic()
        if session.status == "running" and moment - self._timeline_drawn < TIMELINE_SECONDS:
            self._slow_pending = True  # come back next tick even if nothing else changes
            return
        self._timeline_drawn = moment
        key = (session, session.version)
        if key != self._timeline_seen or self._timeline is None:
            self._timeline_seen = key
            connections = self._connections if session.status in ENDED else None
            until = self.replay.duration if self.replay is not None else 0.0
            self._timeline = TimelineModel.from_summary(
                session.summary,
                connections=connections,
                until=until,
                lanes=self._lanes,
                children=session.children.spans,
            )
        origin = session.summary.origin
        relative = now - origin if now is not None and origin is not None else None
        timeline = self.query_one(TimelineView)
        playhead = relative if self.replay is not None else None  # where a replay is: it plays in its own time
        timeline.update_model(self._timeline.with_playhead(playhead), relative)
        timeline.border_title = _concurrency_title(session)

    def _follow(self, session: DebugSession) -> None:
        """On each new pause or a failure, select the component that matters: the one paused on, or the one
        that failed. Pauses are told apart by their reason, as a step may pause again between two ticks."""
        status, reason = session.status, session.pause_reason
        if status != self._status:
            self._status = status
            self.refresh_bindings()
        focus: str | None = None
        if status == "paused" and reason is not None and reason is not self._pause_seen:
            focus = reason.component
        elif status == "failed" and self._pause_seen != "failed":
            failed = [span.component for span in session.summary.spans if span.status == "failed"]
            focus = failed[0] if failed else None
        self._pause_seen = reason if status == "paused" else status
        if focus is not None:
            self._pinned_visit = None
            self.query_one(GraphView).select(focus)

    def _status_text(self) -> Text:
        name = self.loaded.name if self.loaded is not None else self.source
        text = Text.assemble((f" {name} ", "bold reverse"), " ")
        session = self.session
        if self.replay is not None:
            text.append(f" ⏮ REPLAY {self.replay.describe_speed()} ", style="bold reverse magenta")
            imported = self.replay.recorded.header.imported
            if imported is not None:
                text.append(f" ⇣ {imported.source.upper()} ", style="bold reverse blue")
            text.append(f" event {self.position}/{len(self.replay)} ", style="magenta")
        elif self.forked_from is not None:
            fork = f" ⑂ FORK of {self.forked_from.run_id[:8]} @ visit {self.forked_from.visit_id} "
            text.append(fork, style="bold reverse cyan")
            text.append(" ")
        if self.loaded is None:
            text.append("loading…", style="dim")
            return text
        if session is None:
            text.append("ready", style="bold")
            text.append(" · r runs it", style="dim")
        else:
            text.append_text(self._session_text(session))
        if self.breakpoints:
            text.append(f" · {len(self.breakpoints)} breakpoint{'s' * (len(self.breakpoints) > 1)}", style="dim")
        if self.record_path is not None:
            text.append(" · from " if self.replay is not None else " · saved to ", style="dim")
            text.append(_short_path(self.record_path), style="cyan")
        elif not self.recording:
            text.append(" · not recording", style="dim")
        return text

    def _session_text(self, session: DebugSession) -> Text:
        status = session.status
        text = Text()
        if status == "paused" and session.pause_reason is not None:
            reason = session.pause_reason
            where = f" at {reason.component}" if reason.component else ""
            text.append(f"⏸ paused{where}", style="bold magenta")
            text.append(f" ({reason.kind})", style="magenta")
            if reason.hit is not None and reason.hit.error is not None:
                text.append(f" condition error: {reason.hit.error}", style="red")
        elif status == "running":
            text.append("▶ running", style="bold yellow")
        elif status == "finished":
            text.append("✓ finished", style="bold green")
        elif status == "failed":
            text.append("✗ failed", style="bold red")
            error = self._run_error or (str(session.error).splitlines()[0] if session.error is not None else "")
            if error:
                text.append(f": {elide(error, ERROR_CHARS)}", style="red")
        elif status == "cancelled":
            text.append("⊘ stopped", style="bold")
        duration = session.summary.duration
        if duration is not None and self.clock is not None:
            text.append(f" in {duration:.2f} s", style="dim")
        running = session.running
        if running and status != "finished":
            more = f" (+{len(running) - NAMES_SHOWN})" if len(running) > NAMES_SHOWN else ""
            text.append(f" · running: {', '.join(running[:NAMES_SHOWN])}{more}", style="yellow")
        if session.queued:
            text.append(f" · queued: {', '.join(session.queued)}", style="bold yellow")
        return text


async def _drain(stream: RunRecorder) -> None:
    async with stream:
        async for _ in stream:
            pass


def _concurrency_title(session: DebugSession) -> str:
    """Concurrency at a glance: how many visits run now, or, once the run ended, the most that ran at once and
    how many on average."""
    if session.status not in ENDED:
        running = len(session.summary.running)
        return f"{running} running" if running else ""
    profile = concurrency_profile(session.summary.spans)
    return f"at most {profile.peak} at once · {profile.mean:.2f} on average" if profile.peak else ""


def _cells(widget: Widget, dimension: Literal["width", "height"]) -> int:
    """The size a splitter or key last gave `widget`, else its laid-out size: keys pressed faster than the
    screen lays out each add up."""
    scalar = getattr(widget.styles, dimension)
    if scalar is not None and scalar.is_cells:
        return int(scalar.value)
    return getattr(widget.outer_size, dimension)


def _short_path(path: Path) -> str:
    """Relative to the working directory when inside it: the status bar is one line."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
