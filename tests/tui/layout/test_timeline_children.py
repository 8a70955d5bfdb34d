"""Child spans (calls of other services under a visit) on the timeline: child rows under their component, packed,
thin bars, the selected visit's calls highlighted, hit-testing for the tooltip; headless."""

from __future__ import annotations

from pipeline.runs.spans import ComponentSpan, RunSummary
from tui.layout.dag import Cell
from tui.layout.timeline import CHILD_FULL, CHILD_LANE, CHILD_PARTIAL, MAX_CHILD_ROWS, TimelineModel
from tui.state.children import ChildSpanRecord

SCALE = 2**-10
"""About 1 ms per column, exact in binary."""


def chars(rows: list[list[Cell]]) -> list[str]:
    return ["".join(cell.char for cell in row) for row in rows]


def summary(*spans: tuple[str, float, float]) -> RunSummary:
    result = RunSummary(origin=0.0, status="finished", ended_at=max(end for _, _, end in spans))
    for visit_id, (component, start, end) in enumerate(spans, 1):
        span = ComponentSpan(component, 1, visit_id, start, end, "async", None, "finished")
        result.spans.append(span)
        result._by_visit[visit_id] = span
    return result


def child(
    visit_id: int, component: str, start: float, end: float, name: str = "POST", status: str = "ok"
) -> ChildSpanRecord:
    return ChildSpanRecord(visit_id, component, name, start, end, status)


def model_with_calls() -> TimelineModel:
    """`retriever` (visit 1), `llm` (visit 2) making two overlapping calls and a later one."""
    run = summary(("retriever", 0.0, 10 * SCALE), ("llm", 10 * SCALE, 40 * SCALE))
    calls = [
        child(2, "llm", 12 * SCALE, 20 * SCALE, "POST /chat"),
        child(2, "llm", 15 * SCALE, 30 * SCALE, "POST /embed", "error"),
        child(2, "llm", 25 * SCALE, 28.5 * SCALE, "GET /health"),
    ]
    return TimelineModel.from_summary(run, lanes=["retriever", "llm"], children=calls)


def test_child_rows_sit_under_their_component_packed_so_overlapping_calls_get_a_row_each() -> None:
    model = model_with_calls()
    assert model.lanes == ["retriever", "llm", CHILD_LANE, CHILD_LANE]
    assert model.child_lanes == {2, 3}
    assert [(bar.lane, bar.name) for bar in model.children] == [
        (2, "POST /chat"),
        (3, "POST /embed"),
        (2, "GET /health"),
    ]
    # visit bars keep their lanes; a child row holds no visit bar, so moving between bars skips it
    assert [bar.lane for bar in model.bars] == [0, 1]
    assert model.lane_bars(2) == []
    bar = model.nearest_bar(2, 0.0, 1)
    assert bar is None  # nothing below the child rows


def test_child_bars_are_thin_lines_at_their_times_and_a_partial_last_cell() -> None:
    model = model_with_calls()
    rows = chars(model.render((0.0, 0, SCALE, 60, 5)))
    gutter = model.gutter_width(60)
    first, second = rows[3][gutter:], rows[4][gutter:]
    assert rows[3][:gutter].rstrip() == " " + CHILD_LANE
    assert first[12:20] == CHILD_FULL * 8 and first[11] == " " and first[20] == " "
    assert first[25:28] == CHILD_FULL * 3 and first[28] == CHILD_PARTIAL  # 3.5 columns
    assert second[15:30] == CHILD_FULL * 15
    assert "█" not in first + second


def test_failed_calls_and_the_selected_visits_calls_have_their_styles() -> None:
    model = model_with_calls()
    gutter = model.gutter_width(60)
    plain = model.render((0.0, 0, SCALE, 60, 5))
    assert plain[3][gutter + 12].style == "child"
    assert plain[4][gutter + 16].style == "child.failed"
    selected = model.render((0.0, 0, SCALE, 60, 5), selected=(0, 2))
    assert selected[3][gutter + 12].style == "child.selected"
    assert selected[4][gutter + 16].style == "child.selected"
    other = model.render((0.0, 0, SCALE, 60, 5), selected=(0, 1))
    assert other[3][gutter + 12].style == "child"


def test_child_at_finds_the_call_under_the_mouse_and_bar_at_does_not() -> None:
    model = model_with_calls()
    gutter = model.gutter_width(60)
    viewport = (0.0, 0, SCALE, 60, 5)
    found = model.child_at(gutter + 13, 3, viewport)
    assert found is not None and (found.name, found.component, found.visit_id) == ("POST /chat", "llm", 2)
    assert model.child_at(gutter + 22, 3, viewport) is None
    assert model.child_at(gutter + 20, 4, viewport) is not None and model.child_at(gutter + 20, 4, viewport).failed
    assert model.child_at(gutter + 13, 2, viewport) is None  # the component's own lane
    assert model.bar_at(gutter + 13, 3, viewport) is None


def test_many_overlapping_calls_share_the_last_row_and_a_scrolled_window_keeps_the_rows() -> None:
    run = summary(("llm", 0.0, 40 * SCALE), ("after", 40 * SCALE, 50 * SCALE))
    calls = [child(1, "llm", i * SCALE, 30 * SCALE, f"call {i}") for i in range(6)]
    model = TimelineModel.from_summary(run, children=calls)
    assert model.lanes == ["llm", *[CHILD_LANE] * MAX_CHILD_ROWS, "after"]
    assert [bar.lane for bar in model.bars] == [0, MAX_CHILD_ROWS + 1]
    scrolled = chars(model.render((0.0, 2, SCALE, 60, 3)))
    assert scrolled[1].lstrip().startswith(CHILD_LANE) and CHILD_FULL in scrolled[1]
    assert scrolled[2].lstrip().startswith(CHILD_LANE)


def test_the_axis_reaches_the_last_call_and_a_call_of_an_unseen_component_gets_its_lane() -> None:
    run = summary(("retriever", 0.0, 10 * SCALE))
    model = TimelineModel.from_summary(run, children=[child(7, "llm", 5 * SCALE, 80 * SCALE)])
    assert model.lanes == ["retriever", "llm", CHILD_LANE]
    assert model.end == 80 * SCALE


def test_no_children_no_child_rows() -> None:
    run = summary(("retriever", 0.0, 10 * SCALE))
    model = TimelineModel.from_summary(run, lanes=["retriever"])
    assert model.lanes == ["retriever"] and model.children == () and model.child_lanes == frozenset()
