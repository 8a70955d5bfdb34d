"""The routing sample in the debugger: a ConditionalRouter in a BranchJoiner loop, its untaken route dimmed, the
component behind it skipped once (and only once) the run finished, loop visits numbered, answers inspected."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import AsyncPipeline
from pipeline.components.joiners import BranchJoiner
from pipeline.components.routers import ConditionalRouter
from pipeline.runs.store import RunStore
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp
from tui.cli import main
from tui.widgets.graph import GraphView
from tui.widgets.inspector import AnswersView, Inspector
from tui.widgets.timeline import TimelineView

ROUTING = Path(__file__).parents[3] / "sample_pipelines" / "routing.yaml"
SIZE = (120, 40)


def untaken(graph: GraphView) -> set[str]:
    assert graph.graph is not None
    edges = graph.graph.model.edges
    return {f"{edges[i].sender}.{edges[i].sender_socket}" for i in graph.untaken}


def test_the_sample_uses_haystacks_router_and_joiner() -> None:
    pipe = AsyncPipeline.load(ROUTING)
    assert isinstance(pipe.get_component("router"), ConditionalRouter)
    assert isinstance(pipe.get_component("joiner"), BranchJoiner)


def test_the_sample_runs_headless_offline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", str(ROUTING)]) == 0
    out = capsys.readouterr().out
    assert "from metadata.example_inputs" in out
    assert "data='Roses, and then some more, and then some more'" in out
    assert "Did not run: fallback" in out


async def test_a_finished_run_dims_the_untaken_route_and_skips_what_sat_behind_it() -> None:
    app = PipedebugApp(ROUTING, record=False, clock=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "finished", "the run")
        await wait_for(pilot, lambda: graph.states["fallback"].status == "skipped", "skipped drawn")
        states = graph.states
        assert states["router"].status == "done" and states["router"].visits == 3
        assert states["router"].produced == {"replies"}
        assert states["expander"].status == "done" and states["answer_builder"].status == "done"
        assert untaken(graph) == {"router.empty"}
        text = screen_text(app)
        assert "→replies" in text  # the router's status line names the route its last visit took
        assert "↷ skipped" in text

        # the loop's visits are numbered on the timeline and in the tooltip
        timeline = app.debugger.query_one(TimelineView)
        lane = timeline.model.lanes.index("router")
        assert [bar.visit for bar in timeline.model.lane_bars(lane)] == [1, 2, 3]
        assert timeline._describe(timeline.model.lane_bars(lane)[1]).startswith("router · visit #2 · ")

        # the inspector: the answer builder's answer, and why fallback has nothing to show
        graph.select("answer_builder")
        inspector = app.debugger.query_one(Inspector)
        await wait_for(pilot, lambda: inspector.query("#outputs AnswersView"), "the answers view")
        answer = str(inspector.query_one(AnswersView).query_one(".answer").render())
        assert "Roses, and then some more, and then some more" in answer and "query Tell me about roses" in answer
        graph.select("fallback")
        await wait_for(pilot, lambda: "skipped" in str(inspector.query_one("#inspector-title").render()), "skipped")


async def test_paused_on_the_router_nothing_is_called_skipped_and_only_the_chosen_route_is_lit() -> None:
    app = PipedebugApp(ROUTING, record=False, clock=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        graph = app.debugger.query_one(GraphView)
        app.debugger.breakpoints.add("router")
        await pilot.press("r")
        session = app.debugger.session
        assert session is not None
        await wait_for(pilot, lambda: session.status == "paused", "the breakpoint")
        await wait_for(pilot, lambda: graph.states.get("router") and graph.states["router"].status == "paused", "drawn")
        assert graph.states["router"].produced == {"too_short"}
        # untaken so far: the router's other two routes; nothing skipped, the loop may still leave by them
        assert untaken(graph) == {"router.empty", "router.replies"}
        assert {name for name, state in graph.states.items() if state.status == "skipped"} == set()
        assert "→too_sho…" in screen_text(app) and "skipped" not in screen_text(app)
        assert graph.graph is not None
        rows = graph.graph.render(graph.states, None, None, graph.untaken)
        styles = {cell.style for row in rows for cell in row}
        assert {"edge.untaken", "edge.active"} <= styles

        app.debugger.breakpoints.remove("router")
        await pilot.press("space")
        await wait_for(pilot, lambda: session.status == "finished", "the end of the run")
        await wait_for(pilot, lambda: graph.states["fallback"].status == "skipped", "skipped once finished")
        assert untaken(graph) == {"router.empty"}  # the loop left by "replies" in the end


async def test_a_replay_shows_skipped_only_at_its_end(runs_dir: Path) -> None:
    pipe = AsyncPipeline.load(ROUTING)
    data = {"value": "Roses", "query": "q"}
    recorder = RunStore(runs_dir).record(pipe.events(data), pipeline_name="routing", pipeline=pipe, inputs=data)
    async with recorder:
        async for _ in recorder:
            pass
    app = PipedebugApp(replay=recorder.path, speed=1.0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.debugger.session is not None, "the replay to start")
        screen = app.debugger
        graph = screen.query_one(GraphView)
        await pilot.press("home")
        await wait_for(pilot, lambda: screen.status == "paused" and screen.position == 0, "the start, paused")
        await wait_for(pilot, lambda: graph.states.get("fallback") is not None, "the graph drawn")
        assert graph.states["fallback"].status == "waiting" and not graph.untaken
        await pilot.press("end")
        await wait_for(pilot, lambda: screen.status == "finished", "the end")
        await wait_for(pilot, lambda: graph.states["fallback"].status == "skipped", "skipped at the end")
        assert untaken(graph) == {"router.empty"}
