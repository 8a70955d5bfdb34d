"""Fork a recorded run from one component visit: time travel for async pipelines.

The new run is live. Every visit that had finished before the chosen one started hands on its recorded outputs
(including outputs replaced at a breakpoint) without executing; the chosen visit runs again, optionally with
edited inputs, and so does everything after it. Haystack offers this only on its synchronous path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pipeline.core.events import ComponentStarted, RunStarted
from pipeline.core.pipeline import PipelineBase
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.rebuild import has_placeholders, placeholder_reason, rebuild_pipeline
from pipeline.runs.recording import Parent, RecordedRun
from pipeline.runs.spans import RunSummary


class ForkError(ValueError):
    """The run cannot be forked at that point (no such visit, no pipeline definition in the recording)."""


def reused_outputs(recorded: RecordedRun, visit_id: int) -> tuple[ComponentStarted, dict[tuple[str, int], Any]]:
    """The chosen visit's start event, and the recorded outputs (as delivered: after any replacement at a
    breakpoint) of every visit that finished before it started, read from the run's visit records."""
    summary = RunSummary()
    for event in recorded.events:
        if isinstance(event, ComponentStarted) and event.visit_id == visit_id:
            outputs = {
                (span.component, span.visit): span.outputs
                for span in summary.spans
                if span.status == "finished" and span.outputs is not None
            }
            return event, outputs
        summary.apply(event)
    started = ", ".join(str(span.visit_id) for span in summary.spans) or "none"
    raise ForkError(f"{recorded.path}: run {recorded.run_id[:8]} has no visit {visit_id} (its visits: {started}).")


def fork_run(
    recorded: RecordedRun,
    visit_id: int,
    *,
    inputs: Mapping[str, Any] | None = None,
    pipeline: PipelineBase | None = None,
    allowed_modules: Iterable[str] = (),
    concurrency_limit: int = 4,
    capture_logs: bool = False,
) -> tuple[PipelineRun, Parent]:
    """Start the fork; return its event stream and the parent link to record it with.

    `inputs` replace the chosen visit's inputs socket by socket. The pipeline is rebuilt from the recording's
    definition unless one is given (e.g. the pipeline already loaded in the debugger); a Haystack pipeline's
    through the bridge. One drawn with placeholders (haystack-ai missing) cannot run, and is refused.
    `capture_logs`: its visits' prints and logs become events (as `pipe.events(capture_logs=True)`).
    """
    target, reuse = reused_outputs(recorded, visit_id)
    started = next((event for event in recorded.events if isinstance(event, RunStarted)), None)
    if started is None:
        raise ForkError(f"{recorded.path}: the recording has no RunStarted event.")
    if pipeline is None:
        if recorded.header.pipeline is None:
            raise ForkError(f"{recorded.path}: the recording holds no pipeline definition; pass the pipeline.")
        pipeline = rebuild_pipeline(
            recorded.header.pipeline, source=str(recorded.path), allowed_modules=allowed_modules
        )
    if has_placeholders(pipeline):  # a replay drawn without its components: from traces, or haystack-ai missing
        reason = placeholder_reason(recorded.header.imported is not None)
        raise ForkError(f"{recorded.path}: the run's components cannot run here: {reason}.")
    run = pipeline.events(
        started.inputs,
        include_outputs_from=started.include_outputs_from,
        concurrency_limit=concurrency_limit,
        reuse_outputs=reuse,
        override_inputs={(target.component, target.visit): dict(inputs)} if inputs else None,
        capture_logs=capture_logs,
    )
    return run, Parent(recorded.run_id, visit_id, target.component, target.visit)
