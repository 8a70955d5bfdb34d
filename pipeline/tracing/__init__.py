"""Tracing with Haystack's interface (`haystack.tracing` -> `pipeline.tracing`)."""

from pipeline.tracing.opentelemetry import OpenTelemetryTracer
from pipeline.tracing.tracer import (
    NullSpan,
    NullTracer,
    ProxyTracer,
    Span,
    Tracer,
    disable_tracing,
    enable_tracing,
    is_tracing_enabled,
    tracer,
)

__all__ = [
    "NullSpan",
    "NullTracer",
    "OpenTelemetryTracer",
    "ProxyTracer",
    "Span",
    "Tracer",
    "disable_tracing",
    "enable_tracing",
    "is_tracing_enabled",
    "tracer",
]
