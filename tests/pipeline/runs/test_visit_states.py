"""The engine tells a component that waits for a concurrency slot (ready) from one waiting for inputs, and the visit
record keeps it apart from running ones."""

from __future__ import annotations

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentReady, ComponentStarted, RunEvent
from pipeline.runs.spans import RunSummary
from tests.pipeline.toy_components import AddOne, Sleep


def three_sources() -> AsyncPipeline:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, Sleep(0.02))
    pipe.add_component("after", AddOne())
    pipe.connect("a.value", "after.value")
    return pipe


async def test_components_beyond_the_concurrency_limit_are_ready_not_running() -> None:
    pipe = three_sources()
    summary = RunSummary()
    seen: list[tuple[set[str], list[str]]] = []
    events: list[RunEvent] = []
    data = {name: {"value": 1} for name in ("a", "b", "c")}
    async with pipe.events(data, concurrency_limit=1) as run:
        async for event in run:
            events.append(event)
            summary.apply(event)
            seen.append((set(summary.ready), [span.component for span in summary.running]))
    ready = [event for event in events if isinstance(event, ComponentReady)]
    assert {(event.component, event.reason) for event in ready} == {("b", "limit"), ("c", "limit")}
    for event in ready:  # announced before it starts, once
        starts = [e for e in events if isinstance(e, ComponentStarted) and e.component == event.component]
        assert len(starts) == 1 and events.index(event) < events.index(starts[0])
    # while b and c wait, only a runs; then b, then c; never two running at once
    assert ({"b", "c"}, ["a"]) in seen
    assert all(len(running) <= 1 for _, running in seen)
    assert all(not (waiting & set(running)) for waiting, running in seen)
    assert summary.ready == {} and summary.status == "finished"
    a, b, c = (summary.spans_of(name)[0] for name in ("a", "b", "c"))
    assert a.ready_at is None  # it started at once
    for waited in (b, c):  # the record keeps when they were ready: the wait before each bar
        assert waited.ready_at is not None and waited.ready_at < waited.started_at


async def test_a_component_waiting_for_its_inputs_is_not_ready() -> None:
    pipe = three_sources()
    async with pipe.events({name: {"value": 1} for name in ("a", "b", "c")}, concurrency_limit=4) as run:
        events = [event async for event in run]
    assert not any(isinstance(event, ComponentReady) for event in events)  # "after" only ever waited for a
