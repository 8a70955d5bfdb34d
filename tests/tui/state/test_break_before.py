"""Breakpoints before a component runs: the session pauses right after its `ComponentStarted`, and the live
component does not execute until the run goes on; on the n-th visit of a loop; before the first component."""

from __future__ import annotations

import asyncio

import pytest

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentFinished, ComponentStarted
from tests.pipeline.toy_components import Counter, Sleep
from tests.tui.state.test_session import paused_on, retrieval_loop, run_to_end, until
from tui.state.breakpoints import Breakpoints
from tui.state.session import DebugSession


def chain() -> tuple[AsyncPipeline, Counter]:
    counter = Counter()
    pipe = AsyncPipeline()
    pipe.add_component("first", Sleep(0.0))
    pipe.add_component("second", counter)
    pipe.connect("first", "second")
    return pipe, counter


async def test_a_breakpoint_before_a_component_pauses_before_it_runs() -> None:
    pipe, second = chain()
    breakpoints = Breakpoints()
    breakpoints.add("second", when="before")
    session = DebugSession(pipe.events({"value": 1}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    assert reason.kind == "breakpoint" and reason.component == "second"
    assert isinstance(reason.event, ComponentStarted) and reason.hit is not None and reason.hit.when == "before"
    assert session.visit(reason.visit_id or 0).inputs == {"value": 1}  # type: ignore[union-attr]
    await asyncio.sleep(0.2)
    assert second.runs == 0  # held back while paused: the engine starts it on the next request only
    assert session.editable_visit is None
    session.resume()
    await task
    assert second.runs == 1 and session.status == "finished"
    assert breakpoints.get("second").hits == 1  # type: ignore[union-attr]


async def test_an_after_breakpoint_does_not_stop_before_and_a_before_one_not_after() -> None:
    pipe, _ = chain()
    breakpoints = Breakpoints()
    breakpoints.add("first")
    breakpoints.add("second", when="before")
    pauses = await run_to_end(DebugSession(pipe.events({"value": 1}), breakpoints, live=True))
    assert [(type(p.event).__name__, p.component) for p in pauses] == [
        ("ComponentFinished", "first"),
        ("ComponentStarted", "second"),
    ]


async def test_a_before_breakpoint_on_the_third_visit_of_a_loop() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retrieve", "visit == 3", when="before")
    pauses = await run_to_end(DebugSession(retrieval_loop().events({"entry": {"value": 3}}), breakpoints, live=True))
    assert [(p.component, p.hit.visit) for p in pauses if p.hit is not None] == [("retrieve", 3)]
    assert isinstance(pauses[0].event, ComponentStarted) and pauses[0].event.inputs == {"value": 1}


async def test_a_before_condition_reads_the_inputs() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("retrieve", "value < 2", when="before")
    pauses = await run_to_end(DebugSession(retrieval_loop().events({"entry": {"value": 3}}), breakpoints, live=True))
    assert [p.event.inputs["value"] for p in pauses] == [1, 0]  # type: ignore[union-attr]


async def test_start_paused_stops_before_the_first_component_once() -> None:
    pipe, second = chain()
    breakpoints = Breakpoints()
    breakpoints.start_paused = True
    session = DebugSession(pipe.events({"value": 1}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    assert isinstance(reason.event, ComponentStarted) and reason.component == "first"
    assert not any(isinstance(e, ComponentFinished) for e in session.events)
    session.resume()
    await task
    assert second.runs == 1 and not breakpoints.start_paused
    assert [type(e).__name__ for e in session.events].count("ComponentStarted") == 2


async def test_stepping_from_a_before_pause_runs_the_component_and_stops_at_its_completion() -> None:
    pipe, _ = chain()
    breakpoints = Breakpoints()
    breakpoints.add("first", when="before")
    session = DebugSession(pipe.events({"value": 1}), breakpoints, live=True)
    task = asyncio.create_task(session.run())
    reason = await paused_on(session)
    session.step()
    reason = await paused_on(session, reason)
    assert reason.kind == "step" and isinstance(reason.event, ComponentFinished) and reason.component == "first"
    session.resume()
    await until(lambda: task.done())


def test_when_is_saved_and_read_back_and_checked() -> None:
    breakpoints = Breakpoints()
    breakpoints.add("a", "visit == 2", when="before")
    breakpoints.add("b")
    saved = breakpoints.to_dicts()
    assert saved == [
        {"component": "a", "condition": "visit == 2", "enabled": True, "when": "before"},
        {"component": "b", "condition": None, "enabled": True},
    ]
    assert breakpoints.toggle_when("a").when == "after"
    with pytest.raises(ValueError, match="'before' or 'after'"):
        breakpoints.set_when("b", "during")  # type: ignore[arg-type]
