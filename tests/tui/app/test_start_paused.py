"""`pipedebug --paused` and `--break-before COMPONENT`: the app starts a run at once, stopped before the first
component / before that component, which has not run; the inspector shows its inputs and says so."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from textual.widgets import Input, TabbedContent

from pipeline.core.events import ComponentFinished, ComponentStarted
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded, waiting_yaml
from tests.tui.app.test_terminal import WAITERS, Tmux, tmux  # noqa: F401 (the fixture)
from tui.app import PipedebugApp
from tui.screens.condition import ConditionScreen
from tui.start import RunStart, add_start_arguments
from tui.widgets.graph import GraphView
from tui.widgets.inspector import Inspector

SIZE = (120, 40)


def finished(app: PipedebugApp, component: str) -> bool:
    session = app.debugger.session
    return session is not None and any(
        isinstance(e, ComponentFinished) and e.component == component for e in session.events
    )


async def test_break_before_starts_a_run_stopped_before_the_component(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False, start=RunStart(break_before=("wait_2",)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the run to stop")
        reason = app.debugger.session.pause_reason  # type: ignore[union-attr]
        assert reason is not None and isinstance(reason.event, ComponentStarted) and reason.component == "wait_2"
        assert app.debugger.breakpoints.get("wait_2").when == "before"  # type: ignore[union-attr]
        await pilot.pause(0.3)
        assert finished(app, "wait_1") and not finished(app, "wait_2")  # held back: wait_2 has not run

        inspector = app.debugger.query_one(Inspector)
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).selected == "wait_2", "wait_2 selected")
        title = app.debugger.query_one("#inspector-title")
        await wait_for(pilot, lambda: "paused before wait_2" in str(title.render()), "the inspector's word")
        assert inspector.query_one(TabbedContent).active == "inputs"
        assert "Message from wait_1" in screen_text(app)  # what wait_2 is about to receive
        assert "paused at wait_2 (breakpoint, before it runs)" in screen_text(app)  # the status line

        await pilot.press("space")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
        assert finished(app, "wait_2")


async def test_paused_stops_before_the_first_component(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False, start=RunStart(paused=True))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await wait_for(pilot, lambda: app.debugger.status == "paused", "the run to stop")
        session = app.debugger.session
        assert session is not None and session.pause_reason is not None
        assert session.pause_reason.component == "wait_1"
        assert not any(isinstance(e, ComponentFinished) for e in session.events)
        await pilot.press("space")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")


async def test_an_unknown_component_is_reported_and_nothing_starts(small_waits: Path) -> None:
    app = PipedebugApp(small_waits, record=False, start=RunStart(break_before=("wait_9",)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        notes = lambda: [n.message for n in app._notifications]  # noqa: E731
        await wait_for(pilot, lambda: any("no component 'wait_9'" in note for note in notes()), "the error")
        await pilot.pause(0.2)
        assert app.debugger.session is None


def test_the_flags_parse_and_name_the_nth_visit() -> None:
    parser = argparse.ArgumentParser()
    add_start_arguments(parser)
    assert RunStart.from_options(parser.parse_args([])) is None  # bare `pipedebug` opens as before
    start = RunStart.from_options(parser.parse_args(["--paused", "--break-before", "a", "--break-before", "b#3"]))
    assert start == RunStart(True, ("a", "b#3"))
    assert start.breakpoints({"a", "b"}) == [("a", None), ("b", "visit == 3")]
    assert RunStart(break_before=("odd#2",)).breakpoints({"odd#2"}) == [("odd#2", None)]  # a name with a #


def test_the_real_command_breaks_before_a_component(tmux: Tmux, tmp_path: Path, runs_dir: Path) -> None:  # noqa: F811
    command = Path(sys.executable).with_name("pipedebug")
    pipeline = waiting_yaml(tmp_path, dict.fromkeys(WAITERS, 0.1))
    shell = (
        f"cd {shlex.quote(str(tmp_path))} && env -u COLUMNS -u LINES PIPEDEBUG_RUNS_DIR={shlex.quote(str(runs_dir))} "
        f"HF_HUB_OFFLINE=1 {shlex.quote(str(command))} {shlex.quote(str(pipeline))} --break-before wait_4; "
        f"echo exit=$? > {shlex.quote(str(tmp_path / 'exit'))}"
    )
    started = tmux("new-session", "-d", "-s", "app", "-x", "120", "-y", "40", shell)
    assert started.returncode == 0, started.stderr
    screen = tmux.wait_for("paused before wait_4", "the run to stop before wait_4")
    assert "finished in" not in screen
    tmux("send-keys", "-t", "app", "space")
    tmux.wait_for("finished in", "the run to finish")
    tmux("send-keys", "-t", "app", "C-q")
    tmux.wait_for(None, "pipedebug to quit", until_exit=True)
    assert (tmp_path / "exit").read_text().strip() == "exit=0"


async def test_c_on_a_breakpoint_before_a_component_checks_its_condition_against_its_inputs(
    small_waits: Path,
) -> None:
    """`c` on the graph's component: a condition of a breakpoint before it reads its inputs, so an input socket's
    name is valid there (it was refused as "not an output" before) and an output's name is not."""
    app = PipedebugApp(small_waits, record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        inputs = list(
            app.debugger.controller.loaded.pipe.inputs(include_components_with_connected_inputs=True)["wait_2"]
        )  # type: ignore[union-attr]
        outputs = app.debugger.controller.socket_names("wait_2")
        assert inputs and outputs and not set(inputs) & set(outputs)
        app.debugger.breakpoints.add("wait_2", when="before")
        app.debugger.query_one(GraphView).select("wait_2")
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).selected == "wait_2", "wait_2 selected")
        await pilot.press("c")
        screen = app.screen
        assert isinstance(screen, ConditionScreen)
        await pilot.press(*f"{inputs[0]} is not None")
        await wait_for(
            pilot,
            lambda: screen.error is None and "valid" in str(screen.query_one("#condition-status").render()),
            "the input's name accepted",
        )
        screen.query_one(Input).value = f"{outputs[0]} is not None"
        await wait_for(pilot, lambda: screen.error is not None, "an output's name refused")
