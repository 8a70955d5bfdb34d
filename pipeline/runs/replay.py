"""Replays: a recorded run yielded again, event by event, as if it were happening now.

`ReplayRun` is an `EventStream` like a live `PipelineRun`, so whatever consumes a live run (the CLI, the
debugger, a `RunRecorder`) consumes a replay unchanged. No component runs and nothing touches the network.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Sequence
from itertools import islice
from typing import Any, Self

from pipeline.core.errors import PipelineRuntimeError
from pipeline.core.events import (
    TERMINAL_EVENTS,
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    OutputsReplaced,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunPaused,
)
from pipeline.runs.recording import EventFile, RecordedRun


class ReplayRun:
    """Yields a recording's events (the same classes a live run yields), paced like the original run.

    Each event waits for its recorded gap after the previous one, divided by `speed` (`None`: no waiting). As
    in a live run, nothing happens while the consumer does not ask for the next event: the gap is counted from
    the moment the consumer asks, so a consumer that paused (at a breakpoint, say) resumes with the next gap,
    never with a burst of overdue events. The first event, and the first after a `seek`, come at once.
    """

    def __init__(self, recorded: RecordedRun, speed: float | None = 1.0) -> None:
        if speed is not None and not speed > 0:
            raise ValueError(f"speed must be positive (or None for no pacing), got {speed}.")
        self.recorded = recorded
        self.events: Sequence[RunEvent] = (
            recorded.events if isinstance(recorded.events, EventFile) else tuple(recorded.events)
        )
        """The recording's events: a tuple, or an `EventFile` (`open_run`) read as the replay goes."""
        self.run_id = recorded.run_id
        self.speed = speed
        self._position = 0
        self._paced = False
        """Whether the next event waits for its gap; not for the first event or the first after a seek."""
        self._cancel_requested = False
        self._ending: deque[RunEvent] | None = None
        """The events that close a cancelled replay, once `cancel()` took effect."""
        self._closed = False
        self._wake: asyncio.Event | None = None
        self._yielded_at: float | None = None
        self._reached: float | None = None
        """The latest recorded time yielded so far: events are not always in time order (a line a component logged
        during a pause is read after `RunResumed`), and a gap back to an earlier time is not waited twice."""

    # -- the async iterator protocol ------------------------------------------------------------------------

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> RunEvent:
        while True:
            if self._closed:
                raise StopAsyncIteration
            if self._ending is not None:
                if not self._ending:
                    raise StopAsyncIteration
                return self._ending.popleft()
            if self._position >= len(self.events):
                raise StopAsyncIteration
            if self._cancel_requested and self._position > 0:
                self._ending = self._cancellation()
                continue
            delay = self._delay()
            if delay > 0:
                if await self._interrupted_sleep(delay):
                    continue  # cancel(), seek() or aclose() changed what comes next
            else:
                await asyncio.sleep(0)  # let other tasks (a display, a ticker) run even at full speed
            event = self.events[self._position]
            self._position += 1
            self._paced = True
            self._yielded_at = time.perf_counter()
            self._reached = event.time if self._reached is None else max(self._reached, event.time)
            return event

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        """End the replay as a cancelled live run ends: `ComponentCancelled` for each visit in flight, then
        `RunCancelled`. Does nothing once the replay has yielded its last event."""
        self._cancel_requested = True
        self._wake_up()

    async def aclose(self) -> None:
        """End the replay without further events."""
        self._closed = True
        self._wake_up()

    # -- moving around --------------------------------------------------------------------------------------

    def clock(self) -> float:
        """The recorded run's clock at this moment of the replay, in the events' `time` units: the latest time
        yielded plus the time since it was yielded (times `speed`), never past the next event's time."""
        if not self.events:
            return 0.0
        if self._position == 0 or self._yielded_at is None:
            return self.events[0].time
        last = self._reached if self._reached is not None else self.events[self._position - 1].time
        if self.speed is None or self._position == len(self.events):
            return last
        elapsed = (time.perf_counter() - self._yielded_at) * self.speed
        return min(last + elapsed, max(last, self.events[self._position].time))

    @property
    def position(self) -> int:
        """The index in `events` of the next event to yield (`len(events)` at the end)."""
        return self._position

    def seek(self, index: int) -> None:
        """Make `events[index]` the next event, at once; a viewer rebuilds its state from `events[:index]`."""
        if self._closed or self._ending is not None:
            raise RuntimeError("The replay has ended (closed or cancelled); start a new ReplayRun.")
        if not 0 <= index <= len(self.events):
            raise IndexError(f"seek index {index} is outside 0..{len(self.events)}.")
        self._position = index
        self._paced = False
        self._reached = None
        self._yielded_at = time.perf_counter()
        self._wake_up()

    # -- internals ------------------------------------------------------------------------------------------

    def _delay(self) -> float:
        """The recorded gap from the latest time yielded to the next event; none after a `RunPaused`: a replay does
        not wait out the time the recorded run stood paused (the consumer that replays it pauses by itself), and
        `RunResumed` moves the latest time past the pause."""
        previous = self.events[self._position - 1] if self._position else None
        if not self._paced or self.speed is None or self._reached is None or isinstance(previous, RunPaused):
            return 0.0
        return max(self.events[self._position].time - self._reached, 0.0) / self.speed

    async def _interrupted_sleep(self, delay: float) -> bool:
        """Sleep `delay` seconds unless woken first; return whether something woke it."""
        if self._wake is None:
            self._wake = asyncio.Event()
        self._wake.clear()
        try:
            await asyncio.wait_for(self._wake.wait(), delay)
        except TimeoutError:
            return False
        return True

    def _wake_up(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _state(self) -> tuple[dict[int, ComponentStarted], dict[str, dict[str, Any]]]:
        """The visits in flight and each component's latest outputs after the events yielded so far, for what a
        cancellation reports. Read from the recording when a cancellation needs them, so neither playing nor
        seeking keeps anything (a seek in 100k events is immediate)."""
        in_flight: dict[int, ComponentStarted] = {}
        latest_outputs: dict[str, dict[str, Any]] = {}
        for event in islice(self.events, self._position):  # streamed from an `EventFile`
            if isinstance(event, ComponentStarted):
                in_flight[event.visit_id] = event
            elif isinstance(event, ComponentFinished | ComponentFailed | ComponentCancelled):
                in_flight.pop(event.visit_id, None)
            if isinstance(event, ComponentFinished | OutputsReplaced):
                latest_outputs[event.component] = event.outputs
        return in_flight, latest_outputs

    def _cancellation(self) -> deque[RunEvent]:
        previous = self.events[self._position - 1]
        if isinstance(previous, TERMINAL_EVENTS):
            return deque()
        in_flight, latest_outputs = self._state()
        ending: deque[RunEvent] = deque(
            ComponentCancelled(
                run_id=self.run_id,
                time=previous.time,
                visit_id=started.visit_id,
                component=started.component,
                visit=started.visit,
                started_at=started.time,
                mode=started.mode,
            )
            for started in in_flight.values()
        )
        outputs = self._outputs_so_far(latest_outputs)
        ending.append(RunCancelled(run_id=self.run_id, time=previous.time, outputs=outputs))
        return ending

    def _outputs_so_far(self, latest_outputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """The pipeline outputs as far as the replay got, as a live run would report them on cancellation.

        Which sockets are pipeline outputs is read off the recording's own final outputs; an interrupted
        recording has none, so its cancelled replay reports none.
        """
        end = self.events[-1]
        if isinstance(end, RunFinished | RunCancelled):
            final = end.outputs
        elif isinstance(end, RunFailed) and isinstance(end.error, PipelineRuntimeError):
            final = end.error.partial_outputs
        else:
            final = {}
        outputs = {}
        for component, sockets in final.items():
            latest = latest_outputs.get(component, {})
            exposed = {socket: latest[socket] for socket in sockets if socket in latest}
            if exposed:
                outputs[component] = exposed
        return outputs
