"""The main screen: graph, inputs, inspector, logs and breakpoints around one pipeline, and run control.

One run at a time is driven by a `DebugSession` in an async worker on the app's event loop; the screen never
waits on it. A timer polls `session.version` about 30 times a second and redraws what changed, so a burst of
a thousand completions costs one redraw per tick, not one per event.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, ProgressBar, Static

from pipeline import AsyncPipeline, PipelineValidationError
from pipeline.core.events import ComponentFinished, EventStream, RunEvent
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.recording import RunRecorder
from pipeline.runs.store import RunStore
from tui.layout.dag import elide
from tui.loading import LoadedPipeline
from tui.messages import ComponentSelected, VisitSelected
from tui.screens.condition import ConditionScreen
from tui.screens.edit_outputs import EditOutputsScreen
from tui.state import Breakpoints, DebugSession, SessionError
from tui.state.logs import LogCapture, LogLine
from tui.widgets.breakpoints import BreakpointsPanel
from tui.widgets.graph import GraphView, node_states
from tui.widgets.inputs_form import InputsError, InputsForm
from tui.widgets.inspector import Inspector
from tui.widgets.logs import LogView

TICK_SECONDS = 1 / 30
"""How often the panes catch up with the session: often enough to look live, rarely enough to batch events."""
ERROR_CHARS = 60
"""Of a run's error in the status bar (the inspector has all of it): the bar is one line, shared."""
SLOW_PANES_SECONDS = 0.25
"""While a run goes on, the footer and the inspector (which re-mount widgets: a layout and a full repaint) catch
up at most this often; the graph and the status line keep the tick's pace. Pauses and endings show at once."""
NAMES_SHOWN = 3
"""Components named in the status bar's running list; the rest are counted."""
MIN_PANE = 12
"""Cells a pane keeps however far a splitter is dragged."""


class LiveRecording:
    """A live run seen through its recorder: events pass through the recorder, so each is on disk as soon as
    the debugger reads it, while what only a live run can do (edit outputs, list queued completions) goes to
    the run itself, which the recorder does not expose."""

    def __init__(self, run: PipelineRun, recorder: RunRecorder) -> None:
        self.run = run
        self.recorder = recorder
        self.run_id = run.run_id

    @property
    def path(self) -> Path:
        return self.recorder.path

    def __aiter__(self) -> LiveRecording:
        return self

    async def __anext__(self) -> RunEvent:
        return await self.recorder.__anext__()

    async def __aenter__(self) -> LiveRecording:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self.recorder.cancel()

    async def aclose(self) -> None:
        await self.recorder.aclose()

    def replace_outputs(self, visit_id: int, outputs: dict[str, Any]) -> None:
        self.run.replace_outputs(visit_id, outputs)

    def queued_completions(self) -> list[str]:
        return self.run.queued_completions()


class _EventList:
    """Events already read, as a stream a `RunRecorder` can write out: "save run" for a run not recorded live."""

    def __init__(self, events: list[RunEvent]) -> None:
        self.run_id = events[0].run_id
        self._events = iter(list(events))

    def __aiter__(self) -> _EventList:
        return self

    async def __anext__(self) -> RunEvent:
        try:
            return next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> _EventList:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self._events = iter(())

    async def aclose(self) -> None:
        self.cancel()


class Splitter(Widget):
    """A bar between two panes: drag it with the mouse to resize `target` (the pane on its left, or below it)."""

    DEFAULT_CSS = """
    Splitter {
        background: $panel;
    }
    Splitter:hover, Splitter.-dragging {
        background: $accent;
    }
    Splitter.-columns {
        width: 1;
        height: 1fr;
    }
    Splitter.-rows {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, target: str, axis: Literal["columns", "rows"], *, id: str | None = None) -> None:
        super().__init__(id=id, classes=f"-{axis}")
        self.target = target
        self.axis = axis
        self._dragging = False

    def render(self) -> str:
        return ""

    def on_mouse_down(self, event: events.MouseDown) -> None:
        self._dragging = True
        self.add_class("-dragging")
        self.capture_mouse()
        event.stop()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.remove_class("-dragging")
            self.release_mouse()
            event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if not self._dragging:
            return
        pane = self.screen.query_one(self.target)
        region = pane.region
        if self.axis == "columns":
            pane.styles.width = max(MIN_PANE, min(event.screen_x - region.x, self.screen.size.width - MIN_PANE))
        else:
            pane.styles.height = max(3, min(region.bottom - event.screen_y - 1, self.screen.size.height - MIN_PANE))
        event.stop()


class DebuggerScreen(Screen[None]):
    """Everything about one pipeline; `set_pipeline` fills it in once the app's loading worker is done."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r,f9", "run", "Run", tooltip="Run the pipeline with the inputs in the Inputs pane."),
        Binding("space,f5", "resume", "Continue", tooltip="Continue the paused run until a breakpoint or the end."),
        Binding("s", "step", "Step", tooltip="Release the next component completion, then pause again."),
        Binding("p", "pause", "Pause", tooltip="Pause the run: nothing new starts, running components finish."),
        Binding("x", "stop", "Stop", tooltip="Cancel the run; what ran so far stays inspectable."),
        Binding("b", "toggle_breakpoint", "Breakpoint", tooltip="Break when the selected component finishes."),
        Binding("c", "condition", "Condition", tooltip="Break on the selected component only when a condition holds."),
        Binding("e", "edit_outputs", "Edit outputs", tooltip="Edit what the paused component hands on."),
        Binding("[", "visit(-1)", "Previous visit", show=False, tooltip="Inspect the component's previous visit."),
        Binding("]", "visit(1)", "Next visit", show=False, tooltip="Inspect the component's next visit (loops)."),
        Binding("ctrl+s", "save_run", "Save run", tooltip="Write the run's events to the runs folder."),
        Binding("R", "toggle_recording", "Recording", show=False, tooltip="Record runs as they happen, or not."),
        Binding("g", "focus('#graph')", "Graph", show=False, tooltip="Focus the graph."),
        Binding("i", "focus_inputs", "Inputs", show=False, tooltip="Focus the first input field."),
        Binding("z", "maximize", "Maximize", show=False, tooltip="Maximize the focused pane (escape restores)."),
        Binding("{", "resize_columns(-4)", "Narrower graph", show=False, tooltip="Give the graph less width."),
        Binding("}", "resize_columns(4)", "Wider graph", show=False, tooltip="Give the graph more width."),
        Binding("(", "resize_logs(-2)", "Smaller logs", show=False, tooltip="Give the logs fewer rows."),
        Binding(")", "resize_logs(2)", "Taller logs", show=False, tooltip="Give the logs more rows."),
    ]

    def __init__(
        self,
        source: str,
        *,
        record: bool = True,
        runs_dir: str | None = None,
        concurrency: int = 4,
        clock: Callable[[], float] | None = time.perf_counter,
    ) -> None:
        """`source` names the pipeline while it loads; `clock` times running components (`None`: show no
        times, so screenshots do not depend on the machine's speed)."""
        super().__init__()
        self.source = source
        self.recording = record
        self.runs_dir = runs_dir
        self.concurrency = concurrency
        self.clock = clock
        self.loaded: LoadedPipeline | None = None
        self.breakpoints = Breakpoints()
        self.session: DebugSession | None = None
        self.record_path: Path | None = None
        """Where the current run is (being) recorded: live, or by "save run" afterwards."""
        self._seen: tuple[object, ...] | None = None
        self._status = "idle"
        self._pause_seen: object = None
        """The last pause (its `PauseReason`) or ending the screen reacted to, so it reacts once to each."""
        self._pinned_visit: int | None = None
        """The visit the inspector shows when the user picked one with [ and ]; `None` follows the latest."""
        self._reused: set[int] = set()
        self._slow_shown = 0.0
        self._run_started = 0.0
        self._slow_pending = False
        self._logged = False
        self._events_read = 0
        self._run_error: str | None = None

    # -- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
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
        yield Splitter("#logs", "rows", id="row-splitter")
        logs = LogView(id="logs")
        logs.border_title = "Logs"
        yield logs
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
        graph = self.query_one(GraphView)
        graph.set_graph(loaded.layout)
        graph.border_title = f"Graph · {loaded.name}"
        pane = self.query_one("#inputs-pane")
        pane.remove_children()
        pane.mount(InputsForm(loaded.pipe, id="inputs"))
        if loaded.layout.boxes:
            graph.select(next(iter(loaded.layout.boxes)))
        self.refresh_bindings()
        self._seen = None

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
        if action == "run":
            return False if self.active else self.loaded is not None or None
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
            run = pipe.events(data, concurrency_limit=self.concurrency)
        except PipelineValidationError as error:
            self.notify(str(error), title="Cannot run", severity="error")
            return
        stream: EventStream = run
        self.record_path = None
        if self.recording:
            try:
                recorder = RunStore(self.runs_dir).record(
                    run, pipeline_name=self.loaded.name, pipeline=pipe, inputs=data
                )
            except OSError as error:
                self.notify(f"Not recording: {error}", title="Runs folder", severity="warning")
            else:
                stream = LiveRecording(run, recorder)
                self.record_path = recorder.path
        self.session = DebugSession(stream, self.breakpoints, live=True)
        self._reused, self._events_read, self._pinned_visit, self._run_error = set(), 0, None, None
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

        self.app.push_screen(EditOutputsScreen(record.component, record.outputs or {}, types), edited)

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
        stream = _EventList(events)
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
            self._pinned_visit = None
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

    def action_resize_logs(self, delta: int) -> None:
        logs = self.query_one(LogView)
        logs.styles.height = max(3, min(_cells(logs, "height") + delta, self.size.height - MIN_PANE))

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
            inspector.show(name, None, None, "")
            return
        visit_id = self._pinned_visit if self._pinned_visit in visits else visits[-1]
        inspector.border_subtitle = (
            f"visit {visits.index(visit_id) + 1} of {len(visits)} · [ ] other visits" if len(visits) > 1 else ""
        )
        span = self.session.summary.span(visit_id)
        status = span.status if span is not None else ""
        reason = self.session.pause_reason if self.session.status == "paused" else None
        if reason is not None and reason.visit_id == visit_id:
            status = "paused"
        inspector.show(name, span.visit if span is not None else None, self.session.visit(visit_id), status)

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
        now = self.clock() if self.clock is not None and running else None
        graph = self.query_one(GraphView)
        view = (graph.scroll_offset, graph.size)
        seen = (session.version if session is not None else 0, self.breakpoints.version, now, view)
        if seen == self._seen and not self._slow_pending:
            return
        self._seen = seen
        if session is not None:
            self._read_new_events(session)
        if self.loaded is not None:
            names = graph.visible_names()
            states = node_states(names, session, self.breakpoints, self.clock and self.clock(), self._reused)
            graph.update_states(states, session.queued if session is not None else ())
        self.query_one("#status", Static).update(self._status_text(), layout=False)  # one line, always
        moment = time.monotonic()
        under_way = session is not None and session.status in ("idle", "running")  # idle: about to start
        if not under_way or moment - self._slow_shown >= SLOW_PANES_SECONDS:
            self._slow_shown, self._slow_pending = moment, False
            if session is not None:
                self._follow(session)
            self._show_inspector()
        else:
            self._slow_pending = True

    def _read_new_events(self, session: DebugSession) -> None:
        """Remember reused visits (the summary does not say), reading only the events new since last time."""
        events = session.events
        for event in events[self._events_read :]:
            if isinstance(event, ComponentFinished) and event.reused:
                self._reused.add(event.visit_id)
        self._events_read = len(events)

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
            text.append(" · saved to ", style="dim")
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
