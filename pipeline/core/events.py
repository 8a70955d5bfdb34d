"""The typed events of a pipeline run: the single source of truth for everything that observes a run.

A run is a stream of these events. Live runs produce them from the scheduler; recordings store them; replays
yield them again; the debugger, timelines and exports consume them. Times are `time.perf_counter()` seconds
(a monotonic clock); `RunStarted.wall_time` anchors them to the calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, TypeAlias

ExecutionMode = Literal["sync", "async"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunStarted:
    run_id: str
    time: float
    wall_time: float
    inputs: dict[str, dict[str, Any]]
    """Inputs per component and socket, after flat inputs were resolved."""
    concurrency_limit: int
    include_outputs_from: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentWarmedUp:
    """A component's `warm_up()` finished; it ran in a worker thread before any component started."""

    run_id: str
    time: float
    component: str
    started_at: float
    finished_at: float
    waited: bool = False
    """The run did not warm the component up itself: it waited for a `warm_up()` another caller had started (the
    debugger warms a pipeline up as it loads). The time is the wait, still time the run spent before any visit."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentReady:
    """A component has every input it needs but cannot start yet: `concurrency_limit` visits are running
    (`reason="limit"`), or its turn has not come (`"turn"`: a component with a greedy input runs alone first, or a
    round of `Pipeline` is still running). Its `ComponentStarted` follows once it can start."""

    run_id: str
    time: float
    component: str
    reason: Literal["limit", "turn"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentStarted:
    run_id: str
    time: float
    visit_id: int
    """Unique within the run; counts component starts from 1."""
    component: str
    visit: int
    """How many times this component has started in this run, this start included."""
    inputs: dict[str, Any]
    mode: ExecutionMode
    reused: bool = False
    """The visit is not executed: its outputs are reused from a recorded run (a fork)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentProgress:
    """A running component reported how far it got (see `pipeline.report_progress`)."""

    run_id: str
    time: float
    visit_id: int
    component: str
    done: int
    total: int | None
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentLogged:
    """A running component printed a line, issued a warning or emitted a log record (see
    `PipelineRun(capture_logs=True)`), attributed to its visit, so recordings and replays show it too."""

    run_id: str
    time: float
    visit_id: int
    component: str
    level: str
    """`stdout` or `stderr` for prints, `warning` for warnings, the lower-cased level name for log records."""
    logger: str
    """The logger's name for log records; empty for prints and warnings."""
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentFinished:
    run_id: str
    time: float
    visit_id: int
    component: str
    visit: int
    outputs: dict[str, Any]
    started_at: float
    finished_at: float
    mode: ExecutionMode
    thread: str
    """Name of the thread that executed the component (the event loop's thread for async components)."""
    reused: bool = False
    """The outputs come from a recorded run instead of an execution (a fork)."""

    @property
    def duration(self) -> float:
        return self.finished_at - self.started_at


@dataclass(frozen=True, slots=True, kw_only=True)
class OutputsReplaced:
    """The consumer replaced a finished component's outputs (at a breakpoint) before they were delivered."""

    run_id: str
    time: float
    visit_id: int
    component: str
    outputs: dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentFailed:
    run_id: str
    time: float
    visit_id: int
    component: str
    visit: int
    error: BaseException
    traceback: str
    started_at: float
    finished_at: float
    mode: ExecutionMode
    thread: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ComponentCancelled:
    """A component that was still running when the run failed or was cancelled, and did not finish."""

    run_id: str
    time: float
    visit_id: int
    component: str
    visit: int
    started_at: float
    mode: ExecutionMode


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFinished:
    run_id: str
    time: float
    outputs: dict[str, dict[str, Any]]
    stranded: dict[str, list[str]] = field(default_factory=dict)
    """Components that received some inputs but never ran, with the mandatory sockets they still miss."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunFailed:
    run_id: str
    time: float
    error: BaseException
    """A `PipelineRuntimeError` (or subclass) naming the component at fault, with the partial outputs."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunCancelled:
    run_id: str
    time: float
    outputs: dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChildSpan:
    """A span another service (or an instrumented client) opened under a component's visit, e.g. an HTTP or LLM
    call, as traces imported from OpenTelemetry carry it. Emitted when the span ended; times on the run's clock."""

    run_id: str
    time: float
    visit_id: int
    component: str
    name: str
    started_at: float
    finished_at: float
    attributes: dict[str, Any]
    status: Literal["unset", "ok", "error"]
    status_message: str = ""
    service: str = ""
    """The `service.name` of the process that recorded the span."""
    span_id: str = ""
    parent_span_id: str = ""
    """Hex ids, so nested child spans (an HTTP call inside an LLM call) can be drawn as nested."""

    @property
    def duration(self) -> float:
        return self.finished_at - self.started_at


PauseReasonKind: TypeAlias = Literal["breakpoint", "step", "user", "seek"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RunPaused:
    """The consumer stopped asking for events (a breakpoint, a step, a pause): from `time` on, nothing new starts
    until `RunResumed`. Visits in flight keep running; their completions queue up. A pause is not pipeline time."""

    run_id: str
    time: float
    reason: PauseReasonKind
    component: str = ""
    """The component whose event the consumer paused on ("" when it paused on a run-level event)."""
    visit_id: int = 0
    """That event's visit (0 when none)."""
    held_visit_id: int = 0
    """A visit the pause holds back (0: none): its `ComponentStarted` was the last event read, so it has not begun
    executing and will not until `RunResumed` (see "Back-pressure" in docs/engine.md)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunResumed:
    """The consumer asked for events again after a `RunPaused`."""

    run_id: str
    time: float


RunEvent: TypeAlias = (
    RunStarted
    | ComponentWarmedUp
    | ComponentReady
    | ComponentStarted
    | ComponentProgress
    | ComponentLogged
    | ComponentFinished
    | OutputsReplaced
    | ComponentFailed
    | ComponentCancelled
    | RunFinished
    | RunFailed
    | RunCancelled
    | ChildSpan
    | RunPaused
    | RunResumed
)
TERMINAL_EVENTS = (RunFinished, RunFailed, RunCancelled)


class EventStream(Protocol):
    """What a consumer of a run sees, live or replayed.

    Back-pressure: the producer does no work while the consumer is not awaiting the next event. In a live run
    no component starts until the consumer asks for the next event; components already running keep running
    and their completions queue up. A debugger pauses at a breakpoint simply by not asking.
    """

    run_id: str

    def __aiter__(self) -> EventStream: ...

    async def __anext__(self) -> RunEvent: ...

    def cancel(self) -> None: ...

    async def aclose(self) -> None: ...

    async def __aenter__(self) -> EventStream: ...

    async def __aexit__(self, *exc_info: object) -> None: ...
