"""The run as a Gantt chart in character cells, for the timeline pane: one lane per component, a bar per visit.

Pure Python with no Textual import, so it is tested and benchmarked headless. `TimelineModel.from_summary`
indexes a `RunSummary` once (bars per lane sorted by start, with the running maximum of their ends); `render`
then draws any window of it, bisecting each visible lane for the bars in the visible time window, so a frame
costs what is on screen, not what the run holds (10,000 spans render a 120x40 frame in a few milliseconds).

Horizontal precision is 1/8 column: a bar starts at the column nearest its start (a cell can only be filled
from its left edge) and its length is drawn in full blocks plus one left partial block (`▏▎▍▌▋▊▉`).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from pipeline.runs.compare import critical_path
from pipeline.runs.spans import RunSummary, SpanStatus
from tui.layout.dag import BLANK, Cell, elide

BLOCKS = " ▏▎▍▌▋▊▉█"
"""Index = eighths of a cell filled from its left edge."""
TICK_MARK = "▏"
"""Drawn at a tick's column, before its label: its left edge is the tick's time."""
MAX_GUTTER = 20
"""Longest lane label shown; longer component names are elided with `…`."""
UNITS: tuple[tuple[float, str], ...] = ((1.0, "s"), (1e-3, "ms"), (1e-6, "µs"))
NICE = (1, 2, 5)


class Viewport(NamedTuple):
    """What the pane shows: time from `x_offset` at `scale` seconds per column, lanes from `first_lane`."""

    x_offset: float
    first_lane: int
    scale: float
    width: int
    height: int


class Bar(NamedTuple):
    """One visit drawn in its component's lane; `end` is `None` while it runs."""

    visit_id: int
    lane: int
    start: float
    end: float | None
    status: SpanStatus


def _extent(start: float, end: float, scale: float, offset: float) -> tuple[int, int]:
    """(first column, length in eighths of a column, at least 1) of a bar."""
    column = math.floor((start - offset) / scale + 0.5)
    eighths = round((end - start) / scale * 8)
    return column, eighths if eighths > 0 else 1


def bar_cells(start: float, end: float, scale: float, offset: float, width: int | None = None) -> list[tuple[int, str]]:
    """The (column, char) cells of a bar from `start` to `end` seconds, one column being `scale` seconds and
    column 0 starting at `offset`; with `width`, only the cells in `[0, width)`."""
    column, eighths = _extent(start, end, scale, offset)
    full, rest = divmod(eighths, 8)
    cells = [(x, BLOCKS[8]) for x in range(column, column + full)]
    if rest:
        cells.append((column + full, BLOCKS[rest]))
    if width is not None:
        cells = [cell for cell in cells if 0 <= cell[0] < width]
    return cells


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
    """Lanes and bars of one run, indexed for drawing windows of it. Rebuild it from the summary as it grows."""

    lanes: list[str]
    """Component names, in order of first start."""
    bars: list[Bar]
    """Every visit, in the order the summary lists them."""
    end: float
    """The latest time the summary knows of: its end, or its last start or finish while it runs."""
    critical: frozenset[int] = frozenset()
    """Visit ids on the critical path (empty without connections)."""
    _by_lane: list[list[int]] = field(default_factory=list, repr=False)
    """Per lane, indices into `bars` sorted by start."""
    _starts: list[list[float]] = field(default_factory=list, repr=False)
    _reach: list[list[float]] = field(default_factory=list, repr=False)
    """Per lane, the running maximum of the bars' ends (running bars: infinity), non-decreasing: bisectable."""

    @classmethod
    def from_summary(
        cls, summary: RunSummary, *, connections: Iterable[tuple[str, str, str, str]] | None = None
    ) -> TimelineModel:
        lane_of: dict[str, int] = {}
        bars = []
        end = summary.ended_at or 0.0
        for span in summary.spans:
            lane = lane_of.setdefault(span.component, len(lane_of))
            bars.append(Bar(span.visit_id, lane, span.started_at, span.finished_at, span.status))
            end = max(end, span.started_at if span.finished_at is None else span.finished_at)
        critical: frozenset[int] = frozenset()
        if connections is not None:
            path = critical_path(summary.spans, connections)
            ids = {(s.component, s.started_at, s.finished_at): s.visit_id for s in summary.spans}
            critical = frozenset(ids[step.component, step.started_at, step.finished_at] for step in path.steps)
        model = cls(list(lane_of), bars, end, critical)
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
        longest = min(max((len(name) for name in self.lanes), default=0), MAX_GUTTER, width // 3 - 1)
        return longest + 1 if longest > 0 else 0

    def fit(self, width: int, now: float | None = None) -> float:
        """The scale (seconds per column) that shows the whole run, up to `now` if given, in `width` columns."""
        area = max(1, width - self.gutter_width(width))
        total = max(self.end, now or 0.0)
        return total / area if total > 0 else 1e-3

    def _visible(self, lane: int, t0: float, t1: float) -> list[int]:
        """Indices of the lane's bars that may touch the time window `[t0, t1]`, in start order."""
        lo = bisect_left(self._reach[lane], t0)
        hi = bisect_right(self._starts[lane], t1)
        return self._by_lane[lane][lo:hi]

    def render(
        self,
        viewport: tuple[float, int, float, int, int],
        now: float | None = None,
        selected_visit: int | None = None,
    ) -> list[list[Cell]]:
        """Rows of cells for the viewport: the time axis, then one row per lane from `first_lane`; each row a
        label gutter and the bars in view. Running bars reach `now` (else the model's `end`)."""
        offset, first, scale, width, height = viewport
        gutter = self.gutter_width(width)
        area = max(0, width - gutter)
        axis = [BLANK] * width
        for column, label in time_ticks(offset, scale * area, area):
            for i, char in enumerate(TICK_MARK + label):
                if column + i < area:
                    axis[gutter + column + i] = Cell(char, "axis")
        rows = [axis] if height > 0 else []
        running_end = self.end if now is None else now
        # a column of margin either side: starts round to the nearest column and lengths to an eighth
        t0, t1 = offset - scale, offset + (area + 1) * scale
        bars = self.bars
        critical = self.critical
        for lane in range(max(first, 0), min(first + height - 1, len(self.lanes))):
            eighths = [0] * area
            styles = [""] * area
            on_path: list[Bar] = []
            chosen: list[Bar] = []
            for index in self._visible(lane, t0, t1):
                bar = bars[index]
                if bar.visit_id == selected_visit:
                    chosen.append(bar)
                elif bar.visit_id in critical:
                    on_path.append(bar)
                else:
                    _paint(eighths, styles, bar, f"bar.{bar.status}", scale, offset, area, running_end)
            for bar in on_path:  # highlights go over the bars they share cells with
                _paint(eighths, styles, bar, "bar.critical", scale, offset, area, running_end)
            for bar in chosen:
                _paint(eighths, styles, bar, "bar.selected", scale, offset, area, running_end)
            label = elide(self.lanes[lane], gutter - 1).ljust(gutter) if gutter else ""
            row = [Cell(char, "lane") for char in label]
            row.extend(BLANK if e == 0 else Cell(BLOCKS[e], s) for e, s in zip(eighths, styles, strict=True))
            rows.append(row)
        while len(rows) < height:
            rows.append([BLANK] * width)
        return rows

    def bar_at(
        self, column: int, row: int, viewport: tuple[float, int, float, int, int], now: float | None = None
    ) -> int | None:
        """The visit id of the bar drawn at (column, row) of the viewport's render with the same `now`, if any
        (critical bars over others, then the later one, as drawn; the selection is not considered)."""
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
                rank = (bar.visit_id in self.critical, index)
                if found is None or rank >= found:
                    found, hit = rank, bar.visit_id
        return hit


def _end_of(bar: Bar, running_end: float) -> float:
    return bar.end if bar.end is not None else max(bar.start, running_end)


def _paint(
    eighths: list[int],
    styles: list[str],
    bar: Bar,
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
