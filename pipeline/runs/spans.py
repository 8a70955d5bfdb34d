"""Fold a run's events into one span per component visit, for timelines, tables, recordings and exports.

This module only reads events: it works the same on a live stream (feed `RunSummary.apply` one event at a
time) as on a recorded list (`RunSummary.from_events(events)`). Every time it reports is in seconds relative
to `RunStarted.time`, so runs recorded at different moments compare directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from pipeline.core.errors import PipelineRuntimeError
from pipeline.core.events import (
    ChildSpan,
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentLogged,
    ComponentProgress,
    ComponentStarted,
    ComponentWarmedUp,
    ExecutionMode,
    OutputsReplaced,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)

SpanStatus = Literal["running", "finished", "failed", "cancelled"]
RunStatus = Literal["pending", "running", "finished", "failed", "cancelled"]


@dataclass(slots=True)
class ComponentSpan:
    """One visit of one component: when it ran (relative to the run's start), where, and how it ended."""

    component: str
    visit: int
    visit_id: int
    started_at: float
    """When `run` began executing; until the visit ends, when the scheduler started it (a few µs earlier)."""
    finished_at: float | None
    mode: ExecutionMode
    thread: str | None
    """Known once the visit finished or failed; `None` while running and for cancelled visits."""
    status: SpanStatus = "running"
    traceback: str | None = None
    """The formatted traceback of a failed visit."""
    progress: tuple[int, int | None, str] | None = None
    """The latest `(done, total, message)` the component reported while running."""

    @property
    def duration(self) -> float | None:
        return None if self.finished_at is None else self.finished_at - self.started_at


@dataclass(slots=True)
class RunSummary:
    """The state of a run as its events describe it; `apply` each event in order, live or from a recording."""

    run_id: str | None = None
    origin: float | None = None
    """`RunStarted.time`: the perf_counter value every relative time here counts from."""
    wall_time: float | None = None
    inputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    status: RunStatus = "pending"
    spans: list[ComponentSpan] = field(default_factory=list)
    """Every visit, in the order the visits started."""
    warm_ups: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Relative (start, end) of each component's `warm_up()` that ran for this run."""
    ended_at: float | None = None
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    """The pipeline outputs: final, partial (failed run) or as far as they got (cancelled run)."""
    error: BaseException | None = None
    stranded: dict[str, list[str]] = field(default_factory=dict)
    _by_visit: dict[int, ComponentSpan] = field(default_factory=dict, repr=False)

    @classmethod
    def from_events(cls, events: Iterable[RunEvent]) -> RunSummary:
        summary = cls()
        for event in events:
            summary.apply(event)
        return summary

    @property
    def duration(self) -> float | None:
        """The run's wall time, from `RunStarted` to its final event; `None` until the run ended."""
        return self.ended_at

    @property
    def running(self) -> list[ComponentSpan]:
        return [span for span in self.spans if span.status == "running"]

    def span(self, visit_id: int) -> ComponentSpan | None:
        return self._by_visit.get(visit_id)

    def spans_of(self, component: str) -> list[ComponentSpan]:
        return [span for span in self.spans if span.component == component]

    def relative(self, time: float) -> float:
        """A perf_counter time from this run's events, as seconds since the run started."""
        if self.origin is None:
            raise ValueError("The run has not started: apply its RunStarted event first.")
        return time - self.origin

    def apply(self, event: RunEvent) -> ComponentSpan | None:
        """Fold one event in; return the span it created or changed, if any."""
        if isinstance(event, RunStarted):
            self.run_id, self.origin, self.wall_time = event.run_id, event.time, event.wall_time
            self.inputs, self.status = event.inputs, "running"
            return None
        if self.origin is None:
            raise ValueError(f"{type(event).__name__} arrived before RunStarted; a run's events start with it.")
        match event:
            case ComponentStarted():
                span = ComponentSpan(
                    component=event.component,
                    visit=event.visit,
                    visit_id=event.visit_id,
                    started_at=self.relative(event.time),
                    finished_at=None,
                    mode=event.mode,
                    thread=None,
                )
                self.spans.append(span)
                self._by_visit[event.visit_id] = span
                return span
            case ComponentFinished() | ComponentFailed():
                span = self._span_for(event.visit_id, event.component, event.visit, event.mode, event.started_at)
                span.started_at = self.relative(event.started_at)
                span.finished_at = self.relative(event.finished_at)
                span.thread = event.thread
                if isinstance(event, ComponentFailed):
                    span.status, span.traceback = "failed", event.traceback
                else:
                    span.status = "finished"
                return span
            case ComponentCancelled():
                span = self._span_for(event.visit_id, event.component, event.visit, None, event.started_at)
                span.finished_at = self.relative(event.time)
                span.status = "cancelled"
                return span
            case ComponentWarmedUp():
                self.warm_ups[event.component] = (self.relative(event.started_at), self.relative(event.finished_at))
                return None
            case RunFinished():
                self._end("finished", event.time, event.outputs)
                self.stranded = event.stranded
                return None
            case RunFailed():
                partial = event.error.partial_outputs if isinstance(event.error, PipelineRuntimeError) else {}
                self._end("failed", event.time, partial)
                self.error = event.error
                return None
            case RunCancelled():
                self._end("cancelled", event.time, event.outputs)
                return None
            case ComponentProgress():
                progress_span = self._by_visit.get(event.visit_id)
                if progress_span is not None:
                    progress_span.progress = (event.done, event.total, event.message)
                return progress_span
            case OutputsReplaced() | ChildSpan() | ComponentLogged():
                return None
        raise TypeError(f"Not a run event: {event!r}")

    def _span_for(
        self, visit_id: int, component: str, visit: int, mode: ExecutionMode | None, started_at: float
    ) -> ComponentSpan:
        """The span a ComponentStarted opened, or a new one if the stream lacks it (e.g. a trimmed recording)."""
        span = self._by_visit.get(visit_id)
        if span is None:
            span = ComponentSpan(
                component=component,
                visit=visit,
                visit_id=visit_id,
                started_at=self.relative(started_at),
                finished_at=None,
                mode=mode or "sync",
                thread=None,
            )
            self.spans.append(span)
            self._by_visit[visit_id] = span
        return span

    def _end(self, status: RunStatus, time: float, outputs: dict[str, dict[str, Any]]) -> None:
        self.status, self.ended_at, self.outputs = status, self.relative(time), dict(outputs)
