"""The run as a Gantt chart in character cells, for the timeline pane: one lane per component, a bar per visit.

Pure Python with no Textual import, so it is tested and benchmarked headless. `TimelineModel.from_summary`
indexes a `RunSummary` once (bars per lane sorted by start, with the running maximum of their ends); `render`
then draws any window of it, bisecting each visible lane for the bars in the visible time window, so a frame
costs what is on screen, not what the run holds (10,000 spans render a 120x40 frame in a few milliseconds).

`TimelineModel.from_groups` puts several runs on one time axis (the queries of a comparison), each under a
header row with its title. Visit ids are only unique within a run, so a bar is named by its `VisitKey`,
(group, visit id); a single run is group 0.

A visit whose component had its inputs but waited for a concurrency slot or its turn (`ComponentReady`) is led
up to by a dotted line (`┄`) from when it was ready: waiting is neither running nor missing inputs.

The run's pauses (`RunPaused`..`RunResumed`) shade every lane's empty cells with a band (`┊`): the axis stays
real time, so bars keep their true places, and the band shows which stretch was not pipeline time. A replay's
`playhead` is drawn as a column (`│`) across the lanes, over empty cells.

Spans of other services under a visit (HTTP or LLM calls of a run imported from OpenTelemetry) are drawn as thin
bars (`━`) on child rows right under their component's lane, packed so that overlapping calls get a row each.

Horizontal precision is 1/8 column: a bar starts at the column nearest its start (a cell can only be filled
from its left edge) and its length is drawn in full blocks plus one left partial block (`▏▎▍▌▋▊▉`).
"""

from __future__ import annotations

import dataclasses
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from pipeline.runs.compare import critical_path
from pipeline.runs.spans import ChildRecord, RunSummary, SpanStatus
from tui.layout.dag import BLANK, Cell, elide

BLOCKS = " ▏▎▍▌▋▊▉█"
"""Index = eighths of a cell filled from its left edge."""
TICK_MARK = "▏"
"""Drawn at a tick's column, before its label: its left edge is the tick's time."""
MAX_GUTTER = 20
"""Longest lane label shown; longer component names are elided with `…`."""
UNITS: tuple[tuple[float, str], ...] = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"))
NICE = (1, 2, 5)
GROUP_MARK = "▾ "
"""Drawn before a group's title on its header row."""
VISIT_MARK = "#"
"""Before a visit's number, drawn on the bars of a component visited more than once (a loop): `#2`."""
WARM_UP = "░"
"""Shades a component's lane while its `warm_up()` ran (loading a model, indexing a corpus) during the run."""
CHILD_FULL = "━"
"""A cell a child span covers whole: thinner than a visit's bar, so it reads as part of the visit above."""
CHILD_PARTIAL = "╸"
"""A child span's last, partly covered cell (and a span shorter than a cell)."""
CHILD_LANE = "↳"
"""The label of a child row, under its component's name."""
MAX_CHILD_ROWS = 3
"""Child rows per component at most; more overlapping calls share the last one."""
WAITING = "┄"
"""Leads up to a visit's bar from when its component was ready to run but waited for a concurrency slot or its
turn (and runs on to now for one still waiting)."""
PAUSED = "┊"
"""Shades the empty cells of every lane while the run stood paused (at a breakpoint, a step, a pause)."""
PLAYHEAD = "│"
"""A replay's current time, drawn across the lanes where no bar is."""
PLAYHEAD_MARK = "▼"
"""The playhead's cell on the time axis."""
LOG_MARK = "•"
"""Where a component logged, on its bar (`LOUD_LOG_MARK` for warnings, errors and stderr)."""
LOUD_LOG_MARK = "!"
LOUD_LEVELS = frozenset({"stderr", "warning", "error", "critical"})

VisitKey = tuple[int, int]
"""(group, visit id): what names a bar, since visit ids repeat across the runs of a grouped model."""
Connections = Iterable[tuple[str, str, str, str]]


class Bar(NamedTuple):
    """One visit drawn in its component's lane; `end` is `None` while it runs. Times are on the model's axis."""

    visit_id: int
    lane: int
    start: float
    end: float | None
    status: SpanStatus
    group: int = 0
    visit: int = 0
    """The component's visit number (1 for its first), as the engine counts them; 0 when unknown."""

    @property
    def key(self) -> VisitKey:
        return self.group, self.visit_id


class ChildBar(NamedTuple):
    """A span of another service under visit `visit_id` of `component`, on a child row; times on the axis."""

    lane: int
    start: float
    end: float
    name: str
    component: str
    visit_id: int
    failed: bool = False
    group: int = 0

    @property
    def key(self) -> VisitKey:
        """The visit it belongs to: selecting that visit highlights it."""
        return self.group, self.visit_id


def _extent(start: float, end: float, scale: float, offset: float) -> tuple[int, int]:
    """(first column, length in eighths of a column, at least 1) of a bar. It starts at the column nearest its
    start, unless that column begins at or after its end (a visit shorter than half a column, at the end of the
    run, would land past the last column): then at the column its start falls in, so every visit gets a cell."""
    start_column = (start - offset) / scale
    column = math.floor(start_column + 0.5)
    if column >= (end - offset) / scale and column > math.floor(start_column):
        column = math.floor(start_column)
    eighths = round((end - start) / scale * 8)
    return column, eighths if eighths > 0 else 1


def format_duration(seconds: float) -> str:
    """Three significant digits in the unit that suits: `2.10 s`, `12.5 ms`, `850 µs`, `0 s`."""
    if seconds <= 0:
        return "0 s"
    size, name = next(((size, name) for size, name in UNITS if seconds >= size * 0.9995), UNITS[-1])
    value = seconds / size
    decimals = 2 if value < 9.995 else 1 if value < 99.95 else 0
    return f"{value:.{decimals}f} {name}"


def tick_unit(largest: float, step: float) -> tuple[float, str]:
    """The unit for an axis whose ticks reach `largest` seconds (absolute) every `step` seconds."""
    reach = max(largest, step) * (1 + 1e-9)
    return next(((size, name) for size, name in UNITS if reach >= size), UNITS[-1])


def format_tick(value: float, step: float, unit: tuple[float, str]) -> str:
    """`value` seconds in `unit`, with as many decimals as `step` needs: `0`, `250 ms`, `1.5 s`, `12.4 ms`."""
    size, name = unit
    decimals = max(0, -math.floor(math.log10(step / size) + 1e-9))
    text = f"{value / size:.{decimals}f}"
    if text.lstrip("-").strip("0.") == "":
        return "0"
    return f"{text} {name}"


def time_ticks(offset: float, span: float, width: int, min_gap: int = 10) -> list[tuple[int, str]]:
    """Ticks every 1, 2 or 5 x 10^n seconds across `width` columns showing `span` seconds from `offset`:
    (column, label) pairs, the labels in one unit (µs, ms or s), at least `min_gap` columns apart and each with
    room for a tick mark and a blank before the next one."""
    if width <= 0 or span <= 0:
        return []
    scale = span / width
    exponent = math.floor(math.log10(scale * max(min_gap, 1))) - 1
    for _ in range(40):
        for mantissa in NICE:
            step = mantissa * 10.0**exponent
            columns = step / scale
            if columns < min_gap:
                continue
            first = math.ceil(offset / step - 1e-9)
            times = []
            for k in range(first, first + int(width / columns) + 2):
                column = round((k * step - offset) / scale)
                if 0 <= column < width:
                    times.append((column, k * step))
            unit = tick_unit(max((abs(t) for _, t in times), default=0.0), step)
            ticks = [(column, format_tick(t, step, unit)) for column, t in times]
            # a mark, the label and a blank before the next tick, whatever the rounding of columns did
            if all(b - a >= max(min_gap, len(label) + 2) for (a, label), (b, _) in pairwise(ticks)):
                return ticks
        exponent += 1
    return []


@dataclass(slots=True)
class TimelineModel:
    """Lanes and bars of one or more runs, indexed for drawing windows of them. Rebuild it as the runs grow."""

    lanes: list[str]
    """Component names, in order of first start within each group; a header lane holds its group's title."""
    bars: list[Bar]
    """Every visit, group by group, in the order each summary lists them."""
    end: float
    """The latest time the summaries know of: their ends, or their last start or finish while they run."""
    critical: frozenset[VisitKey] = frozenset()
    """Visits on their run's critical path (empty without connections)."""
    headers: frozenset[int] = frozenset()
    """Lanes that head a group: no bars, the title drawn across the row."""
    warm_ups: tuple[tuple[int, float, float], ...] = ()
    """(lane, start, end) of each component's warm-up within the run: drawn, never selected."""
    children: tuple[ChildBar, ...] = ()
    """Spans of other services under the visits, on the child rows, in order of start."""
    child_lanes: frozenset[int] = frozenset()
    """Lanes that are child rows: no visit bars, a `↳` label."""
    pauses: tuple[tuple[float, float | None], ...] = ()
    """(start, end) of each pause on the axis; `None`: still paused (reaches `now`, else the model's end)."""
    playhead: float | None = None
    """A replay's current time on the axis, drawn as a column; `None` draws none."""
    waits: tuple[tuple[int, float, float | None], ...] = ()
    """(lane, ready, started) of each wait for a slot or a turn; `None`: still waiting (reaches `now`)."""
    logs: tuple[tuple[int, float, bool], ...] = ()
    """(lane, time, loud) where a component logged: a mark on its lane (`with_logs`)."""
    _by_lane: list[list[int]] = field(default_factory=list, repr=False, compare=False)
    """Per lane, indices into `bars` sorted by start."""
    _starts: list[list[float]] = field(default_factory=list, repr=False, compare=False)
    _reach: list[list[float]] = field(default_factory=list, repr=False, compare=False)
    """Per lane, the running maximum of the bars' ends (running bars: infinity), non-decreasing: bisectable."""
    _by_key: dict[VisitKey, int] | None = field(default=None, repr=False, compare=False)
    _longest_label: int | None = field(default=None, repr=False, compare=False)
    """Index into `bars` by key, built on the first lookup: drawing never needs it."""

    @classmethod
    def from_summary(
        cls,
        summary: RunSummary,
        *,
        connections: Connections | None = None,
        until: float = 0.0,
        lanes: Sequence[str] = (),
        children: Sequence[ChildRecord] = (),
    ) -> TimelineModel:
        """One run, no header lane: group 0, times relative to the run's start. The axis reaches at least `until`
        seconds: a replay shows the whole recording's time from the start, so playing or seeking never rescales.
        `lanes` come first, in that order, whether their components ran or not (the debugger lists the whole
        pipeline, so the pane's size stays put while a run goes on); other components follow as they start.
        `children`: spans of other services under the visits, drawn on child rows under their component."""
        model = cls._build([("", summary, 0.0)], connections, headed=False, until=until, first_lanes=lanes)
        return model._with_children(children) if children else model

    def with_playhead(self, seconds: float | None) -> TimelineModel:
        """This model with a replay's playhead at `seconds` (`None`: none), sharing its indices: cheap to call
        on every frame of a replay."""
        if seconds == self.playhead:
            return self
        model = dataclasses.replace(self, playhead=seconds)
        model._by_lane, model._starts, model._reach = self._by_lane, self._starts, self._reach
        return model

    def with_logs(self, marks: Sequence[tuple[str, float, str]]) -> TimelineModel:
        """This model with a mark on each (component, time on the axis, level) a component logged, sharing its
        indices; marks of components without a lane are dropped."""
        lane_of: dict[str, int] = {}
        for lane, name in enumerate(self.lanes):
            if lane not in self.headers and lane not in self.child_lanes:
                lane_of.setdefault(name, lane)
        logs = tuple(
            (lane_of[name], seconds, level in LOUD_LEVELS) for name, seconds, level in marks if name in lane_of
        )
        if logs == self.logs:
            return self
        model = dataclasses.replace(self, logs=logs)
        model._by_lane, model._starts, model._reach = self._by_lane, self._starts, self._reach
        return model

    @classmethod
    def from_groups(
        cls,
        groups: Sequence[tuple[str, RunSummary, float]],
        *,
        connections: Connections | None = None,
        until: float = 0.0,
    ) -> TimelineModel:
        """Several runs on one axis: per (title, summary, offset of the run's start from the common zero), a
        header lane titled `title`, then a lane per component of that run; group `i` is `groups[i]`. The axis
        reaches at least `until` seconds: a timeline compared with a longer one pans as far as it does."""
        return cls._build(groups, connections, headed=True, until=until)

    @classmethod
    def _build(
        cls,
        groups: Sequence[tuple[str, RunSummary, float]],
        connections: Connections | None,
        *,
        headed: bool,
        until: float,
        first_lanes: Sequence[str] = (),
    ) -> TimelineModel:
        links = None if connections is None else list(connections)
        lanes: list[str] = list(first_lanes)
        headers: list[int] = []
        bars: list[Bar] = []
        warm_ups: list[tuple[int, float, float]] = []
        pauses: list[tuple[float, float | None]] = []
        waits: list[tuple[int, float, float | None]] = []
        critical: set[VisitKey] = set()
        end = until
        for group, (title, summary, offset) in enumerate(groups):
            if headed:
                headers.append(len(lanes))
                lanes.append(title)
            lane_of: dict[str, int] = {name: lane for lane, name in enumerate(first_lanes)}
            for span in summary.spans:
                lane = lane_of.get(span.component)
                if lane is None:
                    lane = lane_of[span.component] = len(lanes)
                    lanes.append(span.component)
                start = offset + span.started_at
                finish = None if span.finished_at is None else offset + span.finished_at
                if span.status == "held":  # held back by a pause: it has not begun, so it does not grow
                    finish = start
                bars.append(Bar(span.visit_id, lane, start, finish, span.status, group, span.visit))
                end = max(end, start if finish is None else finish)
                if span.ready_at is not None:
                    waits.append((lane, offset + span.ready_at, start))
            for component, (since, _) in summary.ready.items():
                lane = lane_of.get(component)
                if lane is None:
                    lane = lane_of[component] = len(lanes)
                    lanes.append(component)
                waits.append((lane, offset + since, None))
                end = max(end, offset + since)
            for component, (started, finished) in summary.warm_ups.items():
                lane = lane_of.get(component)
                if lane is None:  # warmed up, never ran (yet)
                    lane = lane_of[component] = len(lanes)
                    lanes.append(component)
                warm_ups.append((lane, offset + started, offset + finished))
                end = max(end, offset + finished)
            for pause in summary.pauses:
                pauses.append((offset + pause.started_at, None if pause.ended_at is None else offset + pause.ended_at))
                end = max(end, offset + (pause.started_at if pause.ended_at is None else pause.ended_at))
            if summary.ended_at is not None:
                end = max(end, offset + summary.ended_at)
            if links is not None:
                critical.update((group, visit_id) for visit_id in _critical_visits(summary, links))
        model = cls(
            lanes,
            bars,
            end,
            frozenset(critical),
            frozenset(headers),
            tuple(warm_ups),
            pauses=tuple(pauses),
            waits=tuple(waits),
        )
        model._index()
        return model

    def _with_children(self, children: Sequence[ChildRecord]) -> TimelineModel:
        """This single-run model with child rows inserted under the lanes of the components that have children."""
        lane_of = {name: lane for lane, name in enumerate(self.lanes) if lane not in self.headers}
        lanes = list(self.lanes)
        rows: dict[int, list[list[ChildRecord]]] = {}
        for span in sorted(children, key=lambda child: child.started_at):
            lane = lane_of.get(span.component)
            if lane is None:  # a child of a component with no lane (its start not seen yet): give it one
                lane = lane_of[span.component] = len(lanes)
                lanes.append(span.component)
            packed = rows.setdefault(lane, [])
            free = next((row for row in packed if row[-1].finished_at <= span.started_at), None)
            if free is None and len(packed) < MAX_CHILD_ROWS:
                free = []
                packed.append(free)
            (free if free is not None else packed[-1]).append(span)
        new_lane: list[int] = []
        order: list[str] = []
        child_lanes: list[int] = []
        bars: list[ChildBar] = []
        end = self.end
        for lane, name in enumerate(lanes):
            new_lane.append(len(order))
            order.append(name)
            for row in rows.get(lane, ()):
                child_lanes.append(len(order))
                order.append(CHILD_LANE)
                for span in row:
                    bars.append(
                        ChildBar(
                            child_lanes[-1],
                            span.started_at,
                            span.finished_at,
                            span.name,
                            span.component,
                            span.visit_id,
                            span.failed,
                        )
                    )
                    end = max(end, span.finished_at)
        model = TimelineModel(
            order,
            [bar._replace(lane=new_lane[bar.lane]) for bar in self.bars],
            end,
            self.critical,
            frozenset(new_lane[lane] for lane in self.headers),
            tuple((new_lane[lane], started, finished) for lane, started, finished in self.warm_ups),
            tuple(sorted(bars, key=lambda bar: bar.start)),
            frozenset(child_lanes),
            self.pauses,
            self.playhead,
            waits=tuple((new_lane[lane], ready, started) for lane, ready, started in self.waits),
        )
        model._index()
        return model

    def _index(self) -> None:
        by_lane: list[list[int]] = [[] for _ in self.lanes]
        for index, bar in enumerate(self.bars):
            by_lane[bar.lane].append(index)
        bars = self.bars
        self._by_lane, self._starts, self._reach = [], [], []
        for indices in by_lane:
            indices.sort(key=lambda index: bars[index].start)
            reach, furthest = [], -math.inf
            for index in indices:
                bar_end = bars[index].end
                furthest = max(furthest, math.inf if bar_end is None else bar_end)
                reach.append(furthest)
            self._by_lane.append(indices)
            self._starts.append([bars[index].start for index in indices])
            self._reach.append(reach)

    def gutter_width(self, width: int) -> int:
        """Columns of lane labels (and one blank) left of the bars; at most a third of the pane."""
        if self._longest_label is None:  # asked for on every redraw and scroll: measured once per model
            names = (name for lane, name in enumerate(self.lanes) if lane not in self.headers)
            self._longest_label = max((len(name) for name in names), default=0)
        longest = min(self._longest_label, MAX_GUTTER, width // 3 - 1)
        return longest + 1 if longest > 0 else 0

    def extent(self, now: float | None = None) -> float:
        """The time the axis must reach to show everything: the model's end, or `now` while bars run."""
        return max(self.end, now or 0.0)

    def fit(self, width: int, now: float | None = None) -> float:
        """The scale (seconds per column) that shows the whole run, up to `now` if given, in `width` columns."""
        area = max(1, width - self.gutter_width(width))
        total = self.extent(now)
        return total / area if total > 0 else 1e-3

    def bar(self, key: VisitKey) -> Bar | None:
        """The bar of visit `key` = (group, visit id), if the model has it."""
        if self._by_key is None:
            self._by_key = {bar.key: index for index, bar in enumerate(self.bars)}
        index = self._by_key.get(key)
        return None if index is None else self.bars[index]

    def lane_bars(self, lane: int) -> list[Bar]:
        """The bars of a lane in order of start (none for a header lane)."""
        return [self.bars[index] for index in self._by_lane[lane]] if 0 <= lane < len(self.lanes) else []

    def next_bar(self, key: VisitKey, step: int) -> Bar | None:
        """The bar `step` places later (earlier, if negative) in the same lane as `key`'s, if there is one."""
        bar = self.bar(key)
        if bar is None:
            return None
        in_lane = self.lane_bars(bar.lane)
        position = in_lane.index(bar) + step
        return in_lane[position] if 0 <= position < len(in_lane) else None

    def nearest_bar(self, lane: int, seconds: float, step: int) -> Bar | None:
        """From `lane` on, `step` (1 or -1) lanes at a time, the first lane with bars: its bar closest to
        `seconds` (one running then, else the one whose start or end is nearest)."""

        def distance(bar: Bar) -> tuple[float, float]:
            end = self.end if bar.end is None else bar.end
            return max(bar.start - seconds, seconds - end, 0.0), abs(bar.start - seconds)

        for candidate in range(lane, len(self.lanes) if step > 0 else -1, step):
            in_lane = self.lane_bars(candidate)
            if in_lane:
                return min(in_lane, key=distance)
        return None

    def _visible(self, lane: int, t0: float, t1: float) -> list[int]:
        """Indices of the lane's bars that may touch the time window `[t0, t1]`, in start order."""
        lo = bisect_left(self._reach[lane], t0)
        hi = bisect_right(self._starts[lane], t1)
        return self._by_lane[lane][lo:hi]

    def render(
        self,
        viewport: tuple[float, int, float, int, int],
        now: float | None = None,
        selected: VisitKey | None = None,
    ) -> list[list[Cell]]:
        """Rows of cells for the viewport: the time axis, then one row per lane from `first_lane`; each row a
        label gutter and the bars in view, or a group's title across it. Running bars reach `now` (else the
        model's `end`). In a lane of several visits, a bar wide enough shows its visit number (`#2`) inside it."""
        offset, first, scale, width, height = viewport
        gutter = self.gutter_width(width)
        area = max(0, width - gutter)
        axis = [BLANK] * width
        for column, label in time_ticks(offset, scale * area, area):
            if column + len(TICK_MARK + label) <= area:  # a label cut at the edge would misread ("▏200" for 200 ms)
                for i, char in enumerate(TICK_MARK + label):
                    axis[gutter + column + i] = Cell(char, "axis")
        running_end = self.end if now is None else now
        paused = [False] * area
        for started, finished in self.pauses:
            x0 = max(0, math.floor((started - offset) / scale))
            x1 = min(area, math.ceil(((running_end if finished is None else finished) - offset) / scale))
            if finished is None:  # paused now: a column at least, even before the clock moves on
                x1 = max(x1, min(area, x0 + 1))
            paused[x0:x1] = [True] * max(0, x1 - x0)
        head = None if self.playhead is None else math.floor((self.playhead - offset) / scale)
        if head is not None and not 0 <= head < area:
            head = None
        if head is not None:
            axis[gutter + head] = Cell(PLAYHEAD_MARK, "playhead")
        rows = [axis] if height > 0 else []
        # a column of margin either side: starts round to the nearest column and lengths to an eighth
        t0, t1 = offset - scale, offset + (area + 1) * scale
        bars = self.bars
        critical = self.critical
        headers = self.headers
        warm_ups: dict[int, list[tuple[float, float]]] = {}
        for lane, started, finished in self.warm_ups:
            warm_ups.setdefault(lane, []).append((started, finished))
        waits: dict[int, list[tuple[float, float]]] = {}
        for lane, ready, began in self.waits:
            waits.setdefault(lane, []).append((ready, running_end if began is None else began))
        children: dict[int, list[ChildBar]] = {}
        if self.child_lanes:
            for child in self.children:
                if first <= child.lane < first + height - 1 and child.end >= t0 and child.start <= t1:
                    children.setdefault(child.lane, []).append(child)
        logs: dict[int, list[tuple[int, float, bool]]] = {}
        for mark in self.logs:
            logs.setdefault(mark[0], []).append(mark)
        for lane in range(max(first, 0), min(first + height - 1, len(self.lanes))):
            if lane in headers:
                rows.append([Cell(char, "group") for char in elide(GROUP_MARK + self.lanes[lane], width).ljust(width)])
                continue
            if lane in self.child_lanes:
                rows.append(self._child_row(children.get(lane, []), gutter, area, offset, scale, selected))
                continue
            eighths = [0] * area
            styles = [""] * area
            shaded = [False] * area
            for started, finished in warm_ups.get(lane, ()):
                x0 = max(0, math.floor((started - offset) / scale))
                x1 = min(area, math.ceil((finished - offset) / scale))
                shaded[x0:x1] = [True] * max(0, x1 - x0)
            waited = [False] * area
            for ready, started in waits.get(lane, ()):
                x0 = max(0, math.floor((ready - offset) / scale))
                x1 = min(area, math.ceil((started - offset) / scale))
                waited[x0:x1] = [True] * max(0, x1 - x0)
            on_path: list[Bar] = []
            chosen: list[Bar] = []
            plain: list[Bar] = []
            for index in self._visible(lane, t0, t1):
                bar = bars[index]
                key = (bar.group, bar.visit_id)
                if key == selected:
                    chosen.append(bar)
                elif key in critical and bar.status != "failed":  # a failure shows, on the path or not
                    on_path.append(bar)
                else:
                    plain.append(bar)
            painted = [(bar, f"bar.{bar.status}") for bar in plain]
            painted += [(bar, "bar.critical") for bar in on_path]  # highlights go over the bars they share cells with
            painted += [(bar, "bar.selected") for bar in chosen]
            for bar, style in painted:
                _paint(eighths, styles, bar, style, scale, offset, area, running_end)
            text: dict[int, str] = {}
            if len(self._by_lane[lane]) > 1:
                for bar, style in painted:
                    _number(text, eighths, styles, bar, style, scale, offset, running_end)
            label = elide(self.lanes[lane], gutter - 1).ljust(gutter) if gutter else ""
            row = [Cell(char, "lane") for char in label]
            row.extend(
                Cell(text[x], s + ".visit")
                if x in text
                else Cell(BLOCKS[e], s)
                if e
                else Cell(PLAYHEAD, "playhead")
                if x == head
                else Cell(WARM_UP, "warmup")
                if warm
                else Cell(WAITING, "waiting")
                if wait
                else Cell(PAUSED, "paused")
                if pause
                else BLANK
                for x, (e, s, warm, wait, pause) in enumerate(zip(eighths, styles, shaded, waited, paused, strict=True))
            )
            if lane in logs:
                _mark_logs(row, logs[lane], gutter, area, offset, scale, styles)
            rows.append(row)
        while len(rows) < height:
            rows.append([BLANK] * width)
        return rows

    def _child_row(
        self, children: list[ChildBar], gutter: int, area: int, offset: float, scale: float, selected: VisitKey | None
    ) -> list[Cell]:
        """A child row: its label, then thin bars; those of the selected visit, then failed ones, drawn last."""
        eighths = [0] * area
        styles = [""] * area
        ranked = sorted(children, key=lambda child: (child.key == selected, child.failed))
        for child in ranked:
            style = "child.selected" if child.key == selected else "child.failed" if child.failed else "child"
            _paint(eighths, styles, child, style, scale, offset, area, child.end)
        label = elide(" " + CHILD_LANE, gutter - 1).ljust(gutter) if gutter else ""
        row = [Cell(char, "lane.child") for char in label]
        row.extend(
            Cell(CHILD_FULL if e == 8 else CHILD_PARTIAL, s) if e else BLANK
            for e, s in zip(eighths, styles, strict=True)
        )
        return row

    def child_at(self, column: int, row: int, viewport: tuple[float, int, float, int, int]) -> ChildBar | None:
        """The child span drawn at (column, row) of the viewport's render, if any (the later one where they
        share a cell)."""
        offset, first, scale, width, _ = viewport
        x = column - self.gutter_width(width)
        lane = first + row - 1
        if row < 1 or x < 0 or column >= width or lane not in self.child_lanes:
            return None
        hit = None
        for child in self.children:
            if child.lane != lane:
                continue
            start, eighths = _extent(child.start, child.end, scale, offset)
            if start <= x < start + (eighths + 7) // 8:
                hit = child
        return hit

    def bar_at(
        self, column: int, row: int, viewport: tuple[float, int, float, int, int], now: float | None = None
    ) -> Bar | None:
        """The bar drawn at (column, row) of the viewport's render with the same `now`, if any (critical bars
        that did not fail over others, then the later one, as drawn; the selection is not considered)."""
        offset, first, scale, width, _ = viewport
        gutter = self.gutter_width(width)
        x = column - gutter
        lane = first + row - 1
        if row < 1 or x < 0 or column >= width or not 0 <= lane < len(self.lanes):
            return None
        running_end = self.end if now is None else now
        found: tuple[bool, int] | None = None
        hit = None
        for index in self._visible(lane, offset + (x - 1) * scale, offset + (x + 2) * scale):
            bar = self.bars[index]
            start, eighths = _extent(bar.start, _end_of(bar, running_end), scale, offset)
            if start <= x < start + (eighths + 7) // 8:
                rank = (bar.key in self.critical and bar.status != "failed", index)
                if found is None or rank >= found:
                    found, hit = rank, bar
        return hit


def _critical_visits(summary: RunSummary, connections: Sequence[tuple[str, str, str, str]]) -> list[int]:
    """Visit ids of the run's critical path on the pipeline's clock (pauses and warm-ups are no waits); its steps
    carry times, not ids: matched back by them."""
    spans = summary.pipeline_spans()
    path = critical_path(spans, connections)
    ids = {(s.component, s.started_at, s.finished_at): s.visit_id for s in spans}
    return [ids[step.component, step.started_at, step.finished_at] for step in path.steps]


def _end_of(bar: Bar | ChildBar, running_end: float) -> float:
    return bar.end if bar.end is not None else max(bar.start, running_end)


def _number(
    text: dict[int, str],
    eighths: list[int],
    styles: list[str],
    bar: Bar,
    style: str,
    scale: float,
    offset: float,
    running_end: float,
) -> None:
    """Write `#n` in the middle of a bar with a full cell of bar either side of it, if those cells (as far as in
    view) are still the bar's own after the bars painted over it. Placed by the whole bar, not the part in view,
    so scrolling moves the number with its bar; a narrower bar shows none rather than part of one."""
    if bar.visit <= 0:
        return
    number = f"{VISIT_MARK}{bar.visit}"
    column, length = _extent(bar.start, _end_of(bar, running_end), scale, offset)
    full = length >> 3
    if full < len(number) + 2:
        return
    start = column + (full - len(number)) // 2
    around = [x for x in range(start - 1, start + len(number) + 1) if 0 <= x < len(eighths)]
    if all(eighths[x] == 8 and styles[x] == style for x in around):
        for i, char in enumerate(number):
            if 0 <= start + i < len(eighths):
                text[start + i] = char


def _mark_logs(
    row: list[Cell],
    marks: Sequence[tuple[int, float, bool]],
    gutter: int,
    area: int,
    offset: float,
    scale: float,
    styles: list[str],
) -> None:
    """Put a log mark at each time in view on a lane's row, in the style of the bar it falls on."""
    for _, seconds, loud in marks:
        x = math.floor((seconds - offset) / scale)
        if 0 <= x < area:
            style = f"{styles[x]}.visit" if styles[x] else "lane"
            row[gutter + x] = Cell(LOUD_LOG_MARK if loud else LOG_MARK, style)


def _paint(
    eighths: list[int],
    styles: list[str],
    bar: Bar | ChildBar,
    style: str,
    scale: float,
    offset: float,
    area: int,
    running_end: float,
) -> None:
    """Draw one bar into a lane's row: full cells overwrite, a partial end cell keeps the fuller fill."""
    column, length = _extent(bar.start, _end_of(bar, running_end), scale, offset)
    full, rest = length >> 3, length & 7
    x0, x1 = max(column, 0), min(column + full, area)
    if x1 > x0:
        eighths[x0:x1] = [8] * (x1 - x0)
        styles[x0:x1] = [style] * (x1 - x0)
    x = column + full
    if rest and 0 <= x < area:
        eighths[x] = max(eighths[x], rest)
        styles[x] = style
