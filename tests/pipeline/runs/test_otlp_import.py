"""OTLP traces into recorded runs: our own export read back, real runs traced through OpenTelemetry, errors."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pipeline import AsyncPipeline, DefinitionError, component
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.events import (
    ChildSpan,
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from pipeline.runs.export import to_otlp_json
from pipeline.runs.otlp_import import (
    NOT_TRACED,
    ImportedRun,
    OtlpError,
    decode_otlp_payload,
    read_otlp_file,
    runs_from_otlp,
    save_imported_run,
)
from pipeline.runs.rebuild import IMPORTED_HINT, rebuild_pipeline
from pipeline.runs.recording import read_run
from pipeline.runs.spans import RunSummary
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing, tracer
from tests.pipeline.toy_components import CountDown, Fail, LoopEntry, Sleep

TOLERANCE = 0.001
"""Imported times must match the run's own events within 1 ms."""
SERVICE = "search-api"
provider = TracerProvider(resource=Resource.create({"service.name": SERVICE}))
spans_exporter = InMemorySpanExporter()
provider.add_span_processor(SimpleSpanProcessor(spans_exporter))
otel = provider.get_tracer("tests")


@component
class Search:
    """Calls "another service": opens a span of its own inside its visit, as an instrumented HTTP client does."""

    @component.output_types(message=str, hits=int)
    def run(self, user_msg: str) -> dict[str, Any]:
        raise NotImplementedError("runs async only")

    @component.output_types(message=str, hits=int)
    async def run_async(self, user_msg: str) -> dict[str, Any]:
        with otel.start_as_current_span("GET /search") as span:
            span.set_attribute("http.status_code", 200)
            await asyncio.sleep(0.01)
        return {"message": f"{user_msg}!", "hits": 3}


def build_pipeline() -> AsyncPipeline:
    """Concurrent sync and async branches, a component that opens a span, and a loop that runs three times."""
    pipe = AsyncPipeline(metadata={"name": "demo"})
    pipe.add_component("fetch", WaitingComponent(name="fetch", wait_time=0.02))
    pipe.add_component("search", Search())
    pipe.add_component("rank", AsyncWaitingComponent(name="rank", wait_time=0.03))
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("fetch.message", "search.user_msg")
    pipe.connect("search.message", "rank.user_msg")
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    return pipe


DATA = {"fetch": {"user_msg": "hi"}, "entry": {"value": 2}}


def failing() -> AsyncPipeline:
    """`broken` fails at once; `slow` (async, 5 s) is cancelled then."""
    pipe = AsyncPipeline()
    pipe.add_component("broken", Fail())
    pipe.add_component("slow", Sleep(5))
    return pipe


async def events_of(pipe: AsyncPipeline, data: dict[str, Any]) -> list[RunEvent]:
    async with pipe.events(data) as run:
        return [event async for event in run]


@pytest.fixture
def traced() -> Iterator[None]:
    spans_exporter.clear()
    enable_tracing(OpenTelemetryTracer(otel))
    yield
    disable_tracing()
    tracer.is_content_tracing_enabled = False


async def traced_run(pipe: AsyncPipeline, data: dict[str, Any], *, content: bool) -> tuple[list[RunEvent], Any]:
    """A run of `pipe` traced through OpenTelemetry, and its spans as the OTLP exporter encodes them."""
    tracer.is_content_tracing_enabled = content
    events = await events_of(pipe, data)
    return events, encode_spans(spans_exporter.get_finished_spans())


def one_run(request: ExportTraceServiceRequest) -> ImportedRun:
    runs = runs_from_otlp(request)
    assert len(runs) == 1
    return runs[0]


def of(events: list[RunEvent], kind: type) -> list[Any]:
    return [event for event in events if isinstance(event, kind)]


def relative(events: list[RunEvent], kind: type, attribute: str) -> dict[tuple[str, int], float]:
    """(component, visit) -> the event's `attribute` in seconds after the run started."""
    origin = events[0].time
    return {(event.component, event.visit): getattr(event, attribute) - origin for event in of(events, kind)}


def connections(pipe: AsyncPipeline) -> set[tuple[str, str]]:
    return {(item["sender"], item["receiver"]) for item in pipe.to_dict()["connections"]}


def otlp_json_request(document: dict[str, Any], tmp_path: Path) -> ExportTraceServiceRequest:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(document))
    return read_otlp_file(path)


# -- our own export, read back --------------------------------------------------------------------------------


async def test_our_export_reads_back_as_the_same_run(tmp_path: Path) -> None:
    events = await events_of(build_pipeline(), DATA)
    run = one_run(otlp_json_request(to_otlp_json(events), tmp_path))

    assert run.run_id == events[0].run_id and run.warnings == []
    started = [(e.visit_id, e.component, e.visit, e.mode) for e in of(events, ComponentStarted)]
    assert [(e.visit_id, e.component, e.visit, e.mode) for e in of(run.events, ComponentStarted)] == started
    original, imported = RunSummary.from_events(events), RunSummary.from_events(run.events)
    assert imported.status == "finished" and isinstance(run.events[-1], RunFinished)
    for span in original.spans:
        twin = imported.span(span.visit_id)
        assert twin is not None and (twin.component, twin.visit, twin.thread) == (
            span.component,
            span.visit,
            span.thread,
        )
        assert twin.started_at == pytest.approx(span.started_at, abs=1e-6)
        assert twin.finished_at == pytest.approx(span.finished_at, abs=1e-6)
    assert imported.duration == pytest.approx(original.duration, abs=1e-6)
    assert run.wall_time == pytest.approx(events[0].wall_time, abs=1e-6)
    assert not run.content_traced  # our export carries no values
    assert of(run.events, ComponentFinished)[0].outputs == {}


async def test_our_export_with_its_pipeline_reads_back_with_the_same_graph(tmp_path: Path) -> None:
    pipe = build_pipeline()
    events = await events_of(pipe, DATA)
    run = one_run(otlp_json_request(to_otlp_json(events, pipeline=pipe), tmp_path))

    drawn = rebuild_pipeline(run.definition, source="trace", placeholders=True, events=run.events)
    assert list(drawn.connections()) == list(pipe.connections())
    assert set(drawn.graph.nodes) == set(pipe.graph.nodes)
    # from the recording's YAML too, as `pipedebug export` passes it: nothing is imported to read the graph
    again = one_run(otlp_json_request(to_otlp_json(events, pipeline=pipe.dumps()), tmp_path))
    assert again.definition == run.definition


async def test_our_export_of_a_failed_run_keeps_the_error_and_the_cancelled_visit(tmp_path: Path) -> None:
    events = await events_of(failing(), {"value": 1})
    run = one_run(otlp_json_request(to_otlp_json(events), tmp_path))

    [failed] = of(run.events, ComponentFailed)
    assert (failed.component, str(failed.error), failed.error.type_name) == ("broken", "boom on 1", "RuntimeError")
    assert "RuntimeError: boom on 1" in failed.traceback
    assert [event.component for event in of(run.events, ComponentCancelled)] == ["slow"]
    ending = run.events[-1]
    assert isinstance(ending, RunFailed)
    assert str(ending.error) == str(of(events, RunFailed)[0].error)
    assert ending.error.component_name == "broken"


# -- real runs traced with OpenTelemetry ----------------------------------------------------------------------


@pytest.mark.usefixtures("traced")
async def test_a_traced_run_with_content_has_the_same_visits_times_values_and_graph() -> None:
    pipe = build_pipeline()
    events, request = await traced_run(pipe, DATA, content=True)
    run = one_run(ExportTraceServiceRequest.FromString(request.SerializeToString()))

    assert (run.pipeline_name, run.service, run.content_traced, run.warnings) == ("demo", SERVICE, True, [])
    assert run.run_id == run.trace_id and len(run.trace_id) == 32
    for kind, attribute in ((ComponentStarted, "time"), (ComponentFinished, "time")):
        expected, got = relative(events, kind, attribute), relative(run.events, kind, attribute)
        assert got.keys() == expected.keys()
        assert all(abs(got[key] - expected[key]) < TOLERANCE for key in expected), (kind, expected, got)
    assert [(e.component, e.visit) for e in of(run.events, ComponentStarted)] == [
        (e.component, e.visit) for e in of(events, ComponentStarted)
    ]
    assert {(e.component, e.visit): e.inputs for e in of(run.events, ComponentStarted)} == {
        (e.component, e.visit): e.inputs for e in of(events, ComponentStarted)
    }
    assert {(e.component, e.visit): e.outputs for e in of(run.events, ComponentFinished)} == {
        (e.component, e.visit): e.outputs for e in of(events, ComponentFinished)
    }
    started, ending = run.events[0], run.events[-1]
    assert isinstance(started, RunStarted) and (started.time, started.inputs) == (0.0, DATA)
    assert isinstance(ending, RunFinished) and ending.outputs == of(events, RunFinished)[0].outputs

    drawn = rebuild_pipeline(run.definition, source="trace", placeholders=True, events=run.events)
    assert connections(drawn) == connections(pipe)
    assert [name for name, _ in drawn.walk()] == [e.component for e in of(events, ComponentStarted) if e.visit == 1]


@pytest.mark.usefixtures("traced")
async def test_without_content_tracing_values_say_they_were_not_traced() -> None:
    events, request = await traced_run(build_pipeline(), DATA, content=False)
    run = one_run(request)

    assert not run.content_traced
    fetch = next(e for e in of(run.events, ComponentStarted) if e.component == "fetch")
    assert fetch.inputs == {"user_msg": NOT_TRACED}
    countdown = next(e for e in of(run.events, ComponentFinished) if e.component == "countdown")
    assert countdown.outputs == {"again": NOT_TRACED, "done": NOT_TRACED}
    assert "content tracing was off" in repr(NOT_TRACED)
    assert [(e.component, e.visit) for e in of(run.events, ComponentFinished)] == [
        (e.component, e.visit) for e in of(events, ComponentFinished)
    ]


@pytest.mark.usefixtures("traced")
async def test_a_span_opened_inside_a_component_becomes_a_child_span() -> None:
    _, request = await traced_run(build_pipeline(), DATA, content=False)
    run = one_run(request)

    [child] = of(run.events, ChildSpan)
    [search] = [e for e in of(run.events, ComponentFinished) if e.component == "search"]
    assert (child.name, child.component, child.visit_id) == ("GET /search", "search", search.visit_id)
    assert (child.attributes, child.status, child.service) == ({"http.status_code": 200}, "unset", SERVICE)
    assert search.started_at <= child.started_at < child.finished_at <= search.finished_at
    assert child.finished_at - child.started_at >= 0.009
    index = run.events.index
    assert index(next(e for e in of(run.events, ComponentStarted) if e.component == "search")) < index(child)
    assert index(child) < index(search)


@pytest.mark.usefixtures("traced")
async def test_a_traced_failure_becomes_a_failed_visit_a_cancelled_one_and_a_failed_run() -> None:
    _, request = await traced_run(failing(), {"value": 1}, content=True)
    run = one_run(request)

    [failed] = of(run.events, ComponentFailed)
    assert (failed.component, str(failed.error)) == ("broken", "boom on 1")
    assert "boom on 1" in failed.traceback
    assert [event.component for event in of(run.events, ComponentCancelled)] == ["slow"]
    assert isinstance(run.events[-1], RunFailed) and run.events[-1].error.component_name == "broken"


# -- Haystack's spans, made by hand as haystack-ai's tracer sets them -------------------------------------------


def spec(**sockets: tuple[str, list[str]]) -> str:
    return json.dumps({name: {"type": type_, "senders": senders} for name, (type_, senders) in sockets.items()})


def out_spec(**sockets: tuple[str, list[str]]) -> str:
    return json.dumps({name: {"type": type_, "receivers": receivers} for name, (type_, receivers) in sockets.items()})


def haystack_trace() -> ExportTraceServiceRequest:
    """A sync `haystack.pipeline.run` with flat inputs: a splitter feeding two sockets of a joiner (told apart by
    type), and a joiner that runs a nested pipeline whose spans must stay inside its visit."""
    spans_exporter.clear()
    # the service's own span around the run, then the run
    with otel.start_as_current_span("POST /ask"), otel.start_as_current_span("haystack.pipeline.run") as run:
        run.set_attribute("haystack.pipeline.input_data", json.dumps({"text": "a b"}))
        run.set_attribute("haystack.pipeline.output_data", json.dumps({"joiner": {"joined": "a+b"}}))
        run.set_attribute("haystack.pipeline.metadata", json.dumps({}))
        run.set_attribute("haystack.pipeline.max_runs_per_component", 7)
        with otel.start_as_current_span("haystack.component.run") as splitter:
            splitter.set_attributes(
                {
                    "haystack.component.name": "splitter",
                    "haystack.component.type": "Splitter",
                    "haystack.component.fully_qualified_type": "acme.Splitter",
                    "haystack.component.input_types": json.dumps({"text": "str"}),
                    "haystack.component.input_spec": spec(text=("str", [])),
                    "haystack.component.output_spec": out_spec(
                        words=("List[str]", ["joiner"]), first=("str", ["joiner"])
                    ),
                    "haystack.component.visits": 1,
                }
            )
        with otel.start_as_current_span("haystack.component.run") as joiner:
            joiner.set_attributes(
                {
                    "haystack.component.name": "joiner",
                    "haystack.component.type": "Joiner",
                    "haystack.component.fully_qualified_type": "acme.Joiner",
                    "haystack.component.input_types": json.dumps({"head": "str", "parts": "list"}),
                    "haystack.component.input_spec": spec(
                        head=("str", ["splitter"]), parts=("List[str]", ["splitter"])
                    ),
                    "haystack.component.output_spec": out_spec(joined=("str", [])),
                    "haystack.component.visits": 1,
                }
            )
            with (
                otel.start_as_current_span("haystack.pipeline.run"),
                otel.start_as_current_span("haystack.component.run") as inner,
            ):
                inner.set_attribute("haystack.component.name", "inner")
    return encode_spans(spans_exporter.get_finished_spans())


def test_haystack_spans_give_the_graph_the_flat_inputs_and_the_nested_pipeline_as_child_spans() -> None:
    run = one_run(haystack_trace())

    assert [e.component for e in of(run.events, ComponentStarted)] == ["splitter", "joiner"]
    assert run.events[0].inputs == {"splitter": {"text": "a b"}}
    assert run.inputs == {"text": "a b"}
    assert sorted(child.name for child in of(run.events, ChildSpan)) == [
        "haystack.component.run",
        "haystack.pipeline.run",
    ]
    assert {child.component for child in of(run.events, ChildSpan)} == {"joiner"}
    drawn = rebuild_pipeline(run.definition, source="trace", placeholders=True, events=run.events)
    assert connections(drawn) == {("splitter.first", "joiner.head"), ("splitter.words", "joiner.parts")}
    assert drawn.max_runs_per_component == 7
    assert {name: instance.to_dict()["type"] for name, instance in drawn.walk()} == {
        "splitter": "acme.Splitter",
        "joiner": "acme.Joiner",
    }


# -- saving ---------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("traced")
async def test_a_saved_import_reads_back_marked_as_imported_and_draws_only_with_placeholders(tmp_path: Path) -> None:
    _, request = await traced_run(build_pipeline(), DATA, content=True)
    run = one_run(request)
    path = save_imported_run(run, tmp_path / "runs")

    recorded = read_run(path)
    assert path.parent == tmp_path / "runs" and path.name.endswith(f"_demo_{run.run_id[:8]}.jsonl")
    assert (recorded.status, recorded.problems, recorded.events) == ("finished", [], run.events)
    assert recorded.header.imported is not None
    assert (recorded.header.imported.source, recorded.header.imported.trace_id) == ("otlp", run.trace_id)
    assert recorded.header.wall_time == run.wall_time
    assert recorded.header.inputs == DATA
    with pytest.raises(DefinitionError, match=IMPORTED_HINT):
        rebuild_pipeline(recorded.header.pipeline or "", source=str(path))


# -- malformed input ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"resourceSpans": [', "not JSON: Expecting value"),
        (b'{"resourceSpans": 3}', "not an OTLP trace request: Failed to parse resourceSpans field"),
        (b"[1, 2]", "not an OTLP trace request: a JSON list, not an object"),
        (
            b'{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "zz", "spanId": "00f067aa0ba902b7"}]}]}]}',
            "resourceSpans[0].scopeSpans[0].spans[0].traceId is not a hex id: 'zz'",
        ),
        (b"\x0a\xff\xff", "not an OTLP protobuf trace request"),
    ],
)
def test_malformed_files_raise_one_line_naming_the_file(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.otlp"
    path.write_bytes(content)
    with pytest.raises(OtlpError) as raised:
        read_otlp_file(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_payloads_are_decoded_by_content_type(tmp_path: Path) -> None:
    document = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": "5b8efff798038103d269b633813fc60c"}]}]}]}
    request = decode_otlp_payload(json.dumps(document).encode(), "application/json; charset=utf-8")
    assert request.resource_spans[0].scope_spans[0].spans[0].trace_id.hex() == "5b8efff798038103d269b633813fc60c"
    assert decode_otlp_payload(request.SerializeToString(), "application/x-protobuf") == request
    with pytest.raises(OtlpError, match=r"^the payload: unsupported content type 'text/plain'"):
        decode_otlp_payload(b"", "text/plain")
    lines = tmp_path / "traces.jsonl"
    lines.write_text(json.dumps(document) + "\n" + json.dumps(document) + "\n")
    assert len(read_otlp_file(lines).resource_spans) == 2  # JSON Lines, as the Collector's file exporter writes


def test_the_concurrency_limit_is_the_most_visits_that_overlapped() -> None:
    """Two visits overlap, a third starts as both end (touching is no overlap): the trace shows a limit of 2."""
    spans_exporter.clear()
    ms = 1_000_000
    with otel.start_as_current_span("haystack.pipeline.run", start_time=0) as run:
        run.set_attribute("haystack.pipeline.input_data", json.dumps({}))
        for name, start, end in [("a", 0, 10), ("b", 5, 10), ("c", 10, 20)]:
            span = otel.start_span("haystack.component.run", start_time=start * ms)
            span.set_attribute("haystack.component.name", name)
            span.end(end_time=end * ms)
        run.end(end_time=20 * ms)
    assert one_run(encode_spans(spans_exporter.get_finished_spans())).events[0].concurrency_limit == 2
