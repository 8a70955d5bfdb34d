"""An OTLP/HTTP trace receiver: pipelines traced elsewhere send their spans here, and each run is saved as it ends.

`POST /v1/traces` takes an `ExportTraceServiceRequest` as protobuf (`application/x-protobuf`) or JSON
(`application/json`), compressed (gzip, deflate) or not, decoded by `pipeline.runs.otlp_import.decode_otlp_payload`, and
answers 200 with an `ExportTraceServiceResponse` in the request's encoding. A bad request gets a 4xx and a
one-line text body; it never touches the spans already received.

An exporter sends the spans of one trace in several requests (a batch holds whatever ended during its interval),
so spans are buffered per trace id. A trace is saved once its pipeline run span has arrived and no span of it came
for `quiet_period` seconds (spans of other services may still trail in after the pipeline span); whatever is
buffered is saved when the receiver stops. A trace that never gets a pipeline run span is dropped after
`orphan_timeout` seconds, and reported. Spans that arrive after their trace was saved start a new trace, which has
no pipeline run span: they are reported and dropped the same way.

The HTTP server runs in threads of its own, so a caller on an event loop (the TUI) is never blocked by it.
Each saved run is passed to the `on_run` callbacks from one of the receiver's threads: a GUI hands it to its own
thread (Textual: `app.call_from_thread`), a script can pass `queue.Queue.put`.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from google.protobuf.json_format import MessageToJson
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans

from pipeline.core.events import ComponentStarted, RunCancelled, RunFailed, RunFinished
from pipeline.runs.otlp_import import (
    EXPORT_RUN_SPAN,
    HAYSTACK_RUN_SPANS,
    ImportedRun,
    OtlpError,
    decode_otlp_payload,
    runs_from_otlp,
    save_imported_run,
)
from pipeline.runs.store import runs_dir as default_runs_dir

logger = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4318
"""OTLP/HTTP's registered port."""
TRACES_PATH = "/v1/traces"
DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024
DEFAULT_QUIET_PERIOD = 1.0
DEFAULT_ORPHAN_TIMEOUT = 60.0
DEFAULT_SAVE_WORKERS = 2
DEFAULT_MAX_PENDING_TRACES = 2000
RETRY_AFTER_SECONDS = 1
PROTOBUF = "application/x-protobuf"
JSON = "application/json"
RUN_SPAN_NAMES = HAYSTACK_RUN_SPANS | {EXPORT_RUN_SPAN}
"""Span names that mark a pipeline run: Haystack's (and our tracing hook's), and our own OTLP export's root."""
_IDLE_CONNECTION_TIMEOUT = 60.0
"""Seconds a keep-alive connection may sit idle before its handler thread closes it."""


@dataclass(frozen=True, slots=True)
class ReceiverSettings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    """0 picks a free port; `OtlpReceiver.port` tells which once started."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """The largest body taken, compressed or not: a bigger one gets 413 and is not read."""
    quiet_period: float = DEFAULT_QUIET_PERIOD
    orphan_timeout: float = DEFAULT_ORPHAN_TIMEOUT
    max_pending_traces: int = DEFAULT_MAX_PENDING_TRACES
    """Traces buffered or being saved. Past it, requests get 503 with `Retry-After` (exporters retry them later)
    instead of piling up in memory faster than runs can be written."""
    save_workers: int = DEFAULT_SAVE_WORKERS
    """Processes that turn traces into run files (0: a thread of this process). Importing a run costs a few
    milliseconds of Python; in processes of their own, it neither holds this process's GIL (the TUI's) nor
    limits the receiver to one core."""


@dataclass(frozen=True, slots=True)
class SavedRun:
    """A run the receiver saved: what a live view or a log line needs, without reading the file again."""

    path: Path
    trace_id: str
    pipeline_name: str
    components: int
    """Distinct components that ran."""
    visits: int
    duration: float | None
    """Seconds from the run's start to its end; None if the run did not end."""
    warnings: tuple[str, ...] = ()
    """What did not add up in the trace (`ImportedRun.warnings`), one line each."""


@dataclass(slots=True)
class ReceiverStats:
    requests: int = 0
    rejected: int = 0
    """Requests answered 4xx."""
    busy: int = 0
    """Requests answered 503 because `max_pending_traces` were waiting to be saved."""
    spans: int = 0
    runs_saved: int = 0
    traces_dropped: int = 0


@dataclass(slots=True)
class _Trace:
    parts: list[ResourceSpans] = field(default_factory=list)
    spans: int = 0
    has_run_span: bool = False
    last_seen: float = 0.0


class _RequestRejected(Exception):
    def __init__(self, status: HTTPStatus, message: str, *, close: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.close = close
        """The body was not read: the connection cannot carry another request."""


class OtlpReceiver:
    """An OTLP/HTTP receiver saving each arriving pipeline run to `runs_dir` (default: the runs folder).

    `start()` binds and serves in background threads; `stop()` stops taking requests, saves what is buffered and
    returns once every callback ran. Also a context manager. `on_run` (and `add_listener`) callbacks get each
    `SavedRun`; `on_problem` gets one line per rejected request, dropped trace or failed save."""

    def __init__(
        self,
        settings: ReceiverSettings = ReceiverSettings(),
        runs_dir: str | Path | None = None,
        *,
        on_run: Callable[[SavedRun], None] | None = None,
        on_problem: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.runs_dir = default_runs_dir(runs_dir)
        self.stats = ReceiverStats()
        self._listeners: list[Callable[[SavedRun], None]] = [on_run] if on_run is not None else []
        self._on_problem = on_problem
        self._traces: dict[bytes, _Trace] = {}
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._in_flight = 0
        self._saving = 0
        """Traces handed to the worker processes and not saved yet."""
        self._closed = False
        self._wake = threading.Event()
        self._server: _Server | None = None
        self._threads: list[threading.Thread] = []
        self._pool: ProcessPoolExecutor | None = None

    # --- lifecycle

    def start(self) -> OtlpReceiver:
        """Bind and serve. Raises `OSError` if the address cannot be bound (in use, not ours)."""
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        self._server = _Server((self.settings.host, self.settings.port), self)
        if self.settings.save_workers:
            context = multiprocessing.get_context("spawn")  # forking a process that runs threads is unsafe
            self._pool = ProcessPoolExecutor(self.settings.save_workers, mp_context=context, initializer=_ignore_sigint)
            with _sigint_ignored():  # each submit starts a worker, which inherits the ignored Ctrl-C
                for _ in range(self.settings.save_workers):
                    self._pool.submit(_warm_up)
        self._threads = [
            threading.Thread(target=self._server.serve_forever, name="otlp-http", daemon=True),
            threading.Thread(target=self._save_loop, name="otlp-saver", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, wait (up to `timeout`) for requests being read, and save every buffered trace."""
        if self._server is None:
            return
        server, self._server = self._server, None
        server.shutdown()
        server.server_close()
        deadline = time.monotonic() + timeout
        with self._lock:
            self._closed = True  # requests still arriving on open keep-alive connections get 503
            while self._in_flight and (left := deadline - time.monotonic()) > 0:
                self._idle.wait(left)
        self._wake.set()
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self._pool is not None:
            pool, self._pool = self._pool, None
            pool.shutdown(wait=True)  # every trace submitted is saved and its callbacks ran

    def __enter__(self) -> OtlpReceiver:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The bound port (the one picked when the settings asked for 0)."""
        if self._server is None:
            raise RuntimeError("the receiver is not running")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Where exporters send traces, e.g. `http://127.0.0.1:4318/v1/traces`."""
        host = self.settings.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port}{TRACES_PATH}"

    def add_listener(self, callback: Callable[[SavedRun], None]) -> None:
        """Also call `callback` with each run saved from now on (from a thread of the receiver)."""
        with self._lock:
            self._listeners.append(callback)

    def buffered_traces(self) -> int:
        with self._lock:
            return len(self._traces)

    # --- taking spans (called by the handler threads)

    def _enter_request(self) -> str | None:
        """Why the request cannot be taken now (answered 503), or None once it is counted in."""
        with self._lock:
            if self._closed:
                return "the receiver is shutting down"
            if len(self._traces) + self._saving >= self.settings.max_pending_traces:
                self.stats.busy += 1
                return f"{self.settings.max_pending_traces} traces are waiting to be saved: retry later"
            self._in_flight += 1
            self.stats.requests += 1
            return None

    def _leave_request(self, rejected: bool) -> None:
        with self._lock:
            self._in_flight -= 1
            self.stats.rejected += rejected
            if not self._in_flight:
                self._idle.notify_all()

    def _accept(self, request: ExportTraceServiceRequest) -> None:
        """Buffer the request's spans under their trace ids."""
        now = time.monotonic()
        parts = list(_split_by_trace(request))
        with self._lock:
            for trace_id, part, spans, has_run_span in parts:
                trace = self._traces.get(trace_id)
                if trace is None:
                    trace = self._traces[trace_id] = _Trace()
                trace.parts.append(part)
                trace.spans += spans
                trace.has_run_span |= has_run_span
                trace.last_seen = now
                self.stats.spans += spans

    def _report(self, message: str) -> None:
        """To `on_problem`, else to the log."""
        if self._on_problem is None:
            logger.warning("%s", message)
            return
        try:
            self._on_problem(message)
        except Exception:
            logger.exception("The receiver's on_problem callback failed.")

    # --- saving (the saver thread)

    def _save_loop(self) -> None:
        tick = min(self.settings.quiet_period / 4, 0.25)
        while not self._wake.wait(tick):
            for trace_id, trace in self._take_due(time.monotonic()):
                self._save(trace_id, trace)
        with self._lock:
            remaining, self._traces = self._traces, {}
        for trace_id, trace in remaining.items():
            self._save(trace_id, trace)

    def _take_due(self, now: float) -> list[tuple[bytes, _Trace]]:
        settings = self.settings
        with self._lock:
            due = [
                trace_id
                for trace_id, trace in self._traces.items()
                if now - trace.last_seen >= (settings.quiet_period if trace.has_run_span else settings.orphan_timeout)
            ]
            return [(trace_id, self._traces.pop(trace_id)) for trace_id in due]

    def _save(self, trace_id: bytes, trace: _Trace) -> None:
        if not trace.has_run_span:
            self._drop(trace_id, trace.spans)
            return
        request = ExportTraceServiceRequest(resource_spans=trace.parts)
        if self._pool is None:
            self._finish(trace_id, trace.spans, _save_request(request, self.runs_dir))
            return
        with self._lock:
            self._saving += 1
        future = self._pool.submit(_save_serialized, request.SerializeToString(), self.runs_dir)
        future.add_done_callback(partial(self._finished_in_pool, trace_id, trace.spans))

    def _finished_in_pool(self, trace_id: bytes, spans: int, future: Future[_Outcome]) -> None:
        with self._lock:
            self._saving -= 1
        try:
            outcome = future.result()
        except Exception as exc:  # the worker process died, or the pool was broken
            outcome = _Outcome(problem=f"cannot save its run: {exc!r}")
        self._finish(trace_id, spans, outcome)

    def _finish(self, trace_id: bytes, spans: int, outcome: _Outcome) -> None:
        if outcome.problem is not None:
            with self._lock:
                self.stats.traces_dropped += 1
            self._report(f"trace {trace_id.hex()}: {outcome.problem}")
            return
        if not outcome.saved:
            self._drop(trace_id, spans)
            return
        with self._lock:
            listeners = list(self._listeners)
            self.stats.runs_saved += len(outcome.saved)
        for run in outcome.saved:
            for listener in listeners:
                try:
                    listener(run)
                except Exception:
                    logger.exception("A listener of the OTLP receiver failed on %s.", run.path)

    def _drop(self, trace_id: bytes, spans: int) -> None:
        with self._lock:
            self.stats.traces_dropped += 1
        self._report(f"trace {trace_id.hex()}: {spans} span(s) and no pipeline run span: dropped")


@dataclass(frozen=True, slots=True)
class _Outcome:
    saved: tuple[SavedRun, ...] = ()
    problem: str | None = None


def _save_request(request: ExportTraceServiceRequest, runs_dir: Path) -> _Outcome:
    """Import the trace's runs and write each as a recording. Never raises: it may run in a worker process."""
    try:
        return _Outcome(
            saved=tuple(_saved_run(save_imported_run(run, runs_dir), run) for run in runs_from_otlp(request))
        )
    except Exception as exc:
        logger.debug("Saving a trace failed.", exc_info=True)
        return _Outcome(problem=f"cannot save its run: {' '.join(str(exc).split()) or repr(exc)}")


def _save_serialized(body: bytes, runs_dir: Path) -> _Outcome:
    """`_save_request` in a worker process, which gets the trace as protobuf bytes."""
    return _save_request(ExportTraceServiceRequest.FromString(body), runs_dir)


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Ctrl-C in a terminal reaches the whole process group: the workers must leave it to this process, which
    stops the receiver and still needs them to save what is buffered. A process started meanwhile inherits the
    ignored signal from its first instruction on (Python keeps an inherited SIG_IGN), before it could install an
    initializer. Only the main thread may set handlers; elsewhere `_ignore_sigint` does it, a little later."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


def _ignore_sigint() -> None:
    """The workers' initializer (see `_sigint_ignored`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm_up() -> None:
    """Submitted once per worker when the receiver starts, so the first run does not wait for a process."""


def _split_by_trace(request: ExportTraceServiceRequest) -> Iterator[tuple[bytes, ResourceSpans, int, bool]]:
    """(trace id, its spans with their resource and scope, span count, holds a pipeline run span) per trace.

    The usual request holds one trace: its `ResourceSpans` are taken as they are, without copying."""
    trace_ids = {
        span.trace_id for resource in request.resource_spans for scope in resource.scope_spans for span in scope.spans
    }
    for resource in request.resource_spans:
        if len(trace_ids) == 1:
            spans = [span for scope in resource.scope_spans for span in scope.spans]
            if spans:
                yield spans[0].trace_id, resource, len(spans), any(span.name in RUN_SPAN_NAMES for span in spans)
            continue
        parts: dict[bytes, ResourceSpans] = {}
        counts: dict[bytes, int] = {}
        run_spans: set[bytes] = set()
        for scope in resource.scope_spans:
            scoped: dict[bytes, ScopeSpans] = {}
            for span in scope.spans:
                part = parts.get(span.trace_id)
                if part is None:
                    part = parts[span.trace_id] = ResourceSpans(
                        resource=resource.resource, schema_url=resource.schema_url
                    )
                target = scoped.get(span.trace_id)
                if target is None:
                    target = scoped[span.trace_id] = part.scope_spans.add(
                        scope=scope.scope, schema_url=scope.schema_url
                    )
                target.spans.append(span)
                counts[span.trace_id] = counts.get(span.trace_id, 0) + 1
                if span.name in RUN_SPAN_NAMES:
                    run_spans.add(span.trace_id)
        for trace_id, part in parts.items():
            yield trace_id, part, counts[trace_id], trace_id in run_spans


def _saved_run(path: Path, run: ImportedRun) -> SavedRun:
    events = run.events
    ended = events[-1].time if isinstance(events[-1], RunFinished | RunFailed | RunCancelled) else None
    visits = [event.component for event in events if isinstance(event, ComponentStarted)]
    return SavedRun(
        path=path,
        trace_id=run.trace_id,
        pipeline_name=run.pipeline_name,
        components=len(set(visits)),
        visits=len(visits),
        duration=None if ended is None else ended - events[0].time,
        warnings=tuple(run.warnings),
    )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    """Handler threads of idle keep-alive connections must not hold up `stop()`."""

    def __init__(self, address: tuple[str, int], receiver: OtlpReceiver) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.receiver = receiver
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: exporters reuse their connection
    timeout = _IDLE_CONNECTION_TIMEOUT
    server: _Server
    server_version = "pipedebug-otlp"

    def do_POST(self) -> None:
        receiver = self.server.receiver
        if self.path.partition("?")[0] != TRACES_PATH:
            self._reply_error(
                HTTPStatus.NOT_FOUND, f"no such endpoint {self.path!r}: traces go to {TRACES_PATH}", close=True
            )
            return
        refusal = receiver._enter_request()
        if refusal is not None:
            self._reply_error(HTTPStatus.SERVICE_UNAVAILABLE, refusal, close=True)
            return
        rejected = True
        try:
            encoding = self._read_and_decode(receiver.settings.max_body_bytes)
        except _RequestRejected as exc:
            receiver._report(f"{self.client_address[0]}: {exc.status.value} {exc}")
            self._reply_error(exc.status, str(exc), close=exc.close)
        else:
            rejected = False
            response = ExportTraceServiceResponse()
            if encoding == JSON:
                self._reply(HTTPStatus.OK, JSON, MessageToJson(response).encode())
            else:
                self._reply(HTTPStatus.OK, PROTOBUF, response.SerializeToString())
        finally:
            receiver._leave_request(rejected)

    def _read_and_decode(self, limit: int) -> str:
        """Read the body, buffer its spans and return its content type, or raise `_RequestRejected`."""
        content_type = self.headers.get_content_type()
        if content_type not in (PROTOBUF, JSON):
            raise _RequestRejected(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"unsupported content type {content_type!r}: send {PROTOBUF} or {JSON}",
                close=True,
            )
        coding = (self.headers.get("Content-Encoding") or "identity").strip().lower()
        if coding not in ("gzip", "deflate", "identity"):
            raise _RequestRejected(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"unsupported content encoding {coding!r}: send gzip, deflate or none",
                close=True,
            )
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise _RequestRejected(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required", close=True)
        try:
            length = int(length_header)
            if length < 0:
                raise ValueError
        except ValueError:
            raise _RequestRejected(
                HTTPStatus.BAD_REQUEST, f"bad Content-Length {length_header!r}", close=True
            ) from None
        if length > limit:
            raise _RequestRejected(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"body of {length} bytes is over the limit of {limit}", close=True
            )
        body = self.rfile.read(length)
        if len(body) < length:
            raise _RequestRejected(HTTPStatus.BAD_REQUEST, f"body cut short: {len(body)} of {length} bytes", close=True)
        if coding != "identity":
            body = _decompress(body, coding, limit)
        try:
            request = decode_otlp_payload(body, content_type, source="the request body")
        except OtlpError as exc:
            raise _RequestRejected(HTTPStatus.BAD_REQUEST, str(exc)) from None
        self.server.receiver._accept(request)
        return content_type

    def do_GET(self) -> None:
        self._wrong_method()

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _wrong_method(self) -> None:
        if self.path.partition("?")[0] != TRACES_PATH:
            self._reply_error(
                HTTPStatus.NOT_FOUND, f"no such endpoint {self.path!r}: traces go to {TRACES_PATH}", close=True
            )
        else:
            self._reply_error(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} not allowed: POST traces", close=True)

    def _reply_error(self, status: HTTPStatus, message: str, *, close: bool) -> None:
        """A one-line text body. A body left unread (`close`) would be taken for the next request: close instead."""
        if close:
            self.close_connection = True
        extra = {"Allow": "POST"} if status is HTTPStatus.METHOD_NOT_ALLOWED else {}
        if status is HTTPStatus.SERVICE_UNAVAILABLE:
            extra["Retry-After"] = str(RETRY_AFTER_SECONDS)
        self._reply(status, "text/plain; charset=utf-8", f"{' '.join(message.split())}\n".encode(), extra)

    def _reply(self, status: HTTPStatus, content_type: str, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - %s", self.address_string(), format % args)


def _decompress(body: bytes, coding: str, limit: int) -> bytes:
    """The decompressed body, refused once it passes `limit` bytes (a small gzip can hold gigabytes)."""
    decompressor = zlib.decompressobj(wbits=(16 if coding == "gzip" else 0) + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, limit + 1)
    except zlib.error as exc:
        raise _RequestRejected(HTTPStatus.BAD_REQUEST, f"body is not valid {coding}: {exc}") from None
    if len(data) > limit:
        raise _RequestRejected(
            HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"decompressed body is over the limit of {limit} bytes"
        )
    if not decompressor.eof:
        raise _RequestRejected(HTTPStatus.BAD_REQUEST, f"body is not valid {coding}: the stream is cut short")
    return data
