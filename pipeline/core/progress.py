"""Progress reports from inside a running component, delivered as `ComponentProgress` events.

A component calls `report_progress(done, total)` from `run` (in its worker thread) or `run_async`; the engine
routes the report to the run that started that visit. Outside a run it does nothing, so components stay usable
on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

ProgressReporter = Callable[[int, "int | None", str], None]

current_reporter: ContextVar[ProgressReporter | None] = ContextVar("pipeline_progress_reporter", default=None)


def report_progress(done: int, total: int | None = None, message: str = "") -> None:
    """Tell whoever watches the run how far this component got (e.g. batches embedded out of all batches)."""
    reporter = current_reporter.get()
    if reporter is not None:
        reporter(done, total, message)
