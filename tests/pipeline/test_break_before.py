"""Precise back-pressure: a component whose `ComponentStarted` was read does not execute until the next request,
so a consumer that stops right after that event (a breakpoint before the component) holds it back."""

from __future__ import annotations

import asyncio
import threading

from pipeline import AsyncPipeline, component
from pipeline.core.events import ComponentCancelled, ComponentFinished, ComponentStarted, RunCancelled, RunFinished
from tests.pipeline.test_events import assert_nothing_leaked


@component
class Marks:
    """Notes each execution, from its worker thread (sync) or on the loop (async)."""

    def __init__(self) -> None:
        self.ran = threading.Event()

    @component.output_types(value=int)
    def run(self, value: int) -> dict:
        self.ran.set()
        return {"value": value + 1}


@component
class AsyncMarks:
    def __init__(self) -> None:
        self.ran = threading.Event()

    @component.output_types(value=int)
    def run(self, value: int) -> dict:
        raise NotImplementedError

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict:
        self.ran.set()
        return {"value": value + 1}


async def test_a_started_component_waits_for_the_next_request() -> None:
    sync, async_ = Marks(), AsyncMarks()
    pipe = AsyncPipeline()
    pipe.add_component("sync", sync)
    pipe.add_component("async_", async_)
    pipe.connect("sync", "async_")
    async with pipe.events({"value": 1}) as run:
        for instance in (sync, async_):
            started = await anext(run)
            while not isinstance(started, ComponentStarted):
                started = await anext(run)
            await asyncio.sleep(0.2)  # paused right after its ComponentStarted: it must not have run
            assert not instance.ran.is_set(), f"{started.component} ran before the next event was asked for"
            assert run.queued_completions() == []
            event = await anext(run)  # asking for more lets it execute
            assert isinstance(event, ComponentFinished) and event.component == started.component
            assert instance.ran.is_set()
        assert isinstance(await anext(run), RunFinished)


async def test_concurrent_starts_each_wait_for_their_own_event() -> None:
    first, second = Marks(), Marks()
    pipe = AsyncPipeline()
    pipe.add_component("first", first)
    pipe.add_component("second", second)
    async with pipe.events({"first": {"value": 1}, "second": {"value": 2}}) as run:
        await anext(run)  # RunStarted
        started = await anext(run)
        assert isinstance(started, ComponentStarted) and started.component == "first"
        await asyncio.sleep(0.1)
        assert not first.ran.is_set() and not second.ran.is_set()
        started = await anext(run)  # first runs now; second only once this event is followed by a request
        assert isinstance(started, ComponentStarted) and started.component == "second"
        await asyncio.sleep(0.1)
        assert first.ran.is_set() and not second.ran.is_set()
        assert run.queued_completions() == ["first"]
        rest = [event async for event in run]
    assert second.ran.is_set()
    assert isinstance(rest[-1], RunFinished)


async def test_cancelling_before_a_started_component_ran_cancels_it_without_running_it() -> None:
    marks = Marks()
    pipe = AsyncPipeline()
    pipe.add_component("held", marks)
    async with pipe.events({"value": 1}) as run:
        await anext(run)
        started = await anext(run)
        assert isinstance(started, ComponentStarted)
        run.cancel()
        rest = [event async for event in run]
    assert not marks.ran.is_set()
    assert [type(e) for e in rest] == [ComponentCancelled, RunCancelled]
    await assert_nothing_leaked()


async def test_closing_before_a_started_component_ran_leaves_nothing_behind() -> None:
    marks = Marks()
    pipe = AsyncPipeline()
    pipe.add_component("held", marks)
    async with pipe.events({"value": 1}) as run:
        await anext(run)
        await anext(run)
    assert not marks.ran.is_set()
    await assert_nothing_leaked()
