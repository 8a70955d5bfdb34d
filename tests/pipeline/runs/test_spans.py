"""RunSummary folds real runs' events into spans: timing, modes, threads, loops, failures and cancellation."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from pipeline import AsyncPipeline, PipelineRuntimeError, component
from pipeline.core.events import ComponentStarted, RunEvent
from pipeline.runs import ComponentSpan, RunSummary
from tests.pipeline.toy_components import CountDown, LoopEntry

TOLERANCE = 0.005
"""Sleeps may end a clock tick early; spans must still show at least the sleep, give or take this."""


@component
class SyncSleep:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        time.sleep(self.seconds)
        return {"value": value + 1}


@component
class AsyncSleep:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        time.sleep(self.seconds)
        return {"value": value + 1}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        await asyncio.sleep(self.seconds)
        return {"value": value + 1}


@component
class Broken:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise RuntimeError(f"broken on {value}")


@component
class WarmsUp:
    def __init__(self) -> None:
        self.ready = False

    def warm_up(self) -> None:
        time.sleep(0.01)
        self.ready = True

    @component.output_types(ready=bool)
    def run(self, value: int) -> dict[str, bool]:
        return {"ready": self.ready}


async def live_run(pipe: AsyncPipeline, data: dict[str, Any], **kwargs: Any) -> tuple[RunSummary, list[RunEvent]]:
    """Feed each event to a summary as it arrives, checking what `apply` returns along the way."""
    summary = RunSummary()
    events: list[RunEvent] = []
    async with pipe.events(data, **kwargs) as run:
        async for event in run:
            events.append(event)
            span = summary.apply(event)
            if isinstance(event, ComponentStarted):
                assert span is not None
                assert (span.status, span.finished_at, span.duration, span.thread) == ("running", None, None, None)
                assert summary.running[-1] is span
    return summary, events


def branches() -> AsyncPipeline:
    """first (sync) -> second (async), beside slow (async): slow overlaps both."""
    pipe = AsyncPipeline()
    pipe.add_component("first", SyncSleep(0.03))
    pipe.add_component("second", AsyncSleep(0.03))
    pipe.add_component("slow", AsyncSleep(0.08))
    pipe.connect("first.value", "second.value")
    return pipe


async def test_spans_of_concurrent_branches() -> None:
    summary, events = await live_run(branches(), {"value": 1})

    assert summary.status == "finished"
    assert summary.run_id == events[0].run_id
    spans = {span.component: span for span in summary.spans}
    assert set(spans) == {"first", "second", "slow"}
    assert all(span.status == "finished" and span.visit == 1 for span in spans.values())
    assert sorted(span.visit_id for span in summary.spans) == [1, 2, 3]

    assert (spans["first"].mode, spans["second"].mode, spans["slow"].mode) == ("sync", "async", "async")
    assert spans["first"].thread is not None and spans["first"].thread.startswith("pipedebug-worker")
    assert spans["second"].thread == spans["slow"].thread == threading.current_thread().name

    for span, seconds in ((spans["first"], 0.03), (spans["second"], 0.03), (spans["slow"], 0.08)):
        assert span.started_at >= 0
        assert span.duration is not None and span.duration >= seconds - TOLERANCE
    assert spans["second"].started_at >= spans["first"].finished_at
    assert spans["slow"].started_at < spans["first"].finished_at  # the branches really overlapped

    assert summary.duration is not None
    assert summary.duration >= max(span.finished_at for span in summary.spans)
    assert summary.duration < 0.03 + 0.03 + 0.08  # concurrent, not one after another
    assert summary.outputs == {"second": {"value": 3}, "slow": {"value": 2}}
    assert summary.running == []


async def test_summarize_a_recording_matches_the_live_summary() -> None:
    live, events = await live_run(branches(), {"value": 1})
    recorded = RunSummary.from_events(events)
    assert recorded.spans == live.spans
    assert (recorded.duration, recorded.outputs, recorded.status) == (live.duration, live.outputs, live.status)


async def test_times_are_relative_to_run_started() -> None:
    summary, events = await live_run(branches(), {"value": 1})
    started = events[0]
    assert summary.origin == started.time
    assert summary.wall_time == started.wall_time
    assert summary.relative(started.time + 1.5) == pytest.approx(1.5)
    assert summary.inputs == {"first": {"value": 1}, "slow": {"value": 1}}


async def test_a_loop_makes_one_span_per_visit() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")

    summary, _ = await live_run(pipe, {"entry": {"value": 2}})

    assert [span.visit for span in summary.spans_of("countdown")] == [1, 2, 3]
    assert [span.visit_id for span in summary.spans] == [1, 2, 3, 4, 5, 6]
    assert summary.span(2) is summary.spans[1]
    starts = [span.started_at for span in summary.spans]
    assert starts == sorted(starts)
    assert summary.outputs == {"countdown": {"done": 0}}


async def test_a_failure_marks_the_failed_span_and_cancels_the_running_one() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("broken", Broken())
    pipe.add_component("slow", AsyncSleep(5))
    pipe.add_component("quick", SyncSleep(0))

    summary, _ = await live_run(pipe, {"value": 1}, concurrency_limit=4)

    spans = {span.component: span for span in summary.spans}
    assert spans["broken"].status == "failed"
    assert spans["broken"].traceback is not None and "RuntimeError: broken on 1" in spans["broken"].traceback
    assert spans["broken"].thread is not None
    assert spans["slow"].status == "cancelled"
    assert spans["slow"].thread is None
    assert spans["slow"].duration is not None and spans["slow"].duration < 1
    assert summary.status == "failed"
    assert isinstance(summary.error, PipelineRuntimeError)
    assert summary.error.component_name == "broken"
    assert summary.duration is not None and summary.duration < 1


async def test_cancelling_a_run_cancels_its_running_span() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("slow", AsyncSleep(5))
    summary = RunSummary()
    async with pipe.events({"value": 1}) as run:
        async for event in run:
            span = summary.apply(event)
            if isinstance(event, ComponentStarted):
                assert span is not None and span.status == "running"
                run.cancel()

    assert [span.status for span in summary.spans] == ["cancelled"]
    assert summary.status == "cancelled"
    assert summary.spans[0].finished_at is not None
    assert summary.duration is not None and summary.duration < 1


async def test_warm_ups_are_recorded_apart_from_spans() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("warm", WarmsUp())

    summary, _ = await live_run(pipe, {"value": 1})

    start, end = summary.warm_ups["warm"]
    assert 0 <= start < end
    assert end - start >= 0.01 - TOLERANCE
    assert summary.spans[0].started_at >= end
    assert summary.outputs == {"warm": {"ready": True}}


async def test_a_recording_without_start_events_still_gives_spans() -> None:
    _, events = await live_run(branches(), {"value": 1})
    trimmed = [event for event in events if not isinstance(event, ComponentStarted)]

    summary = RunSummary.from_events(trimmed)

    assert {span.component for span in summary.spans} == {"first", "second", "slow"}
    assert all(isinstance(span, ComponentSpan) and span.status == "finished" for span in summary.spans)


async def test_events_before_run_started_are_rejected() -> None:
    _, events = await live_run(branches(), {"value": 1})
    with pytest.raises(ValueError, match="before RunStarted"):
        RunSummary().apply(events[1])
