"""Forking a recorded run from a visit: recorded outputs reused before it, live execution from it on."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest

from pipeline import AsyncPipeline, component
from pipeline.core.events import ComponentFinished, ComponentStarted, RunFinished
from pipeline.runs.fork import ForkError, fork_run
from pipeline.runs.recording import RunRecorder, read_run


@component
class Step:
    """Adds its increment and counts how often it really executed."""

    executions: ClassVar[dict[str, int]] = {}

    def __init__(self, label: str, increment: int) -> None:
        self.label = label
        self.increment = increment

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        Step.executions[self.label] = Step.executions.get(self.label, 0) + 1
        return {"value": value + self.increment}


def chain() -> AsyncPipeline:
    pipe = AsyncPipeline()
    for label, increment in (("a", 1), ("b", 10), ("c", 100)):
        pipe.add_component(label, Step(label, increment))
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    return pipe


async def record(pipe: AsyncPipeline, path: Path, data: dict) -> None:
    async with RunRecorder(pipe.events(data), path, pipeline=pipe, inputs=data) as run:
        async for _ in run:
            pass


@pytest.fixture(autouse=True)
def fresh_counts() -> None:
    Step.executions.clear()


async def test_fork_reuses_what_finished_before_and_reruns_the_rest(tmp_path: Path) -> None:
    pipe = chain()
    await record(pipe, tmp_path / "parent.jsonl", {"a": {"value": 0}})
    parent = read_run(tmp_path / "parent.jsonl")
    b_visit = next(e.visit_id for e in parent.events if isinstance(e, ComponentStarted) and e.component == "b")
    assert Step.executions == {"a": 1, "b": 1, "c": 1}

    run, link = fork_run(parent, b_visit, allowed_modules=["tests"])
    async with RunRecorder(run, tmp_path / "fork.jsonl", pipeline=pipe, parent=link) as forked:
        events = [event async for event in forked]
    assert Step.executions == {"a": 1, "b": 2, "c": 2}  # a was not executed again
    finished = {e.component: e for e in events if isinstance(e, ComponentFinished)}
    assert finished["a"].reused and not finished["b"].reused and not finished["c"].reused
    assert events[-1].outputs == {"c": {"value": 111}}  # type: ignore[union-attr]
    child = read_run(tmp_path / "fork.jsonl")
    assert child.header.parent is not None
    assert (child.header.parent.run_id, child.header.parent.visit_id) == (parent.run_id, b_visit)
    assert child.header.parent.describe_visit() == "b visit #1"  # as the debugger names it, not the run-wide id


async def test_fork_with_edited_inputs_changes_only_downstream(tmp_path: Path) -> None:
    pipe = chain()
    await record(pipe, tmp_path / "parent.jsonl", {"a": {"value": 0}})
    parent = read_run(tmp_path / "parent.jsonl")
    c_visit = next(e.visit_id for e in parent.events if isinstance(e, ComponentStarted) and e.component == "c")
    run, _ = fork_run(parent, c_visit, inputs={"value": 1000}, pipeline=pipe)
    async with run:
        events = [event async for event in run]
    assert Step.executions == {"a": 1, "b": 1, "c": 2}
    started_c = next(e for e in events if isinstance(e, ComponentStarted) and e.component == "c")
    assert started_c.inputs == {"value": 1000}
    final = events[-1]
    assert isinstance(final, RunFinished) and final.outputs == {"c": {"value": 1100}}
    assert read_run(tmp_path / "parent.jsonl").events[-1].outputs == {"c": {"value": 111}}  # type: ignore[union-attr]


async def test_fork_errors_are_clear(tmp_path: Path) -> None:
    pipe = chain()
    await record(pipe, tmp_path / "parent.jsonl", {"a": {"value": 0}})
    parent = read_run(tmp_path / "parent.jsonl")
    with pytest.raises(ForkError, match="has no visit 99 \\(its visits: 1, 2, 3\\)"):
        fork_run(parent, 99, pipeline=pipe)
    async with RunRecorder(pipe.events({"a": {"value": 0}}), tmp_path / "bare.jsonl") as run:
        async for _ in run:
            pass
    with pytest.raises(ForkError, match="holds no pipeline definition"):
        fork_run(read_run(tmp_path / "bare.jsonl"), 1)
