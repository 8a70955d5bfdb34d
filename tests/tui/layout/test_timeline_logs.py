"""Log marks on the timeline: where a component logged, a mark on its lane, on the bar it falls in."""

from __future__ import annotations

from pipeline.core.events import ComponentLogged, RunStarted
from pipeline.runs.spans import RunSummary
from tests.tui.layout.test_timeline import chars, summary_of
from tui.layout.timeline import LOG_MARK, LOUD_LOG_MARK, TimelineModel
from tui.state.logs import log_marks


def test_a_mark_sits_on_the_lane_at_the_time_logged() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 1.0), ("b", 1.0, 2.0)]))
    marked = model.with_logs([("a", 0.5, "stdout"), ("b", 1.25, "warning"), ("gone", 0.1, "info")])
    assert marked.logs == ((0, 0.5, False), (1, 1.25, True))  # a component without a lane is dropped
    viewport = (0.0, 0, 0.1, 40, 4)  # 0.1 s per column
    plain, rows = chars(model.render(viewport)), chars(marked.render(viewport))
    gutter = model.gutter_width(40)
    assert rows[0] == plain[0]  # the axis is untouched
    assert rows[1][gutter + 5] == LOG_MARK and plain[1][gutter + 5] != LOG_MARK
    assert rows[2][gutter + 12] == LOUD_LOG_MARK
    assert rows[1][: gutter + 5] == plain[1][: gutter + 5] and rows[1][gutter + 6 :] == plain[1][gutter + 6 :]
    style = marked.render(viewport)[1][gutter + 5].style
    assert style == "bar.finished.visit"  # drawn in the bar's own colours


def test_marks_out_of_view_are_not_drawn_and_the_same_marks_keep_the_model() -> None:
    model = TimelineModel.from_summary(summary_of([("a", 0.0, 10.0)]))
    marked = model.with_logs([("a", 9.0, "info")])
    assert marked.with_logs([("a", 9.0, "info")]) is marked
    assert LOG_MARK not in chars(marked.render((0.0, 0, 0.1, 40, 3)))[1]  # 9 s is past this window's 4 s


def test_log_marks_are_the_runs_logged_lines_relative_to_its_start() -> None:
    summary = RunSummary()
    started = RunStarted(run_id="r", time=100.0, wall_time=0.0, inputs={}, concurrency_limit=1)
    summary.apply(started)
    line = ComponentLogged(run_id="r", time=100.5, visit_id=1, component="a", level="info", logger="x", text="hello")
    assert log_marks([started, line], summary) == [("a", 0.5, "info")]
    assert log_marks([line], RunSummary()) == []
