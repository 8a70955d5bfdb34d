"""Screenshots of the debugger's main states, compared with the accepted SVGs in `__snapshots__`.

The app runs with `clock=None` (no durations, a still spinner) and records nothing, and each screenshot waits
for a state that no longer changes by itself, so the pictures are the same on every machine and every run.
Update them after a deliberate change with `pytest tests/tui/app/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from textual.pilot import Pilot
from textual.widgets import TabbedContent

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunFinished, RunStarted
from pipeline.runs.recording import EventList, RunRecorder
from tests.tui.app.conftest import TOY, failing_yaml, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.widgets.graph import GraphView

SIZE = (120, 40)
ROUTING = Path(__file__).parents[3] / "sample_pipelines" / "routing.yaml"


def diamond_yaml(directory: Path) -> Path:
    """`source` feeds a slow branch and a quick one, summed by `total`; no component prints."""
    definition = {
        "metadata": {"example_inputs": [{"value": 1}]},
        "components": {
            "source": {"type": f"{TOY}.AddOne"},
            "slow": {"type": f"{TOY}.BlockingSleep", "init_parameters": {"seconds": 0.1}},
            "double": {"type": f"{TOY}.Double"},
            "total": {"type": f"{TOY}.Sum"},
        },
        "connections": [
            {"sender": "source.value", "receiver": "slow.value"},
            {"sender": "source.value", "receiver": "double.value"},
            {"sender": "slow.value", "receiver": "total.values"},
            {"sender": "double.value", "receiver": "total.values"},
        ],
    }
    path = directory / "diamond.yaml"
    path.write_text(yaml.safe_dump(definition, sort_keys=False))
    return path


def app_for(path: Path) -> PipedebugApp:
    return PipedebugApp(path, allowed_modules=[TOY], record=False, clock=None)


async def settle(pilot: Pilot) -> None:
    """No toasts, and the latest state drawn."""
    pilot.app.clear_notifications()
    await pilot.pause(0.2)


def test_loaded_and_idle(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await settle(pilot)

    assert snap_compare(app_for(diamond_yaml(tmp_path)), terminal_size=SIZE, run_before=run_before)


def test_paused_at_a_breakpoint_with_a_queued_completion(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = app_for(diamond_yaml(tmp_path))

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        app.debugger.breakpoints.add("double")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.session and app.debugger.session.queued == ["slow"], "the queue")
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).queued == {"slow"}, "the queue drawn")
        await pilot.press("l")  # the timeline's bars are as long as the machine was slow: show the logs
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_failed_run(snap_compare: Callable[..., bool], tmp_path: Path) -> None:
    app = app_for(failing_yaml(tmp_path))

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "failed", "the failure")
        await wait_for(pilot, lambda: app.debugger.query_one(GraphView).selected == "fail", "the failed component")
        # The traceback holds absolute paths, which differ between checkouts: show the visit's inputs instead.
        app.debugger.query_one("#inspector").query_one(TabbedContent).active = "inputs"
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def diamond_recording(directory: Path) -> Path:
    """A run of the diamond with made-up times, so the timeline is the same on every machine: `slow` takes
    100 ms beside `double`'s 10 ms, and is on the critical path."""
    definition = AsyncPipeline.load(diamond_yaml(directory), allowed_modules=[TOY]).dumps()
    events: list[RunEvent] = [
        RunStarted(run_id="d1a2b3c4", time=10.0, wall_time=1.8e9, inputs={"source": {"value": 1}}, concurrency_limit=4)
    ]
    visits = [("source", 0.0, 0.005, {"value": 2}), ("slow", 0.005, 0.105, {"value": 2})]
    visits += [("double", 0.005, 0.015, {"value": 4}), ("total", 0.105, 0.11, {"total": 6})]
    for visit_id, (name, start, end, outputs) in enumerate(visits, start=1):
        common = {"run_id": "d1a2b3c4", "visit_id": visit_id, "component": name, "visit": 1, "mode": "sync"}
        events.append(ComponentStarted(time=10 + start, inputs={}, **common))
        events.append(
            ComponentFinished(
                time=10 + end, outputs=outputs, started_at=10 + start, finished_at=10 + end, thread="T1", **common
            )
        )
    events.sort(key=lambda event: event.time)
    events.append(RunFinished(run_id="d1a2b3c4", time=10.11, outputs={"total": {"total": 6}}))
    path = directory / "diamond-run.jsonl"
    recorder = RunRecorder(EventList(events), path, pipeline=definition, pipeline_name="diamond", inputs={})

    async def drain() -> None:
        async with recorder:
            async for _ in recorder:
                pass

    asyncio.run(drain())
    return path


def test_replay_with_its_timeline(
    snap_compare: Callable[..., bool], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # the status bar shows the run file relative to here
    app = PipedebugApp(replay=diamond_recording(tmp_path), speed=None, allowed_modules=[TOY], clock=None)

    async def run_before(pilot: Pilot) -> None:
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the end of the replay")
        app.debugger.query_one(GraphView).select("slow")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_a_finished_routing_run_with_a_skipped_route(snap_compare: Callable[..., bool]) -> None:
    """The routing sample after its run: the router names its last route, the route never taken and `fallback`
    behind it are greyed, `fallback` says skipped, the inspector shows the answer built; the logs are shown
    instead of the machine-timed timeline."""
    app = PipedebugApp(ROUTING, record=False, clock=None)

    async def run_before(pilot: Pilot) -> None:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.session and app.debugger.session.status == "finished", "the run")
        graph = app.debugger.query_one(GraphView)
        await wait_for(pilot, lambda: graph.states["fallback"].status == "skipped", "skipped drawn")
        graph.select("answer_builder")  # its answer, in the inspector
        await pilot.press("l")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
