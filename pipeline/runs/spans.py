"""Fold a run's events, once, into one record per component visit: what the timeline, the inspector, the graph,
diffs, comparisons and exports all read.

This module only reads events: it works the same on a live stream (feed `RunSummary.apply` one event at a
time) as on a recorded list (`RunSummary.from_events(events)`). Every time it reports is in seconds relative
to `RunStarted.time`, so runs recorded at different moments compare directly.

Pipeline time: a run's `duration` counts only the time its pipeline worked. Left out are the warm-ups (the
components' `warm_up()`, or the wait for one another caller runs) and the time the run was paused
(`RunPaused`..`RunResumed`) while no visit was in flight; a visit still running during a pause counts, as the
component really was working then. `wall_duration`, `warm_up_time` and `paused_time` give the parts.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
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
    ComponentReady,
    ComponentStarted,
    ComponentWarmedUp,
    ExecutionMode,
    OutputsReplaced,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)

SpanStatus = Literal["held", "running", "queued", "finished", "failed", "cancelled"]
"""`held`: started by the scheduler, but the run paused before it began executing (`RunPaused.held_visit_id`); it
runs once the run resumes. `queued`: the visit finished (at `finished_at`) while the run was paused; its
completion waits to be read."""
RunStatus = Literal["pending", "running", "finished", "failed", "cancelled"]


@dataclass(slots=True)
class Pause:
    """A stretch of the run during which its consumer did not ask for events (see `RunPaused`)."""

    started_at: float
    ended_at: float | None
    """`None` while the run is still paused."""
    reason: str
    """`breakpoint`, `step`, `user` or `seek`."""
    component: str = ""
    visit_id: int = 0
    """The visit whose event the run paused on (0: none)."""

    @property
    def duration(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


@dataclass(frozen=True, slots=True)
class ChildRecord:
    """A span of another service under a visit (`ChildSpan`: an HTTP or LLM call of a run imported from
    OpenTelemetry), its times relative to the run's start."""

    visit_id: int
    component: str
    name: str
    started_at: float
    finished_at: float
    status: str
    """OpenTelemetry's status: `unset`, `ok` or `error`."""
    status_message: str = ""
    service: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max(0.0, self.finished_at - self.started_at)

    @property
    def failed(self) -> bool:
        return self.status == "error"


@dataclass(slots=True)
class ComponentSpan:
    """The record of one visit of one component: when it ran (relative to the run's start), where, what it
    received and produced, how it ended, and the pauses it ran through. Built once, from the events, by
    `RunSummary`; every view of a visit reads it."""

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
    inputs: dict[str, Any] | None = None
    """What the visit received (`None` when the stream lacks its start, e.g. a trimmed recording)."""
    outputs: dict[str, Any] | None = None
    """What the visit handed on: its outputs, or those that replaced them at a breakpoint."""
    original_outputs: dict[str, Any] | None = None
    """The outputs the component returned, kept when they were replaced at a breakpoint."""
    error: BaseException | None = None
    reused: bool = False
    """The visit handed on outputs recorded in a parent run instead of running (a fork)."""
    pauses: list[Pause] = field(default_factory=list)
    """The run's pauses while this visit was in flight: it kept running through them."""
    children: list[ChildRecord] = field(default_factory=list)
    """Spans of other services under the visit, in order of start (a run imported from OpenTelemetry)."""
    ready_at: float | None = None
    """When the component was ready to run, if it had to wait for a concurrency slot or its turn (`ComponentReady`)."""

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
    pauses: list[Pause] = field(default_factory=list)
    """Every pause of the run, in order; the last one is open (`ended_at` is `None`) while the run is paused."""
    ready: dict[str, tuple[float, str]] = field(default_factory=dict)
    """Components ready to run that could not start yet (`ComponentReady`): since when, and why (`limit`: every
    concurrency slot taken; `turn`: another must run first). Not running, and not waiting for inputs either."""
    _by_visit: dict[int, ComponentSpan] = field(default_factory=dict, repr=False)
    children: list[ChildRecord] = field(default_factory=list)
    """Every child span of the run so far, in arrival order (each is also on its visit's record)."""
    _orphans: dict[int, list[ChildRecord]] = field(default_factory=dict, repr=False)
    """Child spans of visits whose start has not been seen yet, attached when it is."""
    _by_component: dict[str, list[ComponentSpan]] = field(default_factory=dict, repr=False)
    """Each component's visits in order of start (a component runs one visit at a time: also order of end)."""
    _changes: int = field(default=0, repr=False)
    """Counts what changed the spans' times or the pauses, so `_idle_pauses` is computed once per change."""
    _idle_cache: tuple[tuple[int, float | None], list[tuple[float, float]]] | None = field(default=None, repr=False)

    @classmethod
    def from_events(cls, events: Iterable[RunEvent]) -> RunSummary:
        summary = cls()
        for event in events:
            summary.apply(event)
        return summary

    @property
    def duration(self) -> float | None:
        """The run's pipeline time (see the module's docstring); `None` until the run ended."""
        return None if self.ended_at is None else self.pipeline_time(self.ended_at)

    @property
    def wall_duration(self) -> float | None:
        """From `RunStarted` to the final event, warm-ups and pauses included; `None` until the run ended."""
        return self.ended_at

    @property
    def warm_up_time(self) -> float:
        """Seconds the run spent warming components up (or waiting for their warm-up) before any visit."""
        return _length(_union(self.warm_ups.values()))

    def paused_time(self, until: float | None = None) -> float:
        """Seconds, up to `until` (default: the run's end, or its last pause's end), during which the run was
        paused with no visit in flight: what pauses took from the run beyond the work done meanwhile."""
        return _length(self._idle_pauses(until))

    def pipeline_time(self, time: float) -> float:
        """A time relative to the run's start, on the pipeline's clock: less the warm-ups and idle pauses before it."""
        return self._clock(time)(time)

    def pipeline_spans(self) -> list[ComponentSpan]:
        """Copies of the finished spans with their times on the pipeline's clock (`pipeline_time`): what
        critical paths and comparisons measure, so pauses and warm-ups never show as waits."""
        clock = self._clock(None)
        return [
            dataclasses.replace(span, started_at=clock(span.started_at), finished_at=clock(span.finished_at))
            for span in self.spans
            if span.finished_at is not None
        ]

    def _clock(self, until: float | None) -> Callable[[float], float]:
        """Relative time -> pipeline time, for times up to `until` (default: the run's end): the excluded
        stretches are computed once, each time is then placed among them by bisection."""
        excluded = _union([*self.warm_ups.values(), *self._idle_pauses(until)])
        starts = [start for start, _ in excluded]
        before = list(itertools.accumulate((end - start for start, end in excluded), initial=0.0))

        def clock(time: float) -> float:
            index = bisect.bisect_right(starts, time)  # stretches starting at or before `time`
            if index == 0:
                return time
            start, end = excluded[index - 1]
            return time - before[index - 1] - (min(end, time) - start)

        return clock

    @property
    def pause(self) -> Pause | None:
        """The pause the run is in now, if any."""
        return self.pauses[-1] if self.pauses and self.pauses[-1].ended_at is None else None

    @property
    def running(self) -> list[ComponentSpan]:
        """Visits executing now (not those that finished while paused, whose completion is queued)."""
        return [span for span in self.spans if span.status == "running"]

    @property
    def queued(self) -> list[ComponentSpan]:
        """Visits that finished while the run is paused, their completions not read yet."""
        return [span for span in self.spans if span.status == "queued"]

    def queue(self, visit_id: int, finished_at: float) -> ComponentSpan | None:
        """Mark a running visit as finished while paused, at `finished_at` (on the run's perf_counter clock): a
        paused live run tells this (`PipelineRun.queued_visits`) before the visit's `ComponentFinished` is read."""
        span = self._by_visit.get(visit_id)
        if span is None or span.status != "running":
            return None
        self._changes += 1
        span.status, span.finished_at = "queued", self.relative(finished_at)
        return span

    def replace_outputs(self, visit_id: int, outputs: dict[str, Any]) -> ComponentSpan | None:
        """Record outputs that replaced the visit's at a breakpoint, keeping those it returned."""
        span = self._by_visit.get(visit_id)
        if span is not None:
            if span.original_outputs is None:
                span.original_outputs = span.outputs
            span.outputs = dict(outputs)
        return span

    def _idle_pauses(self, until: float | None) -> list[tuple[float, float]]:
        """The parts of the pauses (up to `until`) when no visit was executing; kept until an event changes the
        run, as a display asks for the durations on every frame."""
        key = (self._changes, until)
        if self._idle_cache is None or self._idle_cache[0] != key:
            self._idle_cache = (key, self._find_idle_pauses(until))
        return self._idle_cache[1]

    def _find_idle_pauses(self, until: float | None) -> list[tuple[float, float]]:
        limit = until if until is not None else self.ended_at
        pauses = []
        for pause in self.pauses:
            end = pause.ended_at if pause.ended_at is not None else limit
            if end is None:
                continue
            if limit is not None:
                end = min(end, limit)
            if end > pause.started_at:
                pauses.append((pause.started_at, end))
        if not pauses:
            return []
        busy = _union(
            (span.started_at, span.finished_at if span.finished_at is not None else pauses[-1][1])
            for span in self.spans
            if span.status != "held"
        )
        return _subtract(_union(pauses), busy)

    def span(self, visit_id: int) -> ComponentSpan | None:
        return self._by_visit.get(visit_id)

    def spans_of(self, component: str) -> list[ComponentSpan]:
        """The component's visits in order of start."""
        return list(self._by_component.get(component, ()))

    @property
    def components(self) -> list[str]:
        """The components that started, in order of their first start."""
        return list(self._by_component)

    def relative(self, time: float) -> float:
        """A perf_counter time from this run's events, as seconds since the run started."""
        if self.origin is None:
            raise ValueError("The run has not started: apply its RunStarted event first.")
        return time - self.origin

    def apply(self, event: RunEvent) -> ComponentSpan | None:
        """Fold one event in; return the span it created or changed, if any."""
        self._changes += 1
        if isinstance(event, RunStarted):
            self.run_id, self.origin, self.wall_time = event.run_id, event.time, event.wall_time
            self.inputs, self.status = event.inputs, "running"
            return None
        if self.origin is None:
            raise ValueError(f"{type(event).__name__} arrived before RunStarted; a run's events start with it.")
        match event:
            case ComponentReady():
                self.ready[event.component] = (self.relative(event.time), event.reason)
                return None
            case ComponentStarted():
                waited = self.ready.pop(event.component, None)
                span = ComponentSpan(
                    component=event.component,
                    visit=event.visit,
                    visit_id=event.visit_id,
                    started_at=self.relative(event.time),
                    finished_at=None,
                    mode=event.mode,
                    thread=None,
                    inputs=event.inputs,
                    reused=event.reused,
                    ready_at=None if waited is None else waited[0],
                )
                self._add(span)
                return span
            case ComponentFinished() | ComponentFailed():
                span = self._span_for(event.visit_id, event.component, event.visit, event.mode, event.started_at)
                span.started_at = self.relative(event.started_at)
                span.finished_at = self.relative(event.finished_at)
                span.thread = event.thread
                span.pauses = [pause for pause in span.pauses if pause.started_at < span.finished_at]
                if isinstance(event, ComponentFailed):
                    span.status, span.traceback, span.error = "failed", event.traceback, event.error
                else:
                    span.status, span.outputs = "finished", event.outputs
                    span.reused = span.reused or event.reused
                return span
            case ComponentCancelled():
                span = self._span_for(event.visit_id, event.component, event.visit, None, event.started_at)
                span.finished_at = self.relative(event.time)
                span.status = "cancelled"
                return span
            case RunPaused():
                if self.pause is None:
                    pause = Pause(self.relative(event.time), None, event.reason, event.component, event.visit_id)
                    self.pauses.append(pause)
                    held = self._by_visit.get(event.held_visit_id)
                    if held is not None and held.status == "running":
                        held.status = "held"
                    for running in self.spans:
                        if running.status in ("running", "queued"):
                            running.pauses.append(pause)
                return None
            case RunResumed():
                if (open_pause := self.pause) is not None:
                    open_pause.ended_at = self.relative(event.time)
                for held in self.spans:
                    if held.status == "held":  # it begins now (its ComponentFinished will say exactly when)
                        held.status, held.started_at = "running", self.relative(event.time)
                return None
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
            case OutputsReplaced():
                return self.replace_outputs(event.visit_id, event.outputs)
            case ChildSpan():
                self._child(event)
                return self._by_visit.get(event.visit_id)
            case ComponentLogged():
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
            self._add(span)
        return span

    def _add(self, span: ComponentSpan) -> None:
        self.spans.append(span)
        self._by_visit[span.visit_id] = span
        self._by_component.setdefault(span.component, []).append(span)
        span.children = self._orphans.pop(span.visit_id, [])

    def children_of(self, visit_id: int) -> list[ChildRecord]:
        """The visit's child spans in order of start (none for most visits)."""
        span = self._by_visit.get(visit_id)
        return list(span.children if span is not None else self._orphans.get(visit_id, ()))

    def _child(self, event: ChildSpan) -> ChildRecord:
        record = ChildRecord(
            visit_id=event.visit_id,
            component=event.component,
            name=event.name,
            started_at=self.relative(event.started_at),
            finished_at=self.relative(event.finished_at),
            status=event.status,
            status_message=event.status_message,
            service=event.service,
            attributes=event.attributes,
        )
        self.children.append(record)
        span = self._by_visit.get(event.visit_id)
        siblings = span.children if span is not None else self._orphans.setdefault(event.visit_id, [])
        siblings.append(record)
        siblings.sort(key=lambda child: child.started_at)
        return record

    def _end(self, status: RunStatus, time: float, outputs: dict[str, dict[str, Any]]) -> None:
        self.status, self.ended_at, self.outputs = status, self.relative(time), dict(outputs)
        self.ready.clear()
        if (open_pause := self.pause) is not None:
            open_pause.ended_at = self.ended_at


def _union(intervals: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """Sorted, disjoint intervals covering the same time as `intervals`."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(
    intervals: Sequence[tuple[float, float]], cut: Sequence[tuple[float, float]]
) -> list[tuple[float, float]]:
    """The parts of sorted disjoint `intervals` outside sorted disjoint `cut`."""
    left: list[tuple[float, float]] = []
    for start, end in intervals:
        for cut_start, cut_end in cut:
            if cut_end <= start or cut_start >= end:
                continue
            if cut_start > start:
                left.append((start, cut_start))
            start = max(start, cut_end)
            if start >= end:
                break
        if start < end:
            left.append((start, end))
    return left


def _length(intervals: Iterable[tuple[float, float]]) -> float:
    return sum(end - start for start, end in intervals)
