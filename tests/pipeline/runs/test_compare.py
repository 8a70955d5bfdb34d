"""compare_execution on the seed's waiting graph, the figures as pure functions over hand-made spans, failures."""

from __future__ import annotations

import itertools
import time

import pytest

from pipeline import AsyncPipeline, PipelineRuntimeError, PipelineValidationError, component
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.events import ComponentWarmedUp, RunEvent, RunFailed, RunFinished, RunStarted
from pipeline.runs import ComponentSpan
from pipeline.runs.compare import (
    ComponentOverlap,
    ConcurrencyProfile,
    CriticalPath,
    Mode,
    QuerySpan,
    compare_execution,
    concurrency_profile,
    critical_path,
    overlap,
)

SCALE = 0.015
"""wait_n sleeps n * 15 ms: branches of 45 ms (wait_1 -> wait_2), 105 ms (wait_3 -> wait_4) and 75 ms (wait_5)."""
QUERIES = [{"user_msg": "Hello"}, {"user_msg": "Bonjour"}, {"user_msg": "Hola"}]


def waiting_pipeline(waiter: type = WaitingComponent) -> AsyncPipeline:
    """The seed's five waiters on three branches, scaled down."""
    pipe = AsyncPipeline()
    for n in range(1, 6):
        pipe.add_component(f"wait_{n}", waiter(name=f"wait_{n}", wait_time=n * SCALE))
    pipe.connect("wait_1", "wait_2")
    pipe.connect("wait_3", "wait_4")
    return pipe


def span(query: int, component: str, start: float, end: float, visit: int = 1) -> QuerySpan:
    return QuerySpan(query=query, component=component, visit=visit, started_at=start, finished_at=end)


def edges(*pairs: str) -> list[tuple[str, str, str, str]]:
    """Connections as `pipeline.connections()` yields them, from "sender->receiver" strings."""
    return [(sender, "out", receiver, "in") for sender, receiver in (pair.split("->") for pair in pairs)]


# -- both modes on the seed's waiting graph ---------------------------------------------------------------------


@pytest.mark.parametrize("waiter", [WaitingComponent, AsyncWaitingComponent])
async def test_concurrent_runs_overlap_and_sequential_runs_never_do(waiter: type) -> None:
    seen: dict[tuple[Mode, int], list[RunEvent]] = {}

    comparison = await compare_execution(
        waiting_pipeline(waiter),
        QUERIES,
        on_event=lambda mode, query, event: seen.setdefault((mode, query), []).append(event),
    )

    sequential, concurrent = comparison.modes
    for result in comparison.modes:
        assert [run.status for run in result.runs] == ["finished"] * 3
        assert [run.inputs for run in result.runs] == QUERIES
        for run in result.runs:
            assert isinstance(run.events[0], RunStarted) and isinstance(run.events[-1], RunFinished)
            assert seen[result.mode, run.query] == run.events  # the live callback saw exactly what was kept
            assert sorted(span.component for span in run.summary.spans) == [f"wait_{n}" for n in range(1, 6)]
        assert len(result.spans) == 15
    assert comparison.failed == []

    # Sequential: each run ends before the next starts, so no visit overlaps a visit of another query.
    for before, after in itertools.pairwise(sequential.runs):
        assert before.ended_at <= after.started_at
    for one, other in itertools.combinations(sequential.spans, 2):
        if one.query != other.query:
            assert one.finished_at <= other.started_at or other.finished_at <= one.started_at
    assert all(part.with_other_queries == 0 for part in sequential.overlap.values())

    # Concurrent: every run starts before any ends, and the queries' visits run side by side.
    assert max(run.started_at for run in concurrent.runs) < min(run.ended_at for run in concurrent.runs)
    assert all(part.with_other_queries > 0 for part in concurrent.overlap.values())
    assert concurrent.profile.peak > sequential.profile.peak
    assert concurrent.profile.mean > sequential.profile.mean

    assert concurrent.wall_time < sequential.wall_time
    assert comparison.speedup == sequential.wall_time / concurrent.wall_time
    assert sequential.wall_time == sequential.runs[-1].ended_at - sequential.runs[0].started_at


async def test_the_critical_path_of_the_seed_graph_is_wait_3_then_wait_4() -> None:
    comparison = await compare_execution(waiting_pipeline(AsyncWaitingComponent), QUERIES[:2])

    for result in comparison.modes:
        for run in result.runs:
            path = run.critical_path
            assert path.components == ["wait_3", "wait_4"]
            assert path.total == max(span.finished_at for span in run.summary.spans)
            assert path.busy + path.waited == pytest.approx(path.total)
            assert path.steps[1].started_at >= path.steps[0].finished_at


async def test_components_warm_up_before_either_mode_is_timed() -> None:
    @component
    class SlowWarmUp:
        def warm_up(self) -> None:
            time.sleep(0.02)

        @component.output_types(message=str)
        def run(self, user_msg: str) -> dict[str, str]:
            return {"message": user_msg}

    pipe = AsyncPipeline()
    pipe.add_component("slow", SlowWarmUp())

    comparison = await compare_execution(pipe, QUERIES[:2])

    assert comparison.warm_up >= 0.02
    events = [event for result in comparison.modes for run in result.runs for event in run.events]
    assert not any(isinstance(event, ComponentWarmedUp) for event in events)


# -- failures are recorded, not raised --------------------------------------------------------------------------


@component
class FailOnBoom:
    @component.output_types(message=str)
    def run(self, user_msg: str) -> dict[str, str]:
        if user_msg == "boom":
            raise RuntimeError("cannot handle boom")
        return {"message": user_msg}


def failing_pipeline() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("check", FailOnBoom())
    pipe.add_component("wait", AsyncWaitingComponent(name="wait", wait_time=0.01))
    pipe.connect("check.message", "wait.user_msg")
    return pipe


async def test_a_failing_query_is_recorded_and_the_others_still_run() -> None:
    queries = [{"user_msg": "fine"}, {"user_msg": "boom"}, {"user_msg": "also fine"}]

    comparison = await compare_execution(failing_pipeline(), queries)

    for result in comparison.modes:
        assert [run.status for run in result.runs] == ["finished", "failed", "finished"]
        failed = result.runs[1]
        assert isinstance(failed.events[-1], RunFailed)
        assert isinstance(failed.error, PipelineRuntimeError) and "cannot handle boom" in str(failed.error)
        assert [span.status for span in failed.summary.spans] == ["failed"]
        assert failed.critical_path.components == ["check"]
        assert result.failed == [failed]
    assert [(mode, run.query) for mode, run in comparison.failed] == [("sequential", 1), ("concurrent", 1)]


async def test_a_failing_warm_up_fails_every_run_instead_of_raising() -> None:
    @component
    class NoModel:
        def warm_up(self) -> None:
            raise OSError("no model file")

        @component.output_types(message=str)
        def run(self, user_msg: str) -> dict[str, str]:
            return {"message": user_msg}

    pipe = AsyncPipeline()
    pipe.add_component("model", NoModel())

    comparison = await compare_execution(pipe, QUERIES[:2])

    assert len(comparison.failed) == 4
    assert all("failed in warm_up: OSError: no model file" in str(run.error) for _, run in comparison.failed)


async def test_an_exception_from_a_stream_is_kept_with_its_run() -> None:
    def on_event(mode: Mode, query: int, event: RunEvent) -> None:
        if mode == "concurrent" and query == 0 and isinstance(event, RunStarted):
            raise KeyError("display broke")

    comparison = await compare_execution(failing_pipeline(), QUERIES, on_event=on_event)

    broken = comparison.concurrent.runs[0]
    assert broken.status == "failed" and isinstance(broken.raised, KeyError)
    assert [type(event) for event in broken.events] == [RunStarted]
    assert [run.status for run in comparison.concurrent.runs[1:]] == ["finished", "finished"]
    assert [run.status for run in comparison.sequential.runs] == ["finished"] * 3


async def test_invalid_inputs_raise_before_anything_runs() -> None:
    seen: list[RunEvent] = []

    with pytest.raises(PipelineValidationError, match=r"Query 2: .*nosuch"):
        await compare_execution(
            waiting_pipeline(), [{"user_msg": "ok"}, {"nosuch": 1}], on_event=lambda *args: seen.append(args[2])
        )

    assert seen == []


# -- the figures, on hand-made spans ----------------------------------------------------------------------------


def test_overlap_counts_other_visits_and_other_queries_apart() -> None:
    spans = [span(0, "a", 0, 2), span(0, "b", 1, 3), span(1, "a", 2.5, 4)]

    assert overlap(spans) == {
        "a": ComponentOverlap(busy=3.5, overlapped=1.5, with_other_queries=0.5),
        "b": ComponentOverlap(busy=2.0, overlapped=1.5, with_other_queries=0.5),
    }
    assert overlap(spans)["a"].overlapped_share == pytest.approx(1.5 / 3.5)


def test_touching_and_zero_length_spans_do_not_overlap() -> None:
    spans = [span(0, "a", 0, 1), span(1, "b", 1, 2), span(2, "c", 1.5, 1.5)]

    assert overlap(spans) == {
        "a": ComponentOverlap(1.0, 0.0, 0.0),
        "b": ComponentOverlap(1.0, 0.0, 0.0),
        "c": ComponentOverlap(0.0, 0.0, 0.0),
    }
    assert overlap(spans)["c"].overlapped_share == 0.0
    assert concurrency_profile(spans) == ConcurrencyProfile(peak=1, mean=1.0)


def test_concurrency_profile_peak_and_time_weighted_mean() -> None:
    spans = [span(0, "a", 0, 2), span(0, "b", 1, 3), span(1, "a", 1.5, 4)]

    profile = concurrency_profile(spans)

    assert profile.peak == 3  # all three run between 1.5 and 2
    assert profile.mean == pytest.approx((2 + 2 + 2.5) / 4)
    assert concurrency_profile([]) == ConcurrencyProfile(0, 0.0)


def test_critical_path_walks_back_through_the_latest_sender() -> None:
    connections = edges("a->b", "a->c", "b->d", "c->d")
    spans = [span(0, "d", 3.2, 4), span(0, "b", 1.1, 2), span(0, "a", 0, 1), span(0, "c", 1.1, 3)]

    path = critical_path(spans, connections)

    assert path.components == ["a", "c", "d"]
    assert [step.waited for step in path.steps] == pytest.approx([0, 0.1, 0.2])
    assert (path.total, path.busy, path.waited) == pytest.approx((4, 3.7, 0.3))


def test_a_sender_visit_that_ends_after_the_receiver_started_is_not_its_predecessor() -> None:
    spans = [span(0, "a", 0, 1), span(0, "a", 1.2, 2.5, visit=2), span(0, "b", 1.5, 3)]

    assert critical_path(spans, edges("a->b")).steps[0].finished_at == 1


def test_critical_path_through_a_loop_and_over_run_summary_spans() -> None:
    def component_span(visit: int, start: float, end: float | None) -> ComponentSpan:
        return ComponentSpan("loop", visit, visit, start, end, "sync", None, "finished" if end else "running")

    spans = [component_span(1, 0, 1), component_span(2, 1, 2), component_span(3, 2, 2), component_span(4, 2, None)]

    path = critical_path(spans, edges("loop->loop"))

    assert [step.finished_at for step in path.steps] == [1, 2, 2]  # the unfinished visit is left out
    assert critical_path([], edges("loop->loop")) == CriticalPath(())
    assert CriticalPath(()).total == 0.0


def test_a_visit_without_senders_that_ran_starts_the_path() -> None:
    spans = [span(0, "a", 0, 1), span(0, "lonely", 0.5, 2)]

    assert critical_path(spans, edges("a->b")).components == ["lonely"]
