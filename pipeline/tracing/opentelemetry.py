"""`OpenTelemetryTracer`: Haystack's bridge to OpenTelemetry (`pip install opentelemetry-sdk`).

Spans start as the current span of the context they are opened in. The engine opens a run's span in the consumer's
context and each visit's span in the context the component runs in, so spans nest as they do in Haystack.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from pipeline.tracing.tracer import Span, Tracer
from pipeline.tracing.utils import coerce_tag_value

if TYPE_CHECKING:
    import opentelemetry.trace


def _opentelemetry() -> Any:
    try:
        import opentelemetry.trace
    except ImportError as exc:
        raise ImportError(
            "OpenTelemetryTracer needs OpenTelemetry: run 'pip install opentelemetry-sdk' "
            "(or pip install 'pipedebug[tracing]')."
        ) from exc
    return opentelemetry.trace


class OpenTelemetrySpan(Span):
    def __init__(self, span: opentelemetry.trace.Span) -> None:
        self._span = span

    def set_tag(self, key: str, value: Any) -> None:
        self._span.set_attribute(key, coerce_tag_value(value))

    def raw_span(self) -> Any:
        return self._span

    def get_correlation_data_for_logs(self) -> dict[str, Any]:
        context = self._span.get_span_context()
        return {"trace_id": context.trace_id, "span_id": context.span_id}


class OpenTelemetryTracer(Tracer):
    def __init__(self, tracer: opentelemetry.trace.Tracer) -> None:
        _opentelemetry()
        self._tracer = tracer

    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        """A child of the current span (as in Haystack, `parent_span` is implied by the context)."""
        with self._tracer.start_as_current_span(operation_name) as raw_span:
            span = OpenTelemetrySpan(raw_span)
            if tags:
                span.set_tags(tags)
            yield span

    def current_span(self) -> Span | None:
        trace = _opentelemetry()
        current = trace.get_current_span()
        return None if isinstance(current, trace.NonRecordingSpan) else OpenTelemetrySpan(current)
