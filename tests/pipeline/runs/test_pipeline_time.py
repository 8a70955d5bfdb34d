"""Honest time: pauses are events, and durations, critical paths, diffs, comparisons and exports count only the
time the pipeline worked, not the time it stood paused at a breakpoint or warmed up its models."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

from pipeline import AsyncPipeline, component
from pipeline.core.events import (
    ComponentFinished,
    ComponentStarted,
    ComponentWarmedUp,
    RunEvent,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.runs.compare import critical_path
from pipeline.runs.diff import diff_runs
from pipeline.runs.export import PAUSED_TRACK, to_chrome_trace, to_otlp_json
from pipeline.runs.otlp_import import decode_otlp_payload, runs_from_otlp
from pipeline.runs.recording import RunRecorder, read_run
from pipeline.runs.replay import ReplayRun
from pipeline.runs.spans import RunSummary
from pipeline.runs.store import RunStore
from tests.pipeline.toy_components import AddOne, BlockingSleep, Sleep

PAUSE = 0.5
"""Long next to the pipelines below (a few tens of ms), so a duration that counts it cannot pass."""


def started(visit_id: int, component: str, time: float) -> ComponentStarted:
    return ComponentStarted(
        run_id="r", time=time, visit_id=visit_id, component=component, visit=1, inputs={"value": 1}, mode="async"
    )


def finished(visit_id: int, component: str, start: float, end: float) -> ComponentFinished:
    return ComponentFinished(
        run_id="r",
        time=end,
        visit_id=visit_id,
        component=component,
        visit=1,
        outputs={"value": 2},
        started_at=start,
        finished_at=end,
        mode="async",
        thread="MainThread",
    )


def run_started(time: float = 10.0) -> RunStarted:
    return RunStarted(run_id="r", time=time, wall_time=1e9, inputs={}, concurrency_limit=4)


# -- folding, without a pipeline -------------------------------------------------------------------------------


def test_a_pause_with_nothing_in_flight_is_left_out_of_the_duration() -> None:
    summary = RunSummary.from_events(
        [
            run_started(),
            started(1, "a", 10.0),
            finished(1, "a", 10.0, 10.1),
            RunPaused(run_id="r", time=10.1, reason="breakpoint", component="a", visit_id=1),
            RunResumed(run_id="r", time=15.1),
            started(2, "b", 15.1),
            finished(2, "b", 15.1, 15.3),
            RunFinished(run_id="r", time=15.3, outputs={}),
        ]
    )
    assert summary.wall_duration is not None and abs(summary.wall_duration - 5.3) < 1e-9
    assert summary.duration is not None and abs(summary.duration - 0.3) < 1e-9
    assert abs(summary.paused_time() - 5.0) < 1e-9
    (pause,) = summary.pauses
    assert (pause.reason, pause.component, pause.visit_id) == ("breakpoint", "a", 1)
    assert pause.duration is not None and abs(pause.duration - 5.0) < 1e-9
    assert summary.pause is None
    # b starts right after a on the pipeline's clock: the pause is no wait
    steps = critical_path(summary.pipeline_spans(), [("a", "value", "b", "value")]).steps
    assert [step.component for step in steps] == ["a", "b"]
    assert abs(steps[1].waited) < 1e-9 and abs(steps[1].started_at - 0.1) < 1e-9


def test_a_visit_running_through_a_pause_counts_and_records_the_pause() -> None:
    summary = RunSummary.from_events(
        [
            run_started(),
            started(1, "fast", 10.0),
            started(2, "slow", 10.0),
            finished(1, "fast", 10.0, 10.1),
            RunPaused(run_id="r", time=10.1, reason="breakpoint", component="fast", visit_id=1),
            RunResumed(run_id="r", time=12.1),
            finished(2, "slow", 10.0, 11.1),  # finished during the pause: its completion was queued
            RunFinished(run_id="r", time=12.1, outputs={}),
        ]
    )
    # the pause counts while slow was working (10.1 .. 11.1), not after (11.1 .. 12.1)
    assert summary.duration is not None and abs(summary.duration - 1.1) < 1e-9
    assert abs(summary.paused_time() - 1.0) < 1e-9
    slow, fast = summary.span(2), summary.span(1)
    assert slow is not None and fast is not None
    assert [pause.reason for pause in slow.pauses] == ["breakpoint"] and fast.pauses == []


def test_a_visit_that_finished_before_the_pause_keeps_no_pause_even_if_read_after_it() -> None:
    summary = RunSummary.from_events(
        [
            run_started(),
            started(1, "a", 10.0),
            started(2, "b", 10.0),
            finished(1, "a", 10.0, 10.2),
            RunPaused(run_id="r", time=10.3, reason="user"),
            RunResumed(run_id="r", time=11.0),
            finished(2, "b", 10.0, 10.1),  # returned before the pause; read after it
            RunFinished(run_id="r", time=11.0, outputs={}),
        ]
    )
    b = summary.span(2)
    assert b is not None and b.pauses == []


def test_warm_ups_are_left_out_and_reported_apart() -> None:
    summary = RunSummary.from_events(
        [
            run_started(),
            ComponentWarmedUp(run_id="r", time=13.0, component="m1", started_at=10.0, finished_at=13.0),
            ComponentWarmedUp(run_id="r", time=13.0, component="m2", started_at=10.0, finished_at=12.0, waited=True),
            started(1, "a", 13.0),
            finished(1, "a", 13.0, 13.5),
            RunFinished(run_id="r", time=13.5, outputs={}),
        ]
    )
    assert abs(summary.warm_up_time - 3.0) < 1e-9  # concurrent warm-ups: their union
    assert summary.duration is not None and abs(summary.duration - 0.5) < 1e-9
    span = summary.span(1)
    assert span is not None and summary.pipeline_time(span.started_at) == 0.0


def test_the_record_holds_inputs_outputs_replacements_and_reuse() -> None:
    summary = RunSummary()
    summary.apply(run_started())
    summary.apply(
        ComponentStarted(
            run_id="r", time=10.0, visit_id=1, component="a", visit=1, inputs={"v": 1}, mode="sync", reused=True
        )
    )
    summary.apply(finished(1, "a", 10.0, 10.0))
    record = summary.span(1)
    assert record is not None
    assert (record.inputs, record.outputs, record.reused, record.status) == ({"v": 1}, {"value": 2}, True, "finished")
    assert summary.replace_outputs(1, {"value": 9}) is record
    assert (record.outputs, record.original_outputs) == ({"value": 9}, {"value": 2})


def test_a_visit_queued_while_paused_stops_running_at_its_real_end() -> None:
    summary = RunSummary.from_events([run_started(), started(1, "a", 10.0)])
    summary.apply(RunPaused(run_id="r", time=10.05, reason="user"))
    assert summary.pause is not None and summary.running
    span = summary.queue(1, 10.2)
    assert span is not None and span.status == "queued" and span.finished_at is not None
    assert abs(span.finished_at - 0.2) < 1e-9
    assert summary.running == [] and summary.queued == [span]
    summary.apply(RunResumed(run_id="r", time=11.0))
    summary.apply(finished(1, "a", 10.0, 10.2))
    assert span.status == "finished" and summary.queued == []


# -- a live run --------------------------------------------------------------------------------------------------


def two_steps() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("first", Sleep(0.02))
    pipe.add_component("second", Sleep(0.02))
    pipe.connect("first.value", "second.value")
    return pipe


async def paused_run(pipe: AsyncPipeline, stream_wrap: Any = None) -> list[RunEvent]:
    """Read the run, standing paused for `PAUSE` seconds after the first completion, as a debugger does."""
    events: list[RunEvent] = []
    async with pipe.events({"first": {"value": 1}}) as run:
        stream = run if stream_wrap is None else stream_wrap(run)
        async for event in stream:
            events.append(event)
            if isinstance(event, ComponentFinished) and event.component == "first":
                run.mark_paused("breakpoint", event.component, event.visit_id)
                await asyncio.sleep(PAUSE)
                run.mark_resumed()
    return events


async def test_a_live_pause_is_in_the_stream_in_order_and_not_in_the_duration() -> None:
    events = await paused_run(two_steps())
    names = [type(event).__name__ for event in events]
    at = names.index("RunPaused")
    assert names[at - 1 : at + 3] == ["ComponentFinished", "RunPaused", "RunResumed", "ComponentStarted"]
    assert [event.time for event in events] == sorted(event.time for event in events)
    summary = RunSummary.from_events(events)
    assert summary.wall_duration is not None and summary.duration is not None
    assert summary.wall_duration >= PAUSE
    assert summary.duration < 0.25 < PAUSE <= summary.paused_time() + 0.01
    assert abs(summary.duration + summary.paused_time() - summary.wall_duration) < 1e-6


async def test_marks_outside_a_run_do_nothing() -> None:
    pipe = two_steps()
    async with pipe.events({"first": {"value": 1}}) as run:
        run.mark_paused("seek")  # before RunStarted: the run's clock has not started
        run.mark_resumed()
        events = [event async for event in run]
        run.mark_paused("user")  # after the end
    assert not any(isinstance(event, RunPaused | RunResumed) for event in events)


async def test_a_run_waiting_for_a_warm_up_another_caller_runs_says_so_and_does_not_count_it() -> None:
    @component
    class Model:
        def __init__(self) -> None:
            self.loading = threading.Event()

        def warm_up(self) -> None:
            self.loading.set()
            time.sleep(0.3)

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value}

    pipe = AsyncPipeline()
    model = Model()
    pipe.add_component("model", model)
    loading = threading.Thread(target=pipe.warm_up)
    loading.start()
    model.loading.wait()
    try:
        async with pipe.events({"model": {"value": 1}}) as run:
            events = [event async for event in run]
    finally:
        loading.join()
    (warmed,) = [event for event in events if isinstance(event, ComponentWarmedUp)]
    assert warmed.waited and warmed.finished_at - warmed.started_at > 0.1
    summary = RunSummary.from_events(events)
    assert summary.wall_duration is not None and summary.wall_duration > 0.1
    assert summary.duration is not None and summary.duration < 0.05
    assert summary.warm_up_time > 0.1


async def test_diff_chrome_and_otlp_count_pipeline_time_and_show_the_pause_apart() -> None:
    pipe = two_steps()
    paused = await paused_run(pipe)
    async with pipe.events({"first": {"value": 1}}) as run:
        straight = [event async for event in run]

    diff = diff_runs(straight, paused)
    assert diff.total.a is not None and diff.total.b is not None
    assert diff.total.b < 0.25 < PAUSE  # the pause is not what changed
    assert diff.paused.a == 0.0 and diff.paused.b is not None and diff.paused.b >= PAUSE - 0.01

    trace = to_chrome_trace(paused)
    (info,) = trace["otherData"]["runs"]
    assert info["duration_ms"] < 250 < PAUSE * 1000 <= info["paused_ms"] + 10
    assert info["wall_ms"] >= PAUSE * 1000
    tracks = {e["tid"]: e["args"]["name"] for e in trace["traceEvents"] if e["name"] == "thread_name"}
    pauses = [e for e in trace["traceEvents"] if e.get("cat") == "paused"]
    assert len(pauses) == 1 and tracks[pauses[0]["tid"]] == PAUSED_TRACK
    assert pauses[0]["dur"] >= PAUSE * 1e6 - 1e4 and pauses[0]["args"]["reason"] == "breakpoint"
    visit_tracks = {e["tid"] for e in trace["traceEvents"] if e.get("ph") == "X" and e.get("cat") != "paused"}
    assert pauses[0]["tid"] not in visit_tracks

    otlp = to_otlp_json(paused)
    root = otlp["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    attributes = {a["key"]: next(iter(a["value"].values())) for a in root["attributes"]}
    assert attributes["pipeline.duration_ms"] < 250 and attributes["pipeline.paused_ms"] >= PAUSE * 1000 - 10
    assert [event["name"] for event in root["events"]] == ["paused"]


async def test_a_replay_does_not_wait_out_the_recorded_pause(tmp_path: Path) -> None:
    pipe = two_steps()
    path = tmp_path / "paused.jsonl"
    await paused_run(pipe, lambda run: RunRecorder(run, path))
    recorded = read_run(path)
    assert any(isinstance(event, RunPaused) for event in recorded.events)
    began = time.perf_counter()
    async with ReplayRun(recorded, speed=1.0) as replay:
        replayed = [event async for event in replay]
    took = time.perf_counter() - began
    assert [type(event) for event in replayed] == [type(event) for event in recorded.events]
    assert took < PAUSE / 2  # the pipeline's ~0.05 s, paced; not the half second it stood paused


async def test_a_run_with_no_pause_keeps_its_wall_time() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("add", AddOne())
    pipe.add_component("block", BlockingSleep(0.02))
    pipe.connect("add.value", "block.value")
    async with pipe.events({"add": {"value": 1}}) as run:
        summary = RunSummary.from_events([event async for event in run])
    assert summary.duration == summary.wall_duration and summary.pauses == [] and summary.paused_time() == 0.0


async def test_a_pause_right_after_a_start_holds_that_visit_back_and_counts_as_paused() -> None:
    pipe = two_steps()
    summary = RunSummary()
    async with pipe.events({"first": {"value": 1}}) as run:
        async for event in run:
            summary.apply(event)
            if isinstance(event, ComponentStarted) and event.component == "second":
                paused = run.mark_paused("user", event.component, event.visit_id)
                assert paused is not None and paused.held_visit_id == event.visit_id
                summary.apply(paused)  # as a debugger shows it while paused
                held = summary.span(event.visit_id)
                assert held is not None and held.status == "held" and summary.running == []
                await asyncio.sleep(PAUSE)
                resumed = run.mark_resumed()
                assert resumed is not None
    second = summary.spans_of("second")[0]
    assert second.status == "finished" and second.pauses == []  # it did not run during the pause
    assert summary.duration is not None and summary.duration < 0.25 < PAUSE <= summary.paused_time() + 0.01


async def test_our_otlp_export_read_back_keeps_the_pause_and_the_pipeline_time() -> None:
    paused = await paused_run(two_steps())
    request = decode_otlp_payload(json.dumps(to_otlp_json(paused)).encode(), "application/json")
    (imported,) = runs_from_otlp(request)
    assert [type(event) for event in imported.events].count(RunPaused) == 1
    original, back = RunSummary.from_events(paused), RunSummary.from_events(imported.events)
    assert original.duration is not None and back.duration is not None
    assert back.duration < 0.25 < PAUSE and abs(back.duration - original.duration) < 0.005
    assert abs(back.paused_time() - original.paused_time()) < 0.005
    (pause,) = back.pauses
    assert (pause.reason, pause.component) == ("breakpoint", "first")


async def test_the_runs_listing_gives_the_pipeline_time_of_a_paused_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    pipe = two_steps()
    await paused_run(pipe, lambda run: store.record(run, pipeline_name="paused"))
    async with store.record(pipe.events({"first": {"value": 1}}), pipeline_name="straight") as recorder:
        async for _ in recorder:
            pass
    durations = {run.pipeline_name: run.duration for run in store.runs()}
    assert durations["paused"] is not None and durations["straight"] is not None
    assert durations["paused"] < 0.25 < PAUSE  # not the wall time
    assert {run.pipeline_name: run.duration for run in store.runs()} == durations  # from the index this time
