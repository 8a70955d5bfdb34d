"""The timeline widget in a tiny app: clicks and keys select bars and times, zoom, follow a growing run, scroll
to a visit chosen elsewhere; and a screenshot of a run with a loop, a failure and its critical path.

Runs are built from synthetic events with fixed times, so the pictures never depend on the machine's speed.
Refresh the snapshot with `pytest tests/tui/widgets/test_timeline.py --snapshot-update` and review the SVG.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.events import MouseScrollDown, MouseScrollUp
from textual.message import Message
from textual.pilot import Pilot

from pipeline.core.events import (
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from pipeline.runs.spans import RunSummary
from tui.layout.timeline import TimelineModel
from tui.messages import TimeSelected, VisitSelected
from tui.widgets.timeline import TimelineView

Visit = tuple[str, float, float | None, str]
"""(component, start, end or None while running, "finished" or "failed"), in seconds from the run's start."""

LOOP_RUN: list[Visit] = [
    ("load", 0.0, 0.02, "finished"),
    ("embed", 0.02, 0.045, "finished"),
    ("search", 0.02, 0.03, "finished"),
    ("refine", 0.045, 0.055, "finished"),
    ("judge", 0.055, 0.06, "finished"),
    ("refine", 0.06, 0.07, "finished"),
    ("judge", 0.07, 0.075, "finished"),
    ("refine", 0.075, 0.085, "finished"),
    ("answer", 0.085, 0.095, "failed"),
]
"""`refine` and `judge` loop three times; `answer` fails, which ends the run."""
LOOP_CONNECTIONS = [
    ("load", "documents", "embed", "documents"),
    ("load", "documents", "search", "documents"),
    ("embed", "documents", "refine", "documents"),
    ("refine", "draft", "judge", "draft"),
    ("judge", "again", "refine", "feedback"),
    ("refine", "draft", "answer", "draft"),
    ("search", "documents", "answer", "documents"),
]


def run_events(visits: Sequence[Visit], *, origin: float = 100.0, run_id: str = "run") -> list[RunEvent]:
    """The events of a run with these visits, in time order, ending when the last visit does (failed if one
    failed, else finished). Running visits get no end event, and then neither does the run."""
    events: list[tuple[float, int, RunEvent]] = []
    counts: dict[str, int] = {}
    for visit_id, (component, start, end, status) in enumerate(visits, 1):
        visit = counts[component] = counts.get(component, 0) + 1
        common: dict[str, Any] = {"run_id": run_id, "visit_id": visit_id, "component": component, "visit": visit}
        events.append((start, 1, ComponentStarted(time=origin + start, inputs={}, mode="async", **common)))
        if end is None:
            continue
        times: dict[str, Any] = {"time": origin + end, "started_at": origin + start, "finished_at": origin + end}
        if status == "failed":
            error = RuntimeError(f"{component} failed")
            ended: RunEvent = ComponentFailed(
                error=error, traceback="", mode="async", thread="MainThread", **times, **common
            )
        else:
            ended = ComponentFinished(outputs={}, mode="async", thread="MainThread", **times, **common)
        events.append((end, 0, ended))
    events.sort(key=lambda item: (item[0], item[1]))
    started = RunStarted(run_id=run_id, time=origin, wall_time=0.0, inputs={}, concurrency_limit=4)
    ordered: list[RunEvent] = [started, *(event for _, _, event in events)]
    if any(end is None for _, _, end, _ in visits):
        return ordered
    last = origin + max(end or 0.0 for _, _, end, _ in visits)
    failed = [component for component, _, _, status in visits if status == "failed"]
    if failed:
        ordered.append(RunFailed(run_id=run_id, time=last, error=RuntimeError(f"{failed[0]} failed")))
    else:
        ordered.append(RunFinished(run_id=run_id, time=last, outputs={}))
    return ordered


def loop_model() -> TimelineModel:
    return TimelineModel.from_summary(RunSummary.from_events(run_events(LOOP_RUN)), connections=LOOP_CONNECTIONS)


class TimelineApp(App[None]):
    """The widget alone, with every message it posts kept for the test."""

    def __init__(self, model: TimelineModel, now: float | None = None) -> None:
        super().__init__()
        self.model, self.now = model, now
        self.posted: list[Message] = []

    def compose(self) -> ComposeResult:
        yield TimelineView(id="timeline")

    def on_mount(self) -> None:
        view = self.query_one(TimelineView)
        view.border_title = "Timeline"
        view.update_model(self.model, self.now)
        view.focus()

    def on_visit_selected(self, message: VisitSelected) -> None:
        self.posted.append(message)

    def on_time_selected(self, message: TimeSelected) -> None:
        self.posted.append(message)

    def on_timeline_view_zoomed(self, message: TimelineView.Zoomed) -> None:
        self.posted.append(message)


def screen_text(app: App[Any]) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def cell_of(view: TimelineView, seconds: float, lane: int) -> tuple[int, int]:
    """Where (widget-relative, inside the border) the bar at `seconds` in `lane` is drawn."""
    gutter = view.model.gutter_width(view.scrollable_content_region.width)
    column = gutter + round(seconds / view.scale) - view.scroll_offset.x
    return 1 + column, 1 + 1 + lane - view.scroll_offset.y


def lane_in_view(view: TimelineView, lane: int) -> bool:
    first, rows = view.scroll_offset.y, view.scrollable_content_region.height - 1  # the axis row stays put
    return first <= lane < first + rows


async def test_clicking_a_bar_selects_its_visit() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        refine = view.model.lanes.index("refine")
        await pilot.click(view, offset=cell_of(view, 0.065, refine))  # inside refine's second visit
        assert [(type(m), m.visit_id, m.component) for m in app.posted] == [(VisitSelected, 6, "refine")]
        assert app.posted[0].control is view and view.selected_visit == 6
        assert "refine · visit #2 · 10.0 ms" in screen_text(app)[-1]
        await pilot.click(view, offset=cell_of(view, 0.04, refine))  # an empty stretch of the lane
        assert len(app.posted) == 1 and view.selected_visit == 6


async def test_clicking_the_axis_picks_a_moment_of_the_run() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        x, _ = cell_of(view, 0.05, 0)
        await pilot.click(view, offset=(x, 1))
        [message] = app.posted
        assert isinstance(message, TimeSelected) and message.control is view
        assert message.seconds == pytest.approx(0.05, abs=view.scale)
        await pilot.click(view, offset=(2, 1))  # the gutter of the axis row
        assert len(app.posted) == 1


async def test_zoom_halves_the_scale_and_fit_follows_again() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        fitted = view.scale
        assert view.following and fitted == view.model.fit(view.scrollable_content_region.width)
        await pilot.press("plus")
        assert view.scale == pytest.approx(fitted / 2) and not view.following
        await pilot.press("equals_sign")
        assert view.scale == pytest.approx(fitted / 4)
        await pilot.press("minus")
        assert view.scale == pytest.approx(fitted / 2)
        await pilot.press("minus", "minus")  # never further out than the whole run
        assert view.scale == pytest.approx(fitted)
        await pilot.press("plus", "right")
        assert view.scroll_offset.x > 0, "panned to later times"
        await pilot.press("0")
        assert view.following and view.scale == fitted and view.scroll_offset.x == 0
        zooms = [m.scale for m in app.posted if isinstance(m, TimelineView.Zoomed)]
        assert zooms == pytest.approx([fitted / 2, fitted / 4, fitted / 2, fitted, fitted / 2, None])


async def test_zoom_keeps_the_selected_bar_in_place() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        view.select_visit(8)  # refine's third visit, at 75 ms of 95
        before = cell_of(view, 0.075, view.model.lanes.index("refine"))
        await pilot.press("plus", "plus")
        assert abs(cell_of(view, 0.075, view.model.lanes.index("refine"))[0] - before[0]) <= 1
        assert view.scroll_offset.x > 0


async def test_a_running_bar_grows_while_following() -> None:
    running: list[Visit] = [("first", 0.0, 0.01, "finished"), ("second", 0.01, None, "finished")]
    model = TimelineModel.from_summary(RunSummary.from_events(run_events(running)))
    app = TimelineApp(model, now=0.02)
    async with app.run_test(size=(60, 8)) as pilot:
        view = app.query_one(TimelineView)
        width = view.scrollable_content_region.width
        assert view.scale == pytest.approx(model.fit(width, 0.02))
        first_scale = view.scale
        view.update_model(TimelineModel.from_summary(RunSummary.from_events(run_events(running))), now=0.04)
        await pilot.pause()
        assert view.scale == pytest.approx(2 * first_scale) and view.following
        second_row = screen_text(app)[3]
        assert second_row.rstrip("│ ").endswith("█"), "the running bar reaches the right edge"
        assert view.virtual_size.width == width, "nothing to scroll sideways while the whole run fits"


async def test_update_model_keeps_a_zoom_and_skips_unchanged_models() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        await pilot.press("plus")
        zoomed, generation = view.scale, view._generation
        view.update_model(loop_model())  # equal: nothing to redraw
        assert view._generation == generation
        longer = [*LOOP_RUN[:-1], ("answer", 0.085, 0.19, "finished")]
        view.update_model(TimelineModel.from_summary(RunSummary.from_events(run_events(longer))))
        assert view.scale == zoomed and not view.following


async def test_select_visit_scrolls_a_far_lane_into_view_and_posts_nothing() -> None:
    visits: list[Visit] = [
        (f"component_{lane:02d}", lane * 0.001, lane * 0.001 + 0.002, "finished") for lane in range(60)
    ]
    app = TimelineApp(TimelineModel.from_summary(RunSummary.from_events(run_events(visits))))
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        await pilot.press("plus", "plus", "plus")  # zoomed in: the far bar is off to the right as well
        app.posted.clear()
        view.select_visit(51)
        await pilot.pause()
        text = screen_text(app)
        assert any(row.startswith("│component_50") for row in text)
        assert lane_in_view(view, 50) and view.scroll_offset.x > 0
        assert app.posted == [] and view.selected_visit == 51
        view.select_visit(None)
        assert view.selected_bar is None


async def test_a_visit_selected_before_it_starts_is_shown_when_it_does_and_only_once() -> None:
    visits: list[Visit] = [
        (f"component_{lane:02d}", lane * 0.001, lane * 0.001 + 0.002, "finished") for lane in range(60)
    ]
    summary = RunSummary.from_events(run_events(visits[:10]))
    app = TimelineApp(TimelineModel.from_summary(summary))
    async with app.run_test(size=(80, 14)) as pilot:
        view = app.query_one(TimelineView)
        view.select_visit(51)  # the graph's selection, not started yet
        assert view.selected_visit == 51 and view.selected_bar is None and view.scroll_offset.y == 0
        view.update_model(TimelineModel.from_summary(RunSummary.from_events(run_events(visits))))
        await pilot.pause()
        assert view.selected_bar is not None and lane_in_view(view, 50)
        await pilot.press("pageup", "pageup", "pageup", "pageup", "pageup")
        assert view.scroll_offset.y == 0
        view.select_visit(51)  # the screen repeating its selection on a later tick
        await pilot.pause()
        assert view.scroll_offset.y == 0, "the user's scrolling stays"


async def test_keys_step_through_a_lane_and_between_lanes() -> None:
    app = TimelineApp(loop_model())
    async with app.run_test(size=(80, 14)) as pilot:
        await pilot.press("shift+right")  # nothing selected: the first visit in view
        await pilot.press("shift+down", "shift+down", "shift+down")  # embed, search, refine (nearest in time)
        await pilot.press("shift+right", "shift+right", "shift+right")  # refine's 2nd and 3rd; no 4th
        await pilot.press("shift+down", "shift+left")  # judge nearest to refine's 3rd, then judge's 1st
        picked = [(m.component, m.visit_id) for m in app.posted if isinstance(m, VisitSelected)]
        assert picked == [
            ("load", 1),
            ("embed", 2),
            ("search", 3),
            ("refine", 4),
            ("refine", 6),
            ("refine", 8),
            ("judge", 7),
            ("judge", 5),
        ]


def wheel(view: TimelineView, *, down: bool, shift: bool = False, x: int | None = None) -> None:
    """A mouse wheel turn over column `x` of the view (default: the middle), as the terminal reports it."""
    event = MouseScrollDown if down else MouseScrollUp
    x, y = view.size.width // 2 if x is None else x, view.size.height // 2
    view.post_message(event(view, x, y, 0, 1 if down else -1, 0, shift=shift, meta=False, ctrl=False))


def time_at(view: TimelineView, x: int) -> float:
    """The run time drawn at widget column `x` (inside the border)."""
    gutter = view.model.gutter_width(view.scrollable_content_region.width)
    return (view.scroll_offset.x + x - 1 - gutter) * view.scale


async def test_the_wheel_zooms_around_the_pointer_and_shift_wheel_pans() -> None:
    visits: list[Visit] = [(f"c{lane:02d}", lane * 0.01, lane * 0.01 + 0.01, "finished") for lane in range(30)]
    app = TimelineApp(TimelineModel.from_summary(RunSummary.from_events(run_events(visits))))
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TimelineView)
        fitted = view.scale
        x = view.size.width - 8  # well right of the middle: the zoom keeps this time under the pointer
        before = time_at(view, x)
        wheel(view, down=False, x=x)
        await pilot.pause()
        assert view.scale == pytest.approx(fitted / 2)
        assert abs(time_at(view, x) - before) <= view.scale  # within a column
        assert view.scroll_offset.x > 0 and view.scroll_offset.y == 0
        scrolled = view.scroll_offset.x
        wheel(view, down=False, shift=True)
        await pilot.pause()
        assert view.scroll_offset.x < scrolled and view.scale == pytest.approx(fitted / 2)
        wheel(view, down=True, x=x)
        await pilot.pause()
        assert view.scale == pytest.approx(fitted)


async def test_a_drag_pans_time_and_lanes_and_selects_nothing() -> None:
    visits: list[Visit] = [(f"c{lane:02d}", lane * 0.01, lane * 0.01 + 0.01, "finished") for lane in range(30)]
    app = TimelineApp(TimelineModel.from_summary(RunSummary.from_events(run_events(visits))))
    async with app.run_test(size=(60, 12)) as pilot:
        view = app.query_one(TimelineView)
        await pilot.press("plus", "plus")
        view.scroll_to(x=60, y=10, animate=False)
        await pilot.pause()
        app.posted.clear()
        start = (30, 5)
        await pilot.mouse_down(view, offset=start)
        await pilot.hover(view, offset=(start[0] + 6, start[1] + 2))  # drag right and down: earlier, upper lanes
        await pilot.mouse_up(view, offset=(start[0] + 6, start[1] + 2))
        await pilot.pause()
        assert (view.scroll_offset.x, view.scroll_offset.y) == (54, 8)
        assert not [message for message in app.posted if isinstance(message, VisitSelected)]
        await pilot.click(view, offset=cell_of(view, 0.095, 9))  # a click still selects
        assert [message.visit_id for message in app.posted if isinstance(message, VisitSelected)] == [10]


def test_a_run_with_a_loop_a_failure_and_its_critical_path(snap_compare: Callable[..., bool]) -> None:
    async def select_refine(pilot: Pilot[None]) -> None:
        pilot.app.query_one(TimelineView).select_visit(6)
        await pilot.pause()

    assert snap_compare(TimelineApp(loop_model()), terminal_size=(100, 14), run_before=select_refine)
