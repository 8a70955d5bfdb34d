"""Haystack's tracing interface: `Tracer` makes `Span`s, and one global `tracer` proxies to whichever is enabled.

A tracer written for Haystack (OpenTelemetry, Langfuse, a test spy) works here after renaming its imports. The
engine opens a span per pipeline run and per component visit (see `pipeline.tracing.run_spans`), with Haystack's
span names and tags. Content tags (inputs, outputs) are kept only when content tracing is enabled.
"""

from __future__ import annotations

import abc
import contextlib
import os
from collections.abc import Iterator
from typing import Any

CONTENT_TRACING_ENV_VAR = "HAYSTACK_CONTENT_TRACING_ENABLED"


class Span(abc.ABC):
    """One traced operation."""

    @abc.abstractmethod
    def set_tag(self, key: str, value: Any) -> None:
        """Set one tag; tracers may turn the value into a string, so simple values are best."""

    def set_tags(self, tags: dict[str, Any]) -> None:
        for key, value in tags.items():
            self.set_tag(key, value)

    def raw_span(self) -> Any:
        """The tracer's own span object, for whoever needs more than this interface."""
        return self

    def set_content_tag(self, key: str, value: Any) -> None:
        """Set a tag holding user content (queries, documents, answers): kept only if content tracing is on."""
        if tracer.is_content_tracing_enabled:
            self.set_tag(key, value)

    def get_correlation_data_for_logs(self) -> dict[str, Any]:
        return {}


class Tracer(abc.ABC):
    """Creates spans."""

    @abc.abstractmethod
    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        """A new span for the block; `parent_span` None makes it a root (or a child of the active span)."""

    @abc.abstractmethod
    def current_span(self) -> Span | None:
        """The active span, if any."""


class NullSpan(Span):
    def set_tag(self, key: str, value: Any) -> None:
        pass


class NullTracer(Tracer):
    """The tracer while tracing is disabled: spans that record nothing."""

    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        yield NullSpan()

    def current_span(self) -> Span | None:
        return NullSpan()


class ProxyTracer(Tracer):
    """The global tracer: swapping `actual_tracer` re-targets every module that imported `tracer`."""

    def __init__(self, provided_tracer: Tracer) -> None:
        self.actual_tracer: Tracer = provided_tracer
        self.is_content_tracing_enabled = os.getenv(CONTENT_TRACING_ENV_VAR, "false").lower() == "true"

    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        with self.actual_tracer.trace(operation_name, tags=tags, parent_span=parent_span) as span:
            yield span

    def current_span(self) -> Span | None:
        return self.actual_tracer.current_span()


tracer: ProxyTracer = ProxyTracer(provided_tracer=NullTracer())


def enable_tracing(provided_tracer: Tracer) -> None:
    tracer.actual_tracer = provided_tracer


def disable_tracing() -> None:
    tracer.actual_tracer = NullTracer()


def is_tracing_enabled() -> bool:
    return not isinstance(tracer.actual_tracer, NullTracer)
