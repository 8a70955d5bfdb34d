"""Replays: the recorded events again, paced by their gaps, with a live run's back-pressure, cancel and seek."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from pipeline import AsyncPipeline
from pipeline.core.events import (
    ComponentCancelled,
    ComponentFinished,
    ComponentLogged,
    ComponentStarted,
    RunCancelled,
    RunEvent,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.runs import RunSummary
from pipeline.runs.recording import RecordedRun, RunHeader, RunRecorder, read_run
from pipeline.runs.replay import ReplayRun
from tests.pipeline.toy_components import AddOne, Counter, Sleep


def chain_run(durations: list[float], *, ended: bool = True) -> RecordedRun:
    """A recorded chain c0 -> c1 -> ...: each visit lasts its duration, the next starts as it finishes.

    Events: RunStarted, then ComponentStarted/ComponentFinished per component, then RunFinished (if `ended`).
    Component i outputs `{"value": i}`, and every component's output is a pipeline output.
    """
    now = 100.0
    events: list[RunEvent] = [
        RunStarted(run_id="chain", time=now, wall_time=1.7e9, inputs={"c0": {"value": 0}}, concurrency_limit=4)
    ]
    for index, duration in enumerate(durations):
        name = f"c{index}"
        events.append(
            ComponentStarted(
                run_id="chain", time=now, visit_id=index + 1, component=name, visit=1, inputs={}, mode="async"
            )
        )
        events.append(
            ComponentFinished(
                run_id="chain",
                time=now + duration,
                visit_id=index + 1,
                component=name,
                visit=1,
                outputs={"value": index},
                started_at=now,
                finished_at=now + duration,
                mode="async",
                thread="MainThread",
            )
        )
        now += duration
    if ended:
        outputs = {f"c{index}": {"value": index} for index in range(len(durations))}
        events.append(RunFinished(run_id="chain", time=now, outputs=outputs))
    header = RunHeader(run_id="chain", pipeline_name="chain", pipeline=None, inputs={}, versions={}, wall_time=1.7e9)
    status = "finished" if ended else "interrupted"
    return RecordedRun(path=Path("chain.jsonl"), header=header, events=events, status=status)


async def timed_pull(replay: ReplayRun) -> tuple[RunEvent, float]:
    started = time.perf_counter()
    event = await replay.__anext__()
    return event, time.perf_counter() - started


async def recorded_real_run(tmp_path: Path) -> tuple[list[RunEvent], RecordedRun]:
    pipe = AsyncPipeline()
    pipe.add_component("first", AddOne())
    pipe.add_component("slow", Sleep(0.02))
    pipe.add_component("last", AddOne())
    pipe.connect("first", "slow")
    pipe.connect("slow", "last")
    path = tmp_path / "run.jsonl"
    async with RunRecorder(pipe.events({"value": 1}), path, pipeline=pipe) as recorder:
        live = [event async for event in recorder]
    return live, read_run(path)


# -- what a replay yields -------------------------------------------------------------------------------------


async def test_a_replay_reproduces_the_live_run(tmp_path: Path) -> None:
    live, recorded = await recorded_real_run(tmp_path)

    async with ReplayRun(recorded, speed=None) as replay:
        assert replay.run_id == live[0].run_id
        replayed = [event async for event in replay]

    assert replayed == recorded.events == live  # no errors in this run, so the events compare whole
    assert RunSummary.from_events(replayed).spans == RunSummary.from_events(live).spans


async def test_a_replay_runs_no_component(tmp_path: Path) -> None:
    counter = Counter()
    pipe = AsyncPipeline()
    pipe.add_component("counter", counter)
    path = tmp_path / "run.jsonl"
    async with RunRecorder(pipe.events({"value": 1}), path) as recorder:
        [event async for event in recorder]
    runs, warm_ups = counter.runs, counter.warm_ups

    replayed = [event async for event in ReplayRun(read_run(path), speed=None)]

    assert isinstance(replayed[-1], RunFinished)
    assert (counter.runs, counter.warm_ups) == (runs, warm_ups) == (1, 1)


async def test_a_replay_can_itself_be_recorded(tmp_path: Path) -> None:
    _, recorded = await recorded_real_run(tmp_path)
    again = tmp_path / "again.jsonl"
    async with RunRecorder(ReplayRun(recorded, speed=None), again, pipeline=recorded.header.pipeline) as recorder:
        [event async for event in recorder]
    rerecorded = read_run(again)
    assert rerecorded.events == recorded.events and rerecorded.header.pipeline == recorded.header.pipeline


async def test_an_interrupted_recording_replays_up_to_where_it_stopped() -> None:
    recorded = chain_run([0.0, 0.0], ended=False)
    replayed = [event async for event in ReplayRun(recorded, speed=None)]
    assert replayed == recorded.events and not isinstance(replayed[-1], RunFinished)


def test_speed_must_be_positive() -> None:
    for speed in (0, -1.0):
        with pytest.raises(ValueError, match="speed must be positive"):
            ReplayRun(chain_run([0.1]), speed=speed)


# -- pacing and back-pressure ---------------------------------------------------------------------------------


async def test_pacing_follows_the_recorded_gaps_divided_by_speed() -> None:
    recorded = chain_run([0.3])  # RunStarted, started, finished 0.3 s later, RunFinished

    async def replay_time(speed: float | None) -> float:
        started = time.perf_counter()
        async for _ in ReplayRun(recorded, speed=speed):
            pass
        return time.perf_counter() - started

    assert 0.28 <= await replay_time(1.0) < 1.0
    assert 0.025 <= await replay_time(10.0) < 0.15
    assert await replay_time(None) < 0.02


async def test_a_recorded_pause_is_not_waited_out_even_when_later_events_are_stamped_earlier() -> None:
    """A line logged while the run stood paused is stamped when it was printed but read after `RunResumed`; the gap
    from it to the next event spans the pause again, which the replay used to wait (2 s here)."""
    events: list[RunEvent] = list(chain_run([2.05]).events)
    started, finished, ended = events[1], events[2], events[3]
    assert isinstance(started, ComponentStarted) and isinstance(finished, ComponentFinished)
    paused = RunPaused(run_id="chain", time=100.01, reason="user", component="c0", visit_id=1)
    resumed = RunResumed(run_id="chain", time=102.01)
    logged = ComponentLogged(
        run_id="chain", time=100.02, visit_id=1, component="c0", level="stdout", logger="", text="still going"
    )
    recorded = chain_run([2.05])
    recorded.events = [events[0], started, paused, resumed, logged, finished, ended]
    replay = ReplayRun(recorded, speed=1.0)
    began = time.perf_counter()
    clocks = []
    async for _ in replay:
        clocks.append(replay.clock())
    assert time.perf_counter() - began < 1.0  # the pipeline's own time is 0.05 s; the pause was 2 s
    assert clocks == sorted(clocks)  # the playhead never jumps back to the earlier stamp


async def test_a_paused_consumer_gets_no_burst_and_no_skip() -> None:
    recorded = chain_run([0.05, 0.05, 0.05])
    replay = ReplayRun(recorded, speed=1.0)
    received = [await replay.__anext__(), await replay.__anext__()]  # RunStarted, c0 started

    await asyncio.sleep(0.3)  # the consumer pauses far longer than any gap

    assert replay.position == 2  # nothing was produced meanwhile
    waits = []
    while True:
        try:
            event, waited = await timed_pull(replay)
        except StopAsyncIteration:
            break
        received.append(event)
        waits.append(waited)
    assert received == recorded.events  # nothing skipped, nothing repeated
    # After the pause, c0's finish still waits its whole gap from the pull: the pause is not "caught up".
    finishes = [w for w, e in zip(waits, received[2:], strict=True) if isinstance(e, ComponentFinished)]
    assert len(finishes) == 3 and all(wait >= 0.045 for wait in finishes)
    assert sum(waits) < 0.15 + 0.1


async def test_the_replay_clock_follows_the_recorded_clock_and_waits_at_the_next_event() -> None:
    recorded = chain_run([2.0])  # c0 starts at 100.0 and finishes at 102.0
    replay = ReplayRun(recorded, speed=4.0)
    assert replay.clock() == recorded.events[0].time
    await replay.__anext__()
    await replay.__anext__()
    await asyncio.sleep(0.05)
    assert 100.18 <= replay.clock() < 102.0  # 0.05 s at speed 4 is 0.2 s of the recording

    short = ReplayRun(chain_run([0.1]), speed=4.0)
    await short.__anext__()
    await short.__anext__()
    await asyncio.sleep(0.1)
    assert short.clock() == 100.1  # paused past the next event: the clock waits there, it does not run ahead


# -- cancel, close, seek --------------------------------------------------------------------------------------


async def test_cancel_interrupts_a_gap_and_ends_like_a_cancelled_live_run() -> None:
    recorded = chain_run([0.0, 5.0])  # c0 finishes at once; c1 runs 5 s
    replay = ReplayRun(recorded, speed=1.0)
    received = [await replay.__anext__() for _ in range(4)]  # RunStarted, c0 started/finished, c1 started
    asyncio.get_running_loop().call_later(0.05, replay.cancel)

    event, waited = await timed_pull(replay)
    received += [event] + [rest async for rest in replay]

    assert waited < 1.0
    assert [type(e).__name__ for e in received[4:]] == ["ComponentCancelled", "RunCancelled"]
    cancelled, ended = received[4], received[5]
    assert isinstance(cancelled, ComponentCancelled) and cancelled.component == "c1" and cancelled.visit_id == 2
    assert isinstance(ended, RunCancelled) and ended.outputs == {"c0": {"value": 0}}
    summary = RunSummary.from_events(received)
    assert summary.status == "cancelled" and [span.status for span in summary.spans] == ["finished", "cancelled"]


async def test_cancel_before_the_first_event_and_after_the_last() -> None:
    replay = ReplayRun(chain_run([1.0]), speed=1.0)
    replay.cancel()
    assert [type(event) for event in [event async for event in replay]] == [RunStarted, RunCancelled]

    finished = ReplayRun(chain_run([0.0]), speed=None)
    events = [event async for event in finished]
    finished.cancel()
    assert [event async for event in finished] == [] and isinstance(events[-1], RunFinished)


async def test_aclose_ends_the_replay_even_during_a_gap() -> None:
    replay = ReplayRun(chain_run([5.0]), speed=1.0)
    async with replay:
        await replay.__anext__()
        await replay.__anext__()
        asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(replay.aclose()))
        started = time.perf_counter()
        assert [event async for event in replay] == []
        assert time.perf_counter() - started < 1.0
    with pytest.raises(RuntimeError, match="has ended"):
        replay.seek(0)


async def test_seek_jumps_at_once_and_state_rebuilds_from_the_events_before() -> None:
    recorded = chain_run([1.0, 1.0, 1.0])  # 8 events; waiting the gaps would take 3 s
    replay = ReplayRun(recorded, speed=1.0)
    full = RunSummary.from_events(recorded.events)

    replay.seek(5)
    event, waited = await timed_pull(replay)
    assert event is recorded.events[5] and replay.position == 6 and waited < 0.2

    rebuilt = RunSummary.from_events(replay.events[:5])  # what a viewer does after seeking
    rebuilt.apply(event)
    replay.seek(7)
    async for later in replay:
        rebuilt.apply(later)
    assert rebuilt.spans[0] == full.spans[0] and rebuilt.status == "finished"

    replay.seek(0)  # a finished replay can be rewound
    assert (await replay.__anext__()) is recorded.events[0]
    for index in (-1, 9):
        with pytest.raises(IndexError):
            replay.seek(index)


async def test_seek_wakes_a_consumer_waiting_for_a_long_gap() -> None:
    recorded = chain_run([5.0, 0.0])
    replay = ReplayRun(recorded, speed=1.0)
    await replay.__anext__()
    await replay.__anext__()  # c0 started; its finish is 5 s away
    asyncio.get_running_loop().call_later(0.05, replay.seek, 4)

    event, waited = await timed_pull(replay)

    assert event is recorded.events[4] and waited < 1.0


async def test_cancel_after_a_seek_reports_the_visits_in_flight_there() -> None:
    recorded = chain_run([1.0, 1.0])
    replay = ReplayRun(recorded, speed=1.0)
    replay.seek(4)  # c0 finished, c1 started: c1 is in flight
    replay.cancel()
    ending = [event async for event in replay]
    assert [type(event) for event in ending] == [ComponentCancelled, RunCancelled]
    assert ending[0].component == "c1" and ending[1].outputs == {"c0": {"value": 0}}
