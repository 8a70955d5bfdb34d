"""Timeline pane benchmark: one 120x40 frame of a run of 10,000 spans, rendered by `TimelineModel.render`.

A synthetic summary: 200 components, 50 visits each, staggered and of varied lengths, the last one running, a
tenth of the visits on the "critical path" (highlighted bars are drawn in a second pass). Times the model's
construction (once), then frames at several zooms: the whole run fitted into view (every visible lane full of
sub-column bars), 1 ms and 0.1 ms per column panned across the run. Then the same 10,000 spans as the compare
screen draws them: 10 runs of 20 components on one axis (`from_groups`, a header lane per run), fitted.
Last, the pane itself: a `TimelineView` in a headless Textual app at 120x40 (the model, zoomed to 1 ms per
column), scrolled to a new place for each frame, timed from the scroll until Textual has composed the screen
(the widget's strips, the compositor's update). Target: median frame under 20 ms.

Run from the repository root:

    python -m benchmarks.timeline_render [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
from typing import TYPE_CHECKING

from pipeline.runs.spans import ComponentSpan, RunSummary
from tui.layout.timeline import TimelineModel

if TYPE_CHECKING:
    from textual.app import App

FRAME_TARGET_MS = 20.0
WIDTH, HEIGHT = 120, 40
COMPONENTS, VISITS = 200, 50


def synthetic_summary(components: int = COMPONENTS, visits: int = VISITS) -> RunSummary:
    summary = RunSummary(origin=0.0, status="running")
    visit_id = 0
    for visit in range(visits):
        for lane in range(components):
            visit_id += 1
            start = visit * 0.02 + lane * 0.0001
            end = start + 0.001 + (visit * 7 + lane * 13) % 17 * 0.001
            span = ComponentSpan(f"component_{lane:03d}", visit + 1, visit_id, start, end, "async", None, "finished")
            summary.spans.append(span)
            summary._by_visit[visit_id] = span
    summary.spans[-1].finished_at, summary.spans[-1].status = None, "running"
    return summary


def frames(model: TimelineModel, scale: float, now: float, count: int, *, pan: bool) -> list[float]:
    """Milliseconds per frame, panning across the run (unless fitted) and scrolling down the lanes."""
    times = []
    gc.collect()
    for i in range(count):
        offset = (now - scale * WIDTH) * i / count if pan else 0.0
        first = (i * 7) % (len(model.lanes) - HEIGHT + 2)
        started = time.perf_counter()
        model.render((max(offset, 0.0), first, scale, WIDTH, HEIGHT), now, selected=(0, 5000))
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> bool:
    """Print a case's figures; whether it met the target."""
    median = statistics.median(times)
    print(f"{name:>11}: median {median:.2f} ms, best {min(times):.2f} ms, worst {max(times):.2f} ms")
    return median <= FRAME_TARGET_MS


async def pane_frames(model: TimelineModel, now: float, count: int) -> list[float]:
    """Milliseconds per frame of the pane in a headless app: scroll, then compose the whole screen."""
    from textual.app import App, ComposeResult

    from tui.widgets.timeline import TimelineView

    class Pane(App[None]):
        def compose(self) -> ComposeResult:
            yield TimelineView()

    app = Pane()
    times = []
    async with app.run_test(size=(WIDTH, HEIGHT)) as pilot:
        view = app.query_one(TimelineView)
        view.update_model(model, now)
        view.set_scale(1e-3)
        await pilot.pause()
        width, height = view.virtual_size
        gc.collect()
        for i in range(count):
            x, y = (width - WIDTH) * i / count, (i * 7) % max(1, height - HEIGHT)
            started = time.perf_counter()
            view.scroll_to(x, y, animate=False, immediate=True)
            _compose(app)
            times.append((time.perf_counter() - started) * 1000)
    return times


def _compose(app: App[None]) -> None:
    """What a refresh costs: every line of the screen rendered and composed into strips."""
    app.screen._compositor.render_update(full=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer frames")
    options = parser.parse_args()
    count = 20 if options.quick else 100
    summary = synthetic_summary()
    started = time.perf_counter()
    model = TimelineModel.from_summary(summary)
    build_ms = (time.perf_counter() - started) * 1000
    model.critical = frozenset((0, visit_id) for visit_id in range(1, len(model.bars) + 1, 10))
    now = model.end + 0.005
    print(f"{len(model.bars):,} spans in {len(model.lanes)} lanes; from_summary {build_ms:.1f} ms")
    cases = {"fit": model.fit(WIDTH, now), "1 ms/col": 1e-3, "0.1 ms/col": 1e-4}
    met = [report(name, frames(model, scale, now, count, pan=name != "fit")) for name, scale in cases.items()]

    runs = [(f"query {index + 1}", synthetic_summary(COMPONENTS // 10), index * 0.003) for index in range(10)]
    started = time.perf_counter()
    grouped = TimelineModel.from_groups(runs)
    build_ms = (time.perf_counter() - started) * 1000
    print(
        f"{len(grouped.bars):,} spans in {len(runs)} groups, {len(grouped.lanes)} lanes; from_groups {build_ms:.1f} ms"
    )
    now = grouped.end + 0.005
    met.append(report("groups fit", frames(grouped, grouped.fit(WIDTH, now), now, count, pan=False)))
    met.append(report("pane scroll", asyncio.run(pane_frames(model, model.end + 0.005, count))))
    sys.exit(0 if all(met) else 1)


if __name__ == "__main__":
    main()
