"""Routes taken, connections untaken and components skipped, folded from real runs of routing pipelines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentFinished, OutputsReplaced, RunStarted
from pipeline.runs.spans import RunSummary
from tests.pipeline.toy_components import AddOne, Router
from tui.layout import GraphEdge, GraphModel, GraphNode
from tui.state.flow import ControlFlow, routing
from tui.state.session import DebugSession

ROOT = Path(__file__).parents[3]
ROUTING = ROOT / "sample_pipelines" / "routing.yaml"


def edge_names(model: GraphModel, indices: frozenset[int]) -> set[str]:
    return {f"{model.edges[i].sender}.{model.edges[i].sender_socket}->{model.edges[i].receiver}" for i in indices}


async def run_sample(value: str) -> tuple[GraphModel, DebugSession]:
    pipe = AsyncPipeline.load(ROUTING)
    session = DebugSession(pipe.events({"value": value, "query": "q"}), live=True)
    await session.run()
    assert session.status == "finished", session.error
    return GraphModel.from_pipeline(pipe), session


def test_the_flow_module_does_not_import_textual() -> None:
    code = "import sys, tui.state.flow; assert 'textual' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


async def test_a_loop_takes_both_routes_of_the_router_and_skips_the_route_never_taken() -> None:
    model, session = await run_sample("Roses")
    flow = session.flow
    assert [span.component for span in session.summary.spans].count("router") == 3
    assert flow.last_produced("router") == {"replies"}  # the last visit left the loop
    assert flow.taken("router") == {"too_short", "replies"}
    assert flow.taken("fallback") is None and "fallback" not in flow.started
    found = routing(model, flow, finished=True)
    assert edge_names(model, found.untaken) == {"router.empty->fallback"}
    assert found.skipped == {"fallback"}


async def test_nothing_is_skipped_before_the_run_finished() -> None:
    model, session = await run_sample("Roses")
    found = routing(model, session.flow, finished=False)
    assert found.skipped == frozenset()
    assert edge_names(model, found.untaken) == {"router.empty->fallback"}  # untaken so far is already true


async def test_an_empty_draft_skips_the_loop_and_the_answer_builder() -> None:
    model, session = await run_sample("")
    found = routing(model, session.flow, finished=True)
    assert found.skipped == {"expander", "answer_builder"}
    # the joiner ran (it received the run's input), so its edge back from the skipped expander is dimmed only
    # because expander was skipped; the router's two routes it did not produce are dimmed too
    assert edge_names(model, found.untaken) == {
        "router.too_short->expander",
        "router.replies->answer_builder",
        "expander.output->joiner",
    }


async def test_a_long_draft_never_loops() -> None:
    model, session = await run_sample("A long enough draft already, no loop needed")
    found = routing(model, session.flow, finished=True)
    assert found.skipped == {"expander", "fallback"}
    assert session.flow.last_produced("router") == {"replies"}


def model_of(nodes: list[str], edges: list[tuple[str, str, str, str]]) -> GraphModel:
    return GraphModel(tuple(GraphNode(n, "T", "sync") for n in nodes), tuple(GraphEdge(*e) for e in edges))


def new_flow() -> ControlFlow:
    """The routes of a run that has only started."""
    return ControlFlow(
        RunSummary.from_events([RunStarted(run_id="r", time=0.0, wall_time=0.0, inputs={}, concurrency_limit=1)])
    )


def finished(flow: ControlFlow, component: str, visit_id: int, **outputs: object) -> None:
    flow.summary.apply(
        ComponentFinished(
            run_id="r",
            time=0.0,
            visit_id=visit_id,
            component=component,
            visit=1,
            outputs=dict(outputs),
            started_at=0.0,
            finished_at=0.0,
            mode="sync",
            thread="t",
        )
    )


def replaced(visit_id: int, component: str, **outputs: object) -> OutputsReplaced:
    return OutputsReplaced(run_id="r", time=0.0, visit_id=visit_id, component=component, outputs=dict(outputs))


def test_a_component_waiting_on_a_sender_that_never_ran_is_not_skipped() -> None:
    # router chose "low"; "join" also waits on "idle", which never ran (it had no input): not only behind a route
    model = model_of(
        ["router", "a", "idle", "join"],
        [("router", "low", "a", "value"), ("router", "high", "join", "x"), ("idle", "value", "join", "y")],
    )
    flow = new_flow()
    finished(flow, "router", 1, low=1)
    assert routing(model, flow, finished=True).skipped == frozenset()


def test_an_idle_loop_with_no_route_before_it_is_not_skipped() -> None:
    model = model_of(["b", "c"], [("b", "v", "c", "v"), ("c", "v", "b", "v")])
    assert routing(model, ControlFlow(), finished=True) == routing(model, ControlFlow(), finished=False)
    assert routing(model, ControlFlow(), finished=True).skipped == frozenset()


def test_a_loop_behind_an_untaken_route_is_skipped_and_so_is_what_follows_it() -> None:
    model = model_of(
        ["router", "b", "c", "after", "taken"],
        [
            ("router", "high", "b", "v"),
            ("b", "v", "c", "v"),
            ("c", "v", "b", "v"),
            ("c", "out", "after", "v"),
            ("router", "low", "taken", "v"),
        ],
    )
    flow = new_flow()
    finished(flow, "router", 1, low=1)
    found = routing(model, flow, finished=True)
    assert found.skipped == {"b", "c", "after"}
    assert len(found.untaken) == 4  # every edge but router.low


def test_outputs_replaced_at_a_breakpoint_decide_the_route() -> None:
    flow = new_flow()
    finished(flow, "router", 7, low=1)
    flow.summary.apply(replaced(7, "router", high=12))
    assert flow.last_produced("router") == {"high"} and flow.taken("router") == {"high"}
    flow.summary.apply(replaced(99, "other", x=1))  # a visit it never saw changes nothing
    assert flow.taken("other") is None


async def test_a_session_folds_routes_live_with_the_toy_router() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("router", Router())
    pipe.add_component("low", AddOne())
    pipe.add_component("high", AddOne())
    pipe.connect("router.low", "low.value")
    pipe.connect("router.high", "high.value")
    session = DebugSession(pipe.events({"router": {"value": 3}}), live=True)
    await session.run()
    model = GraphModel.from_pipeline(pipe)
    assert next(node for node in model.nodes if node.name == "router").outputs == ("low", "high")
    assert routing(model, session.flow, finished=session.status == "finished").skipped == {"high"}
