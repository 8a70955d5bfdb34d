"""Logs as events in the app: a live run's prints are recorded, so its replay shows them too; the Logs pane
filters by component and searches, as a user does it with keys and the component select."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, RichLog, Select

from pipeline.core.events import ComponentLogged
from pipeline.runs.recording import read_run
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.layout.timeline import LOG_MARK
from tui.widgets.graph import GraphView
from tui.widgets.logs import LogView
from tui.widgets.timeline import TimelineView

SIZE = (120, 40)
WAITERS = ["wait_1", "wait_2", "wait_3", "wait_4", "wait_5"]


def log_lines(app: PipedebugApp) -> list[str]:
    return [strip.text.rstrip() for strip in app.debugger.query_one(RichLog).lines]


async def test_a_live_runs_prints_are_recorded_and_replayed_in_the_logs(small_waits: Path, runs_dir: Path) -> None:
    app = PipedebugApp(small_waits)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
        timeline = app.debugger.query_one(TimelineView)
        await wait_for(pilot, lambda: len(timeline.model.logs) == 10, "a mark per line on the timeline")
        assert {timeline.model.lanes[lane] for lane, _, _ in timeline.model.logs} == set(WAITERS)
        await wait_for(pilot, lambda: LOG_MARK in screen_text(app), "the marks drawn on the bars")
        await pilot.press("l")
        await wait_for(pilot, lambda: len(log_lines(app)) >= 10, "the prints of the five components")
        live = log_lines(app)
    (recorded,) = runs_dir.glob("*.jsonl")
    logged = [e for e in read_run(recorded).events if isinstance(e, ComponentLogged)]
    assert sorted({e.component for e in logged}) == WAITERS and len(logged) == 10  # each prints two lines

    replay = PipedebugApp(replay=recorded, speed=None)
    async with replay.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: replay.debugger.status == "finished", "the replay to end")
        await pilot.press("l")
        await wait_for(pilot, lambda: len(log_lines(replay)) >= 10, "the replayed prints")
        assert sorted(log_lines(replay)) == sorted(live)
        assert any(line.startswith("wait_3 ") and "done" in line for line in log_lines(replay))


async def test_the_logs_pane_filters_by_component_and_searches(small_waits: Path, runs_dir: Path) -> None:
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
        await pilot.press("l")
        view = app.debugger.query_one(LogView)
        await wait_for(pilot, lambda: len(log_lines(app)) >= 10, "the prints")

        view.query_one(Select).value = "wait_3"
        await wait_for(pilot, lambda: len(log_lines(app)) == 2, "only wait_3's lines")
        assert all(line.startswith("wait_3 ") for line in log_lines(app))

        view.query_one(Select).value = "__all__"
        await wait_for(pilot, lambda: len(log_lines(app)) == 10, "every line again")
        app.debugger.query_one(GraphView).select("wait_5")
        view.query_one(RichLog).focus()
        await pilot.press("o")  # only the graph's selection
        await wait_for(pilot, lambda: len(log_lines(app)) == 2, "only wait_5's lines")
        assert all(line.startswith("wait_5 ") for line in log_lines(app)) and view.query_one(Select).value == "wait_5"
        await pilot.press("o")
        await wait_for(pilot, lambda: len(log_lines(app)) == 10, "every line again")
        view.query_one(RichLog).focus()
        await pilot.press("slash")
        assert isinstance(app.focused, Input) and app.focused.id == "logs-search"
        await pilot.press(*"is done")
        await wait_for(pilot, lambda: len(log_lines(app)) == 5, "the lines that match")
        assert all("is done" in line for line in log_lines(app))
        await pilot.press("escape")  # leaves the field, keeps the search
        assert not isinstance(app.focused, Input)
        assert len(log_lines(app)) == 5 and "is done" in screen_text(app)
