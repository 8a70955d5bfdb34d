"""The comparison screen: a real comparison of the waiting sample run live and recorded, one scale for both
timelines, zoom kept in step, failures and unwritable runs folders reported; a screenshot of a synthetic
comparison with fixed times (refresh with `--snapshot-update` and review the SVG); the example-queries check.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from pipeline import AsyncPipeline
from pipeline.components.testing.waiting import AsyncWaitingComponent
from pipeline.runs.compare import Comparison, ModeResult, QueryRun, critical_path
from pipeline.runs.spans import RunSummary
from pipeline.runs.store import RunStore
from tests.tui.app.conftest import wait_for, waiting_yaml
from tests.tui.widgets.test_timeline import Visit, run_events
from tui.layout.timeline import format_duration
from tui.options import load_pipeline
from tui.screens.compare import CompareScreen, example_queries
from tui.widgets.timeline import TimelineView

SIZE = (120, 40)
QUERIES = [{"user_msg": "Hello"}, {"user_msg": "Bonjour"}, {"user_msg": "Hola"}]
CONNECTIONS = [("wait_1", "message", "wait_2", "user_msg"), ("wait_3", "message", "wait_4", "user_msg")]


class CompareApp(App[None]):
    """Shows the comparison screen on start, as the debugger does on `c`."""

    def __init__(self, screen: CompareScreen) -> None:
        super().__init__()
        self.compare = screen

    def on_mount(self) -> None:
        self.push_screen(self.compare)


def screen_text(app: App[Any]) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


def views(screen: CompareScreen) -> tuple[TimelineView, TimelineView]:
    return screen.query_one("#sequential", TimelineView), screen.query_one("#concurrent", TimelineView)


def waiting_pipeline(directory: Path, seconds: float) -> AsyncPipeline:
    """The waiting sample with every component waiting `seconds` but wait_4 and wait_5, twice and three times that:
    each query takes 3 units whichever way, so three take about 9 one after another and 3 at once."""
    waits = {"wait_1": seconds, "wait_2": seconds, "wait_3": seconds, "wait_4": 2 * seconds, "wait_5": 3 * seconds}
    pipe, _ = load_pipeline(str(waiting_yaml(directory, waits)))
    return pipe


async def test_a_real_comparison_runs_live_then_shows_both_modes_on_one_scale(tmp_path: Path, runs_dir: Path) -> None:
    pipe = waiting_pipeline(tmp_path, 0.1)  # about 0.9 s one after another: time to see it run
    screen = CompareScreen(pipe, "waiting", example_queries(pipe, "waiting"), concurrency=4)
    app = CompareApp(screen)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        sequential, concurrent = views(screen)
        await wait_for(pilot, lambda: sequential.now is not None, "a running bar in the sequential timeline")
        first = sequential.now
        assert screen.comparison is None and "Running sequential: query" in screen_text(app)
        await wait_for(pilot, lambda: sequential.now is not None and sequential.now > first, "the bars to grow")
        await pilot.press("r")  # not while it runs: that would leave half-written recordings
        await wait_for(pilot, lambda: "still running" in screen_text(app), "the notification")
        await wait_for(pilot, lambda: screen.comparison is not None, "the comparison to finish", timeout=30)

        comparison = screen.comparison
        assert comparison is not None and not comparison.failed
        assert comparison.concurrent.wall_time < comparison.sequential.wall_time
        text = screen_text(app)
        assert f"{comparison.speedup:.1f}x faster concurrently" in text
        assert f"Sequential · {format_duration(comparison.sequential.wall_time)}" in text
        assert f"Concurrent · {format_duration(comparison.concurrent.wall_time)}" in text
        assert "Total time" in text and "speedup" in text
        assert sequential.scale == concurrent.scale
        for view in (sequential, concurrent):
            assert view.model.headers == {0, 6, 12}, "a header and five component lanes per query"
            assert [view.model.lanes[lane][:7] for lane in sorted(view.model.headers)] == [
                "query 1",
                "query 2",
                "query 3",
            ]
        # the sequential run fills the width; the concurrent one, on the same scale, stops short of it
        assert sequential.virtual_size == concurrent.virtual_size and not sequential.scroll_offset.x
        assert sequential.virtual_size.width == sequential.scrollable_content_region.width
        last = [max(bar.end or 0.0 for bar in view.model.bars) for view in (sequential, concurrent)]
        assert last[1] < last[0]

        app.clear_notifications()
        labels = sorted(run.header.label for run in RunStore(runs_dir).runs() if run.header is not None)
        assert labels == sorted(f"compare {mode} q{i}" for mode in ("sequential", "concurrent") for i in (1, 2, 3))
        assert sorted(screen.recorded) == RunStore(runs_dir).files()
        assert f"Recorded 6 runs to {runs_dir}" in text


async def test_r_runs_it_again_and_an_unwritable_runs_folder_is_a_notification(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "runs"
    not_a_folder.write_text("a file where the runs folder should be")
    pipe = waiting_pipeline(tmp_path, 0.01)
    screen = CompareScreen(pipe, "waiting", QUERIES[:2], runs_dir=str(not_a_folder))
    app = CompareApp(screen)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: screen.comparison is not None, "the comparison", timeout=30)
        first = screen.comparison
        await wait_for(pilot, lambda: "Not recording" in screen_text(app), "the notification")
        assert screen.recorded == [] and screen_text(app).count("Not recording") == 1, "said once, not per run"
        await pilot.press("r")
        await wait_for(pilot, lambda: screen.comparison not in (None, first), "the second comparison", timeout=30)
        assert screen.comparison is not None and not screen.comparison.failed


async def test_queries_that_do_not_fit_the_pipeline_are_reported(tmp_path: Path) -> None:
    pipe = waiting_pipeline(tmp_path, 0.01)
    screen = CompareScreen(pipe, "waiting", [{"no_such_input": 1}, {"no_such_input": 2}], record=False)
    app = CompareApp(screen)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "Cannot compare: Query 1" in screen_text(app), "the validation error")
        assert screen.comparison is None


# -- a synthetic comparison with fixed times -------------------------------------------------------------------


def query_run(query: int, visits: list[Visit], origin: float) -> QueryRun:
    events = run_events(visits, origin=origin, run_id=f"run-{origin}")
    summary = RunSummary.from_events(events)
    return QueryRun(query, QUERIES[query], events, summary, critical_path(summary.spans, CONNECTIONS))


def branches(unit: float, start: float = 0.0, fail: bool = False) -> list[Visit]:
    """One query of the waiting sample (wait_i waits i units), its branches side by side from `start`."""
    return [
        ("wait_1", start, start + unit, "finished"),
        ("wait_3", start, start + 3 * unit, "finished"),
        ("wait_5", start, start + 5 * unit, "finished"),
        ("wait_2", start + unit, start + 3 * unit, "finished"),
        ("wait_4", start + 3 * unit, start + 7 * unit, "failed" if fail else "finished"),
    ]


def synthetic_comparison() -> Comparison:
    """Three queries of 70 ms one after another (210 ms), then at once in 85 ms; query 2 fails concurrently."""
    sequential = [query_run(query, branches(0.01), 100.0 + 0.07 * query) for query in range(3)]
    concurrent = [
        query_run(0, branches(0.012), 200.0),
        query_run(1, branches(0.012, fail=True), 200.001),
        query_run(2, branches(0.011), 200.002),
    ]
    return Comparison(
        queries=QUERIES,
        sequential=ModeResult.from_runs("sequential", sequential),
        concurrent=ModeResult.from_runs("concurrent", concurrent),
        warm_up=0.0,
    )


def idle_pipeline() -> AsyncPipeline:
    """The waiting sample's graph with async components: the comparison the screen starts on mount is
    cancelled at once when the synthetic one is shown."""
    pipe = AsyncPipeline(metadata={"example_inputs": QUERIES})
    for i in range(1, 6):
        pipe.add_component(f"wait_{i}", AsyncWaitingComponent(name=f"wait_{i}", wait_time=30))
    pipe.connect("wait_1.message", "wait_2.user_msg")
    pipe.connect("wait_3.message", "wait_4.user_msg")
    return pipe


def synthetic_screen() -> CompareScreen:
    return CompareScreen(idle_pipeline(), "waiting", QUERIES, record=False)


async def show_synthetic(pilot: Pilot[None]) -> None:
    screen = pilot.app.screen
    assert isinstance(screen, CompareScreen)
    screen.show_comparison(synthetic_comparison())
    await pilot.pause()
    await wait_for(pilot, lambda: not screen.workers, "the started comparison to stop")
    await pilot.pause()


def test_the_finished_comparison(snap_compare: Callable[..., bool]) -> None:
    async def show_the_failure(pilot: Pilot[None]) -> None:
        await show_synthetic(pilot)
        _, concurrent = views(pilot.app.screen)  # type: ignore[arg-type]
        concurrent.scroll_to(y=6, animate=False)  # query 2's lanes, where wait_4 failed
        await pilot.pause()

    assert snap_compare(CompareApp(synthetic_screen()), terminal_size=SIZE, run_before=show_the_failure)


async def test_failures_titles_and_the_shared_scale_of_a_shown_comparison() -> None:
    app = CompareApp(synthetic_screen())
    async with app.run_test(size=SIZE) as pilot:
        await show_synthetic(pilot)
        screen = app.screen
        assert isinstance(screen, CompareScreen)
        sequential, concurrent = views(screen)
        text = screen_text(app)
        assert "2.5x faster concurrently" in text and "1 of 6 runs did not finish" in text
        assert "Sequential · 210 ms" in text and "Concurrent · 85.0 ms" in text
        assert "concurrent query 2 failed: wait_4 failed" in text
        assert "▾ query 2 · 84.0 ms · failed: RuntimeError: wait_4 failed" in text
        width = sequential.scrollable_content_region.width
        assert sequential.scale == concurrent.scale == sequential.model.fit(width)
        # one group per query, at its run's offset from the mode's first start
        second = [bar for bar in concurrent.model.bars if bar.group == 1]
        assert min(bar.start for bar in second) == pytest.approx(0.001)
        assert {bar.status for bar in second} == {"finished", "failed"}
        assert concurrent.model.critical and all(group in (0, 1, 2) for group, _ in concurrent.model.critical)


async def test_zooming_either_timeline_zooms_both_and_fit_restores_the_shared_scale() -> None:
    app = CompareApp(synthetic_screen())
    async with app.run_test(size=SIZE) as pilot:
        await show_synthetic(pilot)
        sequential, concurrent = views(app.screen)  # type: ignore[arg-type]
        shared = sequential.scale
        sequential.focus()
        await pilot.press("plus", "plus")
        assert sequential.scale == concurrent.scale == pytest.approx(shared / 4)
        await pilot.press("right", "right")
        assert sequential.scroll_offset.x > 0 and concurrent.scroll_x == sequential.scroll_x
        concurrent.focus()
        await pilot.press("0")
        assert sequential.scale == concurrent.scale == shared
        await pilot.press("escape")
        assert not isinstance(app.screen, CompareScreen)


# -- choosing the queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({}, "rag: metadata.example_inputs is missing: comparing needs at least 2 example queries"),
        ({"example_inputs": [{"query": "a"}]}, "rag: metadata.example_inputs has 1 query: comparing needs at least 2"),
        ({"example_inputs": "a"}, "rag: metadata.example_inputs must be a list of input mappings, one per query"),
        ({"example_inputs": [{"query": "a"}, "b"]}, "must be a list of input mappings"),
    ],
)
def test_example_queries_need_at_least_two_mappings(metadata: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        example_queries(AsyncPipeline(metadata=metadata), "rag")


def test_example_queries_are_copies_of_the_pipeline_s_examples() -> None:
    examples = [{"query": "a"}, {"query": "b"}]
    queries = example_queries(AsyncPipeline(metadata={"example_inputs": examples}), "rag")
    assert queries == examples
    queries[0]["query"] = "changed"
    assert examples[0] == {"query": "a"}
