"""Replays in the debugger app: stepping and seeking, breakpoints, the timeline, forks, and runs opened from the
browser. Recordings are made by real runs of the waiting sample with short waits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentFinished, ComponentStarted, RunFinished
from pipeline.runs.recording import read_run
from pipeline.runs.store import RunStore
from tests.tui.app.conftest import TOY, failing_yaml, screen_text, wait_for, waiting_yaml
from tui.app import PipedebugApp
from tui.messages import OpenRun
from tui.screens.debugger import DebuggerScreen
from tui.screens.diff import DiffScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.screens.export import ExportScreen
from tui.screens.load_error import LoadErrorScreen
from tui.screens.runs import RunsScreen
from tui.screens.seek import SeekScreen
from tui.widgets.graph import GraphView
from tui.widgets.timeline import TimelineView

SIZE = (120, 40)


async def record(pipeline_file: Path, runs_dir: Path, message: str = "Hello") -> Path:
    """Run the pipeline headless through the runs store, as the app and `pipedebug run --record` do."""
    pipe = AsyncPipeline.load(pipeline_file)
    data = {"user_msg": message}
    recorder = RunStore(runs_dir).record(pipe.events(data), pipeline_name="waiting", pipeline=pipe, inputs=data)
    async with recorder:
        async for _ in recorder:
            pass
    return recorder.path


@pytest.fixture
async def recording(small_waits: Path, runs_dir: Path) -> Path:
    return await record(small_waits, runs_dir)


def replay_app(path: Path, speed: float | None = None) -> PipedebugApp:
    return PipedebugApp(replay=path, speed=speed)  # a replay records nothing; a fork of it is recorded


async def replay_started(pilot: Pilot) -> DebuggerScreen:
    app = pilot.app
    assert isinstance(app, PipedebugApp)
    await wait_for(pilot, lambda: app.debugger.session is not None, "the replay to start")
    return app.debugger


async def test_replay_steps_back_and_forth_between_completions(recording: Path) -> None:
    app = replay_app(recording, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        assert screen.replay is not None
        completions = [i + 1 for i, e in enumerate(screen.replay.events) if isinstance(e, ComponentFinished)]
        await pilot.press("home")
        await wait_for(pilot, lambda: screen.status == "paused" and screen.position == 0, "the start, paused")
        await pilot.press("s")
        await wait_for(pilot, lambda: screen.position == completions[0], "a step to the first completion")
        first = screen.replay.events[completions[0] - 1]
        assert isinstance(first, ComponentFinished)
        graph = app.screen.query_one(GraphView)
        await wait_for(pilot, lambda: graph.selected == first.component, "the graph to follow")
        await pilot.press("full_stop", "full_stop")
        await wait_for(pilot, lambda: screen.position == completions[2], "two completions forward")
        await pilot.press("comma")
        await wait_for(pilot, lambda: screen.position == completions[1], "one back")
        assert screen.status == "paused" and screen.session is not None
        assert len([s for s in screen.session.summary.spans if s.status == "finished"]) == 2
        timeline = screen.query_one(TimelineView)
        events = screen.replay.events
        paused_at = events[screen.position - 1].time - events[0].time
        await pilot.pause(0.2)  # a paused replay's clock stands still: running bars stop where it paused
        assert screen.session.summary.running and timeline.now == pytest.approx(paused_at)
        text = screen_text(app)
        assert "REPLAY 1x" in text and f"event {completions[1]}/{len(screen.replay)}" in text
        await pilot.press("greater_than_sign", "greater_than_sign")
        assert screen.replay.speed == 4.0
        await pilot.press("end")
        await wait_for(pilot, lambda: screen.status == "finished", "the end")
        assert isinstance(screen.session.events[-1], RunFinished)
        assert "✓ finished" in screen_text(app)


async def test_a_breakpoint_stops_a_replay_as_it_stops_a_live_run(recording: Path) -> None:
    app = replay_app(recording, speed=None)
    app.debugger.breakpoints.add("wait_2")
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "paused", "the breakpoint")
        assert screen.session is not None and screen.session.pause_reason is not None
        assert screen.session.pause_reason.kind == "breakpoint"
        assert screen.session.pause_reason.component == "wait_2"
        await wait_for(pilot, lambda: app.screen.query_one(GraphView).selected == "wait_2", "the graph to select it")
        assert "paused at wait_2" in screen_text(app)
        assert not app.debugger.check_action("edit_outputs", ())  # a replay's outputs are what they were
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")


async def test_the_timeline_and_the_graph_select_the_same_visit(recording: Path) -> None:
    app = replay_app(recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")
        await pilot.pause(0.1)
        timeline = app.screen.query_one(TimelineView)
        graph = app.screen.query_one(GraphView)
        graph.select("wait_4")
        span = next(s for s in screen.session.summary.spans if s.component == "wait_4")
        await wait_for(pilot, lambda: timeline.selected_visit == span.visit_id, "the timeline to highlight wait_4")

        target = next(s for s in screen.session.summary.spans if s.component == "wait_3")
        click = _bar_offset(timeline, target.visit_id)
        await pilot.click(timeline, offset=click)
        await wait_for(pilot, lambda: graph.selected == "wait_3", "the graph to follow the timeline")
        await wait_for(pilot, lambda: screen._shown_visit == target.visit_id, "the inspector to show that visit")


def _bar_offset(timeline: TimelineView, visit_id: int) -> tuple[int, int]:
    """Where the visit's bar is drawn, relative to the timeline widget (its border included), as Pilot clicks."""
    width, height = timeline.content_size
    left, top = timeline.content_region.x - timeline.region.x, timeline.content_region.y - timeline.region.y
    for row in range(height):
        for column in range(width):
            bar = timeline.model.bar_at(column, row, timeline._viewport(), timeline.now)
            if bar is not None and bar.visit_id == visit_id:
                return left + column, top + row
    raise AssertionError(f"visit {visit_id} is not drawn in the timeline")


async def test_fork_from_a_replayed_visit_runs_live_with_edited_inputs(recording: Path, runs_dir: Path) -> None:
    app = replay_app(recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")
        app.screen.query_one(GraphView).select("wait_2")
        await wait_for(pilot, lambda: screen.check_action("fork", ()) is True, "a visit to fork from")
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the inputs editor")
        app.screen.query_one(TextArea).text = json.dumps("edited before the fork")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen) and app.screen is not screen, "fork")
        fork = app.screen
        assert isinstance(fork, DebuggerScreen) and fork.forked_from is not None
        await wait_for(pilot, lambda: fork.status == "finished", "the fork to finish", timeout=20)
        assert fork.session is not None
        started = {e.component: e for e in fork.session.events if isinstance(e, ComponentStarted)}
        finished = {e.component: e for e in fork.session.events if isinstance(e, ComponentFinished)}
        assert started["wait_2"].inputs == {"user_msg": "edited before the fork"}
        assert finished["wait_1"].reused and not finished["wait_2"].reused
        assert "FORK of" in screen_text(app)
        assert fork.record_path is not None
        assert read_run(fork.record_path).header.parent == fork.forked_from

        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, DiffScreen), "the diff with the parent")
        diff_screen = app.screen
        assert isinstance(diff_screen, DiffScreen)
        assert (diff_screen.a, diff_screen.b) == (recording, fork.record_path)
        await wait_for(pilot, lambda: diff_screen.loaded is not None, "the diff")
        assert "wait_2" in screen_text(app)  # its inputs changed
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is fork, "back to the fork")

        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, "back to the replay")


async def test_open_a_saved_run_from_the_runs_browser(small_waits: Path, runs_dir: Path) -> None:
    path = await record(small_waits, runs_dir, "Bonjour")
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.loaded is not None, "loading")
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), "the runs browser")
        await wait_for(pilot, lambda: path.name in screen_text(app), "the run in the list")
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, DebuggerScreen) and app.screen is not app.debugger,
            "a replay screen on top",
        )
        replay = app.screen
        assert isinstance(replay, DebuggerScreen)
        await wait_for(pilot, lambda: replay.status == "finished", "the replay to end", timeout=20)
        assert replay.record_path == path and "REPLAY" in screen_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.debugger, "back to the live debugger")


async def test_export_the_current_run_from_the_app(recording: Path, runs_dir: Path) -> None:
    app = replay_app(recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is screen, "the dialog to close")
        exported = runs_dir / f"{recording.stem}.trace.json"
        trace = json.loads(exported.read_text())
        names = {event.get("name") for event in trace["traceEvents"]}
        assert {"wait_1", "wait_2", "wait_3", "wait_4", "wait_5"} <= names


async def test_a_damaged_run_file_shows_where_and_why(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"not": "a header"}\n')
    app = replay_app(path)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, LoadErrorScreen), "the error screen")
        assert isinstance(app.screen, LoadErrorScreen)
        assert app.screen.failure.path == str(path)
        # A pushed screen is the current one before its first layout, when it draws nothing yet: wait for the
        # picture rather than reading it at once (that read an empty screen now and then).
        await wait_for(pilot, lambda: str(path) in screen_text(app), "the error screen to name the file")


async def test_a_run_whose_components_are_not_allowed_is_refused_with_the_reason(
    tmp_path: Path, runs_dir: Path
) -> None:
    """The recorded pipeline uses test components; opening it from the browser of an app that does not allow
    their module says so, and the debugger underneath goes on."""
    pipe = AsyncPipeline.load(failing_yaml(tmp_path), allowed_modules=[TOY])
    recorder = RunStore(runs_dir).record(pipe.events({"value": 1}), pipeline_name="failing", pipeline=pipe)
    async with recorder:
        async for _ in recorder:
            pass
    app = PipedebugApp(waiting_yaml(tmp_path, {}), record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.loaded is not None, "loading")
        app.post_message(OpenRun(recorder.path))
        await wait_for(
            pilot,
            lambda: any("--allow-module" in str(n.message) for n in app._notifications),
            "a notification naming the fix",
        )
        (note,) = [n for n in app._notifications if "--allow-module" in str(n.message)]
        assert note.title == str(recorder.path) + ":1" and note.severity == "error"
        assert app.screen is app.debugger


async def test_go_to_an_event_number_or_a_time(recording: Path) -> None:
    app = replay_app(recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await wait_for(pilot, lambda: screen.status == "finished", "the end of the replay")
        assert screen.replay is not None
        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, SeekScreen), "the go-to dialog")
        await pilot.press(*"99", "enter")
        await wait_for(pilot, lambda: "event 99 is past the end" in screen_text(app), "the reason")
        assert isinstance(app.screen, SeekScreen)
        app.screen.query_one(Input).value = "5"
        await pilot.press("enter")
        await wait_for(pilot, lambda: screen.status == "paused" and screen.position == 5, "event 5, paused")

        await pilot.press("ctrl+g")
        await wait_for(pilot, lambda: isinstance(app.screen, SeekScreen), "the go-to dialog")
        app.screen.query_one(Input).value = "30 ms"
        await pilot.press("enter")
        target = screen.replay.position_at(0.03)
        await wait_for(pilot, lambda: screen.position == target, "the moment 30 ms into the run")


async def test_pause_and_play_a_slowed_replay(recording: Path) -> None:
    app = replay_app(recording, speed=0.1)  # ten times slower: about a second and a half in all
    async with app.run_test(size=SIZE) as pilot:
        screen = await replay_started(pilot)
        await pilot.press("p")
        await wait_for(pilot, lambda: screen.status == "paused", "the pause")
        assert screen.session is not None and screen.session.pause_reason is not None
        assert screen.session.pause_reason.kind == "user"
        held = screen.position
        assert held < len(screen.replay)
        await pilot.pause(0.3)
        assert screen.position == held  # nothing moves while paused
        await pilot.press("greater_than_sign", "greater_than_sign", "greater_than_sign", "greater_than_sign")
        await pilot.press("space")
        await wait_for(pilot, lambda: screen.status == "finished", "the rest of the replay, 1.6x")
        assert "REPLAY 1.6x" in screen_text(app)
