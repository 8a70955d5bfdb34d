"""A tracer that keeps every span it opens, so the conformance suite can read which component ran with what.

The engine reports each component visit as a span tagged `haystack.component.name`, `.visits`, `.input`, ...;
the suite rebuilds the calls from those tags. Content tags are always kept here (a real tracer keeps them only
when content tracing is on), because the inputs are exactly what the suite checks.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from pipeline.tracing import Span, Tracer


@dataclass
class SpyingSpan(Span):
    """One traced operation: its name, its parent and every tag set on it."""

    operation_name: str
    parent_span: Span | None = None
    tags: dict[str, Any] = field(default_factory=dict)
    trace_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    span_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    def set_tag(self, key: str, value: Any) -> None:
        self.tags[key] = value

    def set_content_tag(self, key: str, value: Any) -> None:
        self.set_tag(key, value)

    def get_correlation_data_for_logs(self) -> dict[str, Any]:
        return {"trace_id": self.trace_id, "span_id": self.span_id}


class SpyingTracer(Tracer):
    """Records spans in the order they open; `spans` is cleared by whoever reads them between runs."""

    def __init__(self) -> None:
        self.spans: list[SpyingSpan] = []

    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        span = SpyingSpan(operation_name, parent_span)
        span.set_tags(tags or {})
        self.spans.append(span)
        yield span

    def current_span(self) -> Span | None:
        return self.spans[-1] if self.spans else None
