"""Export a run's events to formats other tools open: Chrome trace JSON, OpenTelemetry OTLP/JSON, Mermaid.

Perfetto and chrome://tracing show where the time went and what overlapped; OTLP puts runs into whatever tracing
backend a team already has; Mermaid draws the graph with each component's time on it. Every export is a pure
function of the events (folded by `RunSummary`, whose visit records they read), so live runs, recordings and
replays export alike. Visits keep their real times; the run's duration is its pipeline time (pauses and warm-ups
left out, see `RunSummary.duration`), and the pauses are exported on their own: a "paused" track in a Chrome
trace, "paused" events on an OTLP root span.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, TypeAlias

import yaml

from pipeline.core.events import RunEvent
from pipeline.core.pipeline import PipelineBase
from pipeline.runs.rebuild import rebuild_pipeline
from pipeline.runs.secrets import scrub
from pipeline.runs.spans import RunSummary

MICROS = 1_000_000
NANOS = 1_000_000_000
RUN_TID = 0
"""The Chrome trace thread that carries run-level instants; component lanes count from 1."""
PAUSED_TRACK = "paused"
"""The name of the Chrome trace thread, after the lanes, that shows when the run stood paused."""
OTLP_SPAN_KIND_INTERNAL = 1
OTLP_STATUS_UNSET, OTLP_STATUS_ERROR = 0, 2
ExportFormat: TypeAlias = Literal["chrome", "otlp", "mermaid"]


class _Run:
    """One run's summary plus its end, which exports need even for a stream cut short."""

    def __init__(self, events: Sequence[RunEvent]) -> None:
        run_ids = {event.run_id for event in events}
        if len(run_ids) != 1:
            raise ValueError(f"Expected the events of one run, got {len(run_ids)} run ids; export runs one by one.")
        self.summary = RunSummary.from_events(events)
        assert self.summary.origin is not None and self.summary.wall_time is not None
        self.run_id: str = run_ids.pop()
        self.wall_time: float = self.summary.wall_time
        self.end: float = (
            self.summary.ended_at
            if self.summary.ended_at is not None
            else self.summary.relative(max(event.time for event in events))
        )
        """Relative end of the run; a stream cut short (no final event) ends at its last event."""
        self.errors: dict[int, BaseException] = {
            span.visit_id: span.error for span in self.summary.spans if span.error is not None
        }

    def times(self) -> dict[str, float]:
        """The run's pipeline time (its duration), wall time, idle paused time and warm-up time, in ms."""
        return {
            "duration_ms": self.summary.pipeline_time(self.end) * 1000,
            "wall_ms": self.end * 1000,
            "paused_ms": self.summary.paused_time(self.end) * 1000,
            "warm_up_ms": self.summary.warm_up_time * 1000,
        }

    def pauses(self) -> list[tuple[float, float, dict[str, Any]]]:
        """`(start, end, args)` of every pause; one still open ends with the run."""
        return [
            (
                pause.started_at,
                pause.ended_at if pause.ended_at is not None else self.end,
                {"reason": pause.reason, "component": pause.component or None, "visit_id": pause.visit_id or None},
            )
            for pause in self.summary.pauses
        ]

    def intervals(self) -> list[tuple[str, str, float, float, dict[str, Any]]]:
        """`(name, category, start, end, args)` of every warm-up and visit; visits still running end with the run.

        The category is "warm_up" or the visit's mode ("sync"/"async").
        """
        warm_ups = [
            (f"{component} warm_up", "warm_up", start, end, {"component": component})
            for component, (start, end) in self.summary.warm_ups.items()
        ]
        visits = []
        for span in self.summary.spans:
            args: dict[str, Any] = {
                "component": span.component,
                "visit": span.visit,
                "visit_id": span.visit_id,
                "thread": span.thread,
                "status": span.status,
            }
            if span.reused:
                args["reused"] = True
            if span.error is not None:
                args["error"] = _describe(span.error)
                args["traceback"] = span.traceback
            end = span.finished_at if span.finished_at is not None else self.end
            visits.append((span.component, span.mode, span.started_at, end, args))
        return warm_ups + visits


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"


# -- Chrome trace-event format ----------------------------------------------------------------------------------


def to_chrome_trace(events: Sequence[RunEvent], *, process_name: str | None = None) -> dict[str, Any]:
    """One run as a Chrome trace (JSON Object Format), for Perfetto or chrome://tracing.

    The run is process 1 (named `process_name`, by default after the run id). Visits are complete events in
    microseconds since the run started, laid on lanes so that overlapping visits never share one: a lane is a
    slot of concurrency, not an OS thread (the thread is in each event's args). Pauses are complete events on a
    thread of their own, named "paused", after the lanes.
    """
    run = _Run(events)
    pid = 1
    name = process_name or f"run {run.run_id}"
    intervals = [(label, kind, _us(start), _us(end), args) for label, kind, start, end, args in run.intervals()]
    lanes = assign_lanes([(start, end) for _, _, start, end, _ in intervals])
    trace: list[dict[str, Any]] = [_metadata("process_name", pid, RUN_TID, name)]
    trace += [_metadata("thread_name", pid, lane, f"lane {lane}") for lane in sorted(set(lanes))]
    for (label, kind, start, end, args), lane in zip(intervals, lanes, strict=True):
        trace.append(
            {
                "name": label,
                "cat": kind,
                "ph": "X",
                "ts": start,
                "dur": round(end - start, 3),
                "pid": pid,
                "tid": lane,
                "args": args,
            }
        )
    pauses = run.pauses()
    if pauses:
        paused_tid = max(lanes, default=0) + 1
        trace.append(_metadata("thread_name", pid, paused_tid, PAUSED_TRACK))
        for start, end, args in pauses:
            where = f" at {args['component']}" if args["component"] else ""
            trace.append(
                {
                    "name": f"paused ({args['reason']}){where}",
                    "cat": "paused",
                    "ph": "X",
                    "ts": _us(start),
                    "dur": round(_us(end) - _us(start), 3),
                    "pid": pid,
                    "tid": paused_tid,
                    "args": {key: value for key, value in args.items() if value is not None},
                }
            )
    ended: dict[str, Any] = {"status": run.summary.status}
    if run.summary.error is not None:
        ended["error"] = _describe(run.summary.error)
    trace.append(
        {
            "name": f"run {run.summary.status}",
            "ph": "i",
            "s": "p",
            "ts": _us(run.end),
            "pid": pid,
            "tid": RUN_TID,
            "args": ended,
        }
    )
    info = {
        "pid": pid,
        "name": name,
        "run_id": run.run_id,
        "status": run.summary.status,
        "started": datetime.fromtimestamp(run.wall_time, UTC).isoformat(),
        **run.times(),
    }
    return {"traceEvents": trace, "displayTimeUnit": "ms", "otherData": {"runs": [info]}}


def assign_lanes(intervals: Sequence[tuple[float, float]]) -> list[int]:
    """A lane (from 1) per `(start, end)`: taken in start order, each gets the lowest lane free by its start.

    Greedy interval partitioning: no two intervals on a lane overlap, and it uses as many lanes as the most
    intervals that overlap at any moment (touching intervals may share a lane).
    """
    lanes = [0] * len(intervals)
    free_at: list[float] = []
    for index in sorted(range(len(intervals)), key=intervals.__getitem__):
        start, end = intervals[index]
        lane = next((n for n, free in enumerate(free_at) if free <= start), len(free_at))
        if lane == len(free_at):
            free_at.append(end)
        else:
            free_at[lane] = end
        lanes[index] = lane + 1
    return lanes


def _us(seconds: float) -> float:
    """Seconds as microseconds, kept to the nanosecond: the trace format's unit."""
    return round(seconds * MICROS, 3)


def _metadata(kind: str, pid: int, tid: int, name: str) -> dict[str, Any]:
    return {"name": kind, "ph": "M", "ts": 0, "pid": pid, "tid": tid, "args": {"name": name}}


# -- OpenTelemetry OTLP/JSON ------------------------------------------------------------------------------------


def to_otlp_json(
    events: Sequence[RunEvent], *, service_name: str = "pipedebug", pipeline: PipelineBase | str | None = None
) -> dict[str, Any]:
    """One run as an OTLP/JSON trace (an `ExportTraceServiceRequest`): a root span, a child span per visit.

    Ids are hashes of the run id (and visit id), so exporting the same run twice gives the same trace. Times are
    Unix nanoseconds: the run's monotonic times shifted onto `RunStarted.wall_time`. With the `pipeline` (or its
    YAML), the root span also carries its graph (`pipeline.components`, `pipeline.connections`, JSON), so
    `pipedebug traces` draws it back.
    """
    run = _Run(events)
    trace_id = _hex_id(run.run_id, 32)
    root_id = _hex_id(f"{run.run_id}/run", 16)
    origin_ns = round(run.wall_time * NANOS)

    def unix_ns(seconds: float) -> str:
        return str(origin_ns + round(seconds * NANOS))

    root: dict[str, Any] = {
        "traceId": trace_id,
        "spanId": root_id,
        "name": "pipeline run",
        "kind": OTLP_SPAN_KIND_INTERNAL,
        "startTimeUnixNano": unix_ns(0.0),
        "endTimeUnixNano": unix_ns(run.end),
        "attributes": _attributes(
            {
                "pipeline.run_id": run.run_id,
                "pipeline.status": run.summary.status,
                **{f"pipeline.{key}": value for key, value in run.times().items()},
                **_graph_attributes(pipeline),
            }
        ),
        "status": _status(run.summary.error),
    }
    if run.summary.pauses:
        root["events"] = [
            {
                "timeUnixNano": unix_ns(start),
                "name": "paused",
                "attributes": _attributes(
                    {f"pipeline.pause.{key}": value for key, value in args.items()}
                    | {"pipeline.pause.duration_ms": (end - start) * 1000}
                ),
            }
            for start, end, args in run.pauses()
        ]
    spans = [root]
    for name, kind, start, end, args in run.intervals():
        span_key = f"visit {args['visit_id']}" if "visit_id" in args else f"warm_up {args['component']}"
        error = run.errors.get(args.get("visit_id", -1))
        span: dict[str, Any] = {
            "traceId": trace_id,
            "spanId": _hex_id(f"{run.run_id}/{span_key}", 16),
            "parentSpanId": root_id,
            "name": name,
            "kind": OTLP_SPAN_KIND_INTERNAL,
            "startTimeUnixNano": unix_ns(start),
            "endTimeUnixNano": unix_ns(end),
            "attributes": _attributes(
                {
                    "pipeline.component": args["component"],
                    "pipeline.visit": args.get("visit"),
                    "pipeline.visit_id": args.get("visit_id"),
                    "pipeline.mode": None if kind == "warm_up" else kind,
                    "pipeline.status": args.get("status"),
                    "pipeline.reused": args.get("reused"),
                    "thread.name": args.get("thread"),
                }
            ),
            "status": _status(error),
        }
        if error is not None:
            exception = {
                "exception.type": type(error).__qualname__,
                "exception.message": str(error),
                "exception.stacktrace": args["traceback"],
            }
            span["events"] = [{"timeUnixNano": unix_ns(end), "name": "exception", "attributes": _attributes(exception)}]
        spans.append(span)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes({"service.name": service_name})},
                "scopeSpans": [{"scope": {"name": "pipedebug"}, "spans": spans}],
            }
        ]
    }


def _graph_attributes(pipeline: PipelineBase | str | None) -> dict[str, str]:
    """The pipeline's components (name: type) and connections ("sender.socket", "receiver.socket") as JSON,
    read from its definition: nothing is imported to export a recording."""
    if pipeline is None:
        return {}
    try:
        data = yaml.safe_load(pipeline) if isinstance(pipeline, str) else pipeline.to_dict()
    except yaml.YAMLError:  # a damaged definition: the spans still export, without the graph
        return {}
    if not isinstance(data, dict) or not isinstance(data.get("components"), dict):
        return {}
    components = {str(name): str(spec.get("type", "")) for name, spec in data["components"].items()}
    connections = [
        [str(item["sender"]), str(item["receiver"])]
        for item in data.get("connections") or []
        if isinstance(item, dict) and "sender" in item and "receiver" in item
    ]
    return {"pipeline.components": json.dumps(components), "pipeline.connections": json.dumps(connections)}


def _hex_id(key: str, length: int) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:length]


def _attributes(values: dict[str, Any]) -> list[dict[str, Any]]:
    """OTLP key-values, typed as OTLP wants (ints as decimal strings); `None` values are left out."""
    return [{"key": key, "value": _any_value(value)} for key, value in values.items() if value is not None]


def _any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    return {"stringValue": str(value)}


def _status(error: BaseException | None) -> dict[str, Any]:
    return {"code": OTLP_STATUS_UNSET} if error is None else {"code": OTLP_STATUS_ERROR, "message": _describe(error)}


# -- Mermaid ----------------------------------------------------------------------------------------------------

_NODE = re.compile(r'^\s+(\w+)\["(.*?)<br/>.*"\]$')
"""A node line of `PipelineGraph.to_mermaid()`: `n0_name["name<br/><i>Type</i>"]`."""
_STATUS_STYLES = {
    "finished": "fill:#e6f4ea,stroke:#1e8e3e",
    "running": "fill:#fef7e0,stroke:#f9ab00",
    "cancelled": "fill:#f1f3f4,stroke:#80868b,stroke-dasharray:4",
    "failed": "fill:#fce8e6,stroke:#d93025,stroke-width:2px",
}
"""Mermaid styles by how a component's latest visit ended."""


def to_mermaid(
    pipeline: PipelineBase | str, events: Sequence[RunEvent] | None = None, *, allowed_modules: Iterable[str] = ()
) -> str:
    """The pipeline's Mermaid flowchart (YAML text is rebuilt first: a Haystack one through the bridge, or from
    placeholders where haystack-ai is missing); with a run's events, each component that ran shows its total time
    (and visit count) and is styled by how its last visit ended."""
    if isinstance(pipeline, str):
        pipe = rebuild_pipeline(
            pipeline, source="<string>", allowed_modules=allowed_modules, placeholders=True, events=events or ()
        )
    else:
        pipe = pipeline
    text = pipe.to_mermaid()
    if events is None:
        return text
    summary = RunSummary.from_events(events)
    lines = text.split("\n")
    classes: dict[str, list[str]] = {}
    for index, line in enumerate(lines):
        match = _NODE.match(line)
        spans = summary.spans_of(match.group(2)) if match else []
        if not match or not spans:
            continue
        took = sum(span.duration or 0.0 for span in spans) * 1000
        visits = f" × {len(spans)}" if len(spans) > 1 else ""
        lines[index] = f'{line[:-2]}<br/>{took:.1f} ms{visits}"]'
        classes.setdefault(spans[-1].status, []).append(match.group(1))
    for status, style in _STATUS_STYLES.items():
        if status in classes:
            lines += [f"    classDef {status} {style}", f"    class {','.join(classes[status])} {status}"]
    return "\n".join(lines)


# -- files ------------------------------------------------------------------------------------------------------


def export_text(
    events: Sequence[RunEvent],
    fmt: ExportFormat,
    name: str,
    *,
    pipeline: PipelineBase | str | None = None,
    allowed_modules: Iterable[str] = (),
) -> str:
    """The content of an export file, ending with a newline: the JSON formats indented by one space (readable,
    still compact for long runs). `name` is the Chrome trace's process name; Mermaid needs the `pipeline` (or
    its YAML) and raises `ValueError` without it, `DefinitionError` if the YAML cannot be loaded."""
    if fmt == "chrome":
        text = json.dumps(to_chrome_trace(events, process_name=name), indent=1)
    elif fmt == "otlp":
        text = json.dumps(to_otlp_json(events, pipeline=pipeline), indent=1)
    elif fmt == "mermaid":
        if pipeline is None:
            raise ValueError("a Mermaid export draws the pipeline, and there is no pipeline definition")
        text = to_mermaid(pipeline, events, allowed_modules=allowed_modules)
    else:
        raise ValueError(f"unknown export format {fmt!r}: expected chrome, otlp or mermaid")
    return scrub(text, pipeline) + "\n"  # a live run's values still hold what a component leaked
