"""Traces of pipelines that ran elsewhere (OpenTelemetry OTLP) turned into recorded runs.

A service traced with Haystack's span names (`haystack.pipeline.run` / `haystack.async_pipeline.run`, a
`haystack.component.run` per visit, see `pipeline.tracing.run_spans`), or our own OTLP export
(`pipeline.runs.export.to_otlp_json`), carries enough to rebuild a run: the visits and their times from the spans,
the graph from the component spans' socket specs (senders and receivers), the values from the content tags where
content tracing was on. Other spans under a visit (an HTTP call, an LLM SDK's span, a nested pipeline) become
`ChildSpan` events. The result is saved as an ordinary recording, so replay, diff, compare and export work on it;
its definition is always drawn with placeholders (nothing it names is imported or run).

Requests are decoded with the `opentelemetry-proto` messages: binary protobuf, or OTLP/JSON through
`google.protobuf.json_format` after turning the hex trace and span ids OTLP/JSON uses into protobuf's base64.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypedDict, cast

import yaml
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue, KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

from pipeline.core.events import (
    ChildSpan,
    ComponentCancelled,
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    ComponentWarmedUp,
    ExecutionMode,
    PauseReasonKind,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunPaused,
    RunResumed,
    RunStarted,
)
from pipeline.runs.codec import RecordedError, RecordedPipelineError, Unrepresentable
from pipeline.runs.export import assign_lanes
from pipeline.runs.rebuild import IMPORTED_KEY
from pipeline.runs.recording import EventList, Imported, RunRecorder
from pipeline.runs.store import RunStore
from pipeline.tracing.run_spans import COMPONENT_INPUT, COMPONENT_OUTPUT, COMPONENT_SPAN, COMPONENT_VISITS

SOURCE = "otlp"
_PAUSE_REASONS: dict[str, PauseReasonKind] = {
    "breakpoint": "breakpoint",
    "step": "step",
    "user": "user",
    "seek": "seek",
}
NANOS = 1_000_000_000
HAYSTACK_RUN_SPANS = frozenset({"haystack.pipeline.run", "haystack.async_pipeline.run"})
EXPORT_RUN_SPAN = "pipeline run"
_SAFE_DUMPER: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
"""The root span of our own export; recognised by its name and its `pipeline.run_id` attribute."""
NOT_TRACED = Unrepresentable("not traced", "content tracing was off in the service that ran the pipeline")
"""Stands for every input and output value of a run traced without content (see `ImportedRun.content_traced`)."""
UNKNOWN_TYPE = "unknown"
UNKNOWN_THREAD = "unknown"
"""Traces do not say which thread ran a component."""
_ID_FIELDS = ("traceId", "spanId", "parentSpanId")
_ERROR_TEXT = re.compile(r"^([\w.]+): (.*)$", re.DOTALL)
_STATUS_NAMES: dict[int, Literal["unset", "ok", "error"]] = {
    Status.STATUS_CODE_UNSET: "unset",
    Status.STATUS_CODE_OK: "ok",
    Status.STATUS_CODE_ERROR: "error",
}


class OtlpError(ValueError):
    """A payload or file that is not an OTLP trace request; the message is one line naming what is wrong."""


# -- decoding ---------------------------------------------------------------------------------------------------


def decode_otlp_payload(body: bytes, content_type: str, *, source: str = "the payload") -> ExportTraceServiceRequest:
    """An OTLP/HTTP request body: `application/x-protobuf` (or `application/protobuf`) or `application/json`."""
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "application/json":
        return _parse_json(body, source)
    if media_type in ("application/x-protobuf", "application/protobuf"):
        return _parse_protobuf(body, source)
    raise OtlpError(
        f"{source}: unsupported content type {content_type!r} (expected application/x-protobuf or application/json)"
    )


def read_otlp_file(path: str | Path) -> ExportTraceServiceRequest:
    """An OTLP file: JSON (one request, or JSON Lines of requests as the Collector's file exporter writes), or one
    binary protobuf request. Errors name the file."""
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise OtlpError(f"{path}: cannot read the file: {exc.strerror or exc}") from exc
    if content.lstrip()[:1] in (b"{", b"["):
        return _parse_json(content, str(path))
    return _parse_protobuf(content, str(path))


def _parse_protobuf(body: bytes, source: str) -> ExportTraceServiceRequest:
    request = ExportTraceServiceRequest()
    try:
        request.ParseFromString(body)
    except DecodeError as exc:
        raise OtlpError(f"{source}: not an OTLP protobuf trace request: {exc}") from exc
    return request


def _parse_json(body: bytes, source: str) -> ExportTraceServiceRequest:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OtlpError(f"{source}: not UTF-8 JSON: {exc.reason} at byte {exc.start}") from exc
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError as whole_error:
        lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip()]
        if whole_error.msg != "Extra data" or len(lines) < 2:
            raise OtlpError(f"{source}: not JSON: {whole_error}") from whole_error
        documents = []
        for number, line in lines:  # JSON Lines: one request per line
            try:
                documents.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise OtlpError(f"{source}:{number}: not JSON: {exc}") from exc
    request = ExportTraceServiceRequest()
    for document in documents:
        if not isinstance(document, dict):
            raise OtlpError(f"{source}: not an OTLP trace request: a JSON {type(document).__name__}, not an object")
        try:
            part = json_format.ParseDict(
                _ids_as_base64(document, source), ExportTraceServiceRequest(), ignore_unknown_fields=True
            )
        except json_format.ParseError as exc:
            raise OtlpError(f"{source}: not an OTLP trace request: {' '.join(str(exc).split())}") from exc
        request.MergeFrom(part)
    return request


def _ids_as_base64(document: dict[str, Any], source: str) -> dict[str, Any]:
    """A copy of the request with the span and trace ids OTLP/JSON writes in hex in protobuf JSON's base64."""
    copied = json.loads(json.dumps(document))
    for r, resource_spans in enumerate(_list(copied.get("resourceSpans"))):
        for s, scope_spans in enumerate(_list(resource_spans.get("scopeSpans"))):
            for n, span in enumerate(_list(scope_spans.get("spans"))):
                where = f"resourceSpans[{r}].scopeSpans[{s}].spans[{n}]"
                _convert_ids(span, where, source)
                for k, link in enumerate(_list(span.get("links"))):
                    _convert_ids(link, f"{where}.links[{k}]", source)
    return cast(dict[str, Any], copied)


def _list(value: Any) -> list[dict[str, Any]]:
    """The objects of a JSON list; anything malformed is left to `ParseDict` to report."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _convert_ids(span: dict[str, Any], where: str, source: str) -> None:
    for key in _ID_FIELDS:
        value = span.get(key)
        if not isinstance(value, str) or not value:
            continue
        try:
            span[key] = base64.b64encode(bytes.fromhex(value)).decode("ascii")
        except ValueError:
            raise OtlpError(f"{source}: {where}.{key} is not a hex id: {value[:40]!r}") from None


# -- spans ------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Span:
    span_id: str
    parent_id: str
    name: str
    start: int
    end: int
    attributes: dict[str, Any]
    status: Literal["unset", "ok", "error"]
    status_message: str
    exception: dict[str, Any] | None
    """The attributes of the span's last `exception` event, if it recorded one."""
    service: str
    children: list[_Span] = field(default_factory=list)
    pauses: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    """(time, attributes) of the `paused` events our export puts on its root span."""


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    if kind is None:
        return None
    if kind == "array_value":
        return [_value(item) for item in value.array_value.values]
    if kind == "kvlist_value":
        return _attributes(value.kvlist_value.values)
    return getattr(value, kind)


def _attributes(pairs: Sequence[KeyValue]) -> dict[str, Any]:
    return {pair.key: _value(pair.value) for pair in pairs}


def _spans_by_trace(request: ExportTraceServiceRequest) -> dict[str, list[_Span]]:
    traces: dict[str, list[_Span]] = {}
    for resource_spans in request.resource_spans:
        service = str(_attributes(resource_spans.resource.attributes).get("service.name") or "")
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                traces.setdefault(span.trace_id.hex(), []).append(_span(span, service))
    return traces


def _span(span: Span, service: str) -> _Span:
    exceptions = [event for event in span.events if event.name == "exception"]
    return _Span(
        span_id=span.span_id.hex(),
        parent_id=span.parent_span_id.hex(),
        name=span.name,
        start=span.start_time_unix_nano,
        end=max(span.end_time_unix_nano, span.start_time_unix_nano),
        attributes=_attributes(span.attributes),
        status=_STATUS_NAMES.get(span.status.code, "unset"),
        status_message=span.status.message,
        exception=_attributes(exceptions[-1].attributes) if exceptions else None,
        service=service,
        pauses=[
            (event.time_unix_nano, _attributes(event.attributes)) for event in span.events if event.name == "paused"
        ],
    )


# -- runs -------------------------------------------------------------------------------------------------------


@dataclass(slots=True, kw_only=True)
class ImportedRun:
    """One pipeline run found in a trace: its events (on a clock that starts at 0 with the run span) and a
    definition drawn from the spans."""

    trace_id: str
    run_id: str
    """Our export's run id; else the trace id (with the run span's id when the trace holds several runs)."""
    pipeline_name: str
    service: str
    definition: str
    """YAML that `rebuild_pipeline` always draws with placeholders (it has the `imported_from` key)."""
    events: list[RunEvent]
    inputs: Any
    """The run's input data as the service passed it (`haystack.pipeline.input_data`), or None."""
    content_traced: bool
    """Whether the components' inputs and outputs were traced; if not, each value is `NOT_TRACED`."""
    warnings: list[str] = field(default_factory=list)
    """What did not add up (a visit count that disagrees with the spans, an unreadable spec), one line each."""

    @property
    def wall_time(self) -> float:
        started = self.events[0]
        assert isinstance(started, RunStarted)
        return started.wall_time


def runs_from_otlp(request: ExportTraceServiceRequest) -> list[ImportedRun]:
    """Every pipeline run in the request, by trace and start. A run span nested in another run's component (a
    pipeline inside a component) is part of that component's child spans, not a run of its own. The spans of
    one trace must all be in `request` (merge batches of a trace with `MergeFrom`)."""
    runs: list[ImportedRun] = []
    for trace_id, spans in _spans_by_trace(request).items():
        by_id = {span.span_id: span for span in spans}
        for span in spans:
            parent = by_id.get(span.parent_id)
            if parent is not None and parent is not span:
                parent.children.append(span)
        roots = sorted(
            (span for span in spans if _is_run_span(span) and not _has_run_ancestor(span, by_id)),
            key=lambda span: span.start,
        )
        for root in roots:
            run_id = str(root.attributes.get("pipeline.run_id") or "")
            if not run_id:
                run_id = trace_id if len(roots) == 1 else f"{trace_id}-{root.span_id}"
            runs.append(_Converter(trace_id, run_id, root, by_id).convert())
    return runs


def _is_run_span(span: _Span) -> bool:
    return span.name in HAYSTACK_RUN_SPANS or (span.name == EXPORT_RUN_SPAN and "pipeline.run_id" in span.attributes)


def _has_run_ancestor(span: _Span, by_id: Mapping[str, _Span]) -> bool:
    seen = {span.span_id}
    parent = by_id.get(span.parent_id)
    while parent is not None and parent.span_id not in seen:
        if _is_run_span(parent):
            return True
        seen.add(parent.span_id)
        parent = by_id.get(parent.parent_id)
    return False


def _descendants(span: _Span) -> Iterator[_Span]:
    """Every span under `span` (each once, even if the parent links of a broken trace form a cycle)."""
    pending = list(span.children)
    seen: set[str] = {span.span_id}
    while pending:
        child = pending.pop()
        if child.span_id in seen:
            continue
        seen.add(child.span_id)
        yield child
        pending.extend(child.children)


def _json_tag(value: Any) -> Any:
    """A tag OpenTelemetry carried as JSON text (see `pipeline.tracing.utils.coerce_tag_value`), decoded."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


@dataclass(slots=True)
class _Visit:
    span: _Span
    component: str
    visit: int = 0
    visit_id: int = 0
    spec_inputs: dict[str, Any] = field(default_factory=dict)
    spec_outputs: dict[str, Any] = field(default_factory=dict)


class _VisitFields(TypedDict):
    """The fields every event of one visit shares."""

    run_id: str
    visit_id: int
    component: str
    visit: int


class _Converter:
    """One run span and what lies under it, turned into events and a definition."""

    def __init__(self, trace_id: str, run_id: str, root: _Span, by_id: Mapping[str, _Span]) -> None:
        self.trace_id, self.run_id, self.root, self.by_id = trace_id, run_id, root, by_id
        self.ours = root.name == EXPORT_RUN_SPAN
        self.warnings: list[str] = []

    def seconds(self, unix_nanos: int) -> float:
        """A span time on the run's clock: seconds since the run span started."""
        return (unix_nanos - self.root.start) / NANOS

    def convert(self) -> ImportedRun:
        root = self.root
        visits, warm_ups = self._component_spans()
        content_traced = any(
            COMPONENT_INPUT in v.span.attributes or COMPONENT_OUTPUT in v.span.attributes for v in visits
        )
        metadata = _json_tag(root.attributes.get("haystack.pipeline.metadata"))
        metadata = metadata if isinstance(metadata, dict) else {}
        name = metadata.get("name")
        pipeline_name = name if isinstance(name, str) and name else root.service or SOURCE
        raw_inputs = _json_tag(root.attributes.get("haystack.pipeline.input_data"))
        definition = self._definition(visits, metadata)
        events: list[RunEvent] = [
            ComponentWarmedUp(
                run_id=self.run_id,
                time=self.seconds(span.end),
                component=str(span.attributes.get("pipeline.component")),
                started_at=self.seconds(span.start),
                finished_at=self.seconds(span.end),
            )
            for span in warm_ups
        ]
        for visit in visits:
            events += self._visit_events(visit, content_traced)
        if self.ours:
            events += self._pauses()
        started = RunStarted(
            run_id=self.run_id,
            time=0.0,
            wall_time=root.start / NANOS,
            inputs=self._resolved_inputs(raw_inputs, visits),
            # the most visits that ran at once: what the trace shows of the limit (one lane per concurrent visit)
            concurrency_limit=max(assign_lanes([(v.span.start, v.span.end) for v in visits]), default=1),
        )
        ending = self._ending(visits)
        return ImportedRun(
            trace_id=self.trace_id,
            run_id=self.run_id,
            pipeline_name=pipeline_name,
            service=root.service,
            definition=definition,
            events=[started, *_ordered(events), *([ending] if ending is not None else [])],
            inputs=raw_inputs,
            content_traced=content_traced,
            warnings=self.warnings,
        )

    def _pauses(self) -> list[RunEvent]:
        """Our export's pauses (`paused` events on its root span), back as `RunPaused` and `RunResumed`, so the
        run's pipeline time survives the round trip."""
        events: list[RunEvent] = []
        for time_unix_nano, attributes in self.root.pauses:
            start = self.seconds(time_unix_nano)
            duration = attributes.get("pipeline.pause.duration_ms")
            reason = _PAUSE_REASONS.get(str(attributes.get("pipeline.pause.reason")), "user")
            events.append(
                RunPaused(
                    run_id=self.run_id,
                    time=start,
                    reason=reason,
                    component=str(attributes.get("pipeline.pause.component") or ""),
                    visit_id=_int(attributes.get("pipeline.pause.visit_id"), 0),
                )
            )
            if isinstance(duration, int | float):
                events.append(RunResumed(run_id=self.run_id, time=start + duration / 1000))
        return events

    def _component_spans(self) -> tuple[list[_Visit], list[_Span]]:
        """The run's visits numbered in start order, and (our export only) its warm-up spans."""
        if self.ours:
            under = [span for span in self.root.children if "pipeline.component" in span.attributes]
            spans = [span for span in under if "pipeline.visit_id" in span.attributes]
            warm_ups = [span for span in under if "pipeline.visit_id" not in span.attributes]
        else:
            spans = [
                span
                for span in _descendants(self.root)
                if span.name == COMPONENT_SPAN and self._owner(span) is self.root
            ]
            warm_ups = []
        if self.ours:  # our export names each visit: keep its numbering
            spans.sort(key=lambda span: _int(span.attributes.get("pipeline.visit_id")))
        else:
            spans.sort(key=lambda span: (span.start, span.end))
        visits: list[_Visit] = []
        counts: dict[str, int] = {}
        for visit_id, span in enumerate(spans, start=1):
            component = str(span.attributes.get("haystack.component.name") or span.attributes.get("pipeline.component"))
            counts[component] = counts.get(component, 0) + 1
            visit = _Visit(span, component, counts[component], visit_id)
            traced = span.attributes.get(COMPONENT_VISITS, span.attributes.get("pipeline.visit"))
            if traced is not None and traced != visit.visit:
                self.warnings.append(
                    f"{component}: the trace numbers a visit {traced}, its start order makes it visit {visit.visit}"
                )
            visit.spec_inputs = self._spec(span, "haystack.component.input_spec")
            visit.spec_outputs = self._spec(span, "haystack.component.output_spec")
            visits.append(visit)
        return visits, warm_ups

    def _owner(self, span: _Span) -> _Span | None:
        """The nearest run or component span above `span`: a component span belongs to this run if that is the
        run span (a nested pipeline's component spans belong to that pipeline's run span)."""
        seen = {span.span_id}
        parent = self.by_id.get(span.parent_id)
        while parent is not None and parent.span_id not in seen:
            if parent is self.root or parent.name == COMPONENT_SPAN or _is_run_span(parent):
                return parent
            seen.add(parent.span_id)
            parent = self.by_id.get(parent.parent_id)
        return None

    def _spec(self, span: _Span, key: str) -> dict[str, Any]:
        if key not in span.attributes:
            return {}
        spec = _json_tag(span.attributes[key])
        if isinstance(spec, dict) and all(isinstance(item, dict) for item in spec.values()):
            return spec
        self.warnings.append(f"{span.attributes.get('haystack.component.name')}: unreadable {key}")
        return {}

    def _visit_events(self, visit: _Visit, content_traced: bool) -> list[RunEvent]:
        span, attributes = visit.span, visit.span.attributes
        start, end = self.seconds(span.start), self.seconds(span.end)
        mode = cast(
            ExecutionMode, attributes.get("pipeline.mode") if attributes.get("pipeline.mode") == "async" else "sync"
        )
        reused = attributes.get("pipeline.reused") is True
        thread = str(attributes.get("thread.name") or UNKNOWN_THREAD)
        if content_traced or COMPONENT_INPUT in attributes:
            inputs = _json_tag(attributes.get(COMPONENT_INPUT, "{}"))
        else:
            inputs = dict.fromkeys(_json_tag(attributes.get("haystack.component.input_types")) or {}, NOT_TRACED)
        common = _VisitFields(run_id=self.run_id, visit_id=visit.visit_id, component=visit.component, visit=visit.visit)
        events: list[RunEvent] = [
            ComponentStarted(
                **common, time=start, inputs=inputs if isinstance(inputs, dict) else {}, mode=mode, reused=reused
            )
        ]
        status = attributes.get("pipeline.status")
        error = self._error(span)
        # Haystack tags a visit's count only when it returned: a span without one and without an error (an
        # asyncio cancellation is no `Exception`, so OpenTelemetry records none) is a visit that was cancelled.
        unfinished = not self.ours and error is None and COMPONENT_VISITS not in attributes
        if status == "cancelled" or unfinished or (error is not None and error.type_name.endswith("CancelledError")):
            events.append(ComponentCancelled(**common, time=end, started_at=start, mode=mode))
        elif status == "running":
            pass  # our export of a run cut short: the visit never ended
        elif error is not None:
            events.append(
                ComponentFailed(
                    **common,
                    time=end,
                    error=error,
                    traceback=error.traceback,
                    started_at=start,
                    finished_at=end,
                    mode=mode,
                    thread=thread,
                )
            )
        else:
            if COMPONENT_OUTPUT in attributes:
                outputs = _json_tag(attributes[COMPONENT_OUTPUT])
            else:
                outputs = {} if content_traced else dict.fromkeys(visit.spec_outputs, NOT_TRACED)
            events.append(
                ComponentFinished(
                    **common,
                    time=end,
                    outputs=outputs if isinstance(outputs, dict) else {},
                    started_at=start,
                    finished_at=end,
                    mode=mode,
                    thread=thread,
                    reused=reused,
                )
            )
        for child in _descendants(span):
            events.append(
                ChildSpan(
                    run_id=self.run_id,
                    time=self.seconds(child.end),
                    visit_id=visit.visit_id,
                    component=visit.component,
                    name=child.name,
                    started_at=self.seconds(child.start),
                    finished_at=self.seconds(child.end),
                    attributes=child.attributes,
                    status=child.status,
                    status_message=child.status_message,
                    service=child.service,
                    span_id=child.span_id,
                    parent_span_id=child.parent_id,
                )
            )
        return events

    @staticmethod
    def _error(span: _Span) -> RecordedError | None:
        """The span's error: from its `exception` event, else from its status message."""
        if span.status != "error" and span.exception is None:
            return None
        if span.exception is not None:
            return RecordedError(
                str(span.exception.get("exception.type") or "Error"),
                str(span.exception.get("exception.message") or span.status_message),
                str(span.exception.get("exception.stacktrace") or ""),
            )
        match = _ERROR_TEXT.match(span.status_message)
        if match:
            return RecordedError(match.group(1), match.group(2))
        return RecordedError("Error", span.status_message or "the span ended with an error status")

    def _ending(self, visits: list[_Visit]) -> RunEvent | None:
        root = self.root
        end = self.seconds(root.end)
        status = root.attributes.get("pipeline.status")
        outputs = _json_tag(root.attributes.get("haystack.pipeline.output_data"))
        outputs = outputs if isinstance(outputs, dict) else {}
        if status == "running":
            return None
        if status == "cancelled":
            return RunCancelled(run_id=self.run_id, time=end, outputs=outputs)
        error = self._error(root)
        if status == "failed" or error is not None:
            error = error or RecordedError("Error", "the run failed")
            failed = [v.component for v in visits if self._error(v.span) is not None]
            return RunFailed(
                run_id=self.run_id,
                time=end,
                error=RecordedPipelineError(
                    error.type_name,
                    error.message,
                    error.traceback,
                    component_name=failed[0] if failed else None,
                    partial_outputs=outputs,
                ),
            )
        return RunFinished(run_id=self.run_id, time=end, outputs=outputs)

    @staticmethod
    def _resolved_inputs(raw: Any, visits: list[_Visit]) -> dict[str, dict[str, Any]]:
        """Inputs per component: as given when keyed by component, else each flat input goes to every component
        with an input socket of that name no other component sends to (as the pipeline resolves them)."""
        if not isinstance(raw, dict):
            return {}
        names = {visit.component for visit in visits}
        if all(isinstance(value, dict) for value in raw.values()) and set(raw) <= names:
            return raw
        resolved: dict[str, dict[str, Any]] = {}
        for visit in visits:
            for socket, spec in visit.spec_inputs.items():
                if socket in raw and not spec.get("senders"):
                    resolved.setdefault(visit.component, {})[socket] = raw[socket]
        return resolved

    def _definition(self, visits: list[_Visit], metadata: dict[str, Any]) -> str:
        """YAML for `rebuild_pipeline`: components with their traced types and sockets, connections paired from
        the receivers' `senders` and the senders' `receivers`."""
        components: dict[str, dict[str, Any]] = {}
        specs: dict[str, _Visit] = {}
        for visit in visits:
            attributes = visit.span.attributes
            type_path = attributes.get("haystack.component.fully_qualified_type") or attributes.get(
                "haystack.component.type"
            )
            entry = components.setdefault(
                visit.component,
                {
                    "type": str(type_path or UNKNOWN_TYPE),
                    "init_parameters": {},
                    "sockets": {"inputs": {}, "outputs": {}},
                },
            )
            for kind, spec in (("inputs", visit.spec_inputs), ("outputs", visit.spec_outputs)):
                for socket, item in spec.items():
                    entry["sockets"][kind].setdefault(socket, str(item.get("type", "Any")))
            if visit.spec_inputs or visit.spec_outputs:
                specs.setdefault(visit.component, visit)
        connections: list[dict[str, str]] = []
        for receiver, visit in specs.items():
            for sender in dict.fromkeys(s for spec in visit.spec_inputs.values() for s in spec.get("senders") or ()):
                components.setdefault(
                    str(sender), {"type": UNKNOWN_TYPE, "init_parameters": {}, "sockets": {"inputs": {}, "outputs": {}}}
                )
                connections += self._pair(str(sender), receiver, specs)
        for visit in specs.values():  # receivers that never ran still belong to the graph
            for spec in visit.spec_outputs.values():
                for receiver in spec.get("receivers") or ():
                    components.setdefault(
                        str(receiver),
                        {"type": UNKNOWN_TYPE, "init_parameters": {}, "sockets": {"inputs": {}, "outputs": {}}},
                    )
        exported_components, exported_connections = self._exported_graph()
        for name, type_path in exported_components.items():
            components.setdefault(
                name, {"type": type_path, "init_parameters": {}, "sockets": {"inputs": {}, "outputs": {}}}
            )
        connections += [
            {"sender": sender, "receiver": receiver}
            for sender, receiver in exported_connections
            if {"sender": sender, "receiver": receiver} not in connections
        ]
        data = {
            IMPORTED_KEY: SOURCE,
            "metadata": metadata,
            "max_runs_per_component": _int(self.root.attributes.get("haystack.pipeline.max_runs_per_component"), 100),
            "components": components,
            "connections": connections,
        }
        # libyaml's dumper where it is installed: the pure-Python one took most of an import's time (5 of 7 ms).
        return yaml.dump(data, Dumper=_SAFE_DUMPER, sort_keys=False, allow_unicode=True)

    def _exported_graph(self) -> tuple[dict[str, str], list[tuple[str, str]]]:
        """The graph our own export puts on its root span (`pipeline.components`, `pipeline.connections`)."""
        try:
            components = json.loads(str(self.root.attributes.get("pipeline.components") or "{}"))
            connections = json.loads(str(self.root.attributes.get("pipeline.connections") or "[]"))
        except json.JSONDecodeError:
            return {}, []
        if not isinstance(components, dict) or not isinstance(connections, list):
            return {}, []
        pairs = [(str(pair[0]), str(pair[1])) for pair in connections if isinstance(pair, list) and len(pair) == 2]
        return {str(name): str(type_path) for name, type_path in components.items()}, pairs

    def _pair(self, sender: str, receiver: str, specs: Mapping[str, _Visit]) -> list[dict[str, str]]:
        """The connections from `sender` to `receiver`: the receiver's input sockets naming the sender, matched to
        the sender's output sockets naming the receiver, by type first, then in order."""
        inputs = [
            (socket, str(spec.get("type")))
            for socket, spec in specs[receiver].spec_inputs.items()
            for name in spec.get("senders") or ()
            if name == sender
        ]
        source = specs.get(sender)
        outputs = [
            (socket, str(spec.get("type")))
            for socket, spec in (source.spec_outputs.items() if source is not None else ())
            for name in spec.get("receivers") or ()
            if name == receiver
        ]
        pairs = []
        for socket, type_name in inputs:
            if not outputs:
                self.warnings.append(f"{receiver}.{socket}: no output socket of {sender} names {receiver}")
                break
            index = next((i for i, (_, out_type) in enumerate(outputs) if out_type == type_name), 0)
            output, _ = outputs.pop(index)
            pairs.append({"sender": f"{sender}.{output}", "receiver": f"{receiver}.{socket}"})
        return pairs


def _int(value: Any, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _ordered(events: list[RunEvent]) -> list[RunEvent]:
    """Events by time; at the same time, ends before starts (a visit that ends lets the next one start). Visits
    start in visit id order, as visit ids count starts, and a visit's other events never come before its start
    (another service's clock may put a child span earlier; our export's span starts are when a component began
    executing, which can be after a later visit was started)."""
    ranks = {ComponentStarted: 2, ChildSpan: 1}
    next_start = 1
    held_starts: dict[int, ComponentStarted] = {}
    waiting: dict[int, list[RunEvent]] = {}
    result: list[RunEvent] = []
    for event in sorted(events, key=lambda event: (event.time, ranks.get(type(event), 0))):
        visit_id = getattr(event, "visit_id", None)
        if isinstance(event, ComponentStarted):
            held_starts[event.visit_id] = event
            while next_start in held_starts:
                result += [held_starts.pop(next_start), *waiting.pop(next_start, [])]
                next_start += 1
        elif visit_id is not None and visit_id >= next_start:
            waiting.setdefault(visit_id, []).append(event)
        else:
            result.append(event)
    result += [*held_starts.values(), *(event for held in waiting.values() for event in held)]
    return result


# -- saving -----------------------------------------------------------------------------------------------------


def save_imported_run(run: ImportedRun, runs_dir: str | Path | None = None) -> Path:
    """Write the run to the runs folder as a recording whose header says it was imported; return its path.
    The file is named after the run's start, so runs imported later still sort by when they ran."""
    store = RunStore(runs_dir)
    store.directory.mkdir(parents=True, exist_ok=True)
    path = store.path_for(run.pipeline_name, run.run_id, run.wall_time)
    recorder = RunRecorder(
        EventList(run.events),
        path,
        pipeline=run.definition,
        inputs=run.inputs,
        pipeline_name=run.pipeline_name,
        wall_time=run.wall_time,
        imported=Imported(source=SOURCE, trace_id=run.trace_id, service=run.service, content_traced=run.content_traced),
    )
    try:
        for event in run.events:
            recorder.write(event)
    finally:
        recorder.close()
    return path
