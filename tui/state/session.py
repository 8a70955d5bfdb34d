"""The debug session: pulls a run's events, applies breakpoints and stepping, and keeps what the UI shows.

Pausing is back-pressure, nothing more: the pump stops asking the stream for events, so no new component starts
(see docs/engine.md, "Back-pressure: how to break and step"). Components already in flight keep running and
their completions queue up in the stream. Resuming, stepping and stopping only tell the pump how far to go.

The session works on any `EventStream`: a live `PipelineRun`, or a replay with the same protocol. It imports no
UI; a UI polls `version` (say at 30 Hz) and redraws only when it changed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pipeline.core.errors import PipelineValidationError
from pipeline.core.events import (
    TERMINAL_EVENTS,
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    EventStream,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
)
from pipeline.runs.spans import ComponentSpan, RunSummary
from tui.state.breakpoints import BreakpointHit, Breakpoints
from tui.state.children import ChildSpans
from tui.state.flow import ControlFlow

SessionStatus = Literal["idle", "running", "paused", "finished", "failed", "cancelled"]
PauseKind = Literal["breakpoint", "step", "user", "seek"]
ENDED: tuple[SessionStatus, ...] = ("finished", "failed", "cancelled")

QUEUE_POLL_SECONDS = 0.05
"""While paused, how often to look for completions that queued up: they arrive without any event."""
YIELD_EVERY_SECONDS = 0.005
"""Events that are ready arrive without suspending; hand the loop to the UI at least this often."""


class SessionError(Exception):
    """A request the session cannot carry out now; the message is meant for the user."""


@dataclass(frozen=True, slots=True)
class PauseReason:
    """Why the pump stopped pulling events, and after which event."""

    kind: PauseKind
    event: RunEvent | None
    """The last event applied; `None` when paused before the run's first event."""
    hit: BreakpointHit | None = None
    """For a breakpoint: the component's visit, and the condition's value or its error."""

    @property
    def component(self) -> str | None:
        return getattr(self.event, "component", None)

    @property
    def visit_id(self) -> int | None:
        return getattr(self.event, "visit_id", None)


class DebugSession:
    """Drives one run's event stream and owns the debugger's state for it.

    Run `await session.run()` as a background task; call `pause()`, `resume()`, `step()`, `stop()` and
    `edit_outputs()` from the UI on the same event loop.
    """

    def __init__(
        self,
        stream: EventStream,
        breakpoints: Breakpoints | None = None,
        *,
        live: bool,
        history: Sequence[RunEvent] = (),
        paused: bool = False,
    ) -> None:
        """`live`: the stream is a running pipeline, whose outputs can be edited at a pause; a replay cannot.

        `history`: events that came before the stream's first one (a replay sought to the middle of a run); they
        are folded in as they are, stopping at no breakpoint. `paused`: pause before pulling the first event.
        """
        self.stream = stream
        self.history = tuple(history)
        self._start_paused = paused
        self.breakpoints = breakpoints if breakpoints is not None else Breakpoints()
        self.live = live
        self.summary = RunSummary()
        """Every visit's record (what it received, produced, when it ran, its pauses), folded from the events."""
        self.flow = ControlFlow(self.summary)
        """Which output sockets each component produced: the routes the run took."""
        self.children = ChildSpans(self.summary)
        """Spans of other services under the visits (a run imported from OpenTelemetry)."""
        self.events: list[RunEvent] = []
        self.status: SessionStatus = "idle"
        self.pause_reason: PauseReason | None = None
        self.error: BaseException | None = None
        """Why the run failed: `RunFailed.error`, or what the stream raised."""
        self.queued: list[str] = []
        """While paused: components that finished meanwhile, whose completions wait in the stream."""
        self._early: list[RunEvent] = []
        """Pause events folded into the summary before the stream yields them (`_fold_early`)."""
        self._version = 0
        self._release = asyncio.Event()
        self._pause_requested = False
        self._stepping = False
        self._stopping = False
        self._winding_down = False
        """A component failed: the run only finishes what is in flight, so breakpoints no longer stop it."""
        self._started = False

    # -- what the UI reads -----------------------------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows on every change to the session or its breakpoints: redraw when it differs from the last seen."""
        return self._version + self.breakpoints.version

    @property
    def running(self) -> list[str]:
        """Components executing now (those whose completion already queued up are in `queued` instead: their
        records say `queued`, not `running`)."""
        return [span.component for span in self.summary.running]

    @property
    def pausing(self) -> bool:
        """A pause was asked for and has not taken effect yet: it does at the next event the stream yields."""
        return self._pause_requested and self.status in ("idle", "running")

    @property
    def stopping(self) -> bool:
        """A stop was asked for and the run has not ended yet: in-flight visits are being cancelled."""
        return self._stopping and self.status not in ENDED

    @property
    def editable_visit(self) -> int | None:
        """The visit whose outputs `edit_outputs` may replace now, if any."""
        last = self.events[-1] if self.events else None
        if self.live and self.status == "paused" and isinstance(last, ComponentFinished):
            return last.visit_id
        return None

    def visit(self, visit_id: int) -> ComponentSpan | None:
        """The visit's record, from the run's summary."""
        return self.summary.span(visit_id)

    # -- the pump --------------------------------------------------------------------------------------------

    async def run(self) -> None:
        """Pull and apply events until the stream ends, stopping where a breakpoint, a step or a pause says.

        Breakpoint hit counts restart from zero. Returns when the stream is exhausted; however it ends
        (cancelled task included), the stream is closed, so no component task or worker thread outlives it.
        """
        if self._started:
            raise SessionError("This session has already run its stream.")
        self._started = True
        self.breakpoints.reset_hits()
        self._set_status("running")
        for event in self.history:
            self._fold(event)
        try:
            await self._pump()
        except asyncio.CancelledError:  # the app closed while the run went on
            if self.status not in ENDED:
                self._set_status("cancelled")
            raise
        except Exception as error:  # a bug on our side: show it as the run's failure, and let it surface
            if self.status not in ENDED:
                self.error = error
                self._set_status("failed")
            raise
        finally:
            await self.stream.aclose()
            self.pause_reason = None
            self.queued = []

    def pause(self) -> None:
        """Stop pulling after the event being read now; components in flight keep running. Until that event
        comes, `pausing` says the pause is on its way."""
        if self.status not in ENDED and not self._stopping and self.status != "paused":
            self._pause_requested = True
            self._changed()

    def resume(self) -> None:
        """Continue: pull freely until a breakpoint, a pause or the end (also when asked before `run` started:
        a session made to start paused then starts playing)."""
        self._pause_requested = self._stepping = self._start_paused = False
        self._release.set()
        self._changed()

    def step(self) -> None:
        """Release events up to the next component completion, then pause again."""
        if self.status not in ENDED and not self._stopping:
            self._pause_requested, self._stepping, self._start_paused = False, True, False
            self._release.set()
            self._changed()

    def stop(self) -> None:
        """Cancel the run; the pump drains its last events (cancelled visits, `RunCancelled`) and ends."""
        if self.status in ENDED or self._stopping:
            return
        self._stopping = True
        self._pause_requested = self._stepping = False
        self.stream.cancel()
        self._release.set()
        self._changed()

    def edit_outputs(self, visit_id: int, outputs: dict[str, Any]) -> None:
        """Replace what a paused visit hands on to the rest of the run; raises `SessionError` saying why not."""
        if not self.live:
            raise SessionError("Outputs can only be edited in a live run, not in a replay.")
        if self.editable_visit != visit_id:
            raise SessionError("Outputs can only be edited while the run is paused on that visit's completion.")
        replace = getattr(self.stream, "replace_outputs", None)
        if replace is None:
            raise SessionError("This run's stream does not accept edited outputs.")
        try:
            replace(visit_id, outputs)
        except PipelineValidationError as error:
            raise SessionError(str(error)) from error
        self.summary.replace_outputs(visit_id, outputs)
        self._changed()

    # -- internals -------------------------------------------------------------------------------------------

    async def _pump(self) -> None:
        last = self.events[-1] if self.events else None
        pause = None
        if self._start_paused:
            pause = PauseReason("seek", last)
        elif self._pause_requested:
            pause = PauseReason("user", last)
        if self.status in ENDED:  # the history held the run's final event: a replay sought to its end
            pause = None
        last_yield = time.perf_counter()
        while True:
            if pause is not None:
                await self._park(pause)
            try:
                event = await self.stream.__anext__()
            except StopAsyncIteration:
                break
            except Exception as error:  # a broken stream (e.g. an unreadable recording) fails the run
                self.error = error
                self._set_status("failed")
                return
            pause = self._apply(event)
            if time.perf_counter() - last_yield > YIELD_EVERY_SECONDS:
                await asyncio.sleep(0)
                last_yield = time.perf_counter()
        if self.status not in ENDED:
            self.error = SessionError("The run's events ended without a final event.")
            self._set_status("failed")

    def _apply(self, event: RunEvent) -> PauseReason | None:
        """Fold one event into the state; return why to pause after it, if the pump should."""
        self._fold(event)
        if isinstance(event, TERMINAL_EVENTS) or self._stopping:
            return None
        if isinstance(event, ComponentFinished | ComponentStarted) and not self._winding_down:
            hit = self.breakpoints.check(event)
            if hit is not None:
                return PauseReason("breakpoint", event, hit)
            if self._stepping and isinstance(event, ComponentFinished):
                return PauseReason("step", event)
        return PauseReason("user", event) if self._pause_requested else None

    def _fold_early(self, event: RunEvent | None) -> None:
        """Show a pause or resume the stream queued for reading after the pause, in the records now, while the
        pause lasts; `_fold` then only lists it when it is read."""
        if event is not None:
            self._early.append(event)
            self.summary.apply(event)
            self._changed()

    def _fold(self, event: RunEvent) -> None:
        """Fold one event into the state: the summary (every visit's record), the routes, and the status."""
        self.events.append(event)
        if any(early is event for early in self._early):
            self._early.remove(event)
        else:
            self.summary.apply(event)
        self._changed()
        match event:
            case ComponentFailed():
                self._winding_down = True
            case RunFinished():
                self._set_status("finished")
            case RunFailed():
                self.error = event.error
                self._set_status("failed")
            case RunCancelled():
                self._set_status("cancelled")

    async def _park(self, reason: PauseReason) -> None:
        """Wait for resume, step or stop without pulling; meanwhile, show completions as they queue up. A live
        run records the pause in its stream (`mark_paused`, `mark_resumed`), so it is not counted as its time."""
        self._pause_requested = self._stepping = False
        self._release.clear()
        self.pause_reason = reason
        self._set_status("paused")
        mark_paused = getattr(self.stream, "mark_paused", None)
        if mark_paused is not None:
            self._fold_early(mark_paused(reason.kind, reason.component or "", reason.visit_id or 0))
        while not self._release.is_set():
            self._refresh_queued()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(QUEUE_POLL_SECONDS):
                    await self._release.wait()
        mark_resumed = getattr(self.stream, "mark_resumed", None)
        if mark_resumed is not None:
            self._fold_early(mark_resumed())
        self.pause_reason = None
        self.queued = []
        self._set_status("running")

    def _refresh_queued(self) -> None:
        """Mark the visits that finished meanwhile as queued in their records, at the time they finished (the
        run tells: `queued_visits`), so nothing shows them running while their completions wait."""
        queued_visits = getattr(self.stream, "queued_visits", None)
        if queued_visits is None or self.summary.origin is None:
            return
        changed = [self.summary.queue(visit_id, at) for visit_id, at in queued_visits().items()]
        if any(span is not None for span in changed):
            self.queued = [span.component for span in self.summary.queued]
            self._changed()

    def _set_status(self, status: SessionStatus) -> None:
        self.status = status
        self._changed()

    def _changed(self) -> None:
        self._version += 1
