"""The session records its pauses in the run (so durations count pipeline time), shows a pause while it lasts,
and tells visits that finished during a pause (queued) from those still running."""

from __future__ import annotations

import asyncio

from pipeline import AsyncPipeline
from pipeline.core.events import RunPaused, RunResumed
from tests.pipeline.toy_components import AddOne, Sleep
from tests.tui.state.test_session import paused_on, until
from tui.state.breakpoints import Breakpoints
from tui.state.session import DebugSession
from tui.widgets.graph import node_states

PAUSE = 0.5
"""Ten times the pipeline below: a duration that counted it could not pass."""


def chain() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("first", Sleep(0.02))
    pipe.add_component("second", Sleep(0.02))
    pipe.connect("first.value", "second.value")
    return pipe


async def test_a_run_paused_at_a_breakpoint_reports_its_pipeline_time() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("first")
    session = DebugSession(chain().events({"first": {"value": 1}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    await paused_on(session)
    pause = session.summary.pause  # shown at once, though the stream yields it only on resume
    assert pause is not None and (pause.reason, pause.component) == ("breakpoint", "first")
    assert not any(isinstance(event, RunPaused) for event in session.events)
    await asyncio.sleep(PAUSE)
    session.resume()
    await task

    assert session.status == "finished"
    kinds = [type(event) for event in session.events]
    assert kinds.count(RunPaused) == kinds.count(RunResumed) == 1
    assert kinds.index(RunResumed) == kinds.index(RunPaused) + 1
    summary = session.summary
    assert summary.wall_duration is not None and summary.duration is not None
    assert summary.duration < 0.25 < PAUSE <= summary.wall_duration
    assert summary.paused_time() >= PAUSE - 0.01
    assert [p.duration is not None and p.duration >= PAUSE - 0.01 for p in summary.pauses] == [True]


async def test_a_visit_that_finishes_while_paused_is_queued_not_running() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("fast", AddOne())
    pipe.add_component("slow", Sleep(0.1))
    breakpoints = Breakpoints()
    breakpoints.add("fast")
    session = DebugSession(pipe.events({"fast": {"value": 1}, "slow": {"value": 1}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    await paused_on(session)
    slow = next(span for span in session.summary.spans if span.component == "slow")
    await until(lambda: slow.status == "queued")
    assert slow.finished_at is not None and slow.duration is not None and 0.09 < slow.duration < PAUSE
    assert session.running == [] and session.queued == ["slow"] and session.summary.running == []
    origin = session.summary.origin
    assert origin is not None
    later, much_later = (
        node_states(["slow"], session, breakpoints, origin + 1.0),
        node_states(["slow"], session, breakpoints, origin + 9.0),
    )
    assert later["slow"].status == much_later["slow"].status == "queued"
    assert later["slow"].duration == much_later["slow"].duration == slow.duration  # no timer growing
    session.resume()
    await task
    assert slow.status == "finished" and [pause.reason for pause in slow.pauses] == ["breakpoint"]


async def test_components_waiting_for_a_slot_show_ready_and_those_missing_inputs_waiting() -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b"):
        pipe.add_component(name, Sleep(0.05))
    pipe.add_component("after", AddOne())
    pipe.connect("a.value", "after.value")
    session = DebugSession(pipe.events({"a": {"value": 1}, "b": {"value": 1}}, concurrency_limit=1), live=True)
    task = asyncio.create_task(session.run())
    await until(lambda: "b" in session.summary.ready)
    origin = session.summary.origin
    assert origin is not None
    states = node_states(["a", "b", "after"], session, Breakpoints(), origin + 0.01)
    assert (states["a"].status, states["b"].status, states["after"].status) == ("running", "ready", "waiting")
    assert states["b"].duration is None and session.running == ["a"]
    await task
    assert session.summary.ready == {}


async def test_a_break_before_a_component_holds_its_visit_with_no_timer_and_no_time() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("second", when="before")
    session = DebugSession(chain().events({"first": {"value": 1}}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    await paused_on(session)
    second = next(span for span in session.summary.spans if span.component == "second")
    assert second.status == "held" and session.running == [] and session.summary.running == []
    origin = session.summary.origin
    assert origin is not None
    state = node_states(["second"], session, breakpoints, origin + 5.0)["second"]
    assert (state.status, state.duration) == ("paused", None)  # no timer growing while it has not begun
    await asyncio.sleep(PAUSE)
    session.resume()
    await task
    assert second.status == "finished" and second.pauses == []
    assert session.summary.duration is not None and session.summary.duration < 0.25 < PAUSE
