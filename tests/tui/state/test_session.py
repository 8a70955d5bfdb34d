"""The debug session against real live runs: breaking, stepping, conditions, edits, failures, stopping, bursts."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from collections.abc import Callable

import pytest

from pipeline import AsyncPipeline, Document, PipelineRuntimeError, component
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.events import (
    ComponentCancelled,
    ComponentFinished,
    ComponentStarted,
    OutputsReplaced,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from tests.pipeline.test_events import assert_nothing_leaked
from tests.pipeline.toy_components import AddOne, BlockingSleep, CountDown, Counter, Fail, LoopEntry, Sleep
from tui.state.breakpoints import Breakpoints
from tui.state.session import DebugSession, PauseReason, SessionError


@component
class Retrieve:
    """Returns `value` documents scored 0.0, 0.1, …, and hands `value` on, so a loop retrieves fewer each time."""

    @component.output_types(documents=list[Document], value=int)
    def run(self, value: int) -> dict[str, object]:
        documents = [
            Document(content=f"doc {i}", score=i / 10, meta={"url": f"https://docs/{i}"}) for i in range(value)
        ]
        return {"documents": documents, "value": value}


async def until(predicate: Callable[[], bool], timeout: float = 3) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the session")
        await asyncio.sleep(0.002)


def started(session: DebugSession, component_name: str) -> list[ComponentStarted]:
    return [e for e in session.events if isinstance(e, ComponentStarted) and e.component == component_name]


def count(session: DebugSession, kind: type) -> int:
    return sum(isinstance(event, kind) for event in session.events)


async def paused_on(session: DebugSession, previous: PauseReason | None = None) -> PauseReason:
    """Wait for the session to pause again (on another reason than `previous`) and return why."""
    await until(lambda: session.status == "paused" and session.pause_reason is not previous)
    assert session.pause_reason is not None
    return session.pause_reason


async def run_to_end(session: DebugSession) -> list[PauseReason]:
    """Drive a session to its end, resuming at every pause; return the pauses in order."""
    task = asyncio.create_task(session.run())
    pauses: list[PauseReason] = []
    while not task.done():
        if session.status == "paused" and (not pauses or session.pause_reason is not pauses[-1]):
            assert session.pause_reason is not None
            pauses.append(session.pause_reason)
            session.resume()
        await asyncio.sleep(0.002)
    await task
    return pauses


def retrieval_loop() -> AsyncPipeline:
    """entry -> retrieve -> countdown -> entry ...: `retrieve` runs with 3, 2, 1 and 0 documents."""
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("retrieve", Retrieve())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "retrieve.value")
    pipe.connect("retrieve.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    return pipe


async def test_a_breakpoint_pauses_the_run_while_components_in_flight_finish_and_queue() -> None:
    after_a = Counter()
    pipe = AsyncPipeline()
    pipe.add_component("a", Sleep(0.0))
    pipe.add_component("after_a", after_a)
    pipe.add_component("sibling", WaitingComponent("sibling", wait_time=0.2))
    pipe.connect("a", "after_a")
    breakpoints = Breakpoints()
    breakpoints.add("a")
    session = DebugSession(pipe.events({"a": {"value": 1}, "sibling": {"user_msg": "hi"}}), breakpoints, live=True)
    assert session.status == "idle"
    task = asyncio.create_task(session.run())

    reason = await paused_on(session)
    assert reason.kind == "breakpoint" and reason.component == "a" and reason.visit_id == 1
    assert reason.hit is not None and (reason.hit.component, reason.hit.visit) == ("a", 1)
    assert session.running == ["sibling"]
    version = session.version
    await until(lambda: session.queued == ["sibling"])  # it finished, but its completion waits in the stream
    assert session.version > version and session.running == []
    await asyncio.sleep(0.1)
    assert after_a.runs == 0 and started(session, "after_a") == []  # nothing downstream started while paused
    assert isinstance(session.events[-1], ComponentFinished) and session.events[-1].component == "a"

    session.resume()
    await task
    assert session.status == "finished" and session.pause_reason is None and session.queued == []
    assert after_a.runs == 1
    assert session.summary.outputs == {"after_a": {"value": 1}, "sibling": {"message": "Message from sibling"}}
    assert breakpoints.get("a").hits == 1  # type: ignore[union-attr]


async def test_step_releases_exactly_one_completion() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("slow_1", BlockingSleep(0.03))
    pipe.add_component("slow_2", BlockingSleep(0.03))
    for name in ("b", "c"):
        pipe.add_component(name, AddOne())
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    breakpoints = Breakpoints()
    breakpoints.add("a")
    session = DebugSession(pipe.events({"value": 0}), breakpoints, live=True)
    task = asyncio.create_task(session.run())

    reason = await paused_on(session)
    assert reason.kind == "breakpoint"
    await until(lambda: sorted(session.queued) == ["slow_1", "slow_2"])
    finished_at_breakpoint = count(session, ComponentFinished)

    session.step()
    reason = await paused_on(session, reason)
    assert reason.kind == "step" and reason.hit is None
    assert count(session, ComponentFinished) == finished_at_breakpoint + 1
    assert isinstance(session.events[-1], ComponentFinished) and session.events[-1] is reason.event
    first = reason.component
    assert first in ("slow_1", "slow_2", "b")

    completions = [first]
    while len(completions) < 4:  # b, c and the two slow ones, one per step
        session.step()
        reason = await paused_on(session, reason)
        assert reason.kind == "step"
        completions.append(reason.component)
        assert count(session, ComponentFinished) == finished_at_breakpoint + len(completions)
    assert sorted(completions) == ["b", "c", "slow_1", "slow_2"]
    assert completions.index("b") < completions.index("c")

    session.step()  # no completion left: the run ends
    await task
    assert session.status == "finished"
    assert session.summary.outputs["c"] == {"value": 3}


async def test_continue_runs_to_the_end_and_pauses_at_every_hit() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, AddOne())
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    breakpoints = Breakpoints()
    breakpoints.add("a")
    breakpoints.add("c")
    session = DebugSession(pipe.events({"value": 0}), breakpoints, live=True)
    pauses = await run_to_end(session)
    assert [(p.kind, p.component) for p in pauses] == [("breakpoint", "a"), ("breakpoint", "c")]
    assert session.status == "finished"
    assert isinstance(session.events[0], RunStarted) and isinstance(session.events[-1], RunFinished)
    assert session.summary.status == "finished" and session.summary.outputs == {"c": {"value": 3}}
    assert [span.status for span in session.summary.spans] == ["finished"] * 3


async def test_a_conditional_breakpoint_on_documents_hits_only_when_it_holds() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retrieve", 'len(documents) == 1 and documents[0].meta.get("url", "").endswith("/0")')
    session = DebugSession(retrieval_loop().events({"entry": {"value": 3}}), breakpoints, live=True)
    pauses = await run_to_end(session)

    assert len(started(session, "retrieve")) == 4  # 3, 2, 1 and 0 documents
    assert len(pauses) == 1
    hit = pauses[0].hit
    assert hit is not None and (hit.component, hit.visit, hit.value, hit.error) == ("retrieve", 3, True, None)
    record = session.visit(hit.visit_id)
    assert record is not None and record.inputs == {"value": 1}
    assert [d.content for d in record.outputs["documents"]] == ["doc 0"]  # type: ignore[index]
    assert breakpoints.get("retrieve").hits == 1  # type: ignore[union-attr]
    assert session.status == "finished"


async def test_a_condition_error_pauses_and_shows_the_error() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retrieve", "documents[0].score > 0.5")  # false while there are documents, then fails
    session = DebugSession(retrieval_loop().events({"entry": {"value": 3}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())

    reason = await paused_on(session)
    assert reason.kind == "breakpoint" and reason.hit is not None
    assert reason.hit.visit == 4 and reason.hit.value is None
    assert reason.hit.error == "IndexError: list index out of range, at `documents[0]` (column 1)"
    assert breakpoints.get("retrieve").last_error == reason.hit.error  # type: ignore[union-attr]
    assert session.visit(reason.hit.visit_id).outputs == {"documents": [], "value": 0}  # type: ignore[union-attr]

    session.resume()
    await task
    assert session.status == "finished"


async def test_edited_outputs_are_what_the_successor_receives() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.connect("a", "b")
    breakpoints = Breakpoints()
    breakpoints.add("a")
    session = DebugSession(pipe.events({"a": {"value": 1}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    visit_id = reason.visit_id
    assert visit_id is not None and session.editable_visit == visit_id

    with pytest.raises(SessionError, match=r"'a.value' must be int, got str"):
        session.edit_outputs(visit_id, {"value": "ten"})
    with pytest.raises(SessionError, match="'a' has no output 'other'"):
        session.edit_outputs(visit_id, {"other": 1})
    with pytest.raises(SessionError, match="can only be edited while the run is paused on that visit.s completion"):
        session.edit_outputs(visit_id + 1, {"value": 1})
    assert session.visit(visit_id).outputs == {"value": 2}  # type: ignore[union-attr]

    version = session.version
    session.edit_outputs(visit_id, {"value": 100})
    record = session.visit(visit_id)
    assert record is not None and record.outputs == {"value": 100} and record.original_outputs == {"value": 2}
    assert session.version > version

    session.resume()
    await task
    assert started(session, "b")[0].inputs == {"value": 100}
    replaced = [e for e in session.events if isinstance(e, OutputsReplaced)]
    assert len(replaced) == 1 and replaced[0].outputs == {"value": 100}
    assert session.visit(visit_id).original_outputs == {"value": 2}  # type: ignore[union-attr]
    assert session.summary.outputs == {"b": {"value": 101}}
    with pytest.raises(SessionError, match="can only be edited while the run is paused"):
        session.edit_outputs(visit_id, {"value": 5})


class ReplayStream:
    """A replay of recorded events with the live stream's protocol, but nothing to edit."""

    def __init__(self, events: list[RunEvent]) -> None:
        self.run_id = events[0].run_id
        self._events = list(events)
        self.closed = False

    def __aiter__(self) -> ReplayStream:
        return self

    async def __anext__(self) -> RunEvent:
        await asyncio.sleep(0)
        if not self._events:
            raise StopAsyncIteration
        return self._events.pop(0)

    def cancel(self) -> None:
        self._events = [RunCancelled(run_id=self.run_id, time=time.perf_counter(), outputs={})]

    async def aclose(self) -> None:
        self.closed = True


async def test_a_replay_breaks_the_same_way_but_cannot_be_edited() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.connect("a", "b")
    recorded = DebugSession(pipe.events({"a": {"value": 1}}), live=True)
    await recorded.run()

    breakpoints = Breakpoints()
    breakpoints.add("b")
    replay = ReplayStream(recorded.events)
    session = DebugSession(replay, breakpoints, live=False)
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    assert reason.component == "b" and session.queued == [] and session.editable_visit is None
    with pytest.raises(SessionError, match="only be edited in a live run"):
        session.edit_outputs(reason.visit_id, {"value": 0})  # type: ignore[arg-type]
    session.resume()
    await task
    assert session.status == "finished" and replay.closed
    assert session.events == recorded.events


async def test_a_replay_that_stops_short_fails_the_session_clearly() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    recorded = DebugSession(pipe.events({"value": 1}), live=True)
    await recorded.run()
    session = DebugSession(ReplayStream(recorded.events[:-1]), live=False)
    await session.run()
    assert session.status == "failed"
    assert str(session.error) == "The run's events ended without a final event."


async def test_a_failing_component_fails_the_session_and_leaves_the_run_inspectable() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("fail", Fail())
    pipe.add_component("slow", BlockingSleep(0.1))
    pipe.connect("a", "fail")
    breakpoints = Breakpoints()
    breakpoints.add("slow")  # it completes after the failure, while the run winds down: no pause then
    session = DebugSession(pipe.events({"a": {"value": 1}, "slow": {"value": 5}}), breakpoints, live=True)
    pauses = await run_to_end(session)

    assert pauses == []
    assert session.status == "failed" and isinstance(session.events[-1], RunFailed)
    assert isinstance(session.error, PipelineRuntimeError) and session.error.component_name == "fail"
    failed = next(span for span in session.summary.spans if span.component == "fail")
    record = session.visit(failed.visit_id)
    assert record is not None and record.inputs == {"value": 2} and isinstance(record.error, RuntimeError)
    assert record.traceback is not None and "RuntimeError: boom on 2" in record.traceback
    a_span = session.summary.spans_of("a")[0]
    assert session.visit(a_span.visit_id).outputs == {"value": 2}  # type: ignore[union-attr]
    assert {span.component: span.status for span in session.summary.spans} == {
        "a": "finished",
        "slow": "finished",
        "fail": "failed",
    }
    assert session.summary.outputs == {"slow": {"value": 5}}
    await assert_nothing_leaked()


async def test_stop_while_running_cancels_cleanly() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    pipe.add_component("thread", BlockingSleep(0.05))
    pipe.add_component("after", AddOne())
    pipe.connect("long", "after")
    session = DebugSession(pipe.events({"long": {"value": 1}, "thread": {"value": 2}}), live=True)
    task = asyncio.create_task(session.run())
    await until(lambda: "long" in session.running)

    session.stop()
    session.stop()  # twice is harmless
    await asyncio.wait_for(task, timeout=2)
    assert session.status == "cancelled" and isinstance(session.events[-1], RunCancelled)
    assert [e.component for e in session.events if isinstance(e, ComponentCancelled)] == ["long"]
    assert started(session, "after") == []
    await assert_nothing_leaked()


async def test_stop_at_a_breakpoint_drains_to_run_cancelled() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("fast", AsyncWaitingComponent("fast", wait_time=0))
    pipe.add_component("long", AsyncWaitingComponent("long", wait_time=10))
    pipe.add_component("next", AsyncWaitingComponent("next", wait_time=0))
    pipe.connect("fast.message", "next.user_msg")
    breakpoints = Breakpoints()
    breakpoints.add("fast")
    session = DebugSession(pipe.events({"fast": {"user_msg": "x"}, "long": {"user_msg": "y"}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    await paused_on(session)

    started_at = time.perf_counter()
    session.stop()
    await asyncio.wait_for(task, timeout=2)
    assert time.perf_counter() - started_at < 1
    assert session.status == "cancelled" and session.pause_reason is None
    assert started(session, "next") == []
    await assert_nothing_leaked()


async def test_cancelling_the_pump_closes_the_run() -> None:
    """What happens when the app quits mid-run: the pump task is cancelled, and the stream closed behind it."""
    pipe = AsyncPipeline()
    pipe.add_component("long", Sleep(10))
    pipe.add_component("thread", BlockingSleep(0.1))
    session = DebugSession(pipe.events({"value": 1}), live=True)
    task = asyncio.create_task(session.run())
    await until(lambda: "long" in session.running)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert session.status == "cancelled"
    await assert_nothing_leaked()


async def test_a_user_pause_stops_pulling_and_nothing_new_starts() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, Sleep(0.05))
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    session = DebugSession(pipe.events({"a": {"value": 1}}), live=True)
    task = asyncio.create_task(session.run())
    await until(lambda: session.running == ["a"])

    session.pause()
    reason = await paused_on(session)
    assert reason.kind == "user" and reason.hit is None
    events_at_pause = len(session.events)
    await asyncio.sleep(0.2)
    assert len(session.events) == events_at_pause and started(session, "b") == []

    session.resume()
    await task
    assert session.status == "finished" and session.summary.outputs == {"c": {"value": 1}}


async def test_a_session_paused_before_it_runs_stops_before_the_first_event() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    session = DebugSession(pipe.events({"value": 1}), live=True)
    session.pause()
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    assert reason.kind == "user" and reason.event is None and session.events == []
    session.step()
    reason = await paused_on(session, reason)
    assert reason.kind == "step" and reason.component == "a"
    session.resume()
    await task
    assert session.status == "finished"
    with pytest.raises(SessionError, match="already run"):
        await session.run()


async def test_a_burst_of_a_thousand_completions_is_applied_in_full() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("source", AddOne())
    fan_out = 1_000
    for index in range(fan_out):
        pipe.add_component(f"n{index}", AddOne())
        pipe.connect("source.value", f"n{index}.value")
    breakpoints = Breakpoints()
    breakpoints.add("n999", "value != 2")  # checked on every completion of n999, never true
    session = DebugSession(pipe.events({"source": {"value": 0}}, concurrency_limit=fan_out), breakpoints, live=True)

    ticks = 0

    async def ticker() -> None:  # the UI's loop must keep turning while the burst is applied
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    started_at = time.perf_counter()
    await session.run()
    elapsed = time.perf_counter() - started_at
    ticking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await ticking

    assert session.status == "finished"
    assert count(session, ComponentFinished) == fan_out + 1
    assert count(session, ComponentStarted) == fan_out + 1
    assert session.version >= len(session.events)
    assert all(session.visit(visit_id).outputs == {"value": 2} for visit_id in range(2, fan_out + 2))  # type: ignore[union-attr]
    assert len(session.summary.spans) == fan_out + 1 and session.running == []
    assert len(session.summary.outputs) == fan_out
    assert ticks > 1
    assert elapsed < 10


def test_the_session_state_imports_no_ui() -> None:
    """The app renders this state; the state itself must run (and be tested) without Textual."""
    code = "import sys, tui.state; assert not any(m.split('.')[0] == 'textual' for m in sys.modules), 'textual'"
    subprocess.run([sys.executable, "-c", code], check=True)
