"""Replay of a recorded run in the debugger: play, pause, speed, step forward and back, seek.

A `ReplayRun` only moves forward, and a `DebugSession` only folds events in, so moving anywhere else makes a new
pair: the session starts from the recording's events before the target (its `history`) and the replay yields the
rest. No Textual import: the screen asks this for sessions and seek targets and drives them like live ones.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from pipeline.core.events import ComponentFailed, ComponentFinished
from pipeline.runs.recording import EventFile, RecordedRun, event_kinds, event_times
from pipeline.runs.replay import ReplayRun
from tui.state.breakpoints import Breakpoints
from tui.state.session import DebugSession

SLOWEST = 1 / 16
FASTEST = 256.0
_TIME = re.compile(r"(?P<value>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>s|ms|µs|us)", re.IGNORECASE)
_UNITS = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "us": 1e-6}


class SeekError(ValueError):
    """A seek target that names no event or time of the recording; the message says what would."""


class ReplayControl:
    """Makes the sessions of one recording's replay, and says where stepping and seeking lead."""

    def __init__(self, recorded: RecordedRun, speed: float | None = 1.0) -> None:
        """`speed`: how many times as fast as recorded; `None` plays without pauses between events."""
        recorded.check_started()
        self.recorded = recorded
        self.events = recorded.events if isinstance(recorded.events, EventFile) else tuple(recorded.events)
        self.speed = speed
        self.stream: ReplayRun | None = None
        """The stream of the latest session, whose pace `faster` and `slower` change."""
        self._completions = [
            index + 1
            for index, kind in enumerate(event_kinds(self.events))
            if kind in (ComponentFinished, ComponentFailed)
        ]
        """Positions right after each completion: where a step pauses."""
        times = event_times(self.events)  # an `EventFile` (`open_run`) answers both without decoding its events
        self._times = [moment - times[0] for moment in times]

    def __len__(self) -> int:
        return len(self.events)

    def session_at(self, position: int, breakpoints: Breakpoints, *, paused: bool) -> DebugSession:
        """A session showing the run as it was after its first `position` events, which plays on from there."""
        position = max(0, min(position, len(self.events)))
        stream = ReplayRun(self.recorded, self.speed)
        if position:
            stream.seek(position)
        self.stream = stream
        return DebugSession(stream, breakpoints, live=False, history=self.events[:position], paused=paused)

    def set_speed(self, speed: float | None) -> None:
        """Change the pace, of the replay going on too (from its next event)."""
        if speed is not None:
            speed = max(SLOWEST, min(FASTEST, speed))
        self.speed = speed
        if self.stream is not None:
            self.stream.speed = speed

    def faster(self) -> None:
        self.set_speed(None if self.speed is None else self.speed * 2)

    def slower(self) -> None:
        self.set_speed(FASTEST if self.speed is None else self.speed / 2)

    def previous_completion(self, position: int) -> int:
        """Where stepping back from `position` leads: right after the completion before it, else the start."""
        index = bisect_left(self._completions, position)
        return self._completions[index - 1] if index > 0 else 0

    def next_completion(self, position: int) -> int:
        """Where stepping forward from `position` leads: right after the next completion, else the end."""
        index = bisect_right(self._completions, position)
        return self._completions[index] if index < len(self._completions) else len(self.events)

    def position_at(self, seconds: float) -> int:
        """The position showing the run as it was `seconds` after it started: every event up to that moment."""
        return bisect_right(self._times, seconds)

    def position_of(self, target: str) -> int:
        """The position a typed target names: an event number (`42`, `#42`: the run as it was after that many
        events) or a time since the start (`1.5 s`, `300ms`, `250 µs`). Raises `SeekError` saying what fits."""
        text = target.strip()
        number = text.removeprefix("#")
        if number.isdigit():
            position = int(number)
            if position > len(self.events):
                raise SeekError(f"event {position} is past the end: the recording has {len(self.events)} events")
            return position
        match = _TIME.fullmatch(text)
        if match is None:
            raise SeekError(f"{text!r} is neither an event number (0-{len(self.events)}) nor a time like 1.5 s")
        seconds = float(match["value"]) * _UNITS[match["unit"].lower()]
        if seconds > self.duration:
            raise SeekError(f"{text} is past the end: the run lasted {self.duration:.3f} s")
        return self.position_at(seconds)

    @property
    def duration(self) -> float:
        return self._times[-1]

    def describe_speed(self) -> str:
        if self.speed is None:
            return "no pauses"
        return f"{self.speed:g}x"
