"""Stopping, pausing and closing never freeze the app, and the status bar says what is going on at once (issue 13):
escape from a fork over a paused replay, a fork paused at a breakpoint, "pausing…" and "stopping…", the fork's
loading bar, and one visit numbering in dialogs and the status bar."""

from __future__ import annotations

import json
import time
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Static, TextArea

from tests.tui.app.conftest import screen_text, wait_for, wait_loaded, waiting_yaml
from tests.tui.app.test_app import _engine_threads
from tests.tui.app.test_replay_app import record, replay_started
from tui.app import PipedebugApp
from tui.screens.debugger import DebuggerScreen
from tui.screens.edit_sockets import EditSocketsScreen
from tui.widgets.graph import GraphView

SIZE = (120, 40)


def status_line(screen: DebuggerScreen) -> str:
    return str(screen.query_one("#status", Static).render())


async def fork_from(pilot: Pilot, replay: DebuggerScreen, component: str) -> DebuggerScreen:
    """Fork `replay` from the inspected visit of `component`, its inputs edited, and return the fork's screen."""
    app = pilot.app
    app.screen.query_one(GraphView).select(component)
    await wait_for(pilot, lambda: replay.check_action("fork", ()) is True, "a visit to fork from")
    await pilot.press("f")
    await wait_for(pilot, lambda: isinstance(app.screen, EditSocketsScreen), "the inputs editor")
    editor = app.screen
    assert isinstance(editor, EditSocketsScreen)
    assert "visit #1" in screen_text(app)  # the dialog numbers the visit as every pane does
    editor.query_one(TextArea).text = json.dumps("forked")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, DebuggerScreen) and app.screen is not replay, "the fork")
    fork = app.screen
    assert isinstance(fork, DebuggerScreen)
    return fork


async def test_escape_from_a_fork_paused_at_a_breakpoint_over_a_paused_replay(tmp_path: Path, runs_dir: Path) -> None:
    """It froze the app: closing the fork waited, in the key handler, on every run, the paused replay included."""
    pipeline_file = waiting_yaml(tmp_path, {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 0.02, "wait_4": 0.5})
    recording = await record(pipeline_file, runs_dir)
    app = PipedebugApp(replay=recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        replay = await replay_started(pilot)
        await wait_for(pilot, lambda: replay.status == "finished", "the end of the replay")
        await pilot.press("home", "full_stop", "full_stop")
        await wait_for(pilot, lambda: replay.status == "paused" and replay.position > 0, "the replay paused")
        replay.breakpoints.add("wait_3")
        fork = await fork_from(pilot, replay, "wait_1")
        await wait_for(pilot, lambda: not fork.query_one("#progress").display, "the fork's loading bar to clear")
        await wait_for(pilot, lambda: fork.status == "paused", "the fork at its breakpoint")
        assert fork.forked_from is not None
        assert f"FORK of {fork.forked_from.run_id[:8]} @ wait_1 visit #1" in status_line(fork)
        held = replay.position

        began = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is replay, "back to the replay", timeout=3)
        assert time.monotonic() - began < 2
        await wait_for(pilot, lambda: not fork.controller.tasks, "the fork's run to end in the background")
        assert fork.status == "cancelled"
        assert replay.status == "paused" and replay.position == held  # the replay underneath is untouched
        await pilot.press("space")
        await wait_for(pilot, lambda: replay.status == "finished", "the replay to play on")


async def test_escape_from_a_running_fork_with_a_slow_component(tmp_path: Path, runs_dir: Path) -> None:
    """A sync component cannot be interrupted: the fork's run ends when it returns, long after the screen closed."""
    pipeline_file = waiting_yaml(tmp_path, {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 0.02, "wait_4": 1.5})
    recording = await record(pipeline_file, runs_dir)
    app = PipedebugApp(replay=recording, speed=None)
    async with app.run_test(size=SIZE) as pilot:
        replay = await replay_started(pilot)
        await wait_for(pilot, lambda: replay.status == "finished", "the end of the replay")
        fork = await fork_from(pilot, replay, "wait_3")
        session = fork.session
        await wait_for(pilot, lambda: session is not None and "wait_4" in session.running, "wait_4 running")
        began = time.monotonic()
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is replay, "back to the replay", timeout=3)
        assert time.monotonic() - began < 1.0  # wait_4 still sleeps
        assert session is not None and session.status != "finished"
        await wait_for(pilot, lambda: not fork.controller.tasks, "the fork's run to end in the background")
        assert session.status == "cancelled"
        await wait_for(pilot, lambda: not _engine_threads(), "the engine's worker threads to exit")


async def test_pause_and_stop_say_so_at_once(tmp_path: Path) -> None:
    """A pause takes effect at the next event, a stop once the components in flight ended (a sync one cannot be
    interrupted): meanwhile the status bar says "pausing…" and "stopping…", and the footer no longer offers
    them."""
    waits = {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 2.5, "wait_4": 0.02, "wait_5": 0.02}
    pipeline_file = waiting_yaml(tmp_path, waits)
    app = PipedebugApp(pipeline_file, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        debugger = app.debugger
        await pilot.press("r")
        await wait_for(pilot, lambda: debugger.session is not None, "the run")
        session = debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.running == ["wait_3"], "only wait_3 left running")
        await pilot.press("p")
        await wait_for(pilot, lambda: "⏸ pausing…" in status_line(debugger), "pausing…", timeout=1.0)
        assert session.status == "running" and debugger.check_action("pause", ()) is None
        await wait_for(pilot, lambda: session.status == "paused", "the pause, once wait_3 finished")
        await wait_for(pilot, lambda: "⏸ paused at wait_3" in status_line(debugger), "paused at wait_3")

        await debugger.controller.aclose()
        await pilot.press("r")
        await wait_for(pilot, lambda: debugger.session is not session, "a second run")
        second = debugger.session
        assert second is not None
        await wait_for(pilot, lambda: second.running == ["wait_3"], "wait_3 running again")
        await pilot.press("x")
        await wait_for(pilot, lambda: "⏹ stopping…" in status_line(debugger), "stopping…", timeout=1.0)
        assert debugger.check_action("stop", ()) is False
        await wait_for(pilot, lambda: second.status == "cancelled", "the stop")
        await wait_for(pilot, lambda: "⊘ stopped" in status_line(debugger), "stopped")


async def test_reload_never_waits_for_the_run_to_wind_down(tmp_path: Path) -> None:
    """ctrl+l with a run paused at a breakpoint while a sync component sleeps: the app reloads at once (it awaited
    the run's end in the key handler, frozen until the component returned)."""
    pipeline_file = waiting_yaml(
        tmp_path, {"wait_1": 0.02, "wait_2": 0.02, "wait_3": 5.0, "wait_4": 0.02, "wait_5": 0.02}
    )
    app = PipedebugApp(pipeline_file, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        old = app.debugger
        old.breakpoints.add("wait_1")
        await pilot.press("r")
        await wait_for(pilot, lambda: old.status == "paused", "the breakpoint on wait_1")
        session = old.session
        assert session is not None and "wait_3" in session.running
        began = time.monotonic()
        await pilot.press("ctrl+l")
        await wait_for(pilot, lambda: app.debugger is not old and app.screen is app.debugger, "the new screen", 1.5)
        assert time.monotonic() - began < 1.5 and old.controller.tasks  # wait_3 still sleeps: the run winds down
        await wait_for(pilot, lambda: not old.controller.tasks, "the old run to end in the background")
        assert session.status == "cancelled" and app.debugger.breakpoints is old.breakpoints
        await wait_loaded(pilot)
