"""The OTLP/HTTP receiver: a pipeline traced with OpenTelemetry's own exporter is saved as the run it was.

The acceptance test of issue 16 runs a pipeline of ours with `OpenTelemetryTracer` and the OTel SDK's
`BatchSpanProcessor(OTLPSpanExporter)` sending to a receiver on an ephemeral port, and compares the saved run with
the run's own events. The others send hand-made requests: bad ones get the right 4xx and lose nothing.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import json
import queue
import sys
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.exporter.otlp.proto.http import Compression
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from pipeline import AsyncPipeline
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunStarted
from pipeline.runs.export import to_otlp_json
from pipeline.runs.otlp_receiver import OtlpReceiver, ReceiverSettings, SavedRun
from pipeline.runs.recording import read_run
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing
from tests.pipeline.toy_components import CountDown, LoopEntry

WAIT = 10.0
"""Seconds to wait for a run the receiver should save well before."""


def build_pipeline() -> AsyncPipeline:
    """Sync and async components on concurrent branches, and a loop whose components run three times."""
    pipe = AsyncPipeline()
    pipe.add_component("fetch", WaitingComponent(name="fetch", wait_time=0.02))
    pipe.add_component("rank", AsyncWaitingComponent(name="rank", wait_time=0.03))
    pipe.add_component("side", AsyncWaitingComponent(name="side", wait_time=0.015))
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("fetch.message", "rank.user_msg")
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    return pipe


DATA = {"fetch": {"user_msg": "hi"}, "side": {"user_msg": "hi"}, "entry": {"value": 2}}


async def run_events(pipe: AsyncPipeline) -> list[RunEvent]:
    async with pipe.events(DATA) as run:
        return [event async for event in run]


def traced_request() -> tuple[list[RunEvent], ExportTraceServiceRequest]:
    """One run of `build_pipeline()` and its spans as the OTLP exporter encodes them."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    enable_tracing(OpenTelemetryTracer(provider.get_tracer("tests")))
    try:
        events = asyncio.run(run_events(build_pipeline()))
    finally:
        disable_tracing()
    return events, encode_spans(spans.get_finished_spans())


def visits(events: list[RunEvent]) -> dict[tuple[str, int], tuple[float, float]]:
    """(component, visit) -> (start, end) in seconds after the run's start, as `ComponentStarted` and
    `ComponentFinished` tell them: a component's span is opened at the one and closed at the other."""
    (origin,) = (event.time for event in events if isinstance(event, RunStarted))
    started = {event.visit_id: event.time for event in events if isinstance(event, ComponentStarted)}
    return {
        (event.component, event.visit): (started[event.visit_id] - origin, event.time - origin)
        for event in events
        if isinstance(event, ComponentFinished)
    }


@pytest.fixture
def saved() -> queue.Queue[SavedRun]:
    return queue.Queue()


@pytest.fixture
def problems() -> list[str]:
    return []


@pytest.fixture
def receiver(tmp_path: Path, saved: queue.Queue[SavedRun], problems: list[str]) -> Iterator[OtlpReceiver]:
    """Saving in a thread keeps these tests quick; the acceptance test and the CLI's save in worker processes."""
    settings = ReceiverSettings(port=0, quiet_period=0.1, max_body_bytes=64 * 1024, save_workers=0)
    with OtlpReceiver(settings, tmp_path / "runs", on_run=saved.put, on_problem=problems.append) as started:
        yield started


def post(
    receiver: OtlpReceiver,
    body: bytes,
    content_type: str = "application/x-protobuf",
    *,
    path: str = "/v1/traces",
    method: str = "POST",
    headers: dict[str, str] | None = None,
) -> tuple[int, str, bytes]:
    """(status, content type, body) of one request on a new connection."""
    connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=WAIT)
    try:
        connection.request(method, path, body=body, headers={"Content-Type": content_type, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


def split(request: ExportTraceServiceRequest, names: set[str]) -> tuple[bytes, bytes]:
    """The request as two payloads: the spans named in `names`, and the others."""
    chosen, others = ExportTraceServiceRequest(), ExportTraceServiceRequest()
    chosen.CopyFrom(request)
    others.CopyFrom(request)
    for target, keep in ((chosen, True), (others, False)):
        for resource in target.resource_spans:
            for scope in resource.scope_spans:
                kept = [span for span in scope.spans if (span.name in names) == keep]
                del scope.spans[:]
                scope.spans.extend(kept)
    return chosen.SerializeToString(), others.SerializeToString()


# -- the acceptance test: the SDK's own exporter, batches split across requests ---------------------------------


@pytest.mark.parametrize("compression", [Compression.NoCompression, Compression.Gzip])
def test_a_pipeline_exported_by_the_otel_sdk_is_saved_with_the_same_components_visits_and_timings(
    tmp_path: Path, compression: Compression
) -> None:
    saved: queue.Queue[SavedRun] = queue.Queue()
    problems: list[str] = []
    receiver = OtlpReceiver(
        ReceiverSettings(port=0, quiet_period=0.1), tmp_path, on_run=saved.put, on_problem=problems.append
    )
    with receiver:  # the default settings but the port and quiet period: runs are saved by worker processes
        provider = TracerProvider()
        exporter = OTLPSpanExporter(endpoint=receiver.url, compression=compression, timeout=WAIT)
        # Small batches: the trace's 10 spans reach the receiver in several requests, as a busy service sends them.
        provider.add_span_processor(BatchSpanProcessor(exporter, max_export_batch_size=3, schedule_delay_millis=50))
        enable_tracing(OpenTelemetryTracer(provider.get_tracer("acceptance")))
        try:
            events = asyncio.run(run_events(build_pipeline()))
        finally:
            disable_tracing()
            assert provider.force_flush()
            provider.shutdown()
        run = saved.get(timeout=WAIT)  # saved after the quiet period, not only when the receiver stops

    recorded = read_run(run.path)
    expected, got = visits(events), visits(recorded.events)
    assert (
        sorted(got)
        == sorted(expected)
        == [
            ("countdown", 1),
            ("countdown", 2),
            ("countdown", 3),
            ("entry", 1),
            ("entry", 2),
            ("entry", 3),
            ("fetch", 1),
            ("rank", 1),
            ("side", 1),
        ]
    )
    # An event's clock reading and its span's are a few statements apart on the loop's thread, which may lose the
    # GIL to a component's worker thread in between (for up to a switch interval, 5 ms): on a busy machine the two
    # differ by that much, so the tolerance is two switch intervals, not the microseconds they usually differ by.
    tolerance = 2 * sys.getswitchinterval()
    for key, (start, end) in expected.items():
        assert got[key][0] == pytest.approx(start, abs=tolerance), key
        assert got[key][1] == pytest.approx(end, abs=tolerance), key
    # The visits took their time: a comparison of near-zero times would prove little.
    assert expected["rank", 1][1] - expected["rank", 1][0] > 0.03
    assert got["rank", 1][0] > got["fetch", 1][1] - 1e-3  # rank waited for fetch
    assert (run.components, run.visits) == (5, 9)
    assert recorded.status == "finished"
    assert receiver.stats.requests >= 3  # the batches did arrive split
    assert saved.empty() and problems == []


# -- what is answered ----------------------------------------------------------------------------------------


def test_a_protobuf_request_is_answered_with_a_protobuf_response(
    receiver: OtlpReceiver, saved: queue.Queue[SavedRun]
) -> None:
    _, request = traced_request()

    status, content_type, body = post(receiver, request.SerializeToString())

    assert (status, content_type) == (200, "application/x-protobuf")
    assert ExportTraceServiceResponse.FromString(body) == ExportTraceServiceResponse()
    assert saved.get(timeout=WAIT).components == 5


def test_a_json_request_is_answered_in_json(receiver: OtlpReceiver, saved: queue.Queue[SavedRun]) -> None:
    """Our own OTLP JSON export (hex ids, as OTLP/JSON has them) sent back to us: the same visits."""
    events, _ = traced_request()

    body = json.dumps(to_otlp_json(events)).encode()
    status, content_type, answer = post(receiver, body, "application/json; charset=utf-8")

    assert (status, content_type, answer) == (200, "application/json", b"{}")
    run = saved.get(timeout=WAIT)
    assert visits(read_run(run.path).events).keys() == visits(events).keys()
    assert (run.components, run.visits) == (5, 9)


@pytest.mark.parametrize(("coding", "compress"), [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_compressed_bodies_are_taken(
    receiver: OtlpReceiver, saved: queue.Queue[SavedRun], coding: str, compress: Any
) -> None:
    _, request = traced_request()

    status, _, _ = post(receiver, compress(request.SerializeToString()), headers={"Content-Encoding": coding})

    assert status == 200
    assert saved.get(timeout=WAIT).components == 5


# -- bad requests: a clear 4xx, and nothing else lost ------------------------------------------------------------


BAD_REQUESTS = [
    pytest.param({"body": b"\xff\xff\xff not protobuf"}, 400, "", id="malformed protobuf"),
    pytest.param({"body": b'{"resourceSpans": [', "content_type": "application/json"}, 400, "", id="malformed JSON"),
    pytest.param({"body": b"x" * (64 * 1024 + 1)}, 413, "over the limit of 65536", id="oversized"),
    pytest.param(
        {"body": gzip.compress(b"\0" * (1024 * 1024)), "headers": {"Content-Encoding": "gzip"}},
        413,
        "decompressed body is over the limit of 65536 bytes",
        id="gzip bomb",
    ),
    pytest.param(
        {"body": b"not gzip", "headers": {"Content-Encoding": "gzip"}}, 400, "body is not valid gzip", id="bad gzip"
    ),
    pytest.param(
        {"body": b"", "headers": {"Content-Encoding": "br"}}, 415, "unsupported content encoding 'br'", id="brotli"
    ),
    pytest.param(
        {"body": b"spans", "content_type": "text/plain"}, 415, "unsupported content type 'text/plain'", id="text"
    ),
    pytest.param({"body": b"", "path": "/v1/metrics"}, 404, "no such endpoint '/v1/metrics'", id="wrong path"),
    pytest.param({"body": b"", "method": "GET"}, 405, "GET not allowed: POST traces", id="GET"),
    pytest.param({"body": b"", "method": "PUT"}, 405, "PUT not allowed: POST traces", id="PUT"),
]


@pytest.mark.parametrize(("bad", "status", "message"), BAD_REQUESTS)
def test_a_bad_request_gets_a_4xx_and_loses_no_run_before_during_or_after_it(
    receiver: OtlpReceiver,
    saved: queue.Queue[SavedRun],
    problems: list[str],
    bad: dict[str, Any],
    status: int,
    message: str,
) -> None:
    _, before = traced_request()
    _, during = traced_request()
    _, after = traced_request()
    assert post(receiver, before.SerializeToString())[0] == 200
    components, run_span = split(during, {"haystack.component.run"})
    assert post(receiver, components)[0] == 200  # half a trace: buffered, waiting for its pipeline run span

    got_status, content_type, body = post(receiver, **bad)

    assert got_status == status
    assert content_type == "text/plain; charset=utf-8"
    assert body.count(b"\n") == 1 and message in body.decode()
    assert post(receiver, run_span)[0] == 200
    assert post(receiver, after.SerializeToString())[0] == 200
    runs = sorted((saved.get(timeout=WAIT) for _ in range(3)), key=lambda run: run.path.stat().st_mtime)
    assert [(run.components, run.visits) for run in runs] == [(5, 9)] * 3
    assert {run.trace_id for run in runs} == {
        request.resource_spans[0].scope_spans[0].spans[0].trace_id.hex() for request in (before, during, after)
    }
    assert receiver.stats.rejected == (status != 404 and status != 405)  # those two never reach the decoder
    assert len(problems) == receiver.stats.rejected


def test_a_malformed_body_is_reported_in_one_line(receiver: OtlpReceiver, problems: list[str]) -> None:
    status, _, body = post(receiver, b"\x0a\x05\x0a\x03\xff", "application/x-protobuf")

    assert status == 400
    assert len(body.decode().splitlines()) == 1
    assert problems == [f"127.0.0.1: 400 {body.decode().strip()}"]


def test_a_body_over_the_limit_is_refused_without_being_read(receiver: OtlpReceiver) -> None:
    """The client announces 1 GB and sends nothing: the answer comes at once, and the connection closes."""
    connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=WAIT)
    connection.putrequest("POST", "/v1/traces")
    connection.putheader("Content-Type", "application/x-protobuf")
    connection.putheader("Content-Length", str(10**9))
    connection.endheaders()
    response = connection.getresponse()

    assert response.status == 413
    assert response.read() == b"body of 1000000000 bytes is over the limit of 65536\n"
    assert response.getheader("Connection") == "close"
    connection.close()


# -- batching ------------------------------------------------------------------------------------------------


def test_spans_of_one_trace_in_several_requests_make_one_run(
    receiver: OtlpReceiver, saved: queue.Queue[SavedRun]
) -> None:
    events, request = traced_request()
    components, run_span = split(request, {"haystack.component.run"})

    assert post(receiver, components)[0] == 200
    assert post(receiver, run_span)[0] == 200

    run = saved.get(timeout=WAIT)
    assert visits(read_run(run.path).events).keys() == visits(events).keys()
    assert saved.empty() and receiver.buffered_traces() == 0


def test_one_request_with_two_traces_makes_two_runs(receiver: OtlpReceiver, saved: queue.Queue[SavedRun]) -> None:
    _, first = traced_request()
    _, second = traced_request()
    both = ExportTraceServiceRequest()
    both.MergeFrom(first)
    both.MergeFrom(second)
    # One resource and scope holding both traces, as one exporter's batch does.
    both.resource_spans[0].scope_spans[0].spans.extend(second.resource_spans[0].scope_spans[0].spans)
    del both.resource_spans[1:]

    assert post(receiver, both.SerializeToString())[0] == 200

    runs = [saved.get(timeout=WAIT), saved.get(timeout=WAIT)]
    assert len({run.trace_id for run in runs}) == 2
    assert [(run.components, run.visits) for run in runs] == [(5, 9), (5, 9)]


def test_a_run_is_not_saved_before_its_pipeline_run_span_arrives(
    receiver: OtlpReceiver, saved: queue.Queue[SavedRun]
) -> None:
    _, request = traced_request()
    components, run_span = split(request, {"haystack.component.run"})

    assert post(receiver, components)[0] == 200
    with pytest.raises(queue.Empty):
        saved.get(timeout=0.5)  # five quiet periods
    assert receiver.buffered_traces() == 1
    assert post(receiver, run_span)[0] == 200
    assert saved.get(timeout=WAIT).visits == 9


def test_stopping_saves_what_is_buffered(tmp_path: Path) -> None:
    saved: list[SavedRun] = []
    _, request = traced_request()
    receiver = OtlpReceiver(ReceiverSettings(port=0, quiet_period=60), tmp_path, on_run=saved.append).start()
    port = receiver.port
    assert post(receiver, request.SerializeToString())[0] == 200
    assert saved == []

    receiver.stop()

    assert [(run.components, run.visits) for run in saved] == [(5, 9)]
    assert read_run(saved[0].path).status == "finished"
    with pytest.raises(ConnectionRefusedError):
        http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT).connect()


def test_a_trace_without_a_pipeline_run_span_is_dropped_and_reported(tmp_path: Path) -> None:
    problems: list[str] = []
    saved: list[SavedRun] = []
    _, request = traced_request()
    components, _ = split(request, {"haystack.component.run"})
    settings = ReceiverSettings(port=0, quiet_period=0.05, orphan_timeout=0.2)
    with OtlpReceiver(settings, tmp_path, on_run=saved.append, on_problem=problems.append) as receiver:
        assert post(receiver, components)[0] == 200
        deadline = time.monotonic() + WAIT
        while receiver.buffered_traces() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receiver.buffered_traces() == 0  # dropped while running, not only when stopping

    trace_id = request.resource_spans[0].scope_spans[0].spans[0].trace_id.hex()
    assert problems == [f"trace {trace_id}: 9 span(s) and no pipeline run span: dropped"]
    assert saved == [] and list(tmp_path.iterdir()) == []


def test_a_run_that_cannot_be_saved_is_reported_and_the_receiver_goes_on(tmp_path: Path) -> None:
    """In a worker process, as by default: the failure comes back as a problem line, not a dead pool."""
    saved: queue.Queue[SavedRun] = queue.Queue()
    problems: list[str] = []
    runs = tmp_path / "runs"
    _, first = traced_request()
    _, second = traced_request()
    settings = ReceiverSettings(port=0, quiet_period=0.05)
    with OtlpReceiver(settings, runs, on_run=saved.put, on_problem=problems.append) as receiver:
        runs.rmdir()
        runs.write_text("a file where the runs folder was")
        assert post(receiver, first.SerializeToString())[0] == 200
        deadline = time.monotonic() + WAIT
        while not problems and time.monotonic() < deadline:
            time.sleep(0.05)
        runs.unlink()
        assert post(receiver, second.SerializeToString())[0] == 200
        run = saved.get(timeout=WAIT)

    trace_id = first.resource_spans[0].scope_spans[0].spans[0].trace_id.hex()
    assert len(problems) == 1 and problems[0].startswith(f"trace {trace_id}: cannot save its run: ")
    assert "File exists" in problems[0] or "Not a directory" in problems[0]
    assert run.path.parent == runs and read_run(run.path).status == "finished"
    assert receiver.stats.runs_saved == 1 and receiver.stats.traces_dropped == 1


def test_past_max_pending_traces_requests_are_told_to_retry_later(tmp_path: Path) -> None:
    saved: list[SavedRun] = []
    _, first = traced_request()
    _, second = traced_request()
    settings = ReceiverSettings(port=0, quiet_period=60, max_pending_traces=1, save_workers=0)
    with OtlpReceiver(settings, tmp_path, on_run=saved.append) as receiver:
        assert post(receiver, first.SerializeToString())[0] == 200
        connection = http.client.HTTPConnection("127.0.0.1", receiver.port, timeout=WAIT)
        connection.request("POST", "/v1/traces", second.SerializeToString(), {"Content-Type": "application/x-protobuf"})
        response = connection.getresponse()
        assert (response.status, response.getheader("Retry-After")) == (503, "1")
        assert response.read() == b"1 traces are waiting to be saved: retry later\n"
        connection.close()

    assert receiver.stats.busy == 1
    assert [run.trace_id for run in saved] == [first.resource_spans[0].scope_spans[0].spans[0].trace_id.hex()]
