"""The seed's experiment, measured: the same queries run one after another, then all at once.

`compare_execution` runs both modes and keeps every run's full event list, so a comparison can be recorded,
replayed and exported like any run. The figures (overlap, concurrency, critical paths) are pure functions over
spans, so they work the same on a live comparison, a recorded one, or spans written by hand in a test.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, TypeVar

from pipeline.core.errors import PipelineValidationError
from pipeline.core.events import EventStream, RunEvent
from pipeline.core.pipeline import PipelineBase
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.spans import RunStatus, RunSummary

Mode = Literal["sequential", "concurrent"]
EventCallback = Callable[[Mode, int, RunEvent], None]
StreamWrapper = Callable[[Mode, int, PipelineRun], EventStream]
"""Wraps each run's event stream before it is read, e.g. in a recorder that writes it to a run file."""
"""`on_event(mode, query_index, event)`: sees every event of every run as it arrives, for a live display."""


class Span(Protocol):
    """What the critical path needs of a visit; `ComponentSpan` and `QuerySpan` both qualify."""

    @property
    def component(self) -> str: ...

    @property
    def started_at(self) -> float: ...

    @property
    def finished_at(self) -> float | None: ...


SpanT = TypeVar("SpanT", bound=Span)


@dataclass(frozen=True, slots=True)
class QuerySpan:
    """One visit of one query's run, in seconds since its mode started, so runs of a mode share one clock."""

    query: int
    component: str
    visit: int
    started_at: float
    finished_at: float

    @property
    def duration(self) -> float:
        return self.finished_at - self.started_at


@dataclass(frozen=True, slots=True)
class ComponentOverlap:
    """A component's busy time in one mode, and how much of it ran alongside other visits."""

    busy: float
    overlapped: float
    """Time during which some other visit (of any query) was running too."""
    with_other_queries: float
    """Time during which a visit of another query was running: what running queries concurrently adds."""

    @property
    def overlapped_share(self) -> float:
        return self.overlapped / self.busy if self.busy else 0.0

    @property
    def other_queries_share(self) -> float:
        return self.with_other_queries / self.busy if self.busy else 0.0


@dataclass(frozen=True, slots=True)
class ConcurrencyProfile:
    """How many visits ran at once: the peak, and the time-weighted mean from the first start to the last end."""

    peak: int
    mean: float


@dataclass(frozen=True, slots=True)
class PathStep:
    component: str
    started_at: float
    finished_at: float
    waited: float
    """Time between the previous step's end (or the run's start, for the first step) and this step's start."""

    @property
    def duration(self) -> float:
        return self.finished_at - self.started_at


@dataclass(frozen=True, slots=True)
class CriticalPath:
    """The chain of visits that decided when a run ended: its busy time plus its waits is the run's makespan."""

    steps: tuple[PathStep, ...]

    @property
    def busy(self) -> float:
        return sum(step.duration for step in self.steps)

    @property
    def waited(self) -> float:
        return sum(step.waited for step in self.steps)

    @property
    def total(self) -> float:
        return self.steps[-1].finished_at if self.steps else 0.0

    @property
    def components(self) -> list[str]:
        return [step.component for step in self.steps]


@dataclass(slots=True)
class QueryRun:
    """One query's run in one mode: everything it emitted, folded into a summary, and its critical path."""

    query: int
    inputs: dict[str, Any]
    events: list[RunEvent]
    summary: RunSummary
    critical_path: CriticalPath
    raised: BaseException | None = None
    """An exception the event stream itself raised (the run then has no final event)."""

    @property
    def status(self) -> RunStatus:
        return "failed" if self.raised is not None else self.summary.status

    @property
    def error(self) -> BaseException | None:
        return self.raised or self.summary.error

    @property
    def started_at(self) -> float | None:
        """`RunStarted.time` on the monotonic clock; `None` if the run never started."""
        return self.summary.origin

    @property
    def ended_at(self) -> float | None:
        """The time of the run's last event (its final one, unless the stream raised)."""
        return self.events[-1].time if self.events else None

    @property
    def duration(self) -> float:
        """Pipeline time up to the run's last event: warm-ups and pauses left out (see `RunSummary.duration`)."""
        if self.started_at is None or self.ended_at is None:
            return 0.0
        return self.summary.pipeline_time(self.ended_at - self.started_at)


@dataclass(slots=True)
class ModeResult:
    """The runs of one mode and what they add up to."""

    mode: Mode
    runs: list[QueryRun]
    origin: float
    """The first `RunStarted.time` of the mode: zero of `spans` and of the timeline."""
    wall_time: float
    """From the first `RunStarted` to the last final event, on the monotonic clock."""
    spans: list[QuerySpan]
    overlap: dict[str, ComponentOverlap]
    profile: ConcurrencyProfile

    @classmethod
    def from_runs(cls, mode: Mode, runs: list[QueryRun]) -> ModeResult:
        started = [
            (run, run_start, run_end)
            for run in runs
            if (run_start := run.started_at) is not None and (run_end := run.ended_at) is not None
        ]
        origin = min((run_start for _, run_start, _ in started), default=0.0)
        end = max((run_end for _, _, run_end in started), default=origin)
        spans = sorted(
            (
                QuerySpan(
                    query=run.query,
                    component=span.component,
                    visit=span.visit,
                    started_at=run_start - origin + span.started_at,
                    finished_at=run_start - origin + span.finished_at,
                )
                for run, run_start, _ in started
                for span in run.summary.spans
                if span.finished_at is not None
            ),
            key=lambda span: span.started_at,
        )
        return cls(mode, runs, origin, end - origin, spans, overlap(spans), concurrency_profile(spans))

    @property
    def failed(self) -> list[QueryRun]:
        return [run for run in self.runs if run.status != "finished"]

    @property
    def slowest(self) -> QueryRun:
        return max(self.runs, key=lambda run: run.duration)


@dataclass(slots=True)
class Comparison:
    queries: list[dict[str, Any]]
    sequential: ModeResult
    concurrent: ModeResult
    warm_up: float
    """Seconds spent warming components up before either mode, so neither mode's time includes it."""

    @property
    def modes(self) -> tuple[ModeResult, ModeResult]:
        return self.sequential, self.concurrent

    @property
    def speedup(self) -> float | None:
        """Sequential wall time over concurrent wall time; `None` if the concurrent mode took no time."""
        if not self.concurrent.wall_time:
            return None
        return self.sequential.wall_time / self.concurrent.wall_time

    @property
    def failed(self) -> list[tuple[Mode, QueryRun]]:
        return [(result.mode, run) for result in self.modes for run in result.failed]


async def compare_execution(
    pipeline: PipelineBase,
    queries: Sequence[Mapping[str, Any]],
    *,
    include_outputs_from: Iterable[str] | None = None,
    concurrency_limit: int = 4,
    on_event: EventCallback | None = None,
    wrap: StreamWrapper | None = None,
) -> Comparison:
    """Run every query sequentially, then all concurrently, and compare the two.

    Invalid inputs raise `PipelineValidationError` before anything runs. A query that fails while running is
    recorded in its `QueryRun` (status, error, events so far) and the comparison goes on.
    """
    include = frozenset(include_outputs_from or ())
    inputs = [dict(query) for query in queries]
    connections = list(pipeline.connections())

    def start_runs() -> list[PipelineRun]:
        runs = []
        for index, data in enumerate(inputs):
            try:
                runs.append(pipeline.events(data, include_outputs_from=include, concurrency_limit=concurrency_limit))
            except ValueError as exc:
                raise PipelineValidationError(f"Query {index + 1}: {exc}") from exc
        return runs

    sequential_runs = start_runs()
    warm_up_started = time.perf_counter()
    # A failing warm_up() is left for the runs to meet: each then fails with the component named, as any run does.
    with contextlib.suppress(Exception):
        await asyncio.to_thread(pipeline.warm_up)
    warm_up = time.perf_counter() - warm_up_started

    sequential = [
        await _consume(
            "sequential", index, inputs[index], _wrapped("sequential", index, run, wrap), connections, on_event
        )
        for index, run in enumerate(sequential_runs)
    ]
    async with asyncio.TaskGroup() as group:  # like asyncio.gather in the seed, but siblings stop on Ctrl-C
        tasks = [
            group.create_task(
                _consume(
                    "concurrent", index, inputs[index], _wrapped("concurrent", index, run, wrap), connections, on_event
                )
            )
            for index, run in enumerate(start_runs())
        ]
    return Comparison(
        queries=inputs,
        sequential=ModeResult.from_runs("sequential", sequential),
        concurrent=ModeResult.from_runs("concurrent", [task.result() for task in tasks]),
        warm_up=warm_up,
    )


def _wrapped(mode: Mode, index: int, run: PipelineRun, wrap: StreamWrapper | None) -> EventStream:
    return run if wrap is None else wrap(mode, index, run)


async def _consume(
    mode: Mode,
    index: int,
    inputs: dict[str, Any],
    run: EventStream,
    connections: Sequence[tuple[str, str, str, str]],
    on_event: EventCallback | None,
) -> QueryRun:
    """Read one run to its end; an exception from the stream is kept with the run, not raised."""
    events: list[RunEvent] = []
    raised: Exception | None = None
    try:
        async with run:
            async for event in run:
                events.append(event)
                if on_event is not None:
                    on_event(mode, index, event)
    except Exception as exc:
        raised = exc
    summary = RunSummary.from_events(events)
    return QueryRun(index, inputs, events, summary, critical_path(summary.pipeline_spans(), connections), raised)


# -- figures over spans ------------------------------------------------------------------------------------------


def overlap(spans: Sequence[QuerySpan]) -> dict[str, ComponentOverlap]:
    """Per component (in order of first start): busy time, and the part of it other visits ran alongside."""
    busy: dict[str, float] = {}
    overlapped: dict[str, float] = {}
    across: dict[str, float] = {}
    for span in sorted(spans, key=lambda span: span.started_at):
        busy[span.component] = busy.get(span.component, 0.0) + span.duration
        overlapped.setdefault(span.component, 0.0)
        across.setdefault(span.component, 0.0)
    for length, active in _segments(spans):
        if len(active) < 2:
            continue
        queries = {span.query for span in active}
        for span in active:
            overlapped[span.component] += length
            if len(queries) > 1:
                across[span.component] += length
    return {name: ComponentOverlap(busy[name], overlapped[name], across[name]) for name in busy}


def concurrency_profile(spans: Sequence[Span]) -> ConcurrencyProfile:
    """The most visits running at one moment, and how many ran on average between first start and last end.
    Only finished visits count (a comparison's, or a run's at its end)."""
    ended = [(span.started_at, span.finished_at) for span in spans if span.finished_at is not None]
    if not ended:
        return ConcurrencyProfile(0, 0.0)
    window = max(end for _, end in ended) - min(start for start, _ in ended)
    peak = max((len(active) for _, active in _segments(spans)), default=0)
    busy = sum(end - start for start, end in ended)
    return ConcurrencyProfile(peak, busy / window if window else 0.0)


def critical_path(spans: Sequence[Span], connections: Iterable[tuple[str, str, str, str]]) -> CriticalPath:
    """Walk back from the visit that finished last: each step's predecessor is the visit of one of its senders
    that finished latest before it started. Times are the spans' own (relative to the run's start): pass
    `RunSummary.pipeline_spans()` so that pauses and warm-ups do not count as waits."""
    senders: dict[str, set[str]] = {}
    for sender, _, receiver, _ in connections:
        senders.setdefault(receiver, set()).add(sender)
    # Start order, so a predecessor is always an earlier span and the walk cannot cycle (loops, zero durations).
    ended = sorted(
        (
            PathStep(span.component, span.started_at, span.finished_at, 0.0)
            for span in spans
            if span.finished_at is not None
        ),
        key=lambda span: span.started_at,
    )
    if not ended:
        return CriticalPath(())
    # Ties go to the later start: the visit that began last is the one the others led to.
    position: int | None = max(range(len(ended)), key=lambda index: (ended[index].finished_at, index))
    visits: dict[str, list[int]] = {}  # each component's visits, in start order: a step looks at its senders' only
    for index, span in enumerate(ended):
        visits.setdefault(span.component, []).append(index)
    chain = []
    while position is not None:
        current = ended[position]
        chain.append(current)
        candidates = [
            index
            for sender in senders.get(current.component, ())
            for index in visits.get(sender, [])[: bisect_left(visits.get(sender, []), position)]
            if ended[index].finished_at <= current.started_at
        ]
        position = max(candidates, key=lambda index: (ended[index].finished_at, index), default=None)
    chain.reverse()
    steps = []
    previous_end = 0.0
    for span in chain:
        steps.append(PathStep(span.component, span.started_at, span.finished_at, span.started_at - previous_end))
        previous_end = span.finished_at
    return CriticalPath(tuple(steps))


def _segments(spans: Sequence[SpanT]) -> Iterator[tuple[float, list[SpanT]]]:
    """The stretches of time between span boundaries, each with the spans running throughout it.

    Spans that merely touch (one ends as the other starts) never share a stretch; zero-length spans are in none.
    """
    boundaries = sorted(
        itertools.chain.from_iterable(
            ((span.started_at, 1, index), (span.finished_at, 0, index))
            for index, span in enumerate(spans)
            if span.finished_at is not None and span.finished_at > span.started_at
        )
    )
    active: set[int] = set()
    previous = 0.0
    for moment, is_start, index in boundaries:
        if active and moment > previous:
            yield moment - previous, [spans[i] for i in sorted(active)]
        previous = moment
        if is_start:
            active.add(index)
        else:
            active.discard(index)
