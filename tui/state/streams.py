"""The event stream the debugger wraps a live run in: the run seen through its recorder."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core.events import PauseReasonKind, RunEvent, RunPaused, RunResumed
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

    def queued_visits(self) -> dict[int, float]:
        return self.run.queued_visits()

    def mark_paused(self, reason: PauseReasonKind, component: str = "", visit_id: int = 0) -> RunPaused | None:
        return self.run.mark_paused(reason, component, visit_id)

    def mark_resumed(self) -> RunResumed | None:
        return self.run.mark_resumed()
