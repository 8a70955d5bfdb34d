"""The behaviour matrix of the scheduler: shapes of graphs, kinds of sockets, inputs, loops and limits."""

from __future__ import annotations

import asyncio
import itertools
import threading

import pytest

from pipeline import (
    AsyncPipeline,
    Pipeline,
    PipelineComponentsBlockedError,
    PipelineMaxComponentRuns,
    PipelineValidationError,
)
from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunFinished
from tests.pipeline.toy_components import (
    AddOne,
    BlockingSleep,
    Collect,
    CountDown,
    Counter,
    Double,
    FirstOf,
    Greeter,
    LoopEntry,
    Mutator,
    NeedsTwo,
    Router,
    Sleep,
    Source,
    Sum,
    SyncAddOne,
)


def chain(*names: str) -> AsyncPipeline:
    pipe = AsyncPipeline()
    for name in names:
        pipe.add_component(name, AddOne())
    for sender, receiver in itertools.pairwise(names):
        pipe.connect(sender, receiver)
    return pipe


async def collect_events(pipe: AsyncPipeline, data: dict, **options: object) -> list[RunEvent]:
    async with pipe.events(data, **options) as run:  # type: ignore[arg-type]
        return [event async for event in run]


def started_order(events: list[RunEvent]) -> list[str]:
    return [e.component for e in events if isinstance(e, ComponentStarted)]


async def test_chain_passes_values_along() -> None:
    assert await chain("a", "b", "c").run_async({"a": {"value": 1}}) == {"c": {"value": 4}}


async def test_diamond_joins_both_branches() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("source", AddOne())
    pipe.add_component("left", Double())
    pipe.add_component("right", AddOne())
    pipe.add_component("join", NeedsTwo())
    pipe.connect("source", "left")
    pipe.connect("source", "right")
    pipe.connect("left.value", "join.left")
    pipe.connect("right.value", "join.right")
    assert await pipe.run_async({"source": {"value": 1}}) == {"join": {"value": 4 + 3}}


async def test_variadic_fan_in_waits_for_every_sender() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("fast", Sleep(0.0))
    pipe.add_component("slow", Sleep(0.05))
    pipe.add_component("sum", Sum())
    pipe.connect("fast", "sum")
    pipe.connect("slow", "sum")
    events = await collect_events(pipe, {"fast": {"value": 1}, "slow": {"value": 2}})
    assert started_order(events) == ["fast", "slow", "sum"]  # sum ran once, after both
    assert events[-1].outputs == {"sum": {"total": 3}}  # type: ignore[union-attr]


async def test_variadic_values_come_in_the_order_their_senders_started_whoever_finishes_first() -> None:
    for slow_name, fast_name in (("a_slow", "b_fast"), ("b_slow", "a_fast")):
        pipe = AsyncPipeline()
        pipe.add_component(slow_name, Sleep(0.05))
        pipe.add_component(fast_name, Sleep(0.0))
        pipe.add_component("collect", Collect())
        pipe.connect(slow_name, "collect")
        pipe.connect(fast_name, "collect")
        result = await pipe.run_async({slow_name: {"value": 1}, fast_name: {"value": 2}, "collect": {"items": 0}})
        # The caller's value first; then by start, and equally ready components start in name order.
        assert result["collect"]["items"] == ([0, 1, 2] if slow_name < fast_name else [0, 2, 1])


async def test_greedy_variadic_runs_as_soon_as_a_value_arrives() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("source", AddOne())
    pipe.add_component("slow", Sleep(0.1))
    pipe.add_component("first", FirstOf())
    pipe.connect("source", "first")
    pipe.connect("source", "slow")
    pipe.connect("slow", "first")
    events = await collect_events(pipe, {"source": {"value": 1}}, include_outputs_from={"first"})
    finished = {(e.component, e.visit): e for e in events if isinstance(e, ComponentFinished)}
    # A lazy Variadic would wait for `slow`; the greedy one runs on source's value, then again on slow's.
    assert finished["first", 1].finished_at < finished["slow", 1].finished_at
    assert [finished["first", 1].outputs, finished["first", 2].outputs] == [{"value": 2}, {"value": 2}]
    assert started_order(events)[:2] == ["source", "first"]


async def test_optional_inputs_take_defaults_and_accept_values() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("greeter", Greeter())
    assert await pipe.run_async({"greeter": {"name": "Ada"}}) == {"greeter": {"text": "Hello, Ada"}}
    result = await pipe.run_async({"greeter": {"name": "Ada", "greeting": "Hi", "punctuation": "!"}})
    assert result == {"greeter": {"text": "Hi, Ada!"}}


async def test_flat_inputs_reach_every_open_socket_of_that_name() -> None:
    pipe = AsyncPipeline()
    for name in ("w1", "w2", "w3"):
        pipe.add_component(name, Greeter())
    pipe.add_component("collect", Collect())
    pipe.connect("w1.text", "collect.items")
    # w2 and w3 stay unconnected; all three have an open `name` socket.
    result = await pipe.run_async({"name": "Ada", "w2": {"greeting": "Hey"}})
    assert result["w2"] == {"text": "Hey, Ada"}
    assert result["w3"] == {"text": "Hello, Ada"}
    assert result["collect"] == {"items": ["Hello, Ada"]}


async def test_flat_input_skips_connected_sockets() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.add_component("c", AddOne())
    pipe.connect("a", "b")
    # `value` is open on a and c only; b gets it from a.
    assert await pipe.run_async({"value": 10}) == {"b": {"value": 12}, "c": {"value": 11}}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"nope": {"value": 1}}, "Unknown input 'nope'"),
        ({"a": {"missing": 1}}, "Component 'a' has no input socket 'missing'. Its inputs: value"),
        (
            {"b": {"value": 1}, "a": {"value": 1}},
            "Component 'b' cannot accept multiple inputs to 'value'. It is already connected to component 'a'",
        ),
        ({"unknown_socket": 1}, "Unknown input 'unknown_socket'"),
        ({}, r"Missing mandatory input\(s\): 'a.value' \(int\)"),
        ({"a": 3}, "Inputs for component 'a' must be a mapping"),
    ],
)
def test_bad_inputs_raise_value_error_before_anything_runs(data: dict, message: str) -> None:
    pipe = AsyncPipeline()
    counter = Counter()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AddOne())
    pipe.add_component("counter", counter)
    pipe.connect("a", "b")
    with pytest.raises(ValueError, match=message):
        pipe.run({**data, "counter": {"value": 1}} if data else data)
    assert counter.runs == 0
    with pytest.raises(PipelineValidationError):
        pipe.events(data)


async def test_include_outputs_from_adds_consumed_outputs() -> None:
    pipe = chain("a", "b", "c")
    result = await pipe.run_async({"a": {"value": 0}}, include_outputs_from={"a", "b"})
    assert result == {"a": {"value": 1}, "b": {"value": 2}, "c": {"value": 3}}
    with pytest.raises(ValueError, match="unknown component"):
        await pipe.run_async({"a": {"value": 0}}, include_outputs_from={"zzz"})


async def test_run_async_generator_yields_each_component_then_the_final_outputs() -> None:
    pipe = chain("a", "b")
    pipe.add_component("side", AddOne())
    outputs = [o async for o in pipe.run_async_generator({"value": 0}, include_outputs_from={"a"})]
    assert outputs[-1] == {"a": {"value": 1}, "b": {"value": 2}, "side": {"value": 1}}
    partial = outputs[:-1]
    assert {"a": {"value": 1}} in partial and {"b": {"value": 2}} in partial and {"side": {"value": 1}} in partial
    assert all(len(o) == 1 for o in partial)


async def test_loop_runs_until_exit_branch() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    events = await collect_events(pipe, {"entry": {"value": 3}})
    assert started_order(events) == ["entry", "countdown"] * 4
    visits = [e.visit for e in events if isinstance(e, ComponentStarted) and e.component == "countdown"]
    assert visits == [1, 2, 3, 4]
    assert events[-1].outputs == {"countdown": {"done": 0}}  # type: ignore[union-attr]


async def test_loop_over_the_run_limit_fails_clearly() -> None:
    pipe = AsyncPipeline(max_runs_per_component=3)
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    with pytest.raises(
        PipelineMaxComponentRuns, match=r"Maximum run count 3 reached for component 'entry': it would run a 5th time"
    ):
        await pipe.run_async({"entry": {"value": 10}})


async def test_blocked_pipeline_names_components_and_missing_inputs() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", NeedsTwo())
    pipe.add_component("b", AddOne())
    pipe.connect("a.value", "b.value")
    pipe.connect("b.value", "a.left")
    # a needs `left` from b, b needs `value` from a: nothing can ever start.
    with pytest.raises(PipelineComponentsBlockedError) as info:
        await pipe.run_async({"a": {"right": 1}})
    assert info.value.blocked == {"a": ["left (from b.value)"], "b": ["value (from a.value)"]}
    assert str(info.value).startswith("Cannot run pipeline - all components are blocked: 'a' waits for left")


async def test_branch_not_taken_leaves_stranded_report_but_run_succeeds() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("router", Router())
    pipe.add_component("low", AddOne())
    pipe.add_component("join", NeedsTwo())
    pipe.connect("router.low", "low.value")
    pipe.connect("router.high", "join.left")
    events = await collect_events(pipe, {"router": {"value": 3}, "join": {"right": 1}})
    final = events[-1]
    assert isinstance(final, RunFinished)
    assert final.outputs == {"low": {"value": 4}}
    assert final.stranded == {"join": ["left (from router.high)"]}


async def test_a_run_stuck_after_its_start_warns_and_returns_what_it_has(caplog: pytest.LogCaptureFixture) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("router", Router())
    pipe.add_component("join", NeedsTwo())
    pipe.connect("router.high", "join.left")
    pipe.connect("router.low", "join.right")
    events = await collect_events(pipe, {"router": {"value": 3}})
    final = events[-1]
    assert isinstance(final, RunFinished)
    assert final.outputs == {}
    assert final.stranded == {"join": ["left (from router.high)"]}
    assert "The pipeline appears to be blocked" in caplog.text
    assert "'join' waits for left (from router.high)" in caplog.text


async def test_concurrency_limit_bounds_components_in_flight() -> None:
    sleepers = [Sleep(0.03) for _ in range(6)]
    pipe = AsyncPipeline()
    for index, sleeper in enumerate(sleepers):
        pipe.add_component(f"s{index}", sleeper)

    def peak_overlap() -> int:
        marks = sorted(
            [(s, 1) for sl in sleepers for s, _ in sl.spans] + [(e, -1) for sl in sleepers for _, e in sl.spans]
        )
        level = peak = 0
        for _, delta in marks:
            level += delta
            peak = max(peak, level)
        return peak

    await pipe.run_async({"value": 1}, concurrency_limit=2)
    assert peak_overlap() == 2
    for sleeper in sleepers:
        sleeper.spans.clear()
    await pipe.run_async({"value": 1}, concurrency_limit=6)
    assert peak_overlap() == 6


async def test_independent_branches_overlap_in_time() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("left", BlockingSleep(0.1))
    pipe.add_component("right", BlockingSleep(0.1))
    events = await collect_events(pipe, {"value": 1})
    spans = {e.component: (e.started_at, e.finished_at) for e in events if isinstance(e, ComponentFinished)}
    (l_start, l_end), (r_start, r_end) = spans["left"], spans["right"]
    assert l_start < r_end and r_start < l_end


async def test_sync_components_run_in_worker_threads_and_never_block_the_loop() -> None:
    pipe = AsyncPipeline()
    adder = SyncAddOne()
    pipe.add_component("sleep", BlockingSleep(0.3))
    pipe.add_component("add", adder)
    pipe.connect("sleep", "add")
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    try:
        await pipe.run_async({"sleep": {"value": 1}})
    finally:
        task.cancel()
    assert ticks >= 10  # the loop kept ticking while a thread slept 300 ms
    assert adder.threads and adder.threads[0] != threading.current_thread().name
    assert adder.threads[0].startswith("pipedebug-worker")


def test_sequential_pipeline_runs_one_component_at_a_time() -> None:
    pipe = Pipeline()
    sleepers = [Sleep(0.02) for _ in range(3)]
    for index, sleeper in enumerate(sleepers):
        pipe.add_component(f"s{index}", sleeper)
    assert pipe.run({"value": 7}) == {f"s{i}": {"value": 7} for i in range(3)}


def test_run_works_without_an_event_loop() -> None:
    assert chain("a", "b").run({"a": {"value": 1}}) == {"b": {"value": 3}}


async def test_run_works_inside_a_running_event_loop() -> None:
    assert chain("a", "b").run({"a": {"value": 1}}) == {"b": {"value": 3}}


async def test_concurrent_runs_of_one_pipeline_do_not_interfere() -> None:
    pipe = chain("a", "b", "c")
    results = await asyncio.gather(*(pipe.run_async({"a": {"value": v}}) for v in range(20)))
    assert [r["c"]["value"] for r in results] == [v + 3 for v in range(20)]


async def test_components_cannot_mutate_values_seen_by_others() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("source", Source())
    pipe.add_component("mutate", Mutator())
    pipe.add_component("keep", Collect())
    pipe.connect("source.items", "mutate.items")
    pipe.connect("source.items", "keep.items")
    events = await collect_events(pipe, {"source": {"count": 2}})
    source_out = next(e.outputs for e in events if isinstance(e, ComponentFinished) and e.component == "source")
    assert source_out == {"items": [0, 1]}
    assert events[-1].outputs == {"mutate": {"items": [0, 1, 99]}, "keep": {"items": [[0, 1]]}}  # type: ignore[union-attr]


async def test_warm_up_runs_once_per_pipeline_off_the_loop() -> None:
    counter = Counter()
    pipe = AsyncPipeline()
    pipe.add_component("counter", counter)
    first = await collect_events(pipe, {"value": 1})
    second = await collect_events(pipe, {"value": 2})
    assert counter.warm_ups == 1 and counter.runs == 2
    assert [type(e).__name__ for e in first][:2] == ["RunStarted", "ComponentWarmedUp"]
    assert "ComponentWarmedUp" not in [type(e).__name__ for e in second]


async def test_component_returning_a_non_dict_fails_the_run() -> None:
    from pipeline import PipelineRuntimeError, component

    @component
    class Bad:
        @component.output_types(value=int)
        def run(self, value: int) -> int:
            return value

    pipe = AsyncPipeline()
    pipe.add_component("bad", Bad())
    with pytest.raises(PipelineRuntimeError, match="'bad'.*returned int, expected a dict"):
        await pipe.run_async({"value": 1})


async def test_empty_pipeline_returns_nothing() -> None:
    assert await AsyncPipeline().run_async({}) == {}
