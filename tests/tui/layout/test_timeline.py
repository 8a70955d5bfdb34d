"""The timeline pane's layout: bar precision, axis ticks, lanes from real runs, windowed rendering, hit-testing."""

from __future__ import annotations

import math
import re
from itertools import pairwise

import pytest

from pipeline import AsyncPipeline
from pipeline.components.testing.waiting import AsyncWaitingComponent
from pipeline.runs.spans import ComponentSpan, Pause, RunSummary
from tests.pipeline.toy_components import CountDown, LoopEntry
from tui.layout.dag import Cell
from tui.layout.timeline import (
    BLOCKS,
    PAUSED,
    PLAYHEAD,
    PLAYHEAD_MARK,
    WAITING,
    TimelineModel,
    format_duration,
    time_ticks,
)

UNIT_SECONDS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0}
SCALE = 2**-10
"""About 1 ms per column, and exact in binary: offsets of whole columns shift columns exactly."""


def chars(rows: list[list[Cell]]) -> list[str]:
    return ["".join(cell.char for cell in row) for row in rows]


def summary_of(spans: list[tuple[str, float, float | None]], ended_at: float | None = None) -> RunSummary:
    summary = RunSummary(origin=0.0, status="running" if ended_at is None else "finished", ended_at=ended_at)
    for visit_id, (component, start, end) in enumerate(spans, 1):
        status = "running" if end is None else "finished"
        span = ComponentSpan(component, 1, visit_id, start, end, "async", None, status)
        summary.spans.append(span)
        summary._by_visit[visit_id] = span
    return summary


def bar_cells(start: float, end: float, scale: float, offset: float, width: int = 64) -> list[tuple[int, str]]:
    """The (column, char) cells of one bar from `start` to `end` seconds, `scale` seconds a column, column 0 at
    `offset`, in `width` columns of bars: drawn by the model's own `render`, its label gutter left out."""
    model = TimelineModel.from_summary(summary_of([("a", start, end)], ended_at=end))
    total = next(w for w in (width + 2, width) if w - model.gutter_width(w) == width)
    gutter = model.gutter_width(total)
    row = model.render((offset, 0, scale, total, 2))[1][gutter:]
    return [(column, cell.char) for column, cell in enumerate(row) if cell.char != " "]


def visit_at(model: TimelineModel, column: int, row: int, viewport: tuple[float, int, float, int, int]) -> int | None:
    bar = model.bar_at(column, row, viewport)
    return None if bar is None else bar.visit_id


async def run_waiting(unit: float = 0.01) -> tuple[RunSummary, list[tuple[str, str, str, str]]]:
    """The seed's wait graph (wait_1 -> wait_2, wait_3 -> wait_4, wait_5; wait_i sleeps i units), run async."""
    pipe = AsyncPipeline()
    for i in range(1, 6):
        pipe.add_component(f"wait_{i}", AsyncWaitingComponent(name=f"wait_{i}", wait_time=i * unit))
    pipe.connect("wait_1.message", "wait_2.user_msg")
    pipe.connect("wait_3.message", "wait_4.user_msg")
    data = {f"wait_{i}": {"user_msg": "hi"} for i in (1, 3, 5)}
    async with pipe.events(data) as run:
        events = [event async for event in run]
    return RunSummary.from_events(events), list(pipe.connections())


# -- bars ------------------------------------------------------------------------------------------------------


def test_bar_length_has_eighth_column_precision() -> None:
    assert bar_cells(0.0, 1.5, 1.0, 0.0) == [(0, "█"), (1, "▌")]
    assert bar_cells(0.0, 0.003, 0.001, 0.0) == [(0, "█"), (1, "█"), (2, "█")]
    assert bar_cells(10.0, 10.25, 1.0, 8.0) == [(2, "▎")]
    for eighths in range(1, 33):
        cells = bar_cells(0.0, eighths / 8, 1.0, 0.0)
        drawn = sum(BLOCKS.index(char) for _, char in cells)
        assert drawn == eighths and [x for x, _ in cells] == list(range(len(cells)))


def test_a_bar_shorter_than_an_eighth_still_shows() -> None:
    assert bar_cells(5.0, 5.0, 1.0, 0.0) == [(5, "▏")]
    assert bar_cells(0.0, 1e-9, 1e-3, 0.0) == [(0, "▏")]


def test_bars_start_at_the_nearest_column_and_clip_to_the_width() -> None:
    assert bar_cells(0.6, 1.6, 1.0, 0.0) == [(1, "█")]
    assert bar_cells(-2.0, 1.5, 1.0, 0.0, width=10) == [(0, "█"), (1, "▌")]
    assert bar_cells(0.0, 1000.0, 1.0, 0.0, width=3) == [(0, "█"), (1, "█"), (2, "█")]


# -- the axis --------------------------------------------------------------------------------------------------


def seconds(label: str) -> float:
    if label == "0":
        return 0.0
    number, unit = label.split(" ")
    return float(number) * UNIT_SECONDS[unit]


@pytest.mark.parametrize("scale", [1e-8, 3e-7, 1e-6, 7e-5, 1e-4, 1e-3, 0.0123, 0.05, 0.4, 1.0, 7.0])
@pytest.mark.parametrize("offset_columns", [0.0, 13.7, 1234.5])
@pytest.mark.parametrize("width", [20, 80, 200])
def test_ticks_never_overlap_and_are_nice(scale: float, offset_columns: float, width: int) -> None:
    offset = offset_columns * scale
    ticks = time_ticks(offset, scale * width, width)
    assert ticks, "at least one tick on a screen"
    assert all(0 <= column < width for column, _ in ticks)
    for (left, label), (right, _) in pairwise(ticks):
        assert right - left >= max(10, len(label) + 2)  # a mark, the label and a blank fit before the next
    values = [seconds(label) for _, label in ticks]
    units = {label.split(" ")[1] for _, label in ticks if label != "0"}
    assert len(units) <= 1, "one unit per axis"
    if len(values) > 1:
        step = values[1] - values[0]
        mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
        assert min(abs(mantissa - nice) for nice in (1, 2, 5)) < 1e-6
    for column, value in zip([c for c, _ in ticks], values, strict=True):
        assert abs((value - offset) / scale - column) <= 0.5 + 1e-6 + abs(value) * 1e-3 / scale


@pytest.mark.parametrize(
    ("scale", "unit"), [(1e-6, "µs"), (2e-6, "µs"), (1e-4, "ms"), (1e-3, "ms"), (0.05, "s"), (2.0, "s")]
)
def test_ticks_use_the_unit_that_suits_the_zoom(scale: float, unit: str) -> None:
    ticks = time_ticks(0.0, scale * 100, 100)
    assert ticks[0] == (0, "0")
    assert all(re.fullmatch(rf"\d+(\.\d+)? {unit}", label) for _, label in ticks[1:])


def test_no_ticks_for_an_empty_axis() -> None:
    assert time_ticks(0.0, 1.0, 0) == [] and time_ticks(0.0, 0.0, 80) == []


# -- real runs -------------------------------------------------------------------------------------------------


async def test_wait_graph_lanes_overlap_and_critical_path(capsys: pytest.CaptureFixture[str]) -> None:
    summary, connections = await run_waiting()
    model = TimelineModel.from_summary(summary, connections=connections)
    assert sorted(model.lanes) == [f"wait_{i}" for i in range(1, 6)]
    assert model.lanes[:3] == ["wait_1", "wait_3", "wait_5"]  # the three branches start first
    assert len(model.bars) == 5 and {bar.status for bar in model.bars} == {"finished"}
    bar = {model.lanes[b.lane]: b for b in model.bars}
    for a, b in [("wait_1", "wait_3"), ("wait_3", "wait_5"), ("wait_2", "wait_3"), ("wait_4", "wait_5")]:
        assert bar[a].start < bar[b].end and bar[b].start < bar[a].end, f"{a} and {b} ran concurrently"
    assert model.critical == {bar["wait_3"].key, bar["wait_4"].key}
    scale = model.fit(100)
    rows = model.render((0.0, 0, scale, 100, 6))
    assert len(rows) == 6 and all(len(row) == 100 for row in rows)
    styles = {cell.style for row in rows for cell in row}
    assert {"bar.critical", "bar.finished", "axis", "lane"} <= styles
    wait_4 = rows[1 + model.lanes.index("wait_4")]
    assert wait_4[-1].style == "bar.critical" or wait_4[-2].style == "bar.critical"  # fit: the run ends at the edge
    # wait_1's bar begins at the column nearest its start (how long the loop took to start it varies)
    wait_1 = chars(rows)[1]
    assert wait_1.startswith("wait_1 ") and wait_1.index("█") == 7 + math.floor(bar["wait_1"].start / scale + 0.5)
    capsys.readouterr()


async def test_a_loop_draws_several_bars_in_one_lane() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    async with pipe.events({"entry": {"value": 3}}) as run:
        summary = RunSummary.from_events([event async for event in run])
    model = TimelineModel.from_summary(summary, connections=list(pipe.connections()))
    assert model.lanes == ["entry", "countdown"]
    assert [sum(bar.lane == lane for bar in model.bars) for lane in (0, 1)] == [4, 4]
    assert len(model.critical) == 8  # the loop is one chain


# -- rendering -------------------------------------------------------------------------------------------------


def synthetic(lanes: int = 12, visits: int = 30, seed_gap: float = 0.0013) -> RunSummary:
    """Lanes of visits of varied lengths, some overlapping within a lane, the last one still running."""
    spans = []
    for visit in range(visits):
        for lane in range(lanes):
            start = visit * 0.011 + lane * seed_gap
            spans.append((f"c{lane:02d}", start, start + 0.0005 + (visit * 7 + lane * 3) % 13 * 0.001))
    spans.sort(key=lambda span: span[1])
    spans.append(("c03", spans[-1][1] + 0.002, None))
    return summary_of(spans)


def test_a_viewport_is_a_slice_of_the_full_render() -> None:
    model = TimelineModel.from_summary(synthetic())
    model.critical = frozenset((0, visit_id) for visit_id in range(1, 400, 7))
    lanes = len(model.lanes)
    total_columns = int(model.end / SCALE) + 20
    gutter = model.gutter_width(10_000)
    now = model.end + 0.01
    full = model.render((0.0, 0, SCALE, gutter + total_columns, lanes + 1), now, selected=(0, 55))
    for x, first, width, height in [(0, 0, 60, 8), (37, 3, 50, 13), (180, 7, 80, 5), (300, 11, 40, 4)]:
        view = model.render((x * SCALE, first, SCALE, gutter + width, height), now, selected=(0, 55))
        assert len(view) == height
        for row in range(1, height):
            expected = full[1 + first + row - 1] if first + row - 1 < lanes else None
            if expected is None:
                assert view[row] == [Cell(" ", "")] * (gutter + width)
                continue
            assert view[row][:gutter] == expected[:gutter]
            assert view[row][gutter:] == expected[gutter + x : gutter + x + width]


def test_running_bars_reach_now_and_styles_follow_status_and_selection() -> None:
    summary = summary_of([("a", 0.0, 0.004), ("b", 0.001, None)])
    summary.spans[0].status = "failed"
    model = TimelineModel.from_summary(summary)
    rows = model.render((0.0, 0, 0.001, 22, 3), now=0.006, selected=None)
    assert chars(rows)[1:] == ["a ████" + " " * 16, "b  █████" + " " * 14]
    assert {c.style for c in rows[1][2:6]} == {"bar.failed"} and rows[2][3].style == "bar.running"
    selected = model.render((0.0, 0, 0.001, 22, 3), now=0.006, selected=(0, 2))
    assert {c.style for c in selected[2][3:8]} == {"bar.selected"}
    assert "".join(c.char for c in rows[0]).startswith("  ▏0")


def test_a_failed_visit_on_the_critical_path_still_shows_its_failure() -> None:
    summary = summary_of([("a", 0.0, 0.004), ("a", 0.002, 0.003), ("b", 0.004, 0.006)])
    summary.spans[0].status = "failed"
    model = TimelineModel.from_summary(summary)
    model.critical = frozenset({(0, 1), (0, 3)})
    rows = model.render((0.0, 0, 0.001, 10, 3))
    assert [c.style for c in rows[1][2:6]] == ["bar.failed", "bar.failed", "bar.finished", "bar.failed"]
    assert {c.style for c in rows[2][6:8]} == {"bar.critical"}
    assert visit_at(model, 4, 1, (0.0, 0, 0.001, 10, 3)) == 2, "drawn over the failed bar, so found first"


def test_bar_at_finds_the_bar_under_the_mouse() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 0.004), ("a", 0.006, 0.008), ("b", 0.001, 0.0015)]))
    viewport = (0.0, 0, 0.001, 22, 3)
    gutter = model.gutter_width(22)
    assert [visit_at(model, gutter + x, 1, viewport) for x in range(10)] == [1, 1, 1, 1, None, None, 2, 2, None, None]
    assert visit_at(model, gutter + 1, 2, viewport) == 3  # half a column wide: still clickable
    assert model.bar_at(gutter, 0, viewport) is None  # the axis
    assert model.bar_at(0, 1, viewport) is None  # the gutter
    assert model.bar_at(gutter + 1, 3, viewport) is None  # below the last lane
    assert visit_at(model, gutter, 1, (0.006, 0, 0.001, 22, 3)) == 2  # panned


def test_fit_shows_the_whole_run() -> None:
    model = TimelineModel.from_summary(synthetic())
    scale = model.fit(120)
    rows = model.render((0.0, 0, scale, 120, len(model.lanes) + 1))
    last = max(model.bars, key=lambda bar: bar.end or 0)
    assert rows[1 + last.lane][-1].char == "█"
    assert TimelineModel.from_summary(summary_of([])).fit(80) > 0


def test_the_axis_shows_whole_labels_only() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 0.03)]))
    axis = "".join(cell.char for cell in model.render((0.0, 0, 0.001, 27, 1))[0])
    assert axis == "  ▏0        ▏10 ms" + " " * 9  # the 20 ms tick at column 20 has no room for its label
    assert "▏20 ms" in "".join(cell.char for cell in model.render((0.0, 0, 0.001, 28, 1))[0])


def test_render_pads_to_the_viewport() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 0.001)]))
    rows = model.render((0.0, 0, 0.001, 30, 5))
    assert len(rows) == 5 and all(len(row) == 30 for row in rows)
    assert rows[0] != rows[2] == rows[3] == [Cell(" ", "")] * 30


# -- groups of lanes (several runs on one axis) ------------------------------------------------------------------


def two_queries() -> TimelineModel:
    """The same visit ids in two runs: query 2 starts 3 ms after query 1 and loops through `b` twice."""
    first = summary_of([("a", 0.0, 0.002), ("b", 0.002, 0.004)], ended_at=0.004)
    second = summary_of([("a", 0.0, 0.001), ("b", 0.001, 0.002), ("b", 0.002, 0.005)], ended_at=0.005)
    return TimelineModel.from_groups([("query 1", first, 0.0), ("query 2", second, 0.003)])


def test_groups_get_a_header_lane_then_their_components_and_share_one_axis() -> None:
    model = two_queries()
    assert model.lanes == ["query 1", "a", "b", "query 2", "a", "b"]
    assert model.headers == {0, 3}
    assert model.end == pytest.approx(0.008)  # the second run ends 5 ms after its start, 3 ms in
    second = [bar for bar in model.bars if bar.group == 1]
    assert [(bar.visit_id, bar.lane) for bar in second] == [(1, 4), (2, 5), (3, 5)]
    assert [bar.start for bar in second] == pytest.approx([0.003, 0.004, 0.005])
    assert model.gutter_width(80) == 2, "titles run across their row, so they do not widen the gutter"


def test_the_axis_can_reach_past_the_groups_to_match_another_timeline() -> None:
    summary = summary_of([("a", 0.0, 0.002)], ended_at=0.002)
    assert TimelineModel.from_groups([("q", summary, 0.001)], until=0.01).end == 0.01
    assert TimelineModel.from_groups([("q", summary, 0.001)], until=0.001).end == pytest.approx(0.003)


def test_headers_draw_their_title_across_the_row_and_bars_sit_at_their_offset() -> None:
    model = two_queries()
    rows = model.render((0.0, 0, 0.001, 12, 7))
    assert chars(rows)[1:] == [
        "▾ query 1   ",
        "a ██        ",
        "b   ██      ",
        "▾ query 2   ",
        "a    █      ",
        "b     ████  ",
    ]
    assert {cell.style for cell in rows[1]} == {cell.style for cell in rows[4]} == {"group"}
    assert model.render((0.0, 0, 0.001, 6, 2))[1] == [Cell(char, "group") for char in "▾ que…"]


def test_bar_at_tells_the_groups_apart_and_headers_hold_no_bar() -> None:
    model = two_queries()
    viewport = (0.0, 0, 0.001, 12, 7)
    first, second = model.bar_at(2, 2, viewport), model.bar_at(5, 5, viewport)
    assert first is not None and second is not None
    assert (first.key, second.key) == ((0, 1), (1, 1))  # visit 1 of each run
    assert model.bar_at(8, 6, viewport) == model.bar((1, 3))
    assert model.bar_at(2, 1, viewport) is None and model.bar_at(5, 4, viewport) is None


def test_selection_is_one_visit_of_one_group() -> None:
    model = two_queries()
    rows = model.render((0.0, 0, 0.001, 12, 7), selected=(1, 1))
    selected = [
        (row, x) for row, cells in enumerate(rows) for x, cell in enumerate(cells) if cell.style == "bar.selected"
    ]
    assert selected == [(5, 5)]


async def test_each_group_has_its_own_critical_path() -> None:
    summary, connections = await run_waiting(unit=0.002)
    model = TimelineModel.from_groups([("q1", summary, 0.0), ("q2", summary, 0.5)], connections=connections)
    ids = {span.component: span.visit_id for span in summary.spans}
    assert model.critical == {(group, ids[name]) for group in (0, 1) for name in ("wait_3", "wait_4")}
    assert model.end == pytest.approx(0.5 + (summary.ended_at or 0.0))


def test_moving_between_bars_stays_in_a_lane_or_skips_to_the_next_lane_with_bars() -> None:
    model = two_queries()
    assert model.next_bar((1, 2), 1) == model.bar((1, 3))
    assert model.next_bar((1, 3), 1) is None and model.next_bar((0, 1), -1) is None
    assert model.next_bar((5, 1), 1) is None  # no such visit
    below = model.nearest_bar(3, 0.0035, 1)  # from the header of query 2, downwards: its `a` lane
    assert below == model.bar((1, 1))
    assert model.nearest_bar(5, 0.0052, 1) == model.bar((1, 3))  # running through the moment wins
    assert model.nearest_bar(3, 0.003, -1) == model.bar((0, 2))  # upwards past the header, into query 1
    assert model.nearest_bar(0, 0.0, -1) is None
    assert model.lane_bars(0) == [] and model.lane_bars(99) == []


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.0, "0 s"), (2.1, "2.10 s"), (0.0125, "12.5 ms"), (0.00085, "850 µs"), (0.9999, "1.00 s"), (123.4, "123 s")],
)
def test_durations_read_in_three_significant_digits(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_warm_ups_shade_their_lane_under_the_bars_and_are_never_selected() -> None:
    summary = summary_of([("model", 0.004, 0.006), ("other", 0.0, 0.002)], ended_at=0.006)
    summary.warm_ups = {"model": (0.0, 0.004), "index": (0.0, 0.003)}  # `index` warmed up, never ran
    model = TimelineModel.from_summary(summary)
    assert model.lanes == ["model", "other", "index"]
    assert model.warm_ups == ((0, 0.0, 0.004), (2, 0.0, 0.003))
    viewport = (0.0, 0, 0.001, 10, 4)
    rows = model.render(viewport)
    gutter = model.gutter_width(10)
    assert chars(rows)[1][gutter:] == "░░░░██".ljust(10 - gutter)
    assert chars(rows)[3][gutter:] == "░░░" + " " * (10 - gutter - 3)
    assert {cell.style for cell in rows[1][gutter : gutter + 4]} == {"warmup"}
    assert model.bar_at(gutter + 1, 1, viewport) is None  # on the shading, not on a bar
    assert model.bar_at(gutter + 1, 3, viewport) is None


def test_until_keeps_the_scale_of_the_whole_recording() -> None:
    early = summary_of([("a", 0.0, 0.01)])
    assert TimelineModel.from_summary(early, until=1.0).fit(101) == TimelineModel.from_summary(
        summary_of([("a", 0.0, 1.0)], ended_at=1.0)
    ).fit(101)


def test_given_lanes_come_first_ran_or_not() -> None:
    model = TimelineModel.from_summary(summary_of([("late", 0.0, 0.01), ("b", 0.0, 0.02)]), lanes=["a", "b"])
    assert model.lanes == ["a", "b", "late"]
    assert {model.lanes[bar.lane] for bar in model.bars} == {"b", "late"}


def test_the_visits_of_a_loop_are_numbered_on_bars_wide_enough() -> None:
    summary = RunSummary(origin=0.0, status="finished", ended_at=0.03)
    spans = [("loop", 1, 0.0, 0.010), ("loop", 2, 0.010, 0.013), ("once", 1, 0.013, 0.025), ("loop", 3, 0.025, 0.03)]
    for visit_id, (component, visit, start, end) in enumerate(spans, 1):
        span = ComponentSpan(component, visit, visit_id, start, end, "sync", None, "finished")
        summary.spans.append(span)
        summary._by_visit[visit_id] = span
    model = TimelineModel.from_summary(summary)
    assert [bar.visit for bar in model.bars] == [1, 2, 1, 3]
    width = 40
    gutter = model.gutter_width(width)
    rows = model.render((0.0, 0, 0.001, width, 3), selected=(0, 4))
    loop, once = (chars([row])[0][gutter:] for row in rows[1:])
    # visit 1 spans columns 0-9: "#1" in the middle, a cell of bar either side; visit 2 (3 columns) has no room
    assert loop[:10] == "████#1████" and loop[10:13] == "███"
    assert loop[25:30] == "█#3██"  # the selected visit keeps its number, in its own style
    styles = {cell.style for cell in rows[1][gutter + 26 : gutter + 28]}
    assert styles == {"bar.selected.visit"}
    assert {cell.style for cell in rows[1][gutter + 4 : gutter + 6]} == {"bar.finished.visit"}
    assert "#" not in once  # one visit: nothing to tell apart
    # the numbers are only text: hit-testing still finds the bar under them
    assert model.bar_at(gutter + 4, 1, (0.0, 0, 0.001, width, 3)) == model.bars[0]


# -- honest time: pauses, the playhead, visits at the very end --------------------------------------------------


def test_a_visit_at_the_very_end_of_the_run_gets_a_cell() -> None:
    summary = summary_of([("a", 0.0, 1.0), ("b", 0.9995, 1.0)], ended_at=1.0)
    model = TimelineModel.from_summary(summary)
    width = 40
    viewport = (0.0, 0, model.fit(width), width, 3)
    rows = chars(model.render(viewport))
    assert rows[2].rstrip() != "b"  # before: its start rounded to the column past the last one, and no bar showed
    column = len(rows[2].rstrip()) - 1
    assert column == width - 1
    bar = model.bar_at(column, 2, viewport)
    assert bar is not None and bar.visit_id == 2


def test_a_pause_is_a_band_across_the_lanes_and_bars_draw_over_it() -> None:
    summary = summary_of([("a", 0.0, 2.0), ("b", 0.0, 1.0), ("c", 6.0, 7.0)], ended_at=7.0)
    summary.pauses.append(Pause(1.0, 5.0, "breakpoint", "b", 2))
    model = TimelineModel.from_summary(summary)
    rows = model.render((0.0, 0, 1.0, 9, 4))
    gutter = model.gutter_width(9)
    a, b, c = ("".join(cell.char for cell in row[gutter:]) for row in rows[1:4])
    assert a == "██" + PAUSED * 3 + "  "  # a ran on into the pause: its bar, then the band
    assert b == "█" + PAUSED * 4 + "  "
    assert c == " " + PAUSED * 4 + " █"  # every lane: the whole run stood paused
    assert {cell.style for cell in rows[2][gutter + 1 : gutter + 5]} == {"paused"}


def test_a_replay_playhead_is_drawn_across_the_lanes_and_marked_on_the_axis() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 2.0), ("b", 3.0, 4.0)], ended_at=4.0))
    assert model.with_playhead(None) is model
    played = model.with_playhead(2.5)
    assert played.playhead == 2.5 and model.playhead is None
    rows = played.render((0.0, 0, 1.0, 7, 3))
    gutter = played.gutter_width(7)
    column = gutter + 2
    assert rows[0][column] == Cell(PLAYHEAD_MARK, "playhead")
    assert rows[1][column] == Cell(PLAYHEAD, "playhead") and rows[2][column] == Cell(PLAYHEAD, "playhead")
    assert chars(played.render((0.0, 0, 1.0, 7, 3)))[1:] != chars(model.render((0.0, 0, 1.0, 7, 3)))[1:]
    assert played.bar_at(gutter, 1, (0.0, 0, 1.0, 7, 3)) is not None  # the copy keeps the model's index


def test_held_and_queued_visits_do_not_grow_with_the_clock() -> None:
    summary = summary_of([("held", 1.0, None), ("queued", 0.0, 0.5)])
    summary.spans[0].status = "held"
    summary.spans[1].status = "queued"
    model = TimelineModel.from_summary(summary)
    bars = {model.lanes[bar.lane]: bar for bar in model.bars}
    assert bars["held"].end == bars["held"].start == 1.0
    assert bars["queued"].end == 0.5 and bars["queued"].status == "queued"
    row = model.render((0.0, 0, 0.25, 20, 3), now=4.0)[1]
    assert {cell.style for cell in row if cell.char != " "} == {"lane", "bar.held"}


def test_a_pause_going_on_shows_at_once() -> None:
    summary = summary_of([("a", 0.0, 1.0)])
    summary.pauses.append(Pause(1.0, None, "breakpoint", "a", 1))
    model = TimelineModel.from_summary(summary)
    row = model.render((0.0, 0, 0.25, 12, 2))[1]
    assert [cell.char for cell in row].count(PAUSED) == 1  # the clock has not moved on: one column, not none
    assert [cell.char for cell in model.render((0.0, 0, 0.25, 12, 2), now=1.5)[1]].count(PAUSED) == 2


def test_a_wait_for_a_slot_leads_up_to_the_bar_and_one_going_on_reaches_now() -> None:
    summary = summary_of([("a", 0.0, 2.0), ("b", 2.0, 3.0)], ended_at=3.0)
    summary.spans[1].ready_at = 0.0  # b was ready at once, and waited for a's slot
    model = TimelineModel.from_summary(summary)
    rows = model.render((0.0, 0, 1.0, 6, 3))
    gutter = model.gutter_width(6)
    assert "".join(cell.char for cell in rows[2][gutter:]).rstrip() == WAITING * 2 + "█"
    assert {cell.style for cell in rows[2][gutter : gutter + 2]} == {"waiting"}
    waiting = summary_of([("a", 0.0, None)])
    waiting.ready["b"] = (0.5, "limit")
    live = TimelineModel.from_summary(waiting)
    lane = live.lanes.index("b")
    row = live.render((0.0, 0, 1.0, 8, 3), now=3.0)[1 + lane]
    assert [cell.char for cell in row].count(WAITING) == 3  # from 0.5 s to now, not running, no bar
    assert not any(bar.lane == lane for bar in live.bars)
