"""OTLP receiver benchmark: how many traces a second `pipedebug listen` takes and saves, and how soon.

The payload is real: a 20-component chain (strings and `Document`s passed along) runs once with
`OpenTelemetryTracer` and content tracing on, and the OTel SDK's own encoder turns its 21 spans (Haystack's span
names and tags, inputs and outputs included) into one protobuf `ExportTraceServiceRequest`. Each request sent is
that trace under a fresh trace id. Client threads in a separate process (as exporters are in other services)
post them over keep-alive connections to an `OtlpReceiver` on a free port; the receiver saves every run to a
temporary runs folder.

Two phases: `paced` offers `--rate` traces/s (default 200) for `--seconds`; `flat out` posts back to back for
the same time. For each: traces sent; accepted (with `max_pending_traces` waiting to be saved, the receiver
answers 503 and exporters retry later); saved; saved per second in the steady state (after the first second);
the HTTP round trip; the delay from a request's answer to its run's file being written (it includes the quiet
period, `--quiet-period`); the CPU used by the receiver's own process (the HTTP side: runs are saved in worker
processes); and how long after the last request the last run was saved. Run from the repository root:

    python -m benchmarks.otlp_listen [--rate 200] [--seconds 10] [--clients 4] [--quiet-period 0.2]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import multiprocessing
import os
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from rich.console import Console
from rich.table import Table

from pipeline import AsyncPipeline, Document, component
from pipeline.runs.otlp_receiver import OtlpReceiver, ReceiverSettings, SavedRun
from pipeline.tracing import OpenTelemetryTracer, disable_tracing, enable_tracing, tracer

COMPONENTS = 20


@component
class Retrieve:
    @component.output_types(documents=list[Document])
    def run(self, query: str) -> dict[str, list[Document]]:
        return {
            "documents": [Document(content=f"{query}: passage {index}", meta={"rank": index}) for index in range(5)]
        }

    @component.output_types(documents=list[Document])
    async def run_async(self, query: str) -> dict[str, list[Document]]:
        return self.run(query)


@component
class Rerank:
    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        return {"documents": list(reversed(documents))}

    @component.output_types(documents=list[Document])
    async def run_async(self, documents: list[Document]) -> dict[str, list[Document]]:
        return self.run(documents)


def template_request() -> bytes:
    """One run of a 20-component chain, traced with content, as the OTLP exporter encodes it."""
    pipe = AsyncPipeline()
    pipe.add_component("c0", Retrieve())
    for index in range(1, COMPONENTS):
        pipe.add_component(f"c{index}", Rerank())
        pipe.connect(f"c{index - 1}.documents", f"c{index}.documents")
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    enable_tracing(OpenTelemetryTracer(provider.get_tracer("benchmark")))
    content_tracing, tracer.is_content_tracing_enabled = tracer.is_content_tracing_enabled, True
    try:
        asyncio.run(pipe.run_async({"c0": {"query": "what is OTLP?"}}))
    finally:
        tracer.is_content_tracing_enabled = content_tracing
        disable_tracing()
    finished = spans.get_finished_spans()
    assert len(finished) == COMPONENTS + 1, len(finished)
    return encode_spans(finished).SerializeToString()


def client_thread(
    port: int, template: bytes, seed: int, start: float, interval: float | None, deadline: float, results: list[Any]
) -> None:
    """Post the template trace under fresh trace ids on one keep-alive connection until `deadline`, the i-th
    request at `start + i * interval` (None: back to back)."""
    request = ExportTraceServiceRequest.FromString(template)
    spans = [span for resource in request.resource_spans for scope in resource.scope_spans for span in scope.spans]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-protobuf"}
    index = 0
    while True:
        due = start if interval is None else start + index * interval
        if due >= deadline or time.time() >= deadline:
            break
        if due > time.time():
            time.sleep(due - time.time())
        trace_id = (seed << 64 | index + 1).to_bytes(16, "big")
        for span in spans:
            span.trace_id = trace_id
        body = request.SerializeToString()
        sent = time.perf_counter()
        connection.request("POST", "/v1/traces", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        results.append((trace_id.hex(), response.status, time.perf_counter() - sent, time.time()))
        index += 1
    connection.close()


def client_process(port: int, template: bytes, rate: float | None, seconds: float, clients: int, out: Any) -> None:
    """Runs in its own process: `clients` threads sharing the rate; sends back one tuple per request."""
    results: list[Any] = []
    begin = time.time() + 0.2
    interval = None if rate is None else clients / rate
    threads = [
        threading.Thread(
            target=client_thread,
            args=(
                port,
                template,
                seed + 1,
                begin + (0 if rate is None else seed / rate),
                interval,
                begin + seconds,
                results,
            ),
        )
        for seed in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.send((begin, results))
    out.close()


@dataclass
class Phase:
    name: str
    sent: int
    accepted: int
    saved: int
    send_seconds: float
    saved_per_second: float
    round_trip_ms: tuple[float, float, float]
    save_delay_ms: tuple[float, float, float]
    cpu_percent: float
    drained_seconds: float


def percentiles(values: list[float]) -> tuple[float, float, float]:
    if not values:
        return (float("nan"),) * 3
    ordered = sorted(values)
    return (
        statistics.median(ordered),
        ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        ordered[-1],
    )


def run_phase(name: str, template: bytes, options: argparse.Namespace, folder: Path) -> Phase:
    saved: dict[str, float] = {}
    lock = threading.Lock()

    def on_run(run: SavedRun) -> None:
        with lock:
            saved[run.trace_id] = time.time()

    settings = ReceiverSettings(port=0, quiet_period=options.quiet_period)
    receiver = OtlpReceiver(settings, folder / name.replace(" ", "_"), on_run=on_run).start()
    rate = None if name == "flat out" else options.rate
    receive, send = multiprocessing.get_context("spawn").Pipe(duplex=False)
    process = multiprocessing.get_context("spawn").Process(
        target=client_process, args=(receiver.port, template, rate, options.seconds, options.clients, send)
    )
    cpu_before = time.process_time()
    process.start()
    begin, results = receive.recv()
    process.join()
    sent_done = max(result[3] for result in results)
    accepted = [result for result in results if result[1] == 200]
    deadline = time.time() + options.quiet_period + 30
    while len(saved) < len(accepted) and time.time() < deadline:
        time.sleep(0.01)
    drained = time.time() - sent_done
    cpu = time.process_time() - cpu_before
    receiver.stop()
    with lock:
        finished = dict(saved)
    last_saved = max(finished.values(), default=begin)
    window_start = begin + 1 + options.quiet_period  # the steady state: saves of traces sent a second in
    delays = [(finished[trace_id] - answered) * 1000 for trace_id, _, _, answered in accepted if trace_id in finished]
    return Phase(
        name=name,
        sent=len(results),
        accepted=len(accepted),
        saved=len(finished),
        send_seconds=sent_done - begin,
        saved_per_second=sum(window_start <= at <= sent_done for at in finished.values()) / (sent_done - window_start),
        round_trip_ms=percentiles([result[2] * 1000 for result in results]),
        save_delay_ms=percentiles(delays),
        cpu_percent=100 * cpu / (last_saved - begin),
        drained_seconds=drained,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=200.0, help="traces/s offered in the paced phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each phase sends")
    parser.add_argument("--clients", type=int, default=4, help="client threads, each with one keep-alive connection")
    parser.add_argument("--quiet-period", type=float, default=0.2, help="the receiver's quiet period, seconds")
    options = parser.parse_args(argv)
    template = template_request()
    with tempfile.TemporaryDirectory(prefix="pipedebug-bench-") as folder:
        phases = [run_phase(name, template, options, Path(folder)) for name in ("paced", "flat out")]
    table = Table(
        title=f"OTLP/HTTP receiver: {COMPONENTS}-component traces ({COMPONENTS + 1} spans, {len(template)} bytes "
        f"of protobuf each), {options.clients} keep-alive clients, quiet period {options.quiet_period * 1000:.0f} ms",
        title_justify="left",
    )
    for column in ("phase", "sent", "accepted (else 503)", "saved", "saved/s (steady)", "HTTP ms p50/p99/max"):
        table.add_column(column, justify="right")
    table.add_column("answer -> saved ms p50/p99/max", justify="right")
    table.add_column("receiver CPU", justify="right")
    table.add_column("last saved after last sent", justify="right")
    for phase in phases:
        table.add_row(
            f"{phase.name}" + (f" ({options.rate:g}/s offered)" if phase.name == "paced" else ""),
            str(phase.sent),
            str(phase.accepted),
            str(phase.saved),
            f"{phase.saved_per_second:.0f}",
            "/".join(f"{value:.1f}" for value in phase.round_trip_ms),
            "/".join(f"{value:.0f}" for value in phase.save_delay_ms),
            f"{phase.cpu_percent:.0f}%",
            f"{phase.drained_seconds:.2f} s",
        )
    Console(width=200).print(table)
    print(f"CPUs: {os.cpu_count()}; the answer -> saved delay includes the quiet period.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
