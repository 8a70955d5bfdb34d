"""The scheduler: runs a compiled plan and produces the run's event stream, one event per `__anext__`.

Readiness follows Haystack's AsyncPipeline rules. A component may run once it has every mandatory input and a
trigger (a value from a predecessor, or, on its first visit, a pipeline input or no possible senders at all):

- HIGHEST: a GreedyVariadic socket holds a value. Runs alone, once nothing else is running.
- READY: every connected sender has delivered (a value, or word that it produced none). Runs concurrently,
  up to `concurrency_limit`.
- DEFER / DEFER_LAST: runnable, but some senders may still deliver (DEFER_LAST: a Variadic socket is still
  waiting too). Runs only when nothing is running and nothing is READY, earliest in topological order first.

Each delivery re-evaluates only its receiver, by counters over the receiver's sockets, so the work per component
visit and per connection is constant, whatever the size of the pipeline.

Back-pressure: the scheduler works only inside `__anext__`. Between two calls nothing new starts; components
already running finish and their completions wait in a queue. A finished component's outputs are delivered to
its receivers on the *next* call, so a consumer paused on a `ComponentFinished` can still replace them.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import contextvars
import copy
import heapq
import logging
import threading
import time
import traceback
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Literal, Self, TypeGuard

from pipeline.core.errors import (
    PipelineComponentsBlockedError,
    PipelineMaxComponentRuns,
    PipelineRuntimeError,
    PipelineValidationError,
)
from pipeline.core.events import (
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentLogged,
    ComponentProgress,
    ComponentReady,
    ComponentStarted,
    ComponentWarmedUp,
    OutputsReplaced,
    PauseReasonKind,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.core.logs import LogSink, acquire_hooks, release_hooks, set_log_sink
from pipeline.core.plan import Connection, ExecutionPlan, NodePlan
from pipeline.core.progress import Visit, enter_visit
from pipeline.core.type_utils import type_name, value_matches_type
from pipeline.core.workers import WorkerThreads
from pipeline.tracing.run_spans import RunSpans
from pipeline.tracing.tracer import is_tracing_enabled

logger = logging.getLogger(__name__)

STOP_GRACE_SECONDS = 2.0
"""How long a stop or a failure waits for components in flight before abandoning them (sync ones cannot be
interrupted: they are waited for, up to this long)."""


class _NoOutput:
    """Delivered when a sender ran without producing the connected output, so receivers know it executed."""

    def __repr__(self) -> str:
        return "<no output>"


NO_OUTPUT: Any = _NoOutput()
WAITED: Literal["waited"] = "waited"
"""What a warm-up callable returns when it did not warm up itself but waited for a warm-up another caller runs;
`True` when it warmed the component up, `False` when there was nothing to do."""
WarmUp = Callable[[], bool | Literal["waited"]]
_IMMUTABLE = frozenset({str, int, float, bool, bytes, type(None), complex, frozenset})


class Priority(IntEnum):
    HIGHEST = 1
    READY = 2
    DEFER = 3
    DEFER_LAST = 4
    BLOCKED = 5


class _Socket:
    """What one input socket of one component holds between two visits."""

    __slots__ = ("done", "entries", "real", "valued")

    def __init__(self) -> None:
        self.entries: list[tuple[str | None, Any, int]] = []
        """(sender or None for the caller, value, visit id of the sending visit or 0 for the caller)."""
        self.done: set[str] = set()
        """Senders that delivered since the last visit, with a value or with NO_OUTPUT."""
        self.valued: set[str] = set()
        self.real = 0
        """Entries holding a value (from a sender or from the caller)."""


@dataclass(slots=True)
class _Outcome:
    outputs: Any
    error: BaseException | None
    started_at: float
    finished_at: float
    thread: str


@dataclass(slots=True)
class _Visit:
    node: NodePlan
    visit_id: int
    visit: int
    task: asyncio.Task[_Outcome] | None
    """None until the consumer asks for the event after the visit's `ComponentStarted` (see `_launch`)."""
    started_at: float
    reused: bool
    context: contextvars.Context
    """The context the component runs in: its tracing span is opened and closed there."""
    inputs: dict[str, Any]
    recorded: dict[str, Any] | None
    """The outputs a reused visit hands on instead of running."""


_Completion = asyncio.Task[_Outcome] | ComponentProgress | ComponentLogged | None


@dataclass(slots=True)
class _Delivery:
    node: NodePlan
    visit_id: int
    outputs: dict[str, Any]


def _isolate(inputs: dict[str, Any]) -> dict[str, Any]:
    """Deep-copy inputs so a component that mutates them cannot change what others or the events hold."""
    isolated = {}
    for key, value in inputs.items():
        if type(value) in _IMMUTABLE:
            isolated[key] = value
            continue
        try:
            isolated[key] = copy.deepcopy(value)
        except Exception:  # uncopyable values (clients, locks) are shared as they are
            isolated[key] = value
    return isolated


def _call_sync(run: Callable[..., Any], inputs: dict[str, Any]) -> _Outcome:
    started = time.perf_counter()
    try:
        outputs, error = run(**inputs), None
    except BaseException as exc:
        outputs, error = None, exc
    return _Outcome(outputs, error, started, time.perf_counter(), threading.current_thread().name)


async def _call_async(run: Callable[..., Any], inputs: dict[str, Any]) -> _Outcome:
    started = time.perf_counter()
    try:
        outputs, error = await run(**inputs), None
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        outputs, error = None, exc
    return _Outcome(outputs, error, started, time.perf_counter(), threading.current_thread().name)


class PipelineRun:
    """One run of a pipeline, consumed as an async iterator of `RunEvent`s.

    Use it as `async with pipeline.events(data) as run: async for event in run: ...`; leaving the block early
    cancels the components still in flight and waits for them, so no task or thread outlives the run.
    """

    def __init__(
        self,
        plan: ExecutionPlan,
        data: dict[str, Any] | None,
        *,
        include_outputs_from: set[str] | frozenset[str] | None = None,
        concurrency_limit: int = 4,
        max_runs_per_component: int = 100,
        warm_ups: dict[str, WarmUp] | None = None,
        reuse_outputs: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
        override_inputs: Mapping[tuple[str, int], Mapping[str, Any]] | None = None,
        trace_operation: str = "haystack.async_pipeline.run",
        metadata: dict[str, Any] | None = None,
        in_rounds: bool = False,
        capture_logs: bool = False,
    ) -> None:
        """`reuse_outputs` maps `(component, visit)` to outputs to hand on instead of executing that visit, and
        `override_inputs` to inputs that replace what that visit would receive: together they fork a recorded
        run from a chosen visit. While tracing is enabled, the run reports spans named `trace_operation`.

        `in_rounds` schedules as Haystack's `Pipeline` does: the components ready at one moment run, in name order,
        before any that became ready meanwhile (its queue is refilled only when nothing in it is ready)."""
        if concurrency_limit < 1:
            raise PipelineValidationError(f"concurrency_limit must be at least 1, got {concurrency_limit}.")
        unknown = sorted(set(include_outputs_from or ()) - set(plan.nodes))
        if unknown:
            raise PipelineValidationError(f"include_outputs_from names unknown component(s): {', '.join(unknown)}.")
        self.run_id = uuid.uuid4().hex
        self._plan = plan
        self._inputs = plan.prepare_inputs(data)
        self._include = frozenset(include_outputs_from or ())
        self._limit = concurrency_limit
        self._max_runs = max_runs_per_component
        self._warm_ups = dict(warm_ups or {})
        self._reuse = {key: dict(outputs) for key, outputs in (reuse_outputs or {}).items()}
        self._overrides = {key: dict(inputs) for key, inputs in (override_inputs or {}).items()}
        for component, _ in (*self._reuse, *self._overrides):
            if component not in plan.nodes:
                raise PipelineValidationError(f"Cannot reuse or override a visit of unknown component '{component}'.")
        for (component, _), inputs in self._overrides.items():
            unknown_sockets = sorted(set(inputs) - set(plan.nodes[component].sockets))
            if unknown_sockets:
                raise PipelineValidationError(
                    f"'{component}' has no input socket(s) {', '.join(unknown_sockets)} to override."
                )

        self._events: deque[RunEvent] = deque()
        self._state: dict[str, dict[str, _Socket]] = {name: {} for name in plan.nodes}
        self._visits: dict[str, int] = dict.fromkeys(plan.nodes, 0)
        self._priority: dict[str, Priority] = {}
        self._ready: list[str] = []
        self._highest: list[str] = []
        """Heaps of names: equally ready components start in name order, as in Haystack."""
        self._in_rounds = in_rounds
        self._capture_logs = capture_logs
        """Prints, warnings and log records of the visits become `ComponentLogged` events (`pipeline.core.logs`)."""
        self._capturing = False
        self._unlaunched: dict[int, _Visit] = {}
        """Visits whose `ComponentStarted` has not been read yet, by visit id: they do not execute before it is."""
        self._handed: _Visit | None = None
        """The visit whose `ComponentStarted` was read last: it executes when the consumer asks for more."""
        self._next_round: list[str] = []
        """With `in_rounds`: components that became ready while a round was running."""
        self._deferred: dict[str, Priority] = {}
        self._touched: set[str] = set(plan.nodes)
        self._fresh: list[str] = []
        """Components that became ready to run since `_announce_waits` last looked."""
        self._running: dict[str, _Visit] = {}
        self._visit_of_task: dict[asyncio.Task[_Outcome], _Visit] = {}
        self._completed: asyncio.Queue[_Completion] | None = None
        """Finished visits, progress and log lines, in arrival order; None wakes the consumer after `cancel()`."""
        self._delivery: _Delivery | None = None
        self._outputs: dict[str, dict[str, Any]] = {}
        self._visit_count = 0
        self._executor: WorkerThreads | None = None
        self._started = False
        self._finished = False
        self._failure: PipelineRuntimeError | None = None
        self._cancel_requested = False
        self._paused = False
        """Between `mark_paused` and `mark_resumed`."""
        self._spans = (
            RunSpans(trace_operation, plan, dict(metadata or {}), max_runs_per_component)
            if is_tracing_enabled()
            else None
        )

        for name, sockets in self._inputs.items():
            for socket, value in sockets.items():
                self._write(name, socket, None, value, 0)

    # -- the async iterator protocol ------------------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> RunEvent:
        if self._handed is not None:
            visit, self._handed = self._handed, None
            if not (self._finished or self._cancel_requested or self._failure is not None):
                self._launch(visit)
        while not self._events:
            if self._finished:
                raise StopAsyncIteration
            try:
                await self._advance()
            except BaseException:
                await self.aclose()
                raise
        event = self._events.popleft()
        if self._unlaunched and type(event) is ComponentStarted:
            self._handed = self._unlaunched.pop(event.visit_id, None)
        return event

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        """Ask the run to stop: in-flight components are cancelled (async) or awaited (sync), then the stream
        ends with `ComponentCancelled` events and `RunCancelled`."""
        self._cancel_requested = True
        if self._completed is not None:
            self._completed.put_nowait(None)  # wakes a consumer waiting for the next completion

    async def aclose(self) -> None:
        """End the run without further events, cancelling and awaiting whatever is still in flight."""
        if self._finished and not self._running:
            return
        self._finished = True
        await self._stop_in_flight()
        self._shutdown_executor()
        self._end_spans(None)

    # -- what a debugger may ask between two events ----------------------------------------------------------

    @property
    def outputs(self) -> dict[str, dict[str, Any]]:
        """The pipeline outputs produced so far."""
        return self._outputs

    @property
    def running(self) -> list[str]:
        return list(self._running)

    def exposed_outputs(self, event: ComponentFinished) -> dict[str, Any]:
        """The part of a component's outputs that the run returns (see `NodePlan.exposed_outputs`)."""
        return self._plan.nodes[event.component].exposed_outputs(event.outputs, event.component in self._include)

    def queued_completions(self) -> list[str]:
        """Components that finished while the consumer was paused and whose events wait to be read."""
        return [visit.node.name for visit in self._running.values() if visit.task is not None and visit.task.done()]

    def queued_visits(self) -> dict[int, float]:
        """Like `queued_completions`, by visit id: when each such visit's `run` returned (`perf_counter`)."""
        return {
            visit.visit_id: visit.task.result().finished_at
            for visit in self._running.values()
            if visit.task is not None
            and visit.task.done()
            and not visit.task.cancelled()
            and visit.task.exception() is None
        }

    def mark_paused(self, reason: PauseReasonKind, component: str = "", visit_id: int = 0) -> RunPaused | None:
        """Record that the consumer stops asking for events now: a `RunPaused` joins the events not yet read, so
        it is yielded (and recorded) after them, in time order; it is returned too, for a consumer that shows the
        pause before it reads it. Before the run started (its clock starts at `RunStarted`), once its final event
        is decided, or when already paused, this does nothing and returns `None`."""
        if not self._started or self._paused or self._finished:
            return None
        self._paused = True
        paused = RunPaused(
            run_id=self.run_id,
            time=time.perf_counter(),
            reason=reason,
            component=component,
            visit_id=visit_id,
            held_visit_id=self._handed.visit_id if self._handed is not None else 0,
        )
        self._events.append(paused)
        return paused

    def mark_resumed(self) -> RunResumed | None:
        """Record that the consumer asks for events again: closes the pause `mark_paused` opened, if any, and
        returns the `RunResumed` it queued."""
        if not self._paused:
            return None
        self._paused = False
        resumed = RunResumed(run_id=self.run_id, time=time.perf_counter())
        self._events.append(resumed)
        return resumed

    def replace_outputs(self, visit_id: int, outputs: dict[str, Any]) -> None:
        """Replace the outputs of the component whose `ComponentFinished` was just read, before they are delivered.

        Values are checked against the declared output types. The replacement shows in the stream as an
        `OutputsReplaced` event, so recordings and replays see exactly what the rest of the run used.
        """
        delivery = self._delivery
        if delivery is None or delivery.visit_id != visit_id:
            raise PipelineValidationError(
                "Outputs can only be replaced for the component whose ComponentFinished event was read last, "
                "before the next event is requested."
            )
        declared = delivery.node.declared_outputs
        for key, value in outputs.items():
            if declared and key not in declared:
                raise PipelineValidationError(
                    f"'{delivery.node.name}' has no output '{key}'. Its outputs: {', '.join(declared)}."
                )
            if key in declared and not value_matches_type(value, declared[key]):
                raise PipelineValidationError(
                    f"'{delivery.node.name}.{key}' must be {type_name(declared[key])}, got {type(value).__name__}."
                )
        delivery.outputs = dict(outputs)
        self._events.append(
            OutputsReplaced(
                run_id=self.run_id,
                time=time.perf_counter(),
                visit_id=visit_id,
                component=delivery.node.name,
                outputs=delivery.outputs,
            )
        )

    # -- the scheduler ---------------------------------------------------------------------------------------

    async def _advance(self) -> None:
        if not self._started:
            self._start_run()
            return
        if self._warm_ups:
            await self._warm_up_all()
            if self._events:
                return
        if self._delivery is not None:
            delivery, self._delivery = self._delivery, None
            self._deliver(delivery.node, delivery.visit_id, delivery.outputs)
        if self._cancel_requested or self._failure is not None:
            await self._end_abnormally()
            return
        self._schedule()
        self._announce_waits()
        if self._events:
            return
        if self._failure is not None:
            await self._end_abnormally()
            return
        if not self._running:
            self._end_normally()
            return
        assert self._completed is not None
        item = await self._completed.get()
        if isinstance(item, ComponentProgress | ComponentLogged):
            self._events.append(item)
        elif item is not None:
            self._complete(item)

    def _start_run(self) -> None:
        self._started = True
        self._completed = asyncio.Queue()
        if self._capture_logs:
            acquire_hooks()
            self._capturing = True
        started = RunStarted(
            run_id=self.run_id,
            time=time.perf_counter(),
            wall_time=time.time(),
            inputs=self._inputs,
            concurrency_limit=self._limit,
            include_outputs_from=self._include,
        )
        self._events.append(started)
        if self._spans is not None:
            self._spans.run_started(started, self._outputs)

    async def _warm_up_all(self) -> None:
        """Run every component's `warm_up()` in worker threads, concurrently, before anything starts."""
        warm_ups, self._warm_ups = self._warm_ups, {}
        loop = asyncio.get_running_loop()

        def timed(warm_up: WarmUp) -> tuple[bool | str, float, float]:
            started = time.perf_counter()
            warmed = warm_up()
            return warmed, started, time.perf_counter()

        futures = {
            name: loop.run_in_executor(self._thread_pool(), timed, warm_up) for name, warm_up in warm_ups.items()
        }
        for name, future in futures.items():
            try:
                warmed, started, finished = await future
            except Exception as exc:
                await asyncio.gather(*futures.values(), return_exceptions=True)
                instance_type = type(self._plan.nodes[name].instance)
                self._failure = PipelineRuntimeError.from_exception(name, instance_type, exc, {}, during="warm_up")
                return
            if warmed:
                self._events.append(
                    ComponentWarmedUp(
                        run_id=self.run_id,
                        time=time.perf_counter(),
                        component=name,
                        started_at=started,
                        finished_at=finished,
                        waited=warmed == WAITED,
                    )
                )

    def _thread_pool(self) -> WorkerThreads:
        if self._executor is None:
            self._executor = WorkerThreads(max_workers=self._limit, thread_name_prefix="pipedebug-worker")
        return self._executor

    def _schedule(self) -> None:
        """Start every component that may start now, appending a `ComponentStarted` for each."""
        self._reevaluate()
        if (
            self._in_rounds
            and not self._holds(self._highest, Priority.HIGHEST)
            and not self._holds(self._ready, Priority.READY)
        ):
            self._start_round()
        if self._highest:
            if not self._running:
                name = self._pop_valid(self._highest, Priority.HIGHEST)
                if name is not None:
                    self._start(name)
            if self._highest:
                return
        while self._ready and len(self._running) < self._limit:
            name = self._pop_valid(self._ready, Priority.READY)
            if name is None:
                break
            self._start(name)
            if self._failure is not None:
                return
        if not self._running and not self._ready and self._deferred:
            # As Haystack: DEFER and DEFER_LAST tie, broken by topological order, then name.
            name = min(self._deferred, key=lambda n: (self._plan.nodes[n].order, n.lower()))
            self._start(name)

    def _holds(self, heap: list[str], priority: Priority) -> bool:
        """Whether the heap still has a component of that priority (stale entries are dropped)."""
        while heap and self._priority.get(heap[0]) is not priority:
            heapq.heappop(heap)
        return bool(heap)

    def _start_round(self) -> None:
        waiting, self._next_round = self._next_round, []
        for name in waiting:
            priority = self._priority.get(name)
            if priority is Priority.READY:
                heapq.heappush(self._ready, name)
            elif priority is Priority.HIGHEST:
                heapq.heappush(self._highest, name)

    def _pop_valid(self, heap: list[str], priority: Priority) -> str | None:
        while heap:
            name = heapq.heappop(heap)
            if self._priority.get(name) is priority:
                return name
        return None

    def _reevaluate(self) -> None:
        for name in self._touched:
            old = self._priority.get(name)
            new = Priority.BLOCKED if name in self._running else self._compute_priority(self._plan.nodes[name])
            if new is old:
                continue
            if old in (Priority.DEFER, Priority.DEFER_LAST):
                del self._deferred[name]
            if new is Priority.BLOCKED:
                self._priority.pop(name, None)
                continue
            self._priority[name] = new
            if new in (Priority.READY, Priority.HIGHEST):
                self._fresh.append(name)
            if self._in_rounds and new in (Priority.READY, Priority.HIGHEST):
                self._next_round.append(name)
            elif new is Priority.READY:
                heapq.heappush(self._ready, name)
            elif new is Priority.HIGHEST:
                heapq.heappush(self._highest, name)
            else:
                self._deferred[name] = new
        self._touched.clear()

    def _announce_waits(self) -> None:
        """A `ComponentReady` for each component that became ready to run but could not start now (a full set of
        `concurrency_limit` visits, or its turn not come), so a consumer can tell it from one still missing inputs.
        Only those that became ready since the last call are looked at: constant work per visit."""
        fresh, self._fresh = self._fresh, []
        if self._failure is not None or self._cancel_requested:
            return
        for name in dict.fromkeys(fresh):
            if name in self._running or self._priority.get(name) not in (Priority.READY, Priority.HIGHEST):
                continue
            self._events.append(
                ComponentReady(
                    run_id=self.run_id,
                    time=time.perf_counter(),
                    component=name,
                    reason="limit" if len(self._running) >= self._limit else "turn",
                )
            )

    def _compute_priority(self, node: NodePlan) -> Priority:
        state = self._state[node.name]
        for socket in node.mandatory:
            held = state.get(socket)
            if held is None or held.real == 0:
                return Priority.BLOCKED
        first_visit = self._visits[node.name] == 0
        triggered = (first_visit and not node.has_senders) or any(
            held.valued or (first_visit and held.real) for held in state.values()
        )
        if not triggered:
            return Priority.BLOCKED
        all_delivered = all(
            len(held.done) == len(node.senders[socket]) if (held := state.get(socket)) else False
            for socket in node.senders
        )
        if any(state[s].real for s in node.greedy if s in state) and self._connected_sockets_filled(node, state):
            return Priority.HIGHEST
        if all_delivered:
            return Priority.READY
        lazy_resolved = all(
            (held := state.get(socket)) is not None and len(held.done) == len(node.senders.get(socket, ()))
            for socket in node.lazy_variadic
            if socket in node.senders
        )
        return Priority.DEFER if lazy_resolved else Priority.DEFER_LAST

    @staticmethod
    def _connected_sockets_filled(node: NodePlan, state: dict[str, _Socket]) -> bool:
        return all(
            (held := state.get(socket)) is not None and held.real > 0
            for socket in node.sockets
            if socket in node.senders or node.sockets[socket].is_mandatory
        )

    def _start(self, name: str) -> None:
        node = self._plan.nodes[name]
        visit = self._visits[name] + 1
        # As Haystack, the limit counts the visits already made: a component starts at most max + 1 times.
        if visit - 1 > self._max_runs:
            self._failure = PipelineMaxComponentRuns(
                name,
                type(node.instance),
                f"Maximum run count {self._max_runs} reached for component '{name}': it would run a "
                f"{_ordinal(visit)} time. Check the loop's exit condition, or raise max_runs_per_component.",
                self._outputs,
            )
            return
        self._visits[name] = visit
        self._visit_count += 1
        inputs = self._consume(node)
        inputs.update(self._overrides.get((name, visit), {}))
        self._touched.add(name)
        reused = self._reuse.get((name, visit))
        isolated = inputs if reused is not None else _isolate(inputs)  # a reused visit never runs: nothing to guard
        now = time.perf_counter()
        loop = asyncio.get_running_loop()
        context = contextvars.copy_context()
        context.run(
            enter_visit,
            Visit(self.run_id, self._visit_count, name),
            self._progress_reporter(loop, self._visit_count, name),
        )
        if self._capturing:
            context.run(set_log_sink, self._log_sink(loop, self._visit_count, name))
        started = ComponentStarted(
            run_id=self.run_id,
            time=now,
            visit_id=self._visit_count,
            component=name,
            visit=visit,
            inputs=inputs,
            mode="async" if node.is_async else "sync",
            reused=reused is not None,
        )
        if self._spans is not None:
            context.run(self._spans.component_started, started)
        self._running[name] = self._unlaunched[self._visit_count] = _Visit(
            node, self._visit_count, visit, None, now, reused is not None, context, isolated, reused
        )
        self._events.append(started)

    def _launch(self, visit: _Visit) -> None:
        """Execute a started visit. Called on the consumer's first request after it read the `ComponentStarted`,
        so a consumer paused right after that event (a breakpoint before the component) holds the component back."""
        node, name = visit.node, visit.node.name
        if visit.recorded is not None:
            task = asyncio.create_task(_recorded(visit.recorded), name=f"pipedebug:{name}#{visit.visit}:reused")
        elif node.is_async:
            task = asyncio.create_task(
                _call_async(node.instance.run_async, visit.inputs),
                name=f"pipedebug:{name}#{visit.visit}",
                context=visit.context,
            )
        else:  # the context is entered in the worker thread; a context can be entered in one place at a time
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(
                self._thread_pool(), visit.context.run, _call_sync, node.instance.run, visit.inputs
            )
            task = asyncio.create_task(_await_future(future), name=f"pipedebug:{name}#{visit.visit}")
        assert self._completed is not None
        task.add_done_callback(self._completed.put_nowait)
        visit.task = task
        self._visit_of_task[task] = visit

    def _progress_reporter(
        self, loop: asyncio.AbstractEventLoop, visit_id: int, component: str
    ) -> Callable[[int, int | None, str], None]:
        """What `report_progress` calls during one visit; safe from worker threads."""

        def report(done: int, total: int | None, message: str) -> None:
            event = ComponentProgress(
                run_id=self.run_id,
                time=time.perf_counter(),
                visit_id=visit_id,
                component=component,
                done=done,
                total=total,
                message=message,
            )
            self._post(loop, event)

        return report

    def _log_sink(self, loop: asyncio.AbstractEventLoop, visit_id: int, component: str) -> LogSink:
        """Where what one visit prints and logs goes: a `ComponentLogged` queued like progress, from any thread."""

        def sink(level: str, logger: str, text: str) -> None:
            event = ComponentLogged(
                run_id=self.run_id,
                time=time.perf_counter(),
                visit_id=visit_id,
                component=component,
                level=level,
                logger=logger,
                text=text,
            )
            self._post(loop, event)

        return sink

    def _post(self, loop: asyncio.AbstractEventLoop, event: ComponentProgress | ComponentLogged) -> None:
        """Queue a report from any thread; once the loop is closed the run is over, and its reports too."""
        completed = self._completed
        assert completed is not None
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(completed.put_nowait, event)

    def _drain_reports(self) -> None:
        """Keep the log lines and progress that arrived before the run ended abnormally: they belong to it."""
        if self._completed is None:
            return
        while not self._completed.empty():
            item = self._completed.get_nowait()
            if isinstance(item, ComponentProgress | ComponentLogged):
                self._events.append(item)

    def _complete(self, task: asyncio.Task[_Outcome]) -> None:
        visit = self._visit_of_task.pop(task)
        del self._running[visit.node.name]
        self._touched.add(visit.node.name)
        outcome = task.result()
        if outcome.error is None and not isinstance(outcome.outputs, dict):
            outcome.error = TypeError(
                f"run() returned {type(outcome.outputs).__name__}, expected a dict of output socket names to values"
            )
        if outcome.error is not None:
            self._record_failure(visit, outcome)
            return
        self._append_finished(visit, outcome)
        self._delivery = _Delivery(visit.node, visit.visit_id, outcome.outputs)

    def _append_finished(self, visit: _Visit, outcome: _Outcome) -> None:
        finished = self._finished_event(visit, outcome)
        self._events.append(finished)
        if self._spans is not None:
            visit.context.run(self._spans.component_finished, finished)

    def _finished_event(self, visit: _Visit, outcome: _Outcome) -> ComponentFinished:
        return ComponentFinished(
            run_id=self.run_id,
            time=time.perf_counter(),
            visit_id=visit.visit_id,
            component=visit.node.name,
            visit=visit.visit,
            outputs=outcome.outputs,
            started_at=outcome.started_at,
            finished_at=outcome.finished_at,
            mode="async" if visit.node.is_async else "sync",
            thread=outcome.thread,
            reused=visit.reused,
        )

    def _record_failure(self, visit: _Visit, outcome: _Outcome) -> None:
        error = outcome.error
        assert error is not None
        self._events.append(
            ComponentFailed(
                run_id=self.run_id,
                time=time.perf_counter(),
                visit_id=visit.visit_id,
                component=visit.node.name,
                visit=visit.visit,
                error=error,
                traceback="".join(traceback.format_exception(error)),
                started_at=outcome.started_at,
                finished_at=outcome.finished_at,
                mode="async" if visit.node.is_async else "sync",
                thread=outcome.thread,
            )
        )
        if self._spans is not None:
            visit.context.run(self._spans.component_ended, visit.visit_id, error)
        if self._failure is None:
            self._failure = PipelineRuntimeError.from_exception(
                visit.node.name, type(visit.node.instance), error, self._outputs
            )

    # -- inputs and outputs ----------------------------------------------------------------------------------

    def _write(
        self, name: str, socket: str, sender: str | None, value: Any, visit_id: int, lazy_variadic: bool = False
    ) -> None:
        """Hold a value for a socket. A Variadic socket keeps the caller's values first, then its senders' in the
        order their visits started: the order Haystack's runs give whenever they are deterministic (one component at
        a time), kept here whichever concurrent branch happens to finish first."""
        held = self._state[name].get(socket)
        if held is None:
            held = self._state[name][socket] = _Socket()
        is_value = value is not NO_OUTPUT
        if lazy_variadic or (sender is None and self._plan.nodes[name].sockets[socket].is_variadic):
            bisect.insort(held.entries, (sender, value, visit_id), key=_started)
            held.real += is_value
        elif not held.entries or is_value:
            held.entries = [(sender, value, visit_id)]
            held.real = int(is_value)
        if sender is not None:
            held.done.add(sender)
            if is_value:
                held.valued.add(sender)
        self._touched.add(name)

    def _deliver(self, node: NodePlan, visit_id: int, outputs: dict[str, Any]) -> None:
        for connection in node.connections:
            value = outputs.get(connection.sender_socket, NO_OUTPUT)
            if connection.convert is not None and value is not NO_OUTPUT:
                try:
                    value = connection.convert(value)
                except Exception as exc:
                    self._failure = self._conversion_failure(node, connection, exc)
                    return
            self._write(
                connection.receiver,
                connection.receiver_socket,
                node.name,
                value,
                visit_id,
                connection.receiver_is_lazy_variadic,
            )
        self._expose(node, outputs)

    def _expose(self, node: NodePlan, outputs: dict[str, Any]) -> None:
        """Keep what the run returns for this visit; components in `include_outputs_from` even if it is `{}`."""
        included = node.name in self._include
        exposed = node.exposed_outputs(outputs, included)
        if exposed or included:
            self._outputs[node.name] = exposed

    def _conversion_failure(self, sender: NodePlan, connection: Connection, error: Exception) -> PipelineRuntimeError:
        receiver = self._plan.nodes[connection.receiver]
        failure = PipelineRuntimeError(
            None,
            None,
            "Failed to perform conversion between components:\n"
            f"Sender component: '{sender.name}' (type: '{type(sender.instance).__name__}')\n"
            f"Sender socket: '{connection.sender_socket}'\n"
            f"Receiver component: '{receiver.name}' (type: '{type(receiver.instance).__name__}')\n"
            f"Receiver socket: '{connection.receiver_socket}'\n"
            f"Error: {error}",
            self._outputs,
        )
        failure.__cause__ = error
        return failure

    def _consume(self, node: NodePlan) -> dict[str, Any]:
        """Take the inputs for one visit; caller-given values stay for later visits, except greedy ones.

        A Variadic socket gets the caller's values first, then its senders' in the order their visits started
        (see `_write`).
        """
        state = self._state[node.name]
        inputs: dict[str, Any] = {}
        for socket_name, socket in node.sockets.items():
            held = state.get(socket_name)
            entries = held.entries if held else []
            values = [value for _, value, _ in entries if value is not NO_OUTPUT]
            if values:
                if not socket.is_variadic:
                    inputs[socket_name] = values[0]
                elif socket.is_greedy:
                    inputs[socket_name] = values[:1]
                elif socket.wrap_input_in_list:
                    inputs[socket_name] = values
                else:  # a list socket joining several senders: their lists, concatenated
                    inputs[socket_name] = [item for value in values for item in value]
            elif not socket.is_mandatory:
                # A Variadic socket's default is one element, as in Haystack: the component gets `[default]`.
                inputs[socket_name] = [socket.default_value] if socket.is_variadic else socket.default_value
            if held is not None:
                held.entries = [] if socket.is_greedy else [e for e in held.entries if e[0] is None]
                held.real = sum(1 for _, value, _ in held.entries if value is not NO_OUTPUT)
                held.done.clear()
                held.valued.clear()
        return inputs

    # -- endings ---------------------------------------------------------------------------------------------

    def _blocked_components(self, *, include_untriggered: bool) -> dict[str, list[str]]:
        """Components holding inputs (or, if asked, never started) that miss mandatory ones, and what they miss."""
        blocked: dict[str, list[str]] = {}
        for name, node in self._plan.nodes.items():
            state = self._state[name]
            holds_values = any(h.valued or (self._visits[name] == 0 and h.real) for h in state.values())
            if not holds_values and not (include_untriggered and self._visits[name] == 0):
                continue
            missing = [
                f"{socket} (from {', '.join(node.sender_addresses.get(socket, ())) or 'pipeline input'})"
                for socket in node.mandatory
                if (held := state.get(socket)) is None or held.real == 0
            ]
            if missing:
                blocked[name] = missing
        return blocked

    def _end_normally(self) -> None:
        self._finished = True
        self._shutdown_executor()
        now = time.perf_counter()
        if self._visit_count == 0 and self._plan.nodes:
            error = PipelineComponentsBlockedError(self._blocked_components(include_untriggered=True))
            self._events.append(RunFailed(run_id=self.run_id, time=now, error=error))
            self._end_spans(error)
            return
        stranded = self._blocked_components(include_untriggered=False)
        if stranded and not any(name in self._outputs for name in self._plan.final_outputs):
            # As Haystack: the run returns what it has; the log says which components may be waiting in vain.
            details = "; ".join(f"'{name}' waits for {', '.join(sockets)}" for name, sockets in stranded.items())
            logger.warning(
                "The pipeline appears to be blocked: none of its final outputs was produced. %s. Some of these "
                "components may be inactive on purpose (a branch not taken).",
                details,
            )
        self._events.append(RunFinished(run_id=self.run_id, time=now, outputs=self._outputs, stranded=stranded))
        self._end_spans(None)

    def _end_spans(self, error: BaseException | None) -> None:
        if self._spans is not None:
            self._spans.run_ended(error)

    async def _end_abnormally(self) -> None:
        """After a failure or a cancel request: stop what is in flight, report each visit, then end the run."""
        self._finished = True
        stopped = await self._stop_in_flight()
        self._drain_reports()
        for visit, outcome in stopped:
            if outcome is None:
                self._events.append(
                    ComponentCancelled(
                        run_id=self.run_id,
                        time=time.perf_counter(),
                        visit_id=visit.visit_id,
                        component=visit.node.name,
                        visit=visit.visit,
                        started_at=visit.started_at,
                        mode="async" if visit.node.is_async else "sync",
                    )
                )
                if self._spans is not None:
                    visit.context.run(self._spans.component_ended, visit.visit_id, asyncio.CancelledError())
            elif outcome.error is None and isinstance(outcome.outputs, dict):
                self._append_finished(visit, outcome)
                self._expose(visit.node, outcome.outputs)
            else:
                self._record_failure(visit, outcome)
        self._shutdown_executor()
        now = time.perf_counter()
        if self._failure is not None:
            self._failure.partial_outputs = dict(self._outputs)
            self._events.append(RunFailed(run_id=self.run_id, time=now, error=self._failure))
            self._end_spans(self._failure)
        else:
            self._events.append(RunCancelled(run_id=self.run_id, time=now, outputs=self._outputs))
            self._end_spans(asyncio.CancelledError())

    async def _stop_in_flight(self) -> list[tuple[_Visit, _Outcome | None]]:
        """Cancel async components, wait for sync ones (threads cannot be interrupted), and collect outcomes.

        A visit still running after `STOP_GRACE_SECONDS` (a sync component that hangs, an async one that ignores
        cancellation) is abandoned: reported cancelled, its thread left to end when the component returns (a
        daemon thread: it never keeps the process alive, see `pipeline.core.workers`), its result discarded."""
        visits = list(self._running.values())
        self._running.clear()
        self._visit_of_task.clear()
        self._unlaunched.clear()
        self._handed = None
        tasks = [visit.task for visit in visits if visit.task is not None]
        for visit in visits:
            if visit.task is not None and visit.node.is_async:
                visit.task.cancel()
        if tasks:
            try:
                _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            except asyncio.CancelledError:  # the stop itself cancelled (an app quitting): no thread may outlive it
                self._shutdown_executor()
                raise
            for task in pending:
                task.cancel()  # the waiting task ends; a thread goes on until its component returns
                logger.warning(
                    "'%s' did not stop within %.0f s of the stop; it is abandoned (its thread keeps running until "
                    "the component returns, and what it returns is discarded)",
                    self._visit_of(task, visits).node.name,
                    STOP_GRACE_SECONDS,
                )
            if pending:
                await asyncio.wait(pending, timeout=STOP_GRACE_SECONDS)  # an async one may refuse again
        return [(v, v.task.result() if _succeeded(v.task) else None) for v in visits]

    @staticmethod
    def _visit_of(task: asyncio.Task[_Outcome], visits: list[_Visit]) -> _Visit:
        return next(visit for visit in visits if visit.task is task)

    def _shutdown_executor(self) -> None:
        """Called however the run ends: no worker thread is kept, and this run's logs are no longer captured."""
        if self._executor is not None:
            self._executor.shutdown(wait=False)
            self._executor = None
        if self._capturing:
            self._capturing = False
            release_hooks()


def _succeeded(task: asyncio.Task[_Outcome] | None) -> TypeGuard[asyncio.Task[_Outcome]]:
    """Whether `task` ended with an outcome: not cancelled, not abandoned still running."""
    return task is not None and task.done() and not task.cancelled()


def _started(entry: tuple[str | None, Any, int]) -> int:
    return entry[2]


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


async def _recorded(outputs: dict[str, Any]) -> _Outcome:
    """A reused visit: its recorded outputs, handed on at once without running the component."""
    now = time.perf_counter()
    return _Outcome(dict(outputs), None, now, now, "recorded")


async def _await_future(future: asyncio.Future[_Outcome]) -> _Outcome:
    return await future
