"""Spans of pipeline runs: Haystack's names and tags, nesting, content tracing, and a tracer that fails."""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from pipeline import AsyncPipeline, Pipeline, PipelineRuntimeError, component
from pipeline.tracing import Span, Tracer, disable_tracing, enable_tracing, is_tracing_enabled, tracer
from tests.pipeline.toy_components import AddOne, Double

_ACTIVE: contextvars.ContextVar[RecordedSpan | None] = contextvars.ContextVar("active_span", default=None)


@dataclass
class RecordedSpan(Span):
    operation_name: str
    parent: Span | None
    active_at_start: Span | None
    tags: dict[str, Any] = field(default_factory=dict)
    error: BaseException | None = None
    closed: bool = False

    def set_tag(self, key: str, value: Any) -> None:
        self.tags[key] = value


class RecordingTracer(Tracer):
    """Keeps every span and, like OpenTelemetry, makes the open span the active one in the current context."""

    def __init__(self) -> None:
        self.spans: list[RecordedSpan] = []

    @contextlib.contextmanager
    def trace(
        self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
    ) -> Iterator[Span]:
        span = RecordedSpan(operation_name, parent_span, _ACTIVE.get(), dict(tags or {}))
        self.spans.append(span)
        token = _ACTIVE.set(span)
        try:
            yield span
        except BaseException as exc:
            span.error = exc
            raise
        finally:
            span.closed = True
            _ACTIVE.reset(token)

    def current_span(self) -> Span | None:
        return _ACTIVE.get()

    def named(self, operation_name: str) -> list[RecordedSpan]:
        return [span for span in self.spans if span.operation_name == operation_name]


@pytest.fixture
def recording_tracer() -> Iterator[RecordingTracer]:
    spy = RecordingTracer()
    enable_tracing(spy)
    content_tracing = tracer.is_content_tracing_enabled
    yield spy
    tracer.is_content_tracing_enabled = content_tracing
    disable_tracing()


@component
class SpanPeeker:
    """Opens a span of its own while it runs, as an SDK traced with OpenTelemetry would."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        with tracer.trace("inner.call"):
            return {"value": value}


@component
class AsyncSpanPeeker:
    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        with tracer.trace("inner.call"):
            return {"value": value}

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise AssertionError("the async path is expected")


@component
class Boom:
    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        raise ValueError("boom")


def chain() -> AsyncPipeline:
    pipe = AsyncPipeline(metadata={"owner": "tests"}, max_runs_per_component=5)
    pipe.add_component("first", AddOne())
    pipe.add_component("second", Double())
    pipe.connect("first.value", "second.value")
    return pipe


def test_tracing_is_off_until_a_tracer_is_enabled() -> None:
    assert not is_tracing_enabled()
    with tracer.trace("anything") as span:
        span.set_tag("ignored", 1)
    assert tracer.current_span() is not None


def test_a_run_has_one_pipeline_span_and_a_component_span_per_visit(recording_tracer: RecordingTracer) -> None:
    result = chain().run({"first": {"value": 1}})

    assert result == {"second": {"value": 4}}
    (run_span,) = recording_tracer.named("haystack.async_pipeline.run")
    assert run_span.tags["haystack.pipeline.input_data"] == {"first": {"value": 1}}
    assert run_span.tags["haystack.pipeline.output_data"] == {"second": {"value": 4}}
    assert run_span.tags["haystack.pipeline.metadata"] == {"owner": "tests"}
    assert run_span.tags["haystack.pipeline.max_runs_per_component"] == 5
    first, second = recording_tracer.named("haystack.component.run")
    assert first.parent is run_span and second.parent is run_span
    assert first.tags["haystack.component.name"] == "first"
    assert first.tags["haystack.component.type"] == "AddOne"
    assert first.tags["haystack.component.fully_qualified_type"] == "tests.pipeline.toy_components.AddOne"
    assert first.tags["haystack.component.input_types"] == {"value": "int"}
    assert first.tags["haystack.component.input_spec"] == {"value": {"type": "int", "senders": []}}
    assert first.tags["haystack.component.output_spec"] == {"value": {"type": "int", "receivers": ["second"]}}
    assert second.tags["haystack.component.input_spec"] == {"value": {"type": "int", "senders": ["first"]}}
    assert first.tags["haystack.component.visits"] == 1
    assert all(span.closed and span.error is None for span in recording_tracer.spans)


def test_content_tags_only_with_content_tracing(recording_tracer: RecordingTracer) -> None:
    chain().run({"first": {"value": 1}})
    assert "haystack.component.input" not in recording_tracer.spans[1].tags

    recording_tracer.spans.clear()
    tracer.is_content_tracing_enabled = True
    chain().run({"first": {"value": 1}})
    first, second = recording_tracer.named("haystack.component.run")
    assert first.tags["haystack.component.input"] == {"value": 1}
    assert first.tags["haystack.component.output"] == {"value": 2}
    assert second.tags["haystack.component.input"] == {"value": 2}


def test_sync_pipeline_names_its_span_as_haystack_does(recording_tracer: RecordingTracer) -> None:
    pipe = Pipeline()
    pipe.add_component("first", AddOne())
    pipe.run({"first": {"value": 1}})
    assert [span.operation_name for span in recording_tracer.spans] == [
        "haystack.pipeline.run",
        "haystack.component.run",
    ]


@pytest.mark.parametrize("peeker", [SpanPeeker, AsyncSpanPeeker])
def test_spans_opened_inside_a_component_nest_under_its_span(recording_tracer: RecordingTracer, peeker: type) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("peek", peeker())
    pipe.run({"peek": {"value": 1}})

    (component_span,) = recording_tracer.named("haystack.component.run")
    (inner,) = recording_tracer.named("inner.call")
    assert inner.active_at_start is component_span


def test_a_failed_visit_closes_its_span_with_the_error(recording_tracer: RecordingTracer) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("boom", Boom())
    with pytest.raises(PipelineRuntimeError):
        pipe.run({"boom": {"value": 1}})

    run_span, boom_span = recording_tracer.spans
    assert isinstance(boom_span.error, ValueError)
    assert isinstance(run_span.error, PipelineRuntimeError)
    assert "haystack.component.visits" not in boom_span.tags
    assert run_span.closed and boom_span.closed


def test_a_tracer_that_fails_does_not_break_the_run(caplog: pytest.LogCaptureFixture) -> None:
    class BrokenTracer(RecordingTracer):
        @contextlib.contextmanager
        def trace(
            self, operation_name: str, tags: dict[str, Any] | None = None, parent_span: Span | None = None
        ) -> Iterator[Span]:
            raise RuntimeError("tracer down")
            yield  # pragma: no cover

    enable_tracing(BrokenTracer())
    try:
        assert chain().run({"first": {"value": 1}}) == {"second": {"value": 4}}
    finally:
        disable_tracing()
    assert "tracer failed to open the span 'haystack.component.run'" in caplog.text


async def test_a_run_left_early_closes_its_spans(recording_tracer: RecordingTracer) -> None:
    pipe = chain()
    async with pipe.events({"first": {"value": 1}}) as run:
        async for _ in run:
            if recording_tracer.named("haystack.component.run"):
                break
    assert recording_tracer.spans and all(span.closed for span in recording_tracer.spans)
