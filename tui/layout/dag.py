"""The pipeline as a layered DAG drawn in character cells with box-drawing characters, for the graph pane.

Pure Python on networkx, with no Textual import, so it is tested and benchmarked headless. `layout()` does the
expensive work once per graph (layers, crossing reduction, placement, edge routing, labels); a `GraphLayout`
then draws any window of its canvas with the live node states, touching only the cells in view, so a graph of
hundreds of components repaints a screenful in about a millisecond.

The steps are Sugiyama's: layers by longest path from the sources (cycles broken by reversing the back edges
found inside each strongly connected component, so loops lay out and their back edges are drawn upwards);
long edges cut into one-cell dummies per layer they cross; a few barycenter sweeps to reduce crossings; order
positions by isotonic regression towards the neighbours' ports, which straightens edges without overlaps; then
orthogonal routing in the gaps between layers, one horizontal track per net (edges sharing a sender socket
split from one port, edges into one receiver socket merge into one arrow), tracks ordered so that no two nets
share a vertical (where no order can avoid it, one line jogs aside). Everything is computed in (layer axis,
order axis) coordinates and mapped to the screen at the end, which is how `direction="right"` reuses the code.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import TYPE_CHECKING, Literal, NamedTuple

import networkx as nx

from pipeline.core.component import supports_async

if TYPE_CHECKING:
    from pipeline.core.graph import PipelineGraph

Direction = Literal["down", "right"]
Status = Literal["waiting", "ready", "running", "queued", "done", "failed", "paused", "cancelled", "reused", "skipped"]
"""`ready`: has its inputs, waits for a concurrency slot or its turn; `queued`: finished while the run is paused,
its completion waits to be read (the run tells both)."""
Heading = Literal["up", "down", "left", "right"]

BOX_HEIGHT = 4
"""Top border, name, status line, bottom border (`direction="right"` adds rows for nodes with many ports)."""
MIN_NODE_WIDTH = 22
"""Wide enough for a status line such as `⠋ 1.2 s ×2 async` next to the borders."""
MAX_NODE_WIDTH = 32
"""Longer names are elided with `…` rather than widening every box."""
NODE_GAP: dict[Direction, int] = {"down": 4, "right": 1}
"""Cells between two boxes of one layer."""
LINE_GAP: dict[Direction, int] = {"down": 2, "right": 1}
"""Cells between a box and an edge passing through its layer, or between two such edges."""
LEAD: dict[Direction, int] = {"down": 0, "right": 1}
"""Cells of straight line out of a sender before the first track: drawing rightwards, a track right against a
box's border would read as part of it."""
LABEL_CAP = 28
"""Longest label a `direction="right"` gap is widened for."""
ORDER_ROUNDS = 4
PLACE_ROUNDS = 3
"""Top-down placements, with the sources re-centred over what they feed in between."""
FREE_WEIGHT = 0.01
"""Pull of an item without neighbours towards where it already is: it keeps its place but yields to others."""
BUCKET_W, BUCKET_H = 64, 16
"""Cell size of the spatial index that finds the boxes in a viewport or under the mouse."""
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STATUS_ICONS: dict[str, str] = {
    "waiting": "○",
    "queued": "◔",
    "ready": "◌",
    "done": "✓",
    "failed": "✗",
    "paused": "⏸",
    "cancelled": "⊘",
    "reused": "↺",
    "skipped": "↷",
}
ROUTE_MARK = "→"
"""Before the outputs a visit produced, on the status line of a component that left some of its outputs empty."""
ROUTED_STATUSES = ("done", "paused", "reused")
"""States whose latest visit finished, so the outputs it produced are known."""
BREAKPOINT = "●"

# Screen directions, combined into box-drawing characters.
N, E, S, W = 1, 2, 4, 8
LINE_CHARS: dict[int, str] = {
    N: "│",
    S: "│",
    N | S: "│",
    E: "─",
    W: "─",
    E | W: "─",
    S | E: "┌",
    S | W: "┐",
    N | E: "└",
    N | W: "┘",
    N | S | E: "├",
    N | S | W: "┤",
    S | E | W: "┬",
    N | E | W: "┴",
    N | S | E | W: "┼",
}
STEP_BITS: dict[Direction, dict[tuple[int, int], int]] = {
    # a step of (layer axis, order axis) -> the screen side of the cell it leaves by
    "down": {(1, 0): S, (-1, 0): N, (0, 1): E, (0, -1): W},
    "right": {(1, 0): E, (-1, 0): W, (0, 1): S, (0, -1): N},
}
PORT_MARKS: dict[Direction, dict[str, str]] = {
    # where an edge meets a box border: arrows at receivers, tees at senders
    "down": {"in": "▼", "out": "┬", "in_back": "▲", "out_back": "┴", "in_self": "◀", "out_self": "├"},
    "right": {"in": "▶", "out": "├", "in_back": "◀", "out_back": "┤", "in_self": "▲", "out_self": "┬"},
}
LABEL = -1
"""Group id of label cells, whose style is `label` whatever the edges do."""


# -- the graph, without live objects --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GraphNode:
    name: str
    type_name: str
    mode: Literal["sync", "async"]
    outputs: tuple[str, ...] = ()
    """The declared output sockets, connected or not: a visit that produced fewer took a route."""


@dataclass(frozen=True, slots=True)
class GraphEdge:
    sender: str
    sender_socket: str
    receiver: str
    receiver_socket: str


@dataclass(frozen=True, slots=True)
class GraphModel:
    """What the layout needs from a pipeline, copied out so layouts can be built, cached and tested without it."""

    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    @classmethod
    def from_pipeline(cls, pipe: PipelineGraph) -> GraphModel:
        nodes = tuple(
            GraphNode(
                name,
                type(instance).__name__,
                "async" if supports_async(instance) else "sync",
                tuple(pipe.output_sockets_of(name)),
            )
            for name, instance in pipe.walk()
        )
        return cls(nodes, tuple(GraphEdge(*connection) for connection in pipe.connections()))


# -- what the renderer shows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodeState:
    """A component's live state as the session sees it; the widget passes one per component to `render`."""

    status: Status = "waiting"
    visits: int = 0
    duration: float | None = None
    """Seconds: of the last visit once it ended, so far while it runs."""
    spinner_frame: int = 0
    progress: tuple[int, int | None] | None = None
    """(done, total or None when unknown), for components that report progress."""
    breakpoint: bool = False
    produced: frozenset[str] | None = None
    """The output sockets the latest finished visit produced (`None` before one finished): a router's route."""


WAITING = NodeState()


class Cell(NamedTuple):
    """One character cell; the widget maps `style` (`edge`, `node.running`, `selected`, ...) to colours."""

    char: str
    style: str


BLANK = Cell(" ", "")


@dataclass(frozen=True, slots=True)
class Box:
    x: int
    y: int
    w: int
    h: int

    def contains(self, x: int, y: int) -> bool:
        return self.x <= x < self.x + self.w and self.y <= y < self.y + self.h


def format_duration(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}m{rest:02d}s"


def elide(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    return text[: width - 1] + "…" if width > 0 else ""


def route_text(state: NodeState, outputs: Iterable[str]) -> str:
    """`→too_short` when the latest visit produced only some of the declared `outputs` (a router's choice),
    `→nothing` when it produced none of them; empty when it produced them all or its visit has not finished."""
    if state.produced is None or state.status not in ROUTED_STATUSES:
        return ""
    declared = list(outputs)
    if all(socket in state.produced for socket in declared):
        return ""
    chosen = [socket for socket in declared if socket in state.produced]
    return ROUTE_MARK + ("+".join(chosen) if chosen else "nothing")


def status_line(state: NodeState, mode: str, width: int, route: str = "") -> str:
    """`⠋ running 3/5 1.2 s ×2 async`, or `✓ →done 3 ms ×2 sync` for a router (`route`), shedding the least
    telling parts first when the box is narrow."""
    running = state.status == "running"
    icon = SPINNER[state.spinner_frame % len(SPINNER)] if running else STATUS_ICONS[state.status]
    progress = ""
    if state.progress is not None:
        done, total = state.progress
        progress = f"{done}/{'?' if total is None else total}"
    parts = {
        "icon": icon,
        "word": "" if state.status == "done" else state.status,
        "progress": progress,
        "route": route,
        "duration": "" if state.duration is None else format_duration(state.duration),
        "visits": f"×{state.visits}" if state.visits else "",
        "mode": mode,
    }
    # The icon alone says running or waiting; "failed", "paused" and the like are worth keeping longest.
    drops = ("mode", "visits", "duration", "route", "progress", "word")
    if state.status in ("running", "waiting"):
        drops = ("word", *drops[:-1])
    for drop in drops[:-1]:
        text = " ".join(part for part in parts.values() if part)
        if len(text) <= width:
            return text
        if drop == "route" and route:  # the route is what a router's box is for: elided before it goes
            room = width - len(text) + len(route)
            if room >= len(ROUTE_MARK) + 2:
                parts["route"] = elide(route, room)
                return " ".join(part for part in parts.values() if part)
        parts[drop] = ""
    return elide(" ".join(part for part in parts.values() if part), width)


# -- the laid-out graph ----------------------------------------------------------------------------------------


class GraphLayout:
    """Where every box, line and label goes. Immutable: render it as often as the states change."""

    def __init__(
        self,
        model: GraphModel,
        direction: Direction,
        size: tuple[int, int],
        boxes: dict[str, Box],
        layers: list[list[str]],
        cells: dict[tuple[int, int], tuple[str, int]],
        groups: list[tuple[int, ...]],
    ) -> None:
        self.model = model
        self.direction = direction
        self.width, self.height = size
        self.boxes = boxes
        """Node name -> its box in canvas cells: for hit-testing and for scrolling a node into view."""
        self.layers = layers
        """Node names by layer, in drawing order (left to right, or top to bottom for `direction="right"`)."""
        self._cells = cells
        """Every line, port mark and label: (x, y) -> (character, edge group id or LABEL)."""
        self._groups = groups
        """Edge group id -> indices into `model.edges` of the edges drawn through that cell."""
        self._modes = {node.name: node.mode for node in model.nodes}
        self._outputs: dict[str, tuple[str, ...]] = {node.name: node.outputs for node in model.nodes}
        self._edges_into: dict[str, list[int]] = {node.name: [] for node in model.nodes}
        self._edges_out_of: dict[str, list[int]] = {node.name: [] for node in model.nodes}
        for index, edge in enumerate(model.edges):
            self._edges_into[edge.receiver].append(index)
            self._edges_out_of[edge.sender].append(index)
        for node in model.nodes:  # a model built without declared outputs: its connected ones
            if not node.outputs:
                sockets = (model.edges[index].sender_socket for index in self._edges_out_of[node.name])
                self._outputs[node.name] = tuple(dict.fromkeys(sockets))
        self._buckets: dict[tuple[int, int], list[str]] = {}
        for name, box in boxes.items():
            for key in _buckets_over(box.x, box.y, box.w, box.h):
                self._buckets.setdefault(key, []).append(name)

    def node_at(self, x: int, y: int) -> str | None:
        for name in self._buckets.get((x // BUCKET_W, y // BUCKET_H), ()):
            if self.boxes[name].contains(x, y):
                return name
        return None

    def neighbour(self, name: str, heading: Heading) -> str | None:
        """The nearest box in that heading: along the heading first, sideways (beyond overlap) counting double.

        Rows count twice columns, as a terminal cell is about twice as tall as it is wide.
        """
        here = self.boxes[name]
        vertical = heading in ("up", "down")
        sign = 1 if heading in ("down", "right") else -1
        best: tuple[float, float, int] | None = None
        found = None
        for order, (other, box) in enumerate(self.boxes.items()):
            if vertical:
                along = (box.y - here.y) * sign * 2
                side = _interval_gap(here.x, here.w, box.x, box.w)
                centre = abs(box.x * 2 + box.w - here.x * 2 - here.w) / 2
            else:
                along = (box.x - here.x) * sign
                side = _interval_gap(here.y, here.h, box.y, box.h) * 2
                centre = abs(box.y * 2 + box.h - here.y * 2 - here.h)
            if other == name or along <= 0:
                continue
            score = (along + 2 * side, centre, order)
            if best is None or score < best:
                best, found = score, other
        return found

    def render(
        self,
        states: Mapping[str, NodeState] | None = None,
        selected: str | None = None,
        viewport: tuple[int, int, int, int] | None = None,
        untaken: Collection[int] = frozenset(),
    ) -> list[list[Cell]]:
        """Rows of cells for the window `(x, y, w, h)` of the canvas (all of it by default); cells past the
        canvas are blank. Only boxes and lines inside the window are visited. `untaken` edges (indices into
        `model.edges`) are drawn dimmed: no data went through them (see `tui.state.flow.routing`)."""
        states = states or {}
        vx, vy, vw, vh = viewport if viewport is not None else (0, 0, self.width, self.height)
        rows = [[BLANK] * vw for _ in range(vh)]
        for name in self._names_in(vx, vy, vw, vh):
            self._draw_box(rows, name, states.get(name, WAITING), name == selected, vx, vy)
        style_of = self._edge_styles(states, selected, untaken)
        cells = self._cells
        for y in range(vy, vy + vh):
            row = rows[y - vy]
            for x in range(vx, vx + vw):
                found = cells.get((x, y))
                if found is not None:
                    row[x - vx] = Cell(found[0], style_of(found[1]))
        return rows

    def _names_in(self, x: int, y: int, w: int, h: int) -> Iterator[str]:
        seen: set[str] = set()
        for key in _buckets_over(x, y, w, h):
            for name in self._buckets.get(key, ()):
                if name not in seen:
                    seen.add(name)
                    yield name

    def _draw_box(self, rows: list[list[Cell]], name: str, state: NodeState, selected: bool, vx: int, vy: int) -> None:
        box = self.boxes[name]
        body = f"node.{state.status}"
        border = "selected" if selected else body
        text_width = box.w - 4
        name_width = text_width - 2 if state.breakpoint else text_width
        lines: list[list[Cell]] = [_line("┌", "─", "┐", box.w, border)]
        name_row = _line("│", " ", "│", box.w, border, body)
        name_style = body if state.status == "skipped" else "node.name"
        name_row[2 : 2 + name_width] = [Cell(c, name_style) for c in elide(name, name_width).ljust(name_width)]
        if state.breakpoint:
            name_row[box.w - 3] = Cell(BREAKPOINT, "breakpoint")
        lines.append(name_row)
        status_row = _line("│", " ", "│", box.w, border, body)
        status_row[2 : 2 + text_width] = [
            Cell(c, body) for c in self._status_text(name, state, text_width).ljust(text_width)
        ]
        lines.append(status_row)
        lines.extend(_line("│", " ", "│", box.w, border, body) for _ in range(box.h - 4))
        lines.append(_line("└", "─", "┘", box.w, border))
        left, right = max(box.x, vx), min(box.x + box.w, vx + (len(rows[0]) if rows else 0))
        for dy, line in enumerate(lines):
            y = box.y + dy - vy
            if 0 <= y < len(rows) and left < right:
                rows[y][left - vx : right - vx] = line[left - box.x : right - box.x]

    def _status_text(self, name: str, state: NodeState, width: int) -> str:
        return status_line(state, self._modes[name], width, route_text(state, self._outputs[name]))

    def _edge_styles(self, states: Mapping[str, NodeState], selected: str | None, untaken: Collection[int]) -> _StyleOf:
        """Edges touching the selected node stand out; so do those carrying data now: into a running
        component, or out of one paused on its completion (what it produced is about to be delivered).
        Untaken edges are dimmed whatever else holds: nothing went through them."""
        active: set[int] = set()
        edges = self.model.edges
        for name, state in states.items():
            if state.status == "running":
                active.update(self._edges_into.get(name, ()))
            elif state.status == "paused":
                produced = state.produced
                active.update(
                    index
                    for index in self._edges_out_of.get(name, ())
                    if produced is None or edges[index].sender_socket in produced
                )
        chosen: set[int] = set()
        if selected is not None:
            chosen.update(self._edges_into.get(selected, ()), self._edges_out_of.get(selected, ()))
        return _StyleOf(self._groups, active, chosen, frozenset(untaken))


class _StyleOf:
    """Style of a line cell by its edge group, remembered per group for the length of one render."""

    def __init__(
        self, groups: list[tuple[int, ...]], active: set[int], chosen: set[int], untaken: frozenset[int]
    ) -> None:
        self._groups, self._active, self._chosen, self._untaken = groups, active, chosen, untaken
        self._known: dict[int, str] = {LABEL: "label"}

    def __call__(self, group: int) -> str:
        """A cell shared by several edges is dimmed only if all of them are untaken, and lit by the others."""
        style = self._known.get(group)
        if style is None:
            edges: Collection[int] = self._groups[group]
            if self._untaken:
                edges = [edge for edge in edges if edge not in self._untaken]
            if not edges:
                style = "edge.untaken"
            elif self._chosen and not self._chosen.isdisjoint(edges):
                style = "edge.selected"
            elif self._active and not self._active.isdisjoint(edges):
                style = "edge.active"
            else:
                style = "edge"
            self._known[group] = style
        return style


def _line(left: str, fill: str, right: str, width: int, border: str, inside: str | None = None) -> list[Cell]:
    middle = Cell(fill, inside if inside is not None else border)
    return [Cell(left, border), *([middle] * (width - 2)), Cell(right, border)]


def _buckets_over(x: int, y: int, w: int, h: int) -> Iterator[tuple[int, int]]:
    for bx in range(max(x, 0) // BUCKET_W, max(x + w - 1, 0) // BUCKET_W + 1):
        for by in range(max(y, 0) // BUCKET_H, max(y + h - 1, 0) // BUCKET_H + 1):
            yield bx, by


def _interval_gap(a: int, a_len: int, b: int, b_len: int) -> int:
    """Cells between two spans, 0 when they overlap or touch."""
    return max(0, b - (a + a_len), a - (b + b_len))


# -- building a layout ------------------------------------------------------------------------------------------

Port = tuple[str, str]
"""(kind, socket): kind is `in`/`out` for edges drawn downwards, `in_back`/`out_back` for back edges."""
Point = tuple[int, Port | None]
"""Where a line meets a layer: (item, port), or (dummy item, None)."""
Gap = dict[tuple[Point, Point], list[int]]
"""The pieces of edges between layer k and k + 1: (upper point, lower point) -> edges drawn through it."""
NEAR_KINDS = ("in", "out_back")
"""Port kinds on a box's side facing the previous layer (its top, or its left for `direction="right"`)."""


@dataclass(slots=True)
class _Item:
    """A box, or a dummy: one cell of a long edge passing through a layer."""

    index: int
    layer: int
    node: int | None
    span: int = 1
    pos: int = 0
    up: list[tuple[Port | None, Point]] = field(default_factory=list)
    down: list[tuple[Port | None, Point]] = field(default_factory=list)
    edges: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Net:
    """Lines in one gap that share a point: a sender port splitting, or several senders merging into a port."""

    tops: dict[Point, list[int]]
    bottoms: dict[Point, list[int]]
    lo: int = 0
    hi: int = 0
    track: int = -1
    jogs: dict[Point, tuple[int, int]] = field(default_factory=dict)
    """Upper point -> (column, jog row): where its line steps aside before coming down to the track."""


@dataclass(slots=True)
class _Channel:
    """A gap's routing: jog rows first, then one row per track (then the label zone, sized elsewhere)."""

    nets: list[_Net]
    jog_rows: int
    tracks: int


def layout(model: GraphModel, *, node_width: int | None = None, direction: Direction = "down") -> GraphLayout:
    """Lay out the graph: boxes `node_width` cells wide (by default, fitted to the longest name within a cap),
    layers stacked downwards or, with `direction="right"`, side by side."""
    if direction not in ("down", "right"):
        raise ValueError(f"direction must be 'down' or 'right', got {direction!r}.")
    if node_width is None:
        longest = max((len(node.name) for node in model.nodes), default=0)
        node_width = min(max(longest + 6, MIN_NODE_WIDTH), MAX_NODE_WIDTH)
    if node_width < 8:
        raise ValueError(f"node_width must be at least 8, got {node_width}.")
    return _Builder(model, node_width, direction).build()


class _Builder:
    """One layout in the making; `build()` runs the steps in order, each filling in what the next needs."""

    def __init__(self, model: GraphModel, node_width: int, direction: Direction) -> None:
        self.model = model
        self.node_width = node_width
        self.direction = direction
        self.index = {node.name: i for i, node in enumerate(model.nodes)}
        self.items = [_Item(i, 0, i) for i in range(len(model.nodes))]
        self.layers: list[list[_Item]] = []
        self.gaps: list[Gap] = []
        self.first_edge: dict[tuple[int, Port], int] = {}
        self.offsets: dict[tuple[int, Port], int] = {}
        self.self_loops: dict[int, list[int]] = {}
        self.box_spans: dict[int, int] = {}
        self.bits: dict[tuple[int, int], int] = {}
        self.owner: dict[tuple[int, int], int] = {}
        self.marks: dict[tuple[int, int], str] = {}
        self.groups: list[tuple[int, ...]] = []
        self.group_ids: dict[tuple[int, ...], int] = {}

    def build(self) -> GraphLayout:
        self._cut_edges(self._layer_numbers())
        self._order()
        self._assign_ports()
        self._place()
        across = max((item.pos + item.span for item in self.items), default=0)
        channels = [self._route(gap, across) for gap in self.gaps]
        depth = BOX_HEIGHT if self.direction == "down" else self.node_width
        lead = LEAD[self.direction]
        starts = [0]
        for channel, gap in zip(channels, self.gaps, strict=True):
            starts.append(starts[-1] + depth + lead + channel.jog_rows + channel.tracks + self._zone(gap))
        for k, layer in enumerate(self.layers):
            self._draw_layer(layer, starts[k], depth)
        for k, channel in enumerate(channels):
            self._draw_gap(channel, starts[k] + depth, starts[k + 1])
        along = starts[-1] + depth if self.layers else 0
        size = (across, along) if self.direction == "down" else (along, across)
        cells = {self._screen(cell): (LINE_CHARS[bits], self.owner[cell]) for cell, bits in self.bits.items()}
        for cell, mark in self.marks.items():
            cells[self._screen(cell)] = (mark, self.owner[cell])
        self._place_labels(cells, starts, size[0])
        names = [node.name for node in self.model.nodes]
        layers = [[names[item.node] for item in layer if item.node is not None] for layer in self.layers]
        return GraphLayout(self.model, self.direction, size, self._boxes(starts), layers, cells, self.groups)

    # -- layers, dummies, order --

    def _layer_numbers(self) -> list[int]:
        """Longest path from the sources, after reversing each cycle's back edges."""
        graph: nx.DiGraph[int] = nx.DiGraph()
        graph.add_nodes_from(range(len(self.items)))
        for edge in self.model.edges:
            sender, receiver = self.index[edge.sender], self.index[edge.receiver]
            if sender != receiver:
                graph.add_edge(sender, receiver)
        back = _back_edges(graph)
        dag: nx.DiGraph[int] = nx.DiGraph()
        dag.add_nodes_from(graph)
        dag.add_edges_from((v, u) if (u, v) in back else (u, v) for u, v in graph.edges)
        layer_of = [0] * len(self.items)
        for node in nx.topological_sort(dag):
            layer_of[node] = max((layer_of[u] + 1 for u in dag.predecessors(node)), default=0)
        return layer_of

    def _cut_edges(self, layer_of: list[int]) -> None:
        """Each edge becomes a chain of pieces, one per gap, through dummies shared by edges from one port."""
        for item, layer in zip(self.items, layer_of, strict=True):
            item.layer = layer
        self.gaps = [{} for _ in range(max(layer_of, default=0))]
        dummies: dict[tuple[Point, int], int] = {}
        for index, edge in enumerate(self.model.edges):
            sender, receiver = self.index[edge.sender], self.index[edge.receiver]
            if sender == receiver:
                self.self_loops.setdefault(sender, []).append(index)
                continue
            upper, upper_port, lower, lower_port = (
                sender,
                ("out", edge.sender_socket),
                receiver,
                ("in", edge.receiver_socket),
            )
            if layer_of[sender] > layer_of[receiver]:  # a back edge, drawn upwards into the receiver's far side
                upper, upper_port = receiver, ("in_back", edge.receiver_socket)
                lower, lower_port = sender, ("out_back", edge.sender_socket)
            self.first_edge.setdefault((upper, upper_port), index)
            self.first_edge.setdefault((lower, lower_port), index)
            previous: Point = (upper, upper_port)
            for layer in range(layer_of[upper] + 1, layer_of[lower]):
                dummy = dummies.get((previous, layer))
                if dummy is None:
                    dummy = dummies[previous, layer] = len(self.items)
                    self.items.append(_Item(dummy, layer, None))
                self.items[dummy].edges.append(index)
                self.gaps[layer - 1].setdefault((previous, (dummy, None)), []).append(index)
                previous = (dummy, None)
            self.gaps[layer_of[lower] - 1].setdefault((previous, (lower, lower_port)), []).append(index)
        for gap in self.gaps:
            for top, bottom in gap:
                self.items[top[0]].down.append((top[1], bottom))
                self.items[bottom[0]].up.append((bottom[1], top))
        self.layers = [[] for _ in range(max(layer_of, default=-1) + 1)]
        for item in self.items:
            self.layers[item.layer].append(item)

    def _order(self) -> None:
        """Barycenter sweeps down and up, keeping the order with the fewest crossings (the first, on ties)."""
        self._number()
        best, fewest = [list(layer) for layer in self.layers], self._crossings()
        for _ in range(ORDER_ROUNDS):
            for sweep, by_upper in ((range(1, len(self.layers)), True), (range(len(self.layers) - 2, -1, -1), False)):
                for k in sweep:
                    self.layers[k] = self._by_barycenter(self.layers[k], by_upper)
                    self._number(self.layers[k])
                crossings = self._crossings()
                if crossings < fewest:
                    best, fewest = [list(layer) for layer in self.layers], crossings
            if fewest == 0:
                break
        self.layers = best
        self._number()

    def _number(self, *layers: list[_Item]) -> None:
        """While ordering, an item's `pos` is its index in its layer."""
        for layer in layers or self.layers:
            for position, item in enumerate(layer):
                item.pos = position

    def _by_barycenter(self, layer: list[_Item], by_upper: bool) -> list[_Item]:
        """Sort by the mean index of the neighbours on one side; items without any stay after their left one."""
        keyed = []
        carried = -1.0
        for position, item in enumerate(layer):
            links = item.up if by_upper else item.down
            if links:
                carried = sum(self.items[other[0]].pos for _, other in links) / len(links)
            keyed.append((carried, position, item))
        keyed.sort(key=lambda entry: entry[:2])
        return [item for _, _, item in keyed]

    def _crossings(self) -> int:
        total = 0
        for k, gap in enumerate(self.gaps):
            pairs = sorted((self.items[a[0]].pos, self.items[b[0]].pos) for a, b in gap)
            total += _inversions([lower for _, lower in pairs], len(self.layers[k + 1]))
        return total

    # -- ports and positions --

    def _assign_ports(self) -> None:
        """Ports spread evenly along each side, ordered like the items at their other ends, so they do not cross.

        Drawing rightwards, a box grows taller than `BOX_HEIGHT` when one side needs more ports than it has rows.
        """
        for item in self.items[: len(self.model.nodes)]:
            node = item.index
            sides = []
            for links in (item.up, item.down):
                where: dict[Port, list[int]] = {}
                for port, other in links:
                    assert port is not None
                    where.setdefault(port, []).append(self.items[other[0]].pos)
                rank = {p: (sum(at) / len(at), self.first_edge[node, p]) for p, at in where.items()}
                sides.append(sorted(where, key=rank.__getitem__))
            span = self.node_width
            if self.direction == "right":
                span = max(BOX_HEIGHT, 2 + max(len(ports) for ports in sides))
            for ports in sides:
                inner = span - 2
                for i, port in enumerate(ports):
                    self.offsets[node, port] = 1 + min(inner - 1, (2 * i + 1) * inner // (2 * len(ports)))
            self.box_spans[node] = span
            loop_room = (2 if self.direction == "down" else 1) if node in self.self_loops else 0
            item.span = span + loop_room

    def _offset(self, item: int, port: Port | None) -> int:
        return 0 if port is None else self.offsets[item, port]

    def _point_pos(self, point: Point) -> int:
        return self.items[point[0]].pos + self._offset(*point)

    def _place(self) -> None:
        """Start packed; hang each layer under the one above, then centre the sources over what they feed, and
        again. Hanging from above keeps single-parent chains and long edges straight and centres a box between
        the senders it merges; only sources (all in the first layer) have nothing above to hang from."""
        for layer in self.layers:
            offset = 0
            for j, item in enumerate(layer):
                offset += self._spacing(layer, j)
                item.pos = offset
        for round_ in range(PLACE_ROUNDS):
            if round_ and self.layers:
                self._align(self.layers[0], by_upper=False)
            for k in range(1, len(self.layers)):
                self._align(self.layers[k], by_upper=True)
        shift = min((item.pos for item in self.items), default=0)
        for item in self.items:
            item.pos -= shift

    def _spacing(self, layer: list[_Item], j: int) -> int:
        """How far item `j` must start after item `j - 1`: its span plus a gap, wider between two boxes."""
        if j == 0:
            return 0
        left, right = layer[j - 1], layer[j]
        both_boxes = left.node is not None and right.node is not None
        return left.span + (NODE_GAP if both_boxes else LINE_GAP)[self.direction]

    def _align(self, layer: list[_Item], *, by_upper: bool) -> None:
        """The positions nearest the neighbours' ports that keep the order and the gaps: weighted isotonic
        regression of `pos - packed offset`, which turns "no overlap" into "non-decreasing". Dummies weigh
        double, so long edges stay straight and boxes make way for them."""
        packed, targets, weights = [], [], []
        offset = 0
        for j, item in enumerate(layer):
            offset += self._spacing(layer, j)
            packed.append(offset)
            links = item.up if by_upper else item.down
            if links:
                pull = sum(self._point_pos(other) - self._offset(item.index, port) for port, other in links)
                targets.append(pull / len(links) - offset)
                weights.append(len(links) * (2.0 if item.node is None else 1.0))
            else:
                targets.append(float(item.pos - offset))
                weights.append(FREE_WEIGHT)
        for item, value, base in zip(layer, _isotonic(targets, weights), packed, strict=True):
            item.pos = math.floor(value + 0.5) + base

    # -- routing --

    def _route(self, gap: Gap, across: int) -> _Channel:
        """Group a gap's pieces into nets and give each net that turns a track (a row of the gap)."""
        by_lower: dict[Point, dict[Point, list[int]]] = {}
        for (upper, lower), edges in gap.items():
            by_lower.setdefault(lower, {})[upper] = edges
        nets: list[_Net] = []
        splits: dict[Point, _Net] = {}
        for lower, uppers in by_lower.items():
            if len(uppers) > 1:
                nets.append(_Net(dict(uppers), {lower: [e for edges in uppers.values() for e in edges]}))
                continue
            ((upper, edges),) = uppers.items()
            net = splits.get(upper)
            if net is None:
                net = splits[upper] = _Net({upper: []}, {})
                nets.append(net)
            net.tops[upper].extend(edges)
            net.bottoms[lower] = list(edges)
        for net in nets:
            spots = [self._point_pos(p) for p in (*net.tops, *net.bottoms)]
            net.lo, net.hi = min(spots), max(spots)
        taken = {self._point_pos(point) for upper, lower in gap for point in (upper, lower)}
        turning = [net for net in nets if net.lo < net.hi]
        jog_rows = _jog(turning, self._point_pos, taken, across)
        tracks = _left_edge([(net.lo, net.hi) for net in turning], _constraints(turning, self._point_pos))
        for net, track in zip(turning, tracks, strict=True):
            net.track = track
        return _Channel(nets, jog_rows, max(tracks, default=-1) + 1)

    def _zone(self, gap: Gap) -> int:
        """Cells between the last track and the receivers: one row for labels beside the lines when drawing
        downwards; when drawing rightwards, as many columns as the longest label needs, within a cap."""
        if self.direction == "down":
            return 1
        labels = [_label_options(self.model.edges[e] for e in edges)[0] for _, edges in _receiver_ports(gap)]
        longest = max((min(len(label), LABEL_CAP) for label in labels), default=0)
        return longest + 2 if longest else 2

    def _group(self, edges: Iterable[int]) -> int:
        key = tuple(sorted(set(edges)))
        group = self.group_ids.get(key)
        if group is None:
            group = self.group_ids[key] = len(self.groups)
            self.groups.append(key)
        return group

    def _own(self, cell: tuple[int, int], group: int) -> None:
        """Cells where two nets cross belong to both, so either one's edges can light them."""
        current = self.owner.get(cell)
        if current is None or current == group:
            self.owner[cell] = group
        else:
            self.owner[cell] = self._group(self.groups[current] + self.groups[group])

    def _run(self, fixed: int, start: int, end: int, group: int, along_layers: bool) -> None:
        """A straight line from `start` to `end` (inclusive) across layers (at order position `fixed`) or
        along one (at layer coordinate `fixed`)."""
        step = 1 if end >= start else -1
        delta = (step, 0) if along_layers else (0, step)
        leaving, entering = STEP_BITS[self.direction][delta], STEP_BITS[self.direction][(-delta[0], -delta[1])]
        bits = self.bits
        for value in range(start, end + step, step):
            cell = (value, fixed) if along_layers else (fixed, value)
            if value != start:
                bits[cell] = bits.get(cell, 0) | entering
            if value != end:
                bits[cell] = bits.get(cell, 0) | leaving
            self._own(cell, group)

    def _draw_layer(self, layer: list[_Item], start: int, depth: int) -> None:
        """Dummies as lines through the layer; port marks on the box borders; self-loops beside their box."""
        marks = PORT_MARKS[self.direction]
        for item in layer:
            if item.node is None:
                self._run(item.pos, start, start + depth - 1, self._group(item.edges), True)
                continue
            ports: dict[Port, list[int]] = {}
            for port, other in item.up:
                assert port is not None
                ports.setdefault(port, []).extend(self.gaps[item.layer - 1][other, (item.index, port)])
            for port, other in item.down:
                assert port is not None
                ports.setdefault(port, []).extend(self.gaps[item.layer][(item.index, port), other])
            for port, edges in ports.items():
                row = start if port[0] in NEAR_KINDS else start + depth - 1
                cell = (row, item.pos + self.offsets[item.index, port])
                self.marks[cell] = marks[port[0]]
                self.owner[cell] = self._group(edges)
            loops = self.self_loops.get(item.index)
            if loops:
                self._draw_self_loop(item.pos + self.box_spans[item.index] - 1, start, depth, self._group(loops))

    def _draw_self_loop(self, border: int, start: int, depth: int, group: int) -> None:
        """Out of the box's far side and straight back in: `◀┐` over `├┘` (drawing down), beside the box."""
        middle = start + depth // 2
        receiver, sender = middle - 1, middle if self.direction == "down" else middle + 1
        self._run(sender, border, border + 1, group, False)
        self._run(border + 1, sender, receiver, group, True)
        self._run(receiver, border + 1, border, group, False)
        marks = PORT_MARKS[self.direction]
        self.marks[receiver, border] = marks["in_self"]
        self.marks[sender, border] = marks["out_self"]
        self.owner[receiver, border] = self.owner[sender, border] = group

    def _draw_gap(self, channel: _Channel, start: int, end: int) -> None:
        """Lines from the layer above (its last row is `start - 1`) to the layer below (first row `end`)."""
        jogs = start + LEAD[self.direction]
        tracks = jogs + channel.jog_rows
        for net in channel.nets:
            if net.track < 0:
                for upper, edges in net.tops.items():
                    self._run(self._point_pos(upper), start - 1, end, self._group(edges), True)
                continue
            row = tracks + net.track
            for upper, edges in net.tops.items():
                group, column = self._group(edges), self._point_pos(upper)
                if upper in net.jogs:
                    aside, jog = net.jogs[upper]
                    self._run(column, start - 1, jogs + jog, group, True)
                    self._run(jogs + jog, column, aside, group, False)
                    column, leave = aside, jogs + jog
                else:
                    leave = start - 1
                self._run(column, leave, row, group, True)
            self._run(row, net.lo, net.hi, self._group(e for edges in net.tops.values() for e in edges), False)
            for lower, edges in net.bottoms.items():
                self._run(self._point_pos(lower), row, end, self._group(edges), True)

    # -- output --

    def _screen(self, cell: tuple[int, int]) -> tuple[int, int]:
        """(layer axis, order axis) -> (x, y)."""
        return (cell[1], cell[0]) if self.direction == "down" else cell

    def _boxes(self, starts: list[int]) -> dict[str, Box]:
        boxes: dict[str, Box] = {}
        for node, item in zip(self.model.nodes, self.items[: len(self.model.nodes)], strict=True):
            if self.direction == "down":
                boxes[node.name] = Box(item.pos, starts[item.layer], self.node_width, BOX_HEIGHT)
            else:
                boxes[node.name] = Box(starts[item.layer], item.pos, self.node_width, self.box_spans[item.index])
        return boxes

    def _place_labels(self, cells: dict[tuple[int, int], tuple[str, int]], starts: list[int], width: int) -> None:
        """Socket names beside the line into each receiver where blank cells allow: `sender→receiver`, else the
        receiver's socket, else nothing. A blank cell is kept on either side so labels never touch a line."""
        for k, gap in enumerate(self.gaps):
            border = starts[k + 1]
            zone_start = border - self._zone(gap) + 1
            for lower, edges in _receiver_ports(gap):
                spot = self._point_pos(lower)
                if self.direction == "down":
                    tries = [(border - 1, spot + 2, width)]
                else:
                    tries = [(spot - 1, zone_start, border - 1), (spot + 1, zone_start, border - 1)]
                for text in _label_options(self.model.edges[e] for e in edges):
                    placed = next((attempt for attempt in tries if _fits(cells, text, *attempt)), None)
                    if placed is not None:
                        row, x, _ = placed
                        for i, char in enumerate(text):
                            cells[x + i, row] = (char, LABEL)
                        break


def _fits(cells: dict[tuple[int, int], tuple[str, int]], text: str, row: int, x: int, limit: int) -> bool:
    """Whether `text` fits at (x, row) before `limit`, on blank cells with a blank one either side."""
    if x + len(text) > limit:
        return False
    return all((column, row) not in cells for column in range(x - 1, min(x + len(text) + 1, limit)))


def _receiver_ports(gap: Gap) -> Iterator[tuple[Point, list[int]]]:
    """The receiver ports a gap's lines arrive at from above, each with its edges: where labels go."""
    ports: dict[Point, list[int]] = {}
    for (_, lower), edges in gap.items():
        if lower[1] is not None and lower[1][0] == "in":
            ports.setdefault(lower, []).extend(edges)
    yield from ports.items()


def _label_options(edges: Iterable[GraphEdge]) -> list[str]:
    edges = list(edges)
    receiver_socket = edges[0].receiver_socket
    sender_sockets = {edge.sender_socket for edge in edges}
    if len(sender_sockets) == 1 and receiver_socket not in sender_sockets:
        return [f"{edges[0].sender_socket}→{receiver_socket}", receiver_socket]
    return [receiver_socket]


def _back_edges(graph: nx.DiGraph) -> set[tuple[int, int]]:
    """Edges that close a cycle: inside each strongly connected component (from the condensation), those that
    go against a depth-first order started where the loop is entered from outside."""
    back: set[tuple[int, int]] = set()
    condensed = nx.condensation(graph)
    for component in condensed.nodes:
        members = condensed.nodes[component]["members"]
        if len(members) < 2:
            continue
        entries = sorted(v for v in members if any(u not in members for u in graph.predecessors(v)))
        start = entries[0] if entries else min(members)
        inner = graph.subgraph(members)
        rank = {v: i for i, v in enumerate(reversed(list(nx.dfs_postorder_nodes(inner, start))))}
        back.update((u, v) for u, v in inner.edges if rank[u] > rank[v])
    return back


def _inversions(values: list[int], size: int) -> int:
    """Pairs out of order, with a Fenwick tree: the crossings between two layers in O(E log V)."""
    tree = [0] * (size + 1)
    total = 0
    for seen, value in enumerate(values):
        i, not_above = value + 1, 0
        while i > 0:
            not_above += tree[i]
            i -= i & -i
        total += seen - not_above
        i = value + 1
        while i <= size:
            tree[i] += 1
            i += i & -i
    return total


def _isotonic(targets: list[float], weights: list[float]) -> list[float]:
    """Pool adjacent violators: the non-decreasing sequence nearest to `targets` in weighted least squares."""
    blocks: list[list[float]] = []  # [weighted sum, weight, length]
    for target, weight in zip(targets, weights, strict=True):
        blocks.append([target * weight, weight, 1])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, mass, length = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += mass
            blocks[-1][2] += length
    return [total / mass for total, mass, length in blocks for _ in range(int(length))]


def _constraints(nets: list[_Net], pos: Callable[[Point], int]) -> nx.DiGraph:
    """Net i must run above net j when i comes down from the layer above at the column where j goes down into
    the layer below, or their verticals would overlap; each edge keeps the upper points that require it."""
    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(len(nets)))
    lower_at = {pos(point): j for j, net in enumerate(nets) for point in net.bottoms}
    for i, net in enumerate(nets):
        for point in net.tops:
            j = lower_at.get(pos(point))
            if j is not None and j != i and point not in net.jogs:
                if not graph.has_edge(i, j):
                    graph.add_edge(i, j, points=[])
                graph.edges[i, j]["points"].append(point)
    return graph


def _jog(nets: list[_Net], pos: Callable[[Point], int], taken: set[int], across: int) -> int:
    """Break each cycle of constraints (no order of tracks would satisfy it) by a dogleg: one of the upper
    lines in it steps aside, on a jog row above every track, to a column no other line uses, and comes down
    there instead. Returns how many jog rows that takes (almost always 0 or 1)."""
    graph = _constraints(nets, pos)
    jogs: list[tuple[_Net, Point, int, int]] = []
    while True:
        try:
            i, j = nx.find_cycle(graph)[0][:2]
        except nx.NetworkXNoCycle:
            break
        for point in graph.edges[i, j]["points"]:
            column = pos(point)
            aside = next(c for d in count(1) for c in (column + d, column - d) if 0 <= c < across and c not in taken)
            taken.add(aside)
            net = nets[i]
            net.lo, net.hi = min(net.lo, aside), max(net.hi, aside)
            jogs.append((net, point, column, aside))
        graph.remove_edge(i, j)
    rows = _left_edge([(min(c, a), max(c, a)) for _, _, c, a in jogs], nx.DiGraph())
    for (net, point, _, aside), row in zip(jogs, rows, strict=True):
        net.jogs[point] = (aside, row)
    return max(rows, default=-1) + 1


def _left_edge(spans: list[tuple[int, int]], above: nx.DiGraph) -> list[int]:
    """Left-edge channel routing: fill rows from the top with spans that do not overlap, each placed once
    every span that must lie above it (its predecessors in `above`, a DAG) has a row. Returns their rows."""
    rows = [-1] * len(spans)
    remaining = sorted(range(len(spans)), key=lambda i: (*spans[i], i))
    row = 0
    while remaining:
        last, left = -math.inf, []
        placed = []
        for i in remaining:
            ready = all(0 <= rows[j] < row for j in above.predecessors(i)) if i in above else True
            if ready and spans[i][0] > last:
                placed.append(i)
                last = spans[i][1]
            else:
                left.append(i)
        for i in placed:
            rows[i] = row
        remaining = left
        row += 1
    return rows
