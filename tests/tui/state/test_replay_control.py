"""Replay control without Textual: sessions from any point of a recording, stepping back and forth, speed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from pipeline.core.events import ComponentFinished, RunFinished
from pipeline.runs.recording import RecordedRun, RecordingError, RunHeader
from tests.pipeline.runs.test_replay import chain_run
from tests.tui.state.test_session import until
from tui.state.breakpoints import Breakpoints
from tui.state.replay import FASTEST, SLOWEST, ReplayControl, SeekError

# chain_run([0.1, 0.2, 0.3]) events: 0 RunStarted, 1 c0 start, 2 c0 done (0.1 s), 3 c1 start, 4 c1 done (0.3 s),
# 5 c2 start, 6 c2 done (0.6 s), 7 RunFinished (0.6 s)


def test_completions_are_where_steps_lead() -> None:
    control = ReplayControl(chain_run([0.1, 0.2, 0.3]))
    assert len(control) == 8
    assert control.next_completion(0) == 3
    assert control.next_completion(3) == 5
    assert control.next_completion(6) == 7
    assert control.next_completion(7) == 8  # after the last completion: the end
    assert control.previous_completion(5) == 3
    assert control.previous_completion(4) == 3
    assert control.previous_completion(3) == 0  # before the first completion: the start
    assert control.previous_completion(0) == 0


def test_positions_and_times() -> None:
    control = ReplayControl(chain_run([0.1, 0.2, 0.3]))
    assert control.position_at(0.0) == 2  # RunStarted and c0's start happen at 0
    assert control.position_at(0.15) == 4  # c0 finished and c1 started at 0.1
    assert control.position_at(10) == 8
    assert control.duration == pytest.approx(0.6)


def test_a_recording_without_its_start_cannot_be_replayed() -> None:
    recorded = chain_run([0.1])
    header = RunHeader(run_id="x", pipeline_name="x", pipeline=None, inputs={}, versions={}, wall_time=0.0)
    trimmed = RecordedRun(path=Path("trimmed.jsonl"), header=header, events=recorded.events[1:], status="finished")
    with pytest.raises(RecordingError, match=r"trimmed\.jsonl: no RunStarted"):
        ReplayControl(trimmed)


async def test_a_session_in_the_middle_shows_the_past_and_pauses() -> None:
    control = ReplayControl(chain_run([0.1, 0.2, 0.3]), speed=None)
    session = control.session_at(6, Breakpoints(), paused=True)
    task = asyncio.create_task(session.run())
    await until(lambda: session.status == "paused")
    assert session.pause_reason is not None and session.pause_reason.kind == "seek"
    assert len(session.events) == 6
    assert [span.component for span in session.summary.spans] == ["c0", "c1", "c2"]
    assert session.summary.spans[2].status == "running"
    session.step()
    await until(lambda: session.status == "paused" and len(session.events) == 7)
    assert isinstance(session.events[-1], ComponentFinished) and session.events[-1].component == "c2"
    session.resume()
    await task
    assert session.status == "finished" and isinstance(session.events[-1], RunFinished)


async def test_history_stops_at_no_breakpoint_but_the_rest_does() -> None:
    control = ReplayControl(chain_run([0.1, 0.2, 0.3]), speed=None)
    breakpoints = Breakpoints()
    breakpoints.add("c0")
    breakpoints.add("c2")
    session = control.session_at(3, breakpoints, paused=False)  # c0's completion is history
    task = asyncio.create_task(session.run())
    await until(lambda: session.status == "paused")
    assert session.pause_reason is not None and session.pause_reason.kind == "breakpoint"
    assert session.pause_reason.component == "c2"
    session.resume()
    await task


async def test_a_session_at_the_end_has_ended() -> None:
    control = ReplayControl(chain_run([0.1, 0.2]), speed=None)
    session = control.session_at(len(control), Breakpoints(), paused=True)
    await session.run()
    assert session.status == "finished"
    assert session.summary.duration == pytest.approx(0.3)


def test_speed_doubles_and_halves_within_bounds_and_reaches_the_stream() -> None:
    control = ReplayControl(chain_run([0.1]), speed=1.0)
    control.session_at(0, Breakpoints(), paused=True)
    control.faster()
    assert control.speed == 2.0 and control.stream is not None and control.stream.speed == 2.0
    control.slower()
    control.slower()
    assert control.speed == 0.5 and control.describe_speed() == "0.5x"
    for _ in range(20):
        control.slower()
    assert control.speed == SLOWEST
    for _ in range(30):
        control.faster()
    assert control.speed == FASTEST
    control.set_speed(None)
    assert control.describe_speed() == "no pauses"
    control.slower()
    assert control.speed == FASTEST


@pytest.mark.parametrize(
    ("target", "position"),
    [("0", 0), ("#5", 5), ("8", 8), ("150 ms", 4), ("0.15s", 4), (".15 s", 4), ("150000µs", 4), ("150000 us", 4)],
)
def test_a_typed_target_is_an_event_number_or_a_time(target: str, position: int) -> None:
    assert ReplayControl(chain_run([0.1, 0.2, 0.3])).position_of(target) == position


@pytest.mark.parametrize(
    ("target", "message"),
    [("9", "event 9 is past the end: the recording has 8 events"), ("2 s", "past the end: the run lasted 0.600 s")],
)
def test_targets_past_the_end_or_unreadable_say_what_fits(target: str, message: str) -> None:
    control = ReplayControl(chain_run([0.1, 0.2, 0.3]))
    with pytest.raises(SeekError, match=message):
        control.position_of(target)
    with pytest.raises(SeekError, match=r"neither an event number \(0-8\) nor a time like 1.5 s"):
        control.position_of("soon")
