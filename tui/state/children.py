"""Spans of other services under a component's visit (HTTP calls, LLM calls), as the run's visit records hold them.

A run imported from OpenTelemetry keeps the spans that other services (or instrumented clients) opened under a
component's span as `ChildSpan` events; `RunSummary` folds them onto their visits' records. The timeline draws
them as thin bars under their component's lane and the inspector lists them for the visit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.runs.spans import ChildRecord, RunSummary

ChildSpanRecord = ChildRecord
"""One child span, its times relative to the run's start (the record `RunSummary` keeps)."""


@dataclass(frozen=True, slots=True)
class ChildSpans:
    """Every child span of a run so far, in arrival order, and per visit in order of start: read from the run's
    visit records."""

    summary: RunSummary = field(default_factory=RunSummary)

    @property
    def spans(self) -> list[ChildRecord]:
        return self.summary.children

    def of_visit(self, visit_id: int) -> list[ChildRecord]:
        """The visit's child spans in order of start (none for most visits)."""
        return self.summary.children_of(visit_id)
