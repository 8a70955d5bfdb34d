"""The graph pane: the pipeline's DAG with each component's live state, drawn a screenful at a time.

The layout (`tui.layout.dag`) is computed once per pipeline, off the UI thread; this widget only asks it for the
cells of the visible window, so scrolling a graph of hundreds of components costs the same as a small one.
Cell styles (`edge`, `node.running`, ...) map to component classes, so themes and `app.tcss` colour them.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import ClassVar

from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from pipeline.runs.spans import ComponentSpan
from tui import keys
from tui.layout import Cell, GraphLayout, NodeState
from tui.layout.dag import Heading, Status
from tui.messages import ComponentSelected
from tui.state import Breakpoints, DebugSession
from tui.state.flow import NO_ROUTING, Routing
from tui.widgets.cells import cells_strip

QUEUED = "queued"
"""Style of the border of a component that finished while the run is paused: its completion waits in line."""
SPINNER_FPS = 10

_SPAN_STATUS: dict[str, Status] = {
    "held": "paused",
    "running": "running",
    "queued": "queued",
    "finished": "done",
    "failed": "failed",
    "cancelled": "cancelled",
}


def node_states(
    names: Iterable[str],
    session: DebugSession | None,
    breakpoints: Breakpoints,
    now: float | None,
    routing: Routing = NO_ROUTING,
) -> dict[str, NodeState]:
    """Each component's state from the visits' records (the session's summary), in one pass over them.

    `now` is the clock reading (`time.perf_counter`, the run's clock) that running visits are timed against and
    spinners turn by; `None` shows no times and a still spinner, so a screenshot never depends on the machine's
    speed. A component ready to run that waits for a concurrency slot or its turn is `ready`, untimed; a visit that
    finished while the run is paused is `queued` (its completion waits to be read), timed to when it finished,
    not growing; one started but held back by the pause is `paused`, untimed; `routing.skipped` are the components
    shown as skipped (`tui.state.flow.routing`).
    """
    last: dict[str, ComponentSpan] = {}
    visits: dict[str, int] = {}
    summary = session.summary if session is not None else None
    ready = summary.ready if summary is not None else {}
    for visited in summary.spans if summary is not None else ():
        last[visited.component] = visited
        visits[visited.component] = visits.get(visited.component, 0) + 1
    paused = None
    if session is not None and session.status == "paused" and session.pause_reason is not None:
        paused = session.pause_reason.component
    frame = 0 if now is None else int(now * SPINNER_FPS)
    states: dict[str, NodeState] = {}
    for name in names:
        span = last.get(name)
        marked = name in breakpoints
        if name in ready and (span is None or span.status in ("finished", "failed", "cancelled")):
            states[name] = NodeState("ready", visits.get(name, 0), breakpoint=marked)  # its next visit waits to start
            continue
        if span is None:
            states[name] = NodeState("skipped" if name in routing.skipped else "waiting", breakpoint=marked)
            continue
        status = _SPAN_STATUS[span.status]
        if name == paused:
            status = "paused"
        elif status == "done" and span.reused:
            status = "reused"
        duration = None
        if now is not None:
            duration = span.duration
            if duration is None and span.status == "running" and summary is not None and summary.origin is not None:
                duration = max(0.0, now - summary.origin - span.started_at)
        progress = None
        if span.progress is not None and span.status == "running":
            progress = span.progress[:2]
        produced = session.flow.last_produced(name) if session is not None else None
        states[name] = NodeState(status, visits[name], duration, frame, progress, marked, produced)
    return states


class GraphView(ScrollView, can_focus=True):
    """Scrollable DAG; arrow keys and clicks select a component, which posts `ComponentSelected`."""

    DEFAULT_CSS = """
    GraphView {
        background: $surface;
    }
    GraphView > .graph--edge { color: $foreground-muted; }
    GraphView > .graph--edge-active { color: $warning; text-style: bold; }
    GraphView > .graph--edge-selected { color: $accent; text-style: bold; }
    GraphView > .graph--edge-untaken { color: $text-disabled; text-style: dim; }
    GraphView > .graph--label { color: $text-muted; text-style: italic; }
    GraphView > .graph--node-name { color: $foreground; text-style: bold; }
    GraphView > .graph--selected { color: $accent; text-style: bold; }
    GraphView > .graph--breakpoint { color: $error; text-style: bold; }
    GraphView > .graph--node-waiting { color: $text-muted; }
    GraphView > .graph--node-running { color: $warning; }
    GraphView > .graph--node-queued { color: $warning; text-style: italic; }
    GraphView > .graph--node-ready { color: $text-muted; text-style: italic; }
    GraphView > .graph--node-done { color: $success; }
    GraphView > .graph--node-failed { color: $error; text-style: bold; }
    GraphView > .graph--node-paused { color: $foreground; background: $warning-muted; text-style: bold; }
    GraphView > .graph--node-cancelled { color: $text-disabled; }
    GraphView > .graph--node-reused { color: $primary; }
    GraphView > .graph--node-skipped { color: $text-disabled; text-style: italic; }
    GraphView > .graph--queued { color: $warning; background: $warning-muted; text-style: bold; }
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "graph--edge",
        "graph--edge-active",
        "graph--edge-selected",
        "graph--edge-untaken",
        "graph--label",
        "graph--node-name",
        "graph--selected",
        "graph--breakpoint",
        "graph--node-waiting",
        "graph--node-running",
        "graph--node-queued",
        "graph--node-ready",
        "graph--node-done",
        "graph--node-failed",
        "graph--node-paused",
        "graph--node-cancelled",
        "graph--node-reused",
        "graph--node-skipped",
        "graph--queued",
    }

    BINDINGS: ClassVar[list[BindingType]] = keys.GRAPH

    selected: reactive[str | None] = reactive(None, always_update=True)

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.graph: GraphLayout | None = None
        self.states: dict[str, NodeState] = {}
        self.queued: frozenset[str] = frozenset()
        self.untaken: frozenset[int] = frozenset()
        """Edges (indices into the model's) that no data went through: drawn dimmed."""
        self._generation = 0
        """Grows whenever what is drawn changes, so the cached window is redrawn once per change, not per line."""
        self._window: tuple[tuple[int, ...], list[Strip]] | None = None

    def set_graph(self, graph: GraphLayout) -> None:
        """Show a laid-out pipeline (from a worker: laying out is the slow part, this is not)."""
        self.graph = graph
        self.virtual_size = Size(graph.width, graph.height)
        self._changed()

    def update_states(
        self, states: Mapping[str, NodeState], queued: Collection[str] = (), untaken: Collection[int] = ()
    ) -> None:
        """Redraw only if something changed: the screen calls this on every tick."""
        queued, untaken = frozenset(queued), frozenset(untaken)
        if states != self.states or queued != self.queued or untaken != self.untaken:
            self.states, self.queued, self.untaken = dict(states), queued, untaken
            self._changed()

    def visible_names(self) -> list[str]:
        """Components whose boxes are (partly) in view: the only ones whose state needs computing."""
        if self.graph is None:
            return []
        view = Region(*self.scroll_offset, *self.size)
        return [name for name, box in self.graph.boxes.items() if view.overlaps(Region(box.x, box.y, box.w, box.h))]

    def select(self, name: str | None) -> None:
        """Select `name` (even if already selected, so the inspector follows) and scroll it into view."""
        self.selected = name

    def watch_selected(self, name: str | None) -> None:
        self._changed()
        if name is None or self.graph is None or name not in self.graph.boxes:
            return
        box = self.graph.boxes[name]
        self.scroll_to_region(Region(box.x, box.y, box.w, box.h), spacing=None, animate=False, immediate=True)
        self.post_message(ComponentSelected(name, self))

    def action_move(self, heading: Heading) -> None:
        if self.graph is None or not self.graph.boxes:
            return
        if self.selected is None or self.selected not in self.graph.boxes:
            self.select(next(iter(self.graph.boxes)))
            return
        found = self.graph.neighbour(self.selected, heading)
        if found is not None:
            self.select(found)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or self.graph is None:
            return
        x, y = offset + self.scroll_offset
        name = self.graph.node_at(x, y)
        if name is not None:
            self.select(name)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._changed()

    def render_line(self, y: int) -> Strip:
        strips = self._visible_strips()
        return strips[y] if 0 <= y < len(strips) else Strip.blank(self.size.width, self.rich_style)

    def _changed(self) -> None:
        self._generation += 1
        self.refresh()

    def _visible_strips(self) -> list[Strip]:
        """The window in view as strips, drawn once per change of state, scroll position or size."""
        scroll_x, scroll_y = self.scroll_offset
        width, height = self.size
        key = (self._generation, scroll_x, scroll_y, width, height)
        if self._window is not None and self._window[0] == key:
            return self._window[1]
        if self.graph is None:
            strips = [Strip.blank(width, self.rich_style)] * height
        else:
            rows = self.graph.render(self.states, self.selected, (scroll_x, scroll_y, width, height), self.untaken)
            self._mark_queued(rows, scroll_x, scroll_y)
            styles: dict[str, Style] = {"": self.rich_style}
            strips = [cells_strip(row, styles, self, "graph") for row in rows]
        self._window = (key, strips)
        return strips

    def _mark_queued(self, rows: list[list[Cell]], vx: int, vy: int) -> None:
        """Give the borders of queued components their own style (the layout knows nothing of queues)."""
        assert self.graph is not None
        for name in self.queued:
            box = self.graph.boxes.get(name)
            if box is None or name == self.selected:
                continue
            for y in range(box.y, box.y + box.h):
                row_index = y - vy
                if not 0 <= row_index < len(rows):
                    continue
                row = rows[row_index]
                edge_row = y in (box.y, box.y + box.h - 1)
                for x in range(box.x, box.x + box.w) if edge_row else (box.x, box.x + box.w - 1):
                    if 0 <= x - vx < len(row):
                        row[x - vx] = Cell(row[x - vx].char, QUEUED)
