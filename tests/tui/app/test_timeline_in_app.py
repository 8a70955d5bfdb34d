"""The timeline and the screens it appears on, reached from the debugger: live bars during a run, the critical path
once it ended, seeking a replay by a click on the time axis, and the comparison screen on `ctrl+k`."""

from __future__ import annotations

from pathlib import Path

from pipeline.runs.compare import concurrency_profile, critical_path
from tests.tui.app.conftest import wait_for, wait_loaded, waiting_yaml
from tests.tui.app.test_replay_app import SIZE, record, replay_app, replay_started
from tui.app import PipedebugApp
from tui.screens.compare import CompareScreen
from tui.widgets.timeline import TimelineView


async def test_live_bars_while_paused_and_the_critical_path_once_ended(tmp_path: Path) -> None:
    waits = {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 0.05, "wait_4": 0.15, "wait_5": 0.05}
    app = PipedebugApp(waiting_yaml(tmp_path, waits), record=False)
    app.debugger.breakpoints.add("wait_1")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the breakpoint")
        timeline = app.debugger.query_one(TimelineView)
        await wait_for(pilot, lambda: len(timeline.model.bars) == 3, "the three first visits drawn")
        statuses = {timeline.model.lanes[bar.lane]: bar.status for bar in timeline.model.bars}
        assert statuses["wait_1"] == "finished"
        assert statuses["wait_3"] in ("running", "queued") and statuses["wait_5"] in ("running", "queued")
        assert not timeline.model.critical  # only an ended run has one

        # wait_3 and wait_5 finish while the run is paused on wait_1's completion: queued, not running on
        await wait_for(
            pilot,
            lambda: (
                {timeline.model.lanes[bar.lane]: bar.status for bar in timeline.model.bars}
                == {"wait_1": "finished", "wait_3": "queued", "wait_5": "queued"}
            ),
            "the completions queued while paused",
        )
        bars = {timeline.model.lanes[bar.lane]: bar for bar in timeline.model.bars}
        assert bars["wait_3"].end is not None and bars["wait_3"].end - bars["wait_3"].start < 0.5  # ends, at its end
        assert timeline.border_title == ""  # nothing runs while paused once they finished
        assert app.debugger.session is not None and app.debugger.session.queued == ["wait_3", "wait_5"]

        await pilot.press("space")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the run")
        session = app.debugger.session
        assert session is not None
        path = critical_path(session.summary.spans, list(app.debugger.loaded.pipe.connections()))
        await wait_for(pilot, lambda: timeline.model.critical, "the ended run drawn, with its critical path")
        assert len(timeline.model.bars) == 5
        on_path = {timeline.model.lanes[bar.lane] for bar in timeline.model.bars if bar.key in timeline.model.critical}
        assert on_path == {"wait_3", "wait_4"} == set(path.components)
        assert (
            timeline.border_title
            == f"at most 3 at once · {concurrency_profile(session.summary.spans).mean:.2f} on average"
        )


async def test_a_click_on_the_time_axis_seeks_the_replay(small_waits: Path, runs_dir: Path) -> None:
    app = replay_app(await record(small_waits, runs_dir), speed=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")
        timeline = screen.query_one(TimelineView)
        ended_at = screen.session.summary.ended_at if screen.session is not None else None
        await wait_for(pilot, lambda: timeline.now is None and timeline.model.end == ended_at, "the whole run drawn")
        await pilot.pause()
        left = timeline.content_region.x - timeline.region.x
        top = timeline.content_region.y - timeline.region.y
        gutter = timeline.model.gutter_width(timeline.content_size.width)
        column, scale = timeline.content_size.width // 2, timeline.scale
        await pilot.click(timeline, offset=(left + column, top))
        await wait_for(pilot, lambda: screen.status == "paused", "the replay to pause where clicked")
        assert screen.replay is not None and screen.session is not None
        seconds = (column - gutter) * scale  # give or take a column of scrollbar gutter
        low, high = screen.replay.position_at(seconds - scale), screen.replay.position_at(seconds + scale)
        assert low <= screen.position <= high
        assert 0 < screen.position < len(screen.replay)
        assert screen.session.summary.running  # the middle of the run: something was running then


async def test_compare_from_the_debugger_shows_concurrent_faster(tmp_path: Path, runs_dir: Path) -> None:
    waits = {"wait_1": 0.05, "wait_2": 0.05, "wait_3": 0.05, "wait_4": 0.1, "wait_5": 0.15}
    app = PipedebugApp(waiting_yaml(tmp_path, waits))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen), "the comparison screen")
        compare = app.screen
        assert isinstance(compare, CompareScreen)
        await wait_for(pilot, lambda: compare.comparison is not None, "the comparison to finish", timeout=30)
        comparison = compare.comparison
        assert comparison is not None and len(comparison.queries) == 3
        assert comparison.concurrent.wall_time < comparison.sequential.wall_time
        assert len(list(runs_dir.glob("*.jsonl"))) == 6  # every run of both modes recorded
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.debugger, "back to the debugger")
