"""The comparison screen: the same queries run one after another, then all at once, as two timelines on one scale.

`pipeline.runs.compare.compare_execution` runs in an async worker on the app's loop (sync components run in the
engine's threads). Every event is folded into a summary per (mode, query) as it arrives, and the two timelines
are redrawn from those a few times a second, not per event. When the comparison ends, both timelines show one
lane group per query on the same seconds per column, so their lengths compare at a glance, with the totals,
the speedup, the critical paths and any failure below. Every run is recorded, as `pipedebug compare` does.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static

from pipeline import PipelineValidationError
from pipeline.core.events import EventStream, RunEvent
from pipeline.core.pipeline import PipelineBase
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.compare import Comparison, Mode, ModeResult, QueryRun, compare_execution
from pipeline.runs.spans import RunSummary
from pipeline.runs.store import RunStore
from tui import keys
from tui.layout.dag import elide
from tui.layout.timeline import TimelineModel, format_duration
from tui.render_compare import totals_table
from tui.widgets.timeline import TimelineView

REFRESH_SECONDS = 1 / 20
"""How often the timelines are redrawn while the comparison runs: smooth growth, whatever the event rate."""
MODES: tuple[Mode, Mode] = ("sequential", "concurrent")
INPUTS_PREVIEW = 48
"""Longest preview of a query's inputs in its lane group's title."""


def example_queries(pipe: PipelineBase, name: str) -> list[dict[str, Any]]:
    """The queries to compare: the pipeline's `metadata.example_inputs`, which must hold at least 2 mappings."""
    examples = pipe.metadata.get("example_inputs")
    source = f"{name}: metadata.example_inputs"
    if examples is None:
        raise ValueError(f"{source} is missing: comparing needs at least 2 example queries")
    if not isinstance(examples, list) or not all(isinstance(entry, Mapping) for entry in examples):
        raise ValueError(f"{source} must be a list of input mappings, one per query")
    if len(examples) < 2:
        raise ValueError(f"{source} has {len(examples)} query: comparing needs at least 2")
    return [dict(entry) for entry in examples]


def group_title(query: int, inputs: Mapping[str, Any], summary: RunSummary, error: BaseException | None) -> str:
    """`query 2 · 0.31 s · user_msg: 'Hola'`; a run that did not finish says how it ended and why."""
    parts = [f"query {query + 1}"]
    if summary.status in ("pending", "running"):
        parts.append(summary.status)
    elif summary.duration is not None:
        parts.append(format_duration(summary.duration))
    if error is not None or summary.status in ("failed", "cancelled"):
        reason = "" if error is None else f": {type(error).__name__}: {error}"
        parts.append(f"{'failed' if error is not None else summary.status}{reason}")
    else:
        preview = ", ".join(f"{key}: {value!r}" for key, value in inputs.items())
        parts.append(elide(preview, INPUTS_PREVIEW))
    return " · ".join(part for part in parts if part)


def mode_model(
    runs: Sequence[tuple[int, Mapping[str, Any], RunSummary, BaseException | None]],
    connections: Sequence[tuple[str, str, str, str]] | None,
    until: float = 0.0,
) -> tuple[TimelineModel, float | None]:
    """A lane group per query run (query index, inputs, summary, error), on the clock of the mode's first start,
    the axis reaching at least `until`; and that start (a `perf_counter` time), `None` before any run started."""
    origins = [summary.origin for _, _, summary, _ in runs if summary.origin is not None]
    origin = min(origins, default=None)
    groups = [
        (
            group_title(query, inputs, summary, error),
            summary,
            0.0 if summary.origin is None or origin is None else summary.origin - origin,
        )
        for query, inputs, summary, error in runs
    ]
    return TimelineModel.from_groups(groups, connections=connections, until=until), origin


def result_model(result: ModeResult, connections: Sequence[tuple[str, str, str, str]], until: float) -> TimelineModel:
    """A finished mode's timeline: its runs' summaries, with the errors that ended them."""
    model, _ = mode_model([_run_row(run) for run in result.runs], connections, until)
    return model


def _run_row(run: QueryRun) -> tuple[int, Mapping[str, Any], RunSummary, BaseException | None]:
    return run.query, run.inputs, run.summary, run.error


def speedup_text(comparison: Comparison) -> Content:
    """The headline: how much faster the concurrent mode was, with both wall times and how many runs failed."""
    speedup = comparison.speedup
    if speedup is None:
        headline = Content.styled("No speedup to report: the concurrent mode took no time", "bold")
    elif speedup >= 1:
        headline = Content.styled(f"{speedup:.1f}x faster concurrently", "bold $text-success")
    else:
        headline = Content.styled(f"{1 / speedup:.1f}x slower concurrently", "bold $text-warning")
    times = (format_duration(result.wall_time) for result in comparison.modes)
    headline += Content("  ·  sequential {}, concurrent {}".format(*times))
    failed = comparison.failed
    if failed:
        total = len(comparison.sequential.runs) + len(comparison.concurrent.runs)
        headline += Content.styled(f"  ·  {len(failed)} of {total} runs did not finish", "bold $text-error")
    return headline


@dataclass(slots=True)
class LiveComparison:
    """What one running comparison has reported so far: a summary per (mode, query), fed event by event."""

    summaries: dict[tuple[Mode, int], RunSummary] = field(default_factory=dict)
    current: tuple[Mode, int] | None = None
    """The mode and query of the latest event."""
    unrecorded: bool = False
    """The runs folder could not be written: said once, and the comparison goes on unrecorded."""

    def on_event(self, mode: Mode, query: int, event: RunEvent) -> None:
        summary = self.summaries.get((mode, query))
        if summary is None:
            summary = self.summaries[mode, query] = RunSummary()
        summary.apply(event)
        self.current = (mode, query)


class CompareScreen(Screen[None]):
    """Runs the comparison when shown; `r` runs it again, escape closes. Zooming one timeline zooms both."""

    DEFAULT_CSS = """
    CompareScreen #compare-status {
        height: auto;
        padding: 0 1;
    }
    CompareScreen TimelineView {
        height: 1fr;
    }
    CompareScreen #compare-totals {
        height: auto;
        max-height: 50%;
        padding: 0 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.COMPARE

    def __init__(
        self,
        pipe: PipelineBase,
        name: str,
        queries: list[dict[str, Any]],
        *,
        concurrency: int = 4,
        runs_dir: str | None = None,
        record: bool = True,
    ) -> None:
        super().__init__()
        self.pipe = pipe
        self.pipeline_name = name
        self.queries = queries
        self.concurrency = concurrency
        self.runs_dir = runs_dir
        self.record = record
        self.comparison: Comparison | None = None
        """The last comparison shown, once one finished."""
        self.recorded: list[Path] = []
        """The run files the last comparison wrote."""
        self._live: LiveComparison | None = None
        """The comparison running now, if any; the timer redraws from it."""
        self._shared_fit = True
        """Both timelines fit the longer run; a zoom in either pins one scale for both until `0`."""
        self._status = Content()

    def compose(self) -> ComposeResult:
        yield Static(id="compare-status")
        yield TimelineView(id="sequential")
        yield TimelineView(id="concurrent")
        yield Static(id="compare-totals")
        yield Footer()

    def on_mount(self) -> None:
        sequential, concurrent = self._views()
        sequential.border_title, concurrent.border_title = "Sequential", "Concurrent"
        self.watch(sequential, "scroll_x", lambda x: self._align(concurrent, x), init=False)
        self.watch(concurrent, "scroll_x", lambda x: self._align(sequential, x), init=False)
        self.set_interval(REFRESH_SECONDS, self._refresh_live)
        self.run_comparison()

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_both)  # once the timelines have their new width

    # -- running ---------------------------------------------------------------------------------------------

    def action_run_again(self) -> None:
        if self._live is not None:
            self.notify("The comparison is still running: wait for it, or close the screen (escape) to stop it.")
            return
        self.run_comparison()

    def action_close(self) -> None:
        self.app.pop_screen()  # its workers, a running comparison included, are cancelled with it

    def run_comparison(self) -> None:
        """Start the comparison in a worker (one still running is cancelled: `r` waits for it instead)."""
        live = self._live = LiveComparison()
        self.comparison, self.recorded = None, []
        self._show_status(self._running_text(live))
        self.query_one("#compare-totals", Static).update()
        self._compare(live)

    @work(exclusive=True, group="compare", exit_on_error=False)
    async def _compare(self, live: LiveComparison) -> None:
        try:
            comparison = await compare_execution(
                self.pipe,
                self.queries,
                concurrency_limit=self.concurrency,
                on_event=live.on_event,
                wrap=partial(self._recorder, live) if self.record else None,
            )
        except PipelineValidationError as error:  # a query does not fit the pipeline: nothing ran
            self._stopped(live, f"Cannot compare: {error}")
            return
        except Exception as error:  # a bug outside any run (runs keep their own errors): shown, not swallowed
            self._stopped(live, f"The comparison stopped: {type(error).__name__}: {error}")
            return
        if self._live is live:
            self._live = None
            self._show(comparison)

    def _stopped(self, live: LiveComparison, message: str) -> None:
        if self._live is live:
            self._live = None
            self._show_status(Content.styled(message, "bold $text-error"))

    def _recorder(self, live: LiveComparison, mode: Mode, index: int, run: PipelineRun) -> EventStream:
        """Record a run like `pipedebug compare` does; a runs folder that cannot be written is reported once,
        and the comparison goes on unrecorded."""
        if live.unrecorded:
            return run
        try:
            recorder = RunStore(self.runs_dir).record(
                run,
                pipeline_name=self.pipeline_name,
                pipeline=self.pipe,
                inputs=self.queries[index],
                label=f"compare {mode} q{index + 1}",
            )
        except OSError as error:
            self.notify(f"Not recording: {error}", title="Runs folder", severity="warning")
            live.unrecorded = True
            return run
        self.recorded.append(recorder.path)
        return recorder

    def _refresh_live(self) -> None:
        """Redraw the running comparison: models from the summaries so far, running bars reaching now."""
        live = self._live
        if live is None:
            return
        clock = time.perf_counter()
        for mode, view in zip(MODES, self._views(), strict=True):
            runs = [
                (query, self.queries[query], summary, summary.error)
                for (summary_mode, query), summary in sorted(live.summaries.items())
                if summary_mode == mode
            ]
            model, origin = mode_model(runs, None)  # no critical path yet: it is green, and so would be a bar
            running = any(summary.status == "running" for _, _, summary, _ in runs)
            now = clock - origin if origin is not None and running else None
            view.update_model(model, now)
            title = mode.capitalize()
            if origin is not None:
                title += f" · {format_duration(model.extent(now))}"
            if view.border_title != title:
                view.border_title = title
        self._fit_both()
        self._show_status(self._running_text(live))

    def _running_text(self, live: LiveComparison) -> Content:
        if live.current is None:
            return Content("Warming up the components…")
        mode, query = live.current
        doing = f"query {query + 1} of {len(self.queries)}" if mode == "sequential" else "all queries at once"
        return Content.assemble("Running ", (mode, "bold"), f": {doing}…")

    # -- showing ---------------------------------------------------------------------------------------------

    def show_comparison(self, comparison: Comparison) -> None:
        """Show a finished comparison (a running one is stopped): both timelines on one scale, the totals."""
        self.workers.cancel_group(self, "compare")
        self._live, self.recorded = None, []
        self._show(comparison)

    def _show(self, comparison: Comparison) -> None:
        self.comparison = comparison
        connections = list(self.pipe.connections())
        longest = max(result.wall_time for result in comparison.modes)  # both axes pan as far, in step
        for result, view in zip(comparison.modes, self._views(), strict=True):
            view.update_model(result_model(result, connections, longest))
            view.border_title = f"{result.mode.capitalize()} · {format_duration(result.wall_time)}"
        self._shared_fit = True
        self._fit_both()
        lines = [speedup_text(comparison)]
        lines += [
            Content.styled(f"{mode} query {run.query + 1} {run.status}: {run.error}", "$text-error")
            for mode, run in comparison.failed
        ]
        if self.recorded:
            lines.append(Content.styled(f"Recorded {len(self.recorded)} runs to {self.recorded[0].parent}", "dim"))
        self._show_status(Content("\n").join(lines))
        self.query_one("#compare-totals", Static).update(totals_table(comparison))

    def _show_status(self, lines: Content) -> None:
        """The screen's title line and `lines` under it; redrawn only when they change (the timer calls this)."""
        status = Content.assemble(
            ("Compare ", "bold"),
            (self.pipeline_name, "bold $text-accent"),
            f": {len(self.queries)} queries, one after another, then all at once "
            f"(concurrency {self.concurrency} per run)\n",
            lines,
        )
        if status != self._status:
            self._status = status
            self.query_one("#compare-status", Static).update(status)

    # -- one scale for both ----------------------------------------------------------------------------------

    def _views(self) -> tuple[TimelineView, TimelineView]:
        return self.query_one("#sequential", TimelineView), self.query_one("#concurrent", TimelineView)

    def _fit_both(self) -> None:
        """While neither timeline is zoomed: the scale that fits the longer run, for both."""
        if not self._shared_fit:
            return
        views = [view for view in self._views() if view.model.extent(view.now) > 0]
        if not views or not views[0].scrollable_content_region.width:
            return
        scale = max(view.model.fit(view.scrollable_content_region.width, view.now) for view in views)
        for view in self._views():
            view.set_scale(scale)

    @on(TimelineView.Zoomed)
    def _zoomed(self, event: TimelineView.Zoomed) -> None:
        """Zoom the other timeline to the same scale; fitting one fits both to the longer run again."""
        self._shared_fit = event.scale is None
        if event.scale is None:
            self._fit_both()
            return
        for view in self._views():
            if view is not event.timeline:
                view.set_scale(event.scale)
                self._align(view, event.timeline.scroll_x)

    def _align(self, view: TimelineView, scroll_x: float) -> None:
        """Pan `view` to the same time as the other one (same scale, so the same column)."""
        if view.scroll_x != scroll_x:
            view.scroll_to(x=scroll_x, animate=False, force=True)
