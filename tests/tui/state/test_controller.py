"""Run control without Textual: real pipelines (the waiting sample, short waits) run, recorded in tmp_path, then
replayed, sought, forked and saved through a `RunController`, as the debugger screen drives them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.core.events import ComponentFinished, ComponentStarted, RunCancelled, RunFinished
from pipeline.runs.recording import read_run
from tests.tui.app.conftest import waiting_yaml
from tui.loading import open_pipeline
from tui.state.controller import RunController

TOY = "tests.pipeline.toy_components"
FAST = {"wait_1": 0.02, "wait_2": 0.04, "wait_3": 0.06, "wait_4": 0.08, "wait_5": 0.1}


class Notes(list[tuple[str, str]]):
    """What the controller told the user, as (severity, message)."""

    def __call__(self, message: str, *, title: str = "", severity: str = "information", **_: Any) -> None:
        self.append((severity, message))


async def until(condition: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.005)


def controller(pipeline: Path, runs_dir: Path, *, record: bool = True, allowed: tuple[str, ...] = ()) -> RunController:
    """A controller on `pipeline`, loaded; what it tells the user is in `notes(control)`."""
    control = RunController(pipeline.name, record=record, runs_dir=str(runs_dir), notify=Notes())
    control.set_pipeline(open_pipeline(pipeline, allowed))
    return control


def blocking_yaml(directory: Path, seconds: float) -> Path:
    """`first -> slow`: a sync component that sleeps in a thread, which no cancellation can interrupt."""
    definition = {
        "components": {
            "first": {"type": f"{TOY}.AddOne"},
            "slow": {"type": f"{TOY}.BlockingSleep", "init_parameters": {"seconds": seconds}},
        },
        "connections": [{"sender": "first.value", "receiver": "slow.value"}],
    }
    path = directory / "blocking.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def notes(control: RunController) -> Notes:
    assert isinstance(control.notify, Notes)
    return control.notify


def loop_yaml(directory: Path) -> Path:
    """`entry -> countdown`, which sends `value - 1` back to `entry` while it is positive: a loop."""
    definition = {
        "components": {"entry": {"type": f"{TOY}.LoopEntry"}, "countdown": {"type": f"{TOY}.CountDown"}},
        "connections": [
            {"sender": "entry.value", "receiver": "countdown.value"},
            {"sender": "countdown.again", "receiver": "entry.value"},
        ],
    }
    path = directory / "loop.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


async def finished(control: RunController) -> None:
    await until(lambda: not control.tasks, "the controller's tasks to end")


@pytest.fixture
def waiting(tmp_path: Path) -> Path:
    return waiting_yaml(tmp_path, FAST)


@pytest.fixture
async def recording(waiting: Path, tmp_path: Path) -> Path:
    control = controller(waiting, tmp_path / "runs")
    assert control.start_run({"user_msg": "Hello"})
    await finished(control)
    assert control.record_path is not None
    return control.record_path


async def test_a_live_run_is_recorded_as_it_happens(waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs")
    assert control.status().activity == "ready" and control.allowed("run") is True
    assert control.allowed("stop") is False and control.allowed("save_run") is False
    assert control.start_run({"user_msg": "Hello"})
    assert control.allowed("run") is False and control.allowed("stop") is True
    assert not control.start_run({"user_msg": "again"})  # one run at a time, and it says so
    assert notes(control)[-1][0] == "warning"
    await finished(control)
    status = control.status()
    assert status.activity == "finished" and status.duration is not None and status.path == control.record_path
    assert control.record_path is not None
    recorded = read_run(control.record_path)
    assert isinstance(recorded.events[-1], RunFinished) and len(recorded.events) == control.position
    assert control.allowed("run") is True and control.allowed("export") is True


async def test_an_invalid_input_is_refused_with_the_reason(waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs")
    assert not control.start_run({"no_such_input": 1})
    assert control.session is None and notes(control)[-1][0] == "error"


async def test_a_pause_says_pausing_at_once_and_paused_once_taken(tmp_path: Path) -> None:
    control = controller(waiting_yaml(tmp_path, {"wait_5": 0.4}), tmp_path / "runs")
    control.start_run({"user_msg": "Hello"})
    await until(lambda: control.state == "running" and control.session and control.session.summary.running, "a run")
    control.pause()
    assert control.status().activity == "pausing"  # before the next event lets the pause take effect
    assert control.allowed("pause") is None and control.allowed("resume") is None
    await until(lambda: control.state == "paused", "the pause")
    status = control.status()
    assert status.activity == "paused" and status.pause_kind == "user" and status.paused_at is not None
    control.resume()
    await finished(control)
    assert control.status().activity == "finished"


async def test_stop_returns_at_once_and_says_stopping_until_the_run_ends(tmp_path: Path) -> None:
    """The sync component's thread cannot be interrupted: the run ends when it returns, half a second later."""
    control = controller(blocking_yaml(tmp_path, 0.5), tmp_path / "runs", allowed=(TOY,))
    control.start_run({"value": 1})
    session = control.session
    assert session is not None
    await until(lambda: [s.component for s in session.summary.running] == ["slow"], "the slow component")
    began = time.perf_counter()
    control.stop()
    assert time.perf_counter() - began < 0.05
    assert control.status().activity == "stopping" and control.allowed("stop") is False
    await finished(control)
    assert control.status().activity == "stopped" and session.status == "cancelled"
    assert control.record_path is not None
    assert isinstance(read_run(control.record_path).events[-1], RunCancelled)


async def test_a_replay_seeks_steps_and_shows_where_it_is(recording: Path, waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs")
    control.open_replay(read_run(recording), speed=None)
    replay = control.replay
    assert replay is not None
    assert control.allowed("run") is False and control.allowed("restart") is True
    await until(lambda: control.state == "finished", "the end of the replay")
    assert control.playhead() is None  # the replay ended: no playhead
    control.seek(0)
    await until(lambda: control.state == "paused", "the start, paused")
    assert control.position == 0 and control.playhead() == 0.0
    control.seek_completion(1)
    first = replay.next_completion(0)
    await until(lambda: control.position == first and control.state == "paused", "the first completion")
    event = replay.events[first - 1]
    assert isinstance(event, ComponentFinished)
    assert control.playhead() == pytest.approx(event.time - replay.events[0].time)
    status = control.status()
    assert status.replay is not None and (status.replay.position, status.replay.events) == (first, len(replay))
    assert status.activity == "paused" and status.pause_kind == "seek" and status.from_recording
    control.seek(-1)
    await until(lambda: control.state == "finished", "the end")
    assert control.position == len(replay)
    assert control.seek_time(0.0) and control.position == replay.position_at(0.0)


async def test_play_right_after_a_seek_plays_on(recording: Path, waiting: Path, tmp_path: Path) -> None:
    """`resume` asked before the new session's task ran once still counts: the replay plays, it does not stay
    paused while the bar would say it plays."""
    control = controller(waiting, tmp_path / "runs")
    control.open_replay(read_run(recording), speed=None)
    control.seek(3)
    control.resume()
    await finished(control)
    assert control.state == "finished"


async def test_the_status_never_says_paused_while_a_replay_plays(
    recording: Path, waiting: Path, tmp_path: Path
) -> None:
    control = controller(waiting, tmp_path / "runs")
    control.breakpoints.add("wait_3")
    control.open_replay(read_run(recording), speed=1.0)
    await until(lambda: control.state == "paused", "the breakpoint")
    assert control.status().paused_at == "wait_3"
    control.resume()
    seen: list[tuple[str, str]] = []
    while control.state != "finished":
        seen.append((control.state, control.status().activity))
        await asyncio.sleep(0.002)
    wrong = [(state, activity) for state, activity in seen if (activity == "paused") != (state == "paused")]
    assert not wrong and ("running", "running") in seen


async def test_close_returns_at_once_from_a_fork_paused_at_a_breakpoint_over_a_paused_replay(
    recording: Path, waiting: Path, tmp_path: Path
) -> None:
    """The freeze of issue 13: closing the fork waited on every run, the paused replay underneath included."""
    parent = controller(waiting, tmp_path / "runs")
    parent.open_replay(read_run(recording), speed=None)
    replay = parent.replay
    assert replay is not None
    wait_2 = next(e for e in replay.events if isinstance(e, ComponentStarted) and e.component == "wait_2")
    parent.seek(replay.events.index(wait_2) + 1)  # paused right after wait_2 started
    await until(lambda: parent.state == "paused", "the replay paused")
    target = parent.fork_target(wait_2.visit_id)
    assert target is not None and "wait_2 visit #1" in target.note
    fork = parent.fork(wait_2.visit_id, {"user_msg": "edited"})
    assert fork is not None and fork.session is None  # prepared: the screen starts it once it shows it
    assert fork.forked_from is not None and fork.forked_from.describe_visit() == "wait_2 visit #1"
    fork.breakpoints.add("wait_4")
    fork.start()
    await until(lambda: fork.state == "paused", "the fork at its breakpoint")
    status = fork.status()
    assert status.fork_of is not None and status.fork_of.endswith("@ wait_2 visit #1")
    began = time.perf_counter()
    fork.close()
    assert time.perf_counter() - began < 0.05
    await until(lambda: not fork.tasks, "the fork's run to wind down in the background")
    assert fork.state == "cancelled" and parent.state == "paused"  # the replay is untouched
    assert fork.record_path is not None
    forked = read_run(fork.record_path)
    assert forked.header.parent == fork.forked_from and isinstance(forked.events[-1], RunCancelled)
    started = {e.component: e for e in forked.events if isinstance(e, ComponentStarted)}
    assert started["wait_2"].inputs == {"user_msg": "edited"}
    await parent.aclose()
    assert not parent.tasks


async def test_seeking_replaces_the_run_shown_and_leaves_no_task(
    recording: Path, waiting: Path, tmp_path: Path
) -> None:
    control = controller(waiting, tmp_path / "runs")
    control.open_replay(read_run(recording), speed=0.1)
    sessions = []
    for position in (2, 5, 0, 7):
        control.seek(position)
        sessions.append(control.session)
        await asyncio.sleep(0)
    await until(lambda: len(control.tasks) == 1, "the replaced runs to end")
    assert all(s is not None and s.status == "cancelled" for s in sessions[:-1])
    await control.aclose()
    assert not control.tasks


async def test_saving_a_run_that_was_not_recorded(waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs", record=False)
    assert control.status().recording is False
    control.start_run({"user_msg": "Hello"})
    await finished(control)
    assert control.record_path is None and control.allowed("save_run") is True
    version = control.version
    control.save_run()
    await finished(control)
    assert control.record_path is not None and control.version > version
    assert read_run(control.record_path).status == "finished"
    control.save_run()  # already saved: says where
    assert str(control.record_path) in notes(control)[-1][1]


async def test_outputs_are_edited_only_at_a_pause_on_a_completion(waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs")
    assert control.edit_target() is None
    control.breakpoints.add("wait_1")
    control.start_run({"user_msg": "Hello"})
    await until(lambda: control.state == "paused", "the breakpoint")
    assert control.allowed("edit_outputs") is True
    target = control.edit_target()
    assert target is not None and target.record.component == "wait_1" and "message" in target.types
    assert control.edit_outputs(target.visit_id, {"message": "edited"})
    assert "wait_1 visit #1" in notes(control)[-1][1]
    control.resume()
    await finished(control)
    session = control.session
    assert session is not None
    started = {e.component: e for e in session.events if isinstance(e, ComponentStarted)}
    assert started["wait_2"].inputs == {"user_msg": "edited"}


async def test_focus_follows_each_new_pause_once(waiting: Path, tmp_path: Path) -> None:
    control = controller(waiting, tmp_path / "runs")
    control.breakpoints.add("wait_1")
    control.start_run({"user_msg": "Hello"})
    await until(lambda: control.state == "paused", "the breakpoint")
    seen, focus = control.focus_target(None)
    assert focus == "wait_1"
    assert control.focus_target(seen) == (seen, None)  # the same pause: already followed
    control.resume()
    await finished(control)


def test_without_a_pipeline_nothing_runs_yet() -> None:
    control = RunController("x.yaml")
    status = control.status()
    assert status.activity == "loading" and status.name == "x.yaml"
    assert control.allowed("run") is None and control.allowed("toggle_breakpoint") is None
    assert control.allowed("restart") is False and control.allowed("fork") is False
    assert not control.start_run({})


async def test_a_pause_in_a_loop_names_the_visit_by_its_own_number(tmp_path: Path) -> None:
    control = controller(loop_yaml(tmp_path), tmp_path / "runs", allowed=(TOY,))
    control.breakpoints.add("countdown", "visit == 3")
    control.start_run({"entry": {"value": 3}})
    await until(lambda: control.state == "paused", "the third visit of countdown")
    assert control.status().paused_at == "countdown visit #3"
    control.stop()
    await finished(control)
