"""Draws a `RunController`'s run onto the debugger screen's panes, tick by tick.

The screen composes the panes and binds the keys; this keeps them in step with the controller: the graph's node
states, the timeline (and a replay's playhead), the status bar, the inspector's visit, and the Logs tab's count
of unseen lines. It also owns which visit is inspected (the latest of the selected component, or one the user
pinned), since the timeline highlights it and a fork starts from it. Redrawn only what changed, at a pace that
keeps a burst of events to one frame per tick.
"""

from __future__ import annotations

import time
from typing import Any

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import TabbedContent

from pipeline.runs.spans import RunSummary
from tui.layout.timeline import TimelineModel
from tui.loading import LoadedPipeline
from tui.state.controller import RunController, RunStatus
from tui.state.logs import LogLine
from tui.state.session import ENDED, DebugSession
from tui.widgets.graph import GraphView, node_states
from tui.widgets.inspector import Inspector
from tui.widgets.logs import LogView
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelineView

TICK_SECONDS = 1 / 30
"""How often the panes catch up with the session: often enough to look live, rarely enough to batch events."""
SLOW_PANES_SECONDS = 0.25
"""While a run goes on, the footer and the inspector (which re-mount widgets: a layout and a full repaint) catch
up at most this often; the graph and the status line keep the tick's pace. Pauses and endings show at once."""
TIMELINE_SECONDS = 0.1
"""While a run goes on, the timeline is redrawn at most this often (its bars re-indexed, running bars grown)."""
NOT_TRACED = (
    "Not traced: content tracing was off in the service this run was imported from, so its spans hold no inputs "
    "or outputs (Haystack: HAYSTACK_CONTENT_TRACING_ENABLED=true)."
)
"""The inspector's word on a visit of such a run, instead of empty (or only marked) inputs and outputs."""


class RunPanes:
    """The panes of `screen` (graph, timeline, inspector, logs, status bar) showing `controller`'s run."""

    def __init__(self, screen: Screen[Any], controller: RunController) -> None:
        self.screen = screen
        self.controller = controller
        self.log_view: LogView | None = None
        """Set once mounted; kept for the log sink, which runs in component threads, where querying the DOM
        is not safe."""
        self.lanes: list[str] = []
        """The timeline's lanes: every component, in the graph's reading order (top to bottom, left to right)."""
        self.pinned_visit: int | None = None
        """The visit the inspector shows when the user picked one; `None` follows the latest."""
        self.visit_to_pin: int | None = None
        """A visit picked in the timeline, pinned when the graph has selected its component."""
        self.shown_visit: int | None = None
        """The visit the inspector shows: what the timeline highlights and a fork starts from."""
        self.seen: tuple[object, ...] | None = None
        """What the last redraw showed; `None` forces the next tick to redraw."""
        self._timeline_drawn = self._slow_shown = self._run_started = 0.0
        self._slow_pending = self._logged = False
        self._shown_status: object = None
        self._pause_seen: object = None
        """The last pause (its `PauseReason`) or ending followed, so each is followed once."""
        self._logs_seen = self._logs_counted = 0
        """`LogView.written` when the Logs tab was last in front, and when its label was last brought up to date."""

    def mounted(self) -> None:
        self.log_view = self.screen.query_one(LogView)

    def set_graph(self, loaded: LoadedPipeline) -> None:
        """Draw the loaded pipeline: its graph, first component selected, and an empty timeline of its lanes."""
        boxes = loaded.layout.boxes
        self.lanes = sorted(boxes, key=lambda name: (boxes[name].y, boxes[name].x))  # as the graph reads
        self.screen.query_one(TimelineView).update_model(TimelineModel.from_summary(RunSummary(), lanes=self.lanes))
        graph = self.screen.query_one(GraphView)
        graph.set_graph(loaded.layout)
        graph.border_title = f"Graph · {loaded.name}"
        graph.border_subtitle = loaded.note or ""
        if boxes:
            graph.select(next(iter(boxes)))
        self.seen = None

    def adopt(self, session: DebugSession) -> None:
        """A new run (or replay position) is shown: forget what was shown of the last one."""
        self.pinned_visit = self._pause_seen = None
        self._slow_shown = self._run_started = time.monotonic()  # a short run never re-lays the footer out
        if self._logged and self.log_view is not None:  # clearing an empty log would still repaint it
            self._logged = False
            self.log_view.clear()
        self.seen = None

    def log(self, line: LogLine) -> None:
        """The capture's sink, called from any thread: queue the line for the log pane."""
        if self.log_view is not None:
            self._logged = True
            self.log_view.submit(line)

    # -- visits ---------------------------------------------------------------------------------------------------

    def component_selected(self, name: str, control: Widget | None) -> None:
        """A component was selected in `control`; selected elsewhere, the graph selects it too (and scrolls to
        it), which comes back here; a visit picked in the timeline is then pinned."""
        graph = self.screen.query_one(GraphView)
        if control is not graph:
            graph.select(name)
        elif name == graph.selected:  # not a stale message from an earlier selection
            self.pin(self.visit_to_pin)
            self.visit_to_pin = None

    def visit_selected(self, visit_id: int, component: str | None) -> None:
        """A visit was picked (timeline, inspector): pinned once the graph selected its component."""
        graph = self.screen.query_one(GraphView)
        if component is not None and component != graph.selected:
            self.visit_to_pin = visit_id
            graph.select(component)
        else:
            self.pin(visit_id)

    def pin(self, visit_id: int | None) -> None:
        self.pinned_visit = visit_id
        self.show_inspector()

    def step_visit(self, component: str | None, delta: int) -> None:
        """Inspect the component's previous or next visit (loops run a component many times)."""
        visits = self.controller.visit_ids(component)
        if visits:
            current = self.pinned_visit if self.pinned_visit in visits else visits[-1]
            index = max(0, min(len(visits) - 1, visits.index(current) + delta))
            self.pin(None if index == len(visits) - 1 else visits[index])

    def show_inspector(self) -> None:
        """The selected component's pinned visit, or its latest; the inspector ignores calls changing nothing."""
        control, inspector = self.controller, self.screen.query_one(Inspector)
        name, session = self.screen.query_one(GraphView).selected, control.session
        visits = control.visit_ids(name)
        visit_id = self.pinned_visit if self.pinned_visit in visits else visits[-1] if visits else None
        if visit_id != self.shown_visit:
            self.shown_visit = visit_id
            self.screen.refresh_bindings()  # fork needs a visit
        self.screen.query_one(TimelineView).select_visit(visit_id)
        span = session.summary.span(visit_id) if session is not None and visit_id is not None else None
        if session is None or visit_id is None or span is None:
            inspector.border_subtitle = ""
            skipped = name is not None and name in control.routing().skipped
            inspector.show(name, None, None, "skipped" if skipped else "")
            return
        others = f"visit {span.visit} of {len(visits)} · [ ] other visits"
        inspector.border_subtitle = others if len(visits) > 1 else ""
        imported = control.replay.recorded.header.imported if control.replay is not None else None
        untraced = imported is not None and not imported.content_traced
        inspector.show(
            name,
            span.visit,
            session.visit(visit_id),
            control.visit_state(visit_id),
            children=session.children.of_visit(visit_id),
            no_content=NOT_TRACED if untraced else None,
        )

    # -- the tick ---------------------------------------------------------------------------------------------------

    def tick(self) -> None:
        """Catch up with the controller: redraw what changed since the last tick, animate what is running."""
        control, screen = self.controller, self.screen
        session = control.session
        under_way = session is not None and session.status in ("idle", "running")  # idle: about to start
        if under_way and time.monotonic() - self._run_started < TICK_SECONDS:
            return  # a state that lasts less than a frame is never drawn: a short run costs no frame mid-way
        running = session is not None and bool(session.summary.running)
        clock = control.now()
        playing = control.replay is not None and session is not None and session.status not in ENDED
        now = clock if running or playing else None  # a replay's playhead moves even when nothing runs
        graph = screen.query_one(GraphView)
        logs = self.log_view.written if self.log_view is not None else 0
        version = (session.version if session is not None else 0, control.breakpoints.version, control.version)
        seen = (session, version, now, graph.scroll_offset, graph.size, logs)
        if seen == self.seen and not self._slow_pending:
            return
        self.seen = seen
        if control.loaded is not None:
            flow = control.routing()
            states = node_states(graph.visible_names(), session, control.breakpoints, clock, flow)
            graph.update_states(states, session.queued if session is not None else (), flow.untaken)
        if session is not None:
            self._update_timeline(session, now)
        status = control.status()
        screen.query_one(StatusBar).show(status)
        if logs != self._logs_counted:  # the tab's label changes only with new lines (or another tab shown)
            self.count_unseen_logs()
        moment = time.monotonic()
        if not under_way or moment - self._slow_shown >= SLOW_PANES_SECONDS or status.activity != self._shown_status:
            self._slow_shown, self._slow_pending = moment, False
            self._follow(status)
            self.show_inspector()
        else:
            self._slow_pending = True

    def count_unseen_logs(self) -> None:
        """Behind the timeline, the Logs tab counts the lines written since it was last shown."""
        tabs = self.screen.query_one("#bottom", TabbedContent)
        written = self._logs_counted = self.log_view.written if self.log_view is not None else 0
        if tabs.active == "logs-tab":
            self._logs_seen = written
        unseen = max(0, written - self._logs_seen)
        label = f"Logs ({unseen} new)" if unseen else "Logs"
        tab = tabs.get_tab("logs-tab")
        if str(tab.label) != label:
            tab.label = label

    def _update_timeline(self, session: DebugSession, now: float | None) -> None:
        """Redraw the timeline: at once when the run paused or ended, at most every `TIMELINE_SECONDS` while it
        runs (running bars grown to `now`): a full-width pane repainted at 30 Hz would cost a run of short
        components a third more."""
        moment = time.monotonic()
        if session.status == "running" and moment - self._timeline_drawn < TIMELINE_SECONDS:
            self._slow_pending = True  # come back next tick even if nothing else changes
            return
        self._timeline_drawn = moment
        model = self.controller.timeline(self.lanes)
        if model is None:
            return
        origin = session.summary.origin
        relative = now - origin if now is not None and origin is not None else None
        timeline = self.screen.query_one(TimelineView)
        timeline.update_model(model.with_playhead(self.controller.playhead()), relative)
        timeline.border_title = self.controller.concurrency_title()

    def _follow(self, status: RunStatus) -> None:
        """On each new pause or a failure, select the component that matters: the one paused on, or the one that
        failed; the footer follows what may be done now (a pause on its way greys `p` out at once)."""
        if status.activity != self._shown_status:
            self._shown_status = status.activity
            self.screen.refresh_bindings()
        self._pause_seen, focus = self.controller.focus_target(self._pause_seen)
        if focus is not None:
            self.pinned_visit = None
            self.screen.query_one(GraphView).select(focus)
