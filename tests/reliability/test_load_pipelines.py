"""Load: pipelines of 1000 components (a chain, a fan-out) in the debugger: it shows them, answers keys while they
run, and runs them to the end; the critical path of a long chain is found without comparing every pair of visits."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual import events
from textual.binding import Binding, BindingType

import tui.app
from pipeline.runs.compare import critical_path
from tui.app import PipedebugApp

COMPONENTS = 1000
ENDED = ("finished", "failed", "cancelled")

CHAIN = """
from pipeline import AsyncPipeline
from tests.pipeline.toy_components import AddOne, Sleep, Sum


def build_pipeline():
    pipe = AsyncPipeline()
    pipe.add_component("c0", {kind})
    {body}
    pipe.metadata["example_inputs"] = [{{"c0": {{"value": 1}}}}]
    return pipe
"""
BODIES = {
    "chain": """for index in range(1, {n}):
        pipe.add_component(f"c{{index}}", {kind})
        pipe.connect(f"c{{index - 1}}.value", f"c{{index}}.value")""",
    "fan-out": """pipe.add_component("sink", Sum())
    for index in range(1, {n}):
        pipe.add_component(f"c{{index}}", {kind})
        pipe.connect("c0.value", f"c{{index}}.value")
        pipe.connect(f"c{{index}}.value", "sink.values")""",
}


def pipeline_file(directory: Path, shape: str, kind: str) -> Path:
    path = directory / f"{shape.replace('-', '_')}.py"
    body = BODIES[shape].format(n=COMPONENTS, kind=kind)
    path.write_text(CHAIN.format(kind=kind, body=body), encoding="utf-8")
    return path


class ProbeApp(PipedebugApp):
    """The app with one more key, whose action notes the run's state when it ran: proof the app answered then."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f12", "probe", show=False, priority=True)]
    CSS_PATH = str(Path(tui.app.__file__).with_name(str(PipedebugApp.CSS_PATH)))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.answered: list[str] = []

    def action_probe(self) -> None:
        self.answered.append(session_status(self))


def session_status(app: PipedebugApp) -> str:
    controller = getattr(app.debugger, "controller", None)
    session = getattr(controller, "session", None) if controller is not None else None
    return "idle" if session is None else session.status


async def loaded(app: PipedebugApp, pilot: Any) -> None:
    deadline = time.monotonic() + 60
    while app.warm_up_seconds is None:
        assert time.monotonic() < deadline, "the pipeline did not load"
        await pilot.pause(0.02)
    await pilot.pause()


@pytest.mark.parametrize("shape", ["chain", "fan-out"])
async def test_the_app_answers_keys_while_1000_components_run(tmp_path: Path, shape: str) -> None:
    app = ProbeApp(pipeline_file(tmp_path, shape, "Sleep(0.002)"), record=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded(app, pilot)
        app.post_message(events.Key("r", "r"))  # Pilot's press would wait until the app is idle: the run's end
        deadline = time.monotonic() + 90
        while session_status(app) not in ENDED:
            assert time.monotonic() < deadline, "the run did not end"
            app.post_message(events.Key("f12", None))  # as a terminal sends it: no waiting for the app to idle
            await asyncio.sleep(0.05)
        assert session_status(app) == "finished"
        assert app.answered.count("running") >= 3, app.answered
        session = app.debugger.controller.session
        assert len(session.summary.spans) == COMPONENTS + (shape == "fan-out")


@dataclass(frozen=True)
class CountingSpan:
    """A span that counts how often its component is read: the work `critical_path` does."""

    name: str
    started_at: float
    finished_at: float | None
    reads: list[int]

    @property
    def component(self) -> str:
        self.reads[0] += 1
        return self.name


def test_the_critical_path_of_a_1000_chain_reads_each_visit_a_few_times_not_every_pair() -> None:
    reads = [0]
    spans = [CountingSpan(f"c{index}", index * 1.0, index + 0.5, reads) for index in range(COMPONENTS)]
    connections = [(f"c{index - 1}", "value", f"c{index}", "value") for index in range(1, COMPONENTS)]
    path = critical_path(spans, connections)
    reads_for_the_result = COMPONENTS  # building the steps reads each component once
    assert path.components == [f"c{index}" for index in range(COMPONENTS)]
    assert reads[0] < 5 * COMPONENTS + reads_for_the_result, f"{reads[0]:,} reads for {COMPONENTS} visits"


def test_the_critical_path_still_takes_the_latest_sender_of_a_fan_in() -> None:
    reads = [0]
    spans = [
        CountingSpan("source", 0.0, 1.0, reads),
        CountingSpan("slow", 1.0, 5.0, reads),
        CountingSpan("fast", 1.0, 2.0, reads),
        CountingSpan("sink", 5.0, 6.0, reads),
    ]
    connections = [("source", "v", "slow", "v"), ("source", "v", "fast", "v"), ("slow", "v", "sink", "a")]
    connections.append(("fast", "v", "sink", "b"))
    assert critical_path(spans, connections).components == ["source", "slow", "sink"]


async def test_loading_compiles_the_run_plan_so_the_first_run_does_not_on_the_event_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pipeline.core.pipeline as pipeline_module
    from tui.loading import open_pipeline

    loaded = open_pipeline(pipeline_file(tmp_path, "chain", "AddOne()"))
    compiled: list[object] = []

    class Counting(pipeline_module.ExecutionPlan):
        def __init__(self, graph: Any) -> None:
            compiled.append(graph)
            super().__init__(graph)

    monkeypatch.setattr(pipeline_module, "ExecutionPlan", Counting)
    async with loaded.pipe.events({"c0": {"value": 1}}) as run:
        outputs = [event async for event in run][-1].outputs
    assert compiled == []
    assert outputs == {f"c{COMPONENTS - 1}": {"value": COMPONENTS + 1}}


def test_routing_of_a_finished_1000_component_run_builds_the_started_set_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.loading import open_pipeline
    from tui.state import flow as flow_module

    loaded = open_pipeline(pipeline_file(tmp_path, "fan-out", "AddOne()"))
    builds = [0]
    started = flow_module.ControlFlow.started

    def counted(self: flow_module.ControlFlow) -> set[str]:
        builds[0] += 1
        return started.fget(self)

    monkeypatch.setattr(flow_module.ControlFlow, "started", property(counted))
    found = flow_module.routing(loaded.model, flow_module.ControlFlow(), finished=True)
    assert found.skipped == frozenset()
    assert builds[0] <= 2, f"the started set was built {builds[0]:,} times for {COMPONENTS} components"
