"""The event stream: what each event carries, back-pressure, editing outputs, failures and cancellation."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from pipeline import AsyncPipeline, PipelineRuntimeError, PipelineValidationError
from pipeline.core.events import (
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    OutputsReplaced,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from tests.pipeline.toy_components import AddOne, AsyncFail, BlockingSleep, Counter, Fail, Sleep, SyncAddOne


def worker_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("pipedebug-worker")]


async def assert_nothing_leaked() -> None:
    """No task but the test's own, and every worker thread gone (they exit once their pool shuts down)."""
    assert asyncio.all_tasks() == {asyncio.current_task()}
    deadline = time.monotonic() + 2
    while worker_threads() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    assert worker_threads() == []


async def next_event(run: object, kind: type) -> RunEvent:
    async for event in run:  # type: ignore[attr-defined]
        if isinstance(event, kind):
            return event
    raise AssertionError(f"no {kind.__name__}")


async def test_events_describe_the_whole_run() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", SyncAddOne())
    pipe.connect("a", "b")
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    assert [type(e).__name__ for e in events] == [
        "RunStarted",
        "ComponentStarted",
        "ComponentFinished",
        "ComponentStarted",
        "ComponentFinished",
        "RunFinished",
    ]
    started, a_started, a_done, b_started, b_done, finished = events
    assert isinstance(started, RunStarted) and started.inputs == {"a": {"value": 1}}
    assert {e.run_id for e in events} == {run.run_id}
    assert isinstance(a_started, ComponentStarted) and a_started.inputs == {"value": 1} and a_started.mode == "async"
    assert isinstance(b_started, ComponentStarted) and b_started.mode == "sync" and b_started.inputs == {"value": 2}
    assert [a_started.visit_id, b_started.visit_id] == [1, 2]
    assert isinstance(a_done, ComponentFinished) and a_done.thread == threading.current_thread().name
    assert isinstance(b_done, ComponentFinished) and b_done.thread.startswith("pipedebug-worker")
    assert a_done.started_at <= a_done.finished_at <= b_done.started_at <= b_done.finished_at
    assert isinstance(finished, RunFinished) and finished.outputs == {"b": {"value": 3}}


async def test_back_pressure_no_component_starts_while_the_consumer_pauses() -> None:
    """Pausing on a completion is how a debugger breaks: successors wait, running siblings finish and queue."""
    counter = Counter()
    pipe = AsyncPipeline()
    pipe.add_component("a", Sleep(0.0))
    pipe.add_component("after_a", counter)
    pipe.add_component("sibling", BlockingSleep(0.05))
    pipe.connect("a", "after_a")
    async with pipe.events({"value": 1}) as run:
        finished = await next_event(run, ComponentFinished)
        assert isinstance(finished, ComponentFinished) and finished.component == "a"
        await asyncio.sleep(0.2)  # the consumer "sits at a breakpoint"
        assert counter.runs == 0
        assert run.queued_completions() == ["sibling"]
        rest = [event async for event in run]
    assert counter.runs == 1
    names = [(type(e).__name__, getattr(e, "component", None)) for e in rest]
    assert names.index(("ComponentFinished", "sibling")) < names.index(("ComponentFinished", "after_a"))


async def test_stepping_releases_one_event_per_request() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, AddOne())
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    run = pipe.events({"a": {"value": 0}})
    seen: list[str] = []
    while True:
        try:
            event = await run.__anext__()
        except StopAsyncIteration:
            break
        seen.append(type(event).__name__)
        if isinstance(event, ComponentFinished):
            assert run.running == []  # nothing was started behind the consumer's back
    assert seen.count("ComponentFinished") == 3


async def test_outputs_replaced_at_a_pause_flow_downstream() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.connect("a", "b")
    async with pipe.events({"a": {"value": 1}}) as run:
        finished = await next_event(run, ComponentFinished)
        assert isinstance(finished, ComponentFinished) and finished.outputs == {"value": 2}
        with pytest.raises(PipelineValidationError, match=r"'a.value' must be int, got str"):
            run.replace_outputs(finished.visit_id, {"value": "ten"})
        with pytest.raises(PipelineValidationError, match="'a' has no output 'other'"):
            run.replace_outputs(finished.visit_id, {"other": 1})
        with pytest.raises(PipelineValidationError, match="read last"):
            run.replace_outputs(finished.visit_id + 1, {"value": 1})
        run.replace_outputs(finished.visit_id, {"value": 100})
        rest = [event async for event in run]
    assert isinstance(rest[0], OutputsReplaced) and rest[0].outputs == {"value": 100}
    assert rest[-1].outputs == {"b": {"value": 101}}  # type: ignore[union-attr]


async def test_failing_sync_component_reports_and_keeps_partial_outputs() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("ok", AddOne())
    pipe.add_component("slow", BlockingSleep(0.1))
    pipe.add_component("fail", Fail())
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    failed = next(e for e in events if isinstance(e, ComponentFailed))
    assert failed.component == "fail" and isinstance(failed.error, RuntimeError)
    assert "RuntimeError: boom on 1" in failed.traceback and "in run" in failed.traceback
    end = events[-1]
    assert isinstance(end, RunFailed) and isinstance(end.error, PipelineRuntimeError)
    # The sync sibling in flight could not be interrupted: it was awaited and its result kept.
    assert any(isinstance(e, ComponentFinished) and e.component == "slow" for e in events)
    assert end.error.partial_outputs == {"ok": {"value": 2}, "slow": {"value": 1}}
    await assert_nothing_leaked()


async def test_run_async_raises_pipeline_runtime_error_naming_the_component() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("fail", Fail())
    with pytest.raises(PipelineRuntimeError) as info:
        await pipe.run_async({"value": 3})
    error = info.value
    assert error.component_name == "fail" and error.component_type is Fail
    assert "Component 'fail' (tests.pipeline.toy_components.Fail) failed in run: RuntimeError: boom on 3" in str(error)
    assert isinstance(error.__cause__, RuntimeError)


async def test_async_failure_cancels_async_siblings_in_flight() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    pipe.add_component("fail", AsyncFail())
    started = time.perf_counter()
    async with pipe.events({"value": 1}) as run:
        events = [event async for event in run]
    assert time.perf_counter() - started < 2
    assert [e.component for e in events if isinstance(e, ComponentCancelled)] == ["long"]
    assert isinstance(events[-1], RunFailed)
    await assert_nothing_leaked()


async def test_cancel_stops_the_run_cleanly() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    pipe.add_component("thread", BlockingSleep(0.05))
    pipe.add_component("after", AddOne())
    pipe.connect("long", "after")
    async with pipe.events({"long": {"value": 1}, "thread": {"value": 2}}) as run:
        await next_event(run, ComponentStarted)
        await next_event(run, ComponentStarted)
        asyncio.get_running_loop().call_later(0.01, run.cancel)
        rest = [event async for event in run]
    kinds = {(type(e).__name__, getattr(e, "component", None)) for e in rest}
    assert ("ComponentCancelled", "long") in kinds
    assert ("ComponentFinished", "thread") in kinds
    assert isinstance(rest[-1], RunCancelled) and rest[-1].outputs == {"thread": {"value": 2}}
    await assert_nothing_leaked()


async def test_leaving_the_stream_early_cleans_up() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    pipe.add_component("thread", BlockingSleep(0.05))
    async with pipe.events({"value": 1}) as run:
        await next_event(run, ComponentStarted)
    await assert_nothing_leaked()


async def test_cancelling_the_caller_cancels_the_run() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(pipe.run_async({"value": 1}), timeout=0.05)
    await assert_nothing_leaked()


async def test_warm_up_failure_names_the_component() -> None:
    from pipeline import component

    @component
    class BrokenModel:
        def warm_up(self) -> None:
            raise OSError("model file missing")

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value}

    pipe = AsyncPipeline()
    pipe.add_component("model", BrokenModel())
    with pytest.raises(PipelineRuntimeError, match=r"'model' .* failed in warm_up: OSError: model file missing"):
        await pipe.run_async({"value": 1})


async def test_components_report_progress_from_threads_and_coroutines() -> None:
    from pipeline import component, report_progress

    @component
    class Batches:
        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            for done in range(1, value + 1):
                report_progress(done, value, f"batch {done}")
            return {"value": value}

    @component
    class AsyncBatches:
        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value}

        @component.output_types(value=int)
        async def run_async(self, value: int) -> dict[str, int]:
            report_progress(1, None, "started")
            return {"value": value}

    pipe = AsyncPipeline()
    pipe.add_component("sync", Batches())
    pipe.add_component("async", AsyncBatches())
    async with pipe.events({"value": 3}) as run:
        events = [event async for event in run]
    progress = [(e.component, e.done, e.total, e.message) for e in events if type(e).__name__ == "ComponentProgress"]
    assert [p for p in progress if p[0] == "sync"] == [
        ("sync", 1, 3, "batch 1"),
        ("sync", 2, 3, "batch 2"),
        ("sync", 3, 3, "batch 3"),
    ]
    assert ("async", 1, None, "started") in progress
    names = [(type(e).__name__, getattr(e, "component", None)) for e in events]
    assert names.index(("ComponentProgress", "sync")) < names.index(("ComponentFinished", "sync"))
    report_progress(1, 2)  # outside a run: nothing happens, nothing breaks


async def test_reused_visits_hand_on_recorded_outputs_without_executing() -> None:
    first, second, third = Counter(), Counter(), Counter()
    pipe = AsyncPipeline()
    for name, counter in (("a", first), ("b", second), ("c", third)):
        pipe.add_component(name, counter)
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    async with pipe.events(
        {"a": {"value": 1}}, reuse_outputs={("a", 1): {"value": 10}}, override_inputs={("c", 1): {"value": 99}}
    ) as run:
        events = [event async for event in run]
    assert (first.runs, second.runs, third.runs) == (0, 1, 1)
    started = {e.component: e for e in events if isinstance(e, ComponentStarted)}
    finished = {e.component: e for e in events if isinstance(e, ComponentFinished)}
    assert started["a"].reused and finished["a"].reused and finished["a"].thread == "recorded"
    assert not finished["b"].reused and started["b"].inputs == {"value": 10}
    assert started["c"].inputs == {"value": 99}
    assert events[-1].outputs == {"c": {"value": 99}}  # type: ignore[union-attr]


async def test_a_reused_visit_does_not_copy_the_inputs_it_never_runs_with() -> None:
    """Inputs are deep-copied to guard them from the component; a reused visit does not run, so the copy (costly
    for large documents) is skipped, while an executed visit still gets its own copy."""
    from pipeline import component

    copies: list[str] = []

    class Payload:
        def __init__(self, name: str) -> None:
            self.name = name

        def __deepcopy__(self, memo: dict[int, object]) -> Payload:
            copies.append(self.name)
            return Payload(self.name)

    @component
    class Take:
        @component.output_types(value=object)
        def run(self, value: object) -> dict[str, object]:
            return {"value": Payload("handed on")}

    pipe = AsyncPipeline()
    pipe.add_component("a", Take())
    pipe.add_component("b", Take())
    pipe.connect("a", "b")
    async with pipe.events({"a": {"value": Payload("given")}}, reuse_outputs={("a", 1): {"value": 1}}) as run:
        events = [event async for event in run]
    assert isinstance(events[-1], RunFinished)
    assert copies == []  # "a" reused: its input never copied; "b" got an int, which needs no copy
    async with pipe.events({"a": {"value": Payload("given")}}) as run:
        events = [event async for event in run]
    assert copies == ["given", "handed on"]


def test_reuse_and_override_name_real_components_and_sockets() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    with pytest.raises(PipelineValidationError, match="unknown component 'zzz'"):
        pipe.events({"value": 1}, reuse_outputs={("zzz", 1): {}})
    with pytest.raises(PipelineValidationError, match="'a' has no input socket\\(s\\) nope to override"):
        pipe.events({"value": 1}, override_inputs={("a", 1): {"nope": 1}})


async def test_code_inside_a_visit_knows_which_visit_it_is() -> None:
    from pipeline import component, current_visit

    seen: list[tuple[str, int]] = []

    @component
    class Tell:
        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            visit = current_visit()
            assert visit is not None
            seen.append((visit.component, visit.visit_id))
            return {"value": value}

    pipe = AsyncPipeline()
    pipe.add_component("first", Tell())
    pipe.add_component("second", Tell())
    pipe.connect("first", "second")
    await pipe.run_async({"first": {"value": 1}})
    assert seen == [("first", 1), ("second", 2)]
    assert current_visit() is None


def test_progress_reported_after_the_run_ended_is_dropped_quietly() -> None:
    """A thread a component left behind may report once the run's loop is closed: the run is over, nothing raises."""
    import contextvars

    from pipeline import component, report_progress

    contexts: list[contextvars.Context] = []

    @component
    class LeavesAThread:
        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            contexts.append(contextvars.copy_context())
            return {"value": value}

    async def run() -> list[RunEvent]:
        pipe = AsyncPipeline()
        pipe.add_component("leaves", LeavesAThread())
        async with pipe.events({"value": 1}) as events:
            return [event async for event in events]

    assert isinstance(asyncio.run(run())[-1], RunFinished)
    contexts[0].run(report_progress, 1, 2)  # the loop is closed now
