"""What code running inside a component visit can know and tell: which visit it is, and how far it got.

A component calls `report_progress(done, total)` from `run` (in its worker thread) or `run_async`; the engine
routes the report to the run that started that visit, as a `ComponentProgress` event. Outside a run it does
nothing, so components stay usable on their own. `current_visit()` lets a log handler or an output capture
attribute what a component logs or prints to that component.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

ProgressReporter = Callable[[int, "int | None", str], None]

current_reporter: ContextVar[ProgressReporter | None] = ContextVar("pipeline_progress_reporter", default=None)


@dataclass(frozen=True, slots=True)
class Visit:
    run_id: str
    visit_id: int
    component: str


_current_visit: ContextVar[Visit | None] = ContextVar("pipeline_current_visit", default=None)


def current_visit() -> Visit | None:
    """The component visit this code runs in (in its worker thread or its task), or None outside any."""
    return _current_visit.get()


def enter_visit(visit: Visit, reporter: ProgressReporter) -> None:
    """Called by the scheduler in the context a visit will run in."""
    _current_visit.set(visit)
    current_reporter.set(reporter)


def report_progress(done: int, total: int | None = None, message: str = "") -> None:
    """Tell whoever watches the run how far this component got (e.g. batches embedded out of all batches)."""
    reporter = current_reporter.get()
    if reporter is not None:
        reporter(done, total, message)
