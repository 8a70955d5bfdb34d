"""Honest time in the app: a run paused at a breakpoint says its pipeline time, not the wall time, and the timeline
shows the pause as a band; a replay of it does not wait out the pause and draws a playhead as it plays."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.events import RunPaused
from pipeline.runs.recording import read_run
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded, waiting_yaml
from tests.tui.app.test_replay_app import SIZE, replay_app, replay_started
from tui.app import PipedebugApp
from tui.layout.timeline import PAUSED, PLAYHEAD
from tui.widgets.graph import GraphView
from tui.widgets.timeline import TimelineView

PAUSE = 0.6
"""Long next to the pipeline's waits below (tens of ms)."""
WAITS = {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 0.02, "wait_4": 0.03, "wait_5": 0.02}


async def test_a_breakpoint_pause_is_not_the_runs_time_and_shows_as_a_band(tmp_path: Path, runs_dir: Path) -> None:
    app = PipedebugApp(waiting_yaml(tmp_path, WAITS), runs_dir=str(runs_dir))
    app.debugger.breakpoints.add("wait_1")
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the breakpoint")
        graph = app.debugger.query_one(GraphView)
        state = graph.states.get
        await wait_for(pilot, lambda: getattr(state("wait_1"), "status", None) == "paused", "wait_1 shown paused")
        await pilot.pause(PAUSE)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the run")
        session = app.debugger.session
        assert session is not None
        summary = session.summary
        assert summary.wall_duration is not None and summary.duration is not None
        assert summary.duration < 0.3 < PAUSE <= summary.wall_duration
        timeline = app.debugger.query_one(TimelineView)
        await wait_for(pilot, lambda: len(timeline.model.pauses) == 1, "the pause on the timeline")
        await pilot.pause()
        rows = timeline.model.render(timeline._viewport(), timeline.now)
        assert any(cell.char == PAUSED and cell.style == "paused" for row in rows for cell in row)
        await pilot.pause(0.1)
        status = screen_text(app)
        assert f"in {summary.duration:.2f} s" in status and f"in {summary.wall_duration:.2f} s" not in status
        left_out = summary.wall_duration - summary.duration
        assert f"(+{left_out:.2f} s paused or warming up)" in status
        path = app.debugger.record_path
    assert path is not None
    recorded = read_run(path)
    assert [type(event) for event in recorded.events].count(RunPaused) == 1

    replay = replay_app(path, speed=0.25)  # a quarter of the speed: the pipeline's ~0.1 s plays in ~0.4 s
    async with replay.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        timeline = screen.query_one(TimelineView)
        await wait_for(pilot, lambda: timeline.model.playhead is not None, "a playhead while the replay plays")
        first = timeline.model.playhead
        await wait_for(
            pilot, lambda: (timeline.model.playhead or 0.0) > (first or 0.0), "the playhead moving", timeout=15
        )
        rows = timeline.model.render(timeline._viewport(), timeline.now)
        assert any(cell.char == PLAYHEAD for row in rows[1:] for cell in row)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay", timeout=15)
