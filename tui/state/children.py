"""Spans of other services under a component's visit (HTTP calls, LLM calls), folded from `ChildSpan` events.

A run imported from OpenTelemetry keeps the spans that other services (or instrumented clients) opened under a
component's span as `ChildSpan` events. The timeline draws them as thin bars under their component's lane and
the inspector lists them for the visit. Pure Python, folded from the event stream like `RunSummary`, so it works
the same live, in a replay, and sought to the middle of one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.core.events import ChildSpan, RunEvent, RunStarted


@dataclass(frozen=True, slots=True)
class ChildSpanRecord:
    """One child span, its times in seconds relative to the run's start (as `RunSummary`'s)."""

    visit_id: int
    component: str
    name: str
    started_at: float
    finished_at: float
    status: str
    """OpenTelemetry's status: `unset`, `ok` or `error`."""
    status_message: str = ""
    service: str = ""
    attributes: Mapping[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        return max(0.0, self.finished_at - self.started_at)

    @property
    def failed(self) -> bool:
        return self.status == "error"


@dataclass(slots=True)
class ChildSpans:
    """Every child span of a run so far, in arrival order, and per visit in order of start."""

    spans: list[ChildSpanRecord] = field(default_factory=list)
    _origin: float | None = None
    _by_visit: dict[int, list[ChildSpanRecord]] = field(default_factory=dict, repr=False)

    def apply(self, event: RunEvent) -> ChildSpanRecord | None:
        """Fold one event in; return the record a child span became, if it was one."""
        if isinstance(event, RunStarted):
            self._origin = event.time
            return None
        if not isinstance(event, ChildSpan) or self._origin is None:
            return None
        record = ChildSpanRecord(
            visit_id=event.visit_id,
            component=event.component,
            name=event.name,
            started_at=event.started_at - self._origin,
            finished_at=event.finished_at - self._origin,
            status=event.status,
            status_message=event.status_message,
            service=event.service,
            attributes=event.attributes,
        )
        self.spans.append(record)
        visit = self._by_visit.setdefault(event.visit_id, [])
        visit.append(record)
        visit.sort(key=lambda span: span.started_at)
        return record

    def of_visit(self, visit_id: int) -> list[ChildSpanRecord]:
        """The visit's child spans in order of start (none for most visits)."""
        return list(self._by_visit.get(visit_id, ()))
