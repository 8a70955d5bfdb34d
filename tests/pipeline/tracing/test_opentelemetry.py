"""Haystack's OpenTelemetry tracer on our engine: spans nest pipeline > component > the component's own spans."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pipeline import AsyncPipeline, Pipeline, component
from pipeline.dataclasses import Document
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing, tracer
from pipeline.tracing.utils import coerce_tag_value


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    exported = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exported))
    enable_tracing(OpenTelemetryTracer(provider.get_tracer("tests")))
    content_tracing = tracer.is_content_tracing_enabled
    tracer.is_content_tracing_enabled = True
    yield exported
    tracer.is_content_tracing_enabled = content_tracing
    disable_tracing()


@component
class Retrieve:
    """Opens a span of its own, as an instrumented client library would."""

    @component.output_types(documents=list[Document])
    def run(self, query: str) -> dict[str, Any]:
        with tracer.trace("retrieval.http_call"):
            return {"documents": [Document(content=query.upper())]}

    @component.output_types(documents=list[Document])
    async def run_async(self, query: str) -> dict[str, Any]:
        with tracer.trace("retrieval.http_call"):
            return {"documents": [Document(content=query.upper())]}


@component
class Count:
    @component.output_types(count=int)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        return {"count": len(documents)}


def by_name(spans: tuple[ReadableSpan, ...]) -> dict[str, list[ReadableSpan]]:
    named: dict[str, list[ReadableSpan]] = {}
    for span in spans:
        named.setdefault(span.name, []).append(span)
    return named


@pytest.mark.parametrize(
    ("pipeline_class", "run_name"),
    [(AsyncPipeline, "haystack.async_pipeline.run"), (Pipeline, "haystack.pipeline.run")],
)
def test_spans_nest_and_carry_haystacks_attributes(
    exporter: InMemorySpanExporter, pipeline_class: type, run_name: str
) -> None:
    pipe = pipeline_class()
    pipe.add_component("retriever", Retrieve())
    pipe.add_component("count", Count())
    pipe.connect("retriever.documents", "count.documents")
    assert pipe.run({"retriever": {"query": "rhodes"}}) == {"count": {"count": 1}}

    spans = by_name(exporter.get_finished_spans())
    (run,) = spans[run_name]
    retriever, count = sorted(spans["haystack.component.run"], key=lambda s: s.start_time)
    (inner,) = spans["retrieval.http_call"]
    assert run.parent is None
    assert retriever.parent.span_id == count.parent.span_id == run.context.span_id
    assert inner.parent.span_id == retriever.context.span_id
    assert len({span.context.trace_id for span in exporter.get_finished_spans()}) == 1
    assert retriever.attributes["haystack.component.name"] == "retriever"
    assert retriever.attributes["haystack.component.visits"] == 1
    assert json.loads(retriever.attributes["haystack.component.input"]) == {"query": "rhodes"}
    output = json.loads(retriever.attributes["haystack.component.output"])
    assert output["documents"][0]["content"] == "RHODES"
    assert json.loads(run.attributes["haystack.pipeline.output_data"]) == {"count": {"count": 1}}


def test_tag_values_are_coerced_as_in_haystack() -> None:
    assert coerce_tag_value(3) == 3
    assert coerce_tag_value(None) == ""
    assert json.loads(coerce_tag_value({"docs": [Document(content="x")]}))["docs"][0]["content"] == "x"  # type: ignore[arg-type]
    assert coerce_tag_value(object()).startswith("<object object")  # type: ignore[union-attr]
