"""Event streams the debugger wraps runs in: a live run seen through its recorder, and events already read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.core.events import RunEvent
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.recording import RunRecorder


class LiveRecording:
    """A live run seen through its recorder: events pass through the recorder, so each is on disk as soon as
    the debugger reads it, while what only a live run can do (edit outputs, list queued completions) goes to
    the run itself, which the recorder does not expose."""

    def __init__(self, run: PipelineRun, recorder: RunRecorder) -> None:
        self.run = run
        self.recorder = recorder
        self.run_id = run.run_id

    @property
    def path(self) -> Path:
        return self.recorder.path

    def __aiter__(self) -> LiveRecording:
        return self

    async def __anext__(self) -> RunEvent:
        return await self.recorder.__anext__()

    async def __aenter__(self) -> LiveRecording:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self.recorder.cancel()

    async def aclose(self) -> None:
        await self.recorder.aclose()

    def replace_outputs(self, visit_id: int, outputs: dict[str, Any]) -> None:
        self.run.replace_outputs(visit_id, outputs)

    def queued_completions(self) -> list[str]:
        return self.run.queued_completions()


class EventList:
    """Events already read, as a stream a `RunRecorder` can write out: "save run" for a run not recorded live."""

    def __init__(self, events: Sequence[RunEvent]) -> None:
        self.run_id = events[0].run_id
        self._events = iter(list(events))

    def __aiter__(self) -> EventList:
        return self

    async def __anext__(self) -> RunEvent:
        try:
            return next(self._events)
        except StopIteration:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> EventList:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def cancel(self) -> None:
        self._events = iter(())

    async def aclose(self) -> None:
        self.cancel()
