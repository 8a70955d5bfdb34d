"""Exports of real runs: Chrome trace-event JSON, OTLP/JSON and Mermaid, checked against their formats."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pytest

from pipeline import AsyncPipeline
from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent
from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunStarted
from pipeline.runs.export import assign_lanes, to_chrome_trace, to_mermaid, to_otlp_json
from tests.pipeline.toy_components import CountDown, Counter, Fail, LoopEntry, Sleep

TOLERANCE_US = 5_000
"""Sleeps may end a clock tick early; durations must still show at least the sleep, give or take this."""


def waiting() -> AsyncPipeline:
    """The seed's shape, scaled down: slow_sync -> quick_async, beside slow_async; the branches overlap."""
    pipe = AsyncPipeline()
    pipe.add_component("slow_sync", WaitingComponent("slow_sync", 0.05))
    pipe.add_component("quick_async", AsyncWaitingComponent("quick_async", 0.02))
    pipe.add_component("slow_async", AsyncWaitingComponent("slow_async", 0.12))
    pipe.connect("slow_sync.message", "quick_async.user_msg")
    return pipe


def failing() -> AsyncPipeline:
    """`broken` fails at once; `slow` (async, 5 s) is cancelled then."""
    pipe = AsyncPipeline()
    pipe.add_component("broken", Fail())
    pipe.add_component("slow", Sleep(5))
    return pipe


async def events_of(pipe: AsyncPipeline, data: dict[str, Any], **kwargs: Any) -> list[RunEvent]:
    async with pipe.events(data, **kwargs) as run:
        return [event async for event in run]


@pytest.fixture
async def concurrent() -> list[RunEvent]:
    return await events_of(waiting(), {"user_msg": "Hello"})


def complete_events(trace: dict[str, Any], pid: int = 1) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in trace["traceEvents"] if e["ph"] == "X" and e["pid"] == pid}


def assert_trace_event_format(trace: dict[str, Any]) -> None:
    """The keys each phase needs (JSON Object Format), numeric times, and a JSON round trip."""
    assert set(trace) == {"traceEvents", "displayTimeUnit", "otherData"}
    assert trace["displayTimeUnit"] == "ms"
    assert json.loads(json.dumps(trace)) == trace
    for event in trace["traceEvents"]:
        assert {"name", "ph", "ts", "pid", "tid"} <= set(event), event
        assert isinstance(event["name"], str) and event["ph"] in {"X", "M", "i"}
        assert all(type(event[key]) in (int, float) for key in ("ts", "pid", "tid")), event
        if event["ph"] == "X":
            assert type(event["dur"]) in (int, float) and event["dur"] >= 0 and event["ts"] >= 0
            assert isinstance(event["cat"], str) and isinstance(event["args"], dict)
        elif event["ph"] == "M":
            assert event["name"] in {"process_name", "thread_name"} and isinstance(event["args"]["name"], str)
        else:
            assert event["s"] in {"g", "p", "t"}


def assert_lanes_never_overlap(trace: dict[str, Any]) -> None:
    lanes: dict[tuple[int, int], list[tuple[float, float]]] = {}
    for event in trace["traceEvents"]:
        if event["ph"] == "X":
            lanes.setdefault((event["pid"], event["tid"]), []).append((event["ts"], event["ts"] + event["dur"]))
    for intervals in lanes.values():
        intervals.sort()
        for (_, end), (start, _) in itertools.pairwise(intervals):
            assert end <= start + 1e-6, intervals


async def test_chrome_trace_follows_the_trace_event_format(concurrent: list[RunEvent]) -> None:
    trace = to_chrome_trace(concurrent)

    assert_trace_event_format(trace)
    assert_lanes_never_overlap(trace)
    spans = complete_events(trace)
    assert set(spans) == {"slow_sync", "quick_async", "slow_async"}
    assert (spans["slow_sync"]["cat"], spans["slow_async"]["cat"]) == ("sync", "async")
    assert spans["slow_sync"]["args"] == {
        "component": "slow_sync",
        "visit": 1,
        "visit_id": 2,  # equally ready components start in name order, as in Haystack
        "thread": "pipedebug-worker_0",
        "status": "finished",
    }
    [ended] = [e for e in trace["traceEvents"] if e["ph"] == "i"]
    assert (ended["name"], ended["s"], ended["args"]) == ("run finished", "p", {"status": "finished"})
    assert ended["ts"] >= max(e["ts"] + e["dur"] for e in spans.values())
    run_id = concurrent[0].run_id
    [info] = trace["otherData"]["runs"]
    assert (info["pid"], info["run_id"], info["status"]) == (1, run_id, "finished")


async def test_chrome_times_are_microseconds_since_the_run_started(concurrent: list[RunEvent]) -> None:
    spans = complete_events(to_chrome_trace(concurrent))
    finished = {e.component: e for e in concurrent if isinstance(e, ComponentFinished)}
    origin = concurrent[0].time

    for name, seconds in (("slow_sync", 0.05), ("quick_async", 0.02), ("slow_async", 0.12)):
        dur = spans[name]["dur"]
        assert seconds * 1e6 - TOLERANCE_US <= dur < seconds * 1e6 + 500_000  # µs: not ms, not ns
        assert dur == pytest.approx(finished[name].duration * 1e6, abs=0.01)
        assert spans[name]["ts"] == pytest.approx((finished[name].started_at - origin) * 1e6, abs=0.01)
    assert spans["slow_sync"]["dur"] >= 50_000 - TOLERANCE_US


async def test_overlapping_components_get_their_own_lanes(concurrent: list[RunEvent]) -> None:
    trace = to_chrome_trace(concurrent, process_name="concurrent")
    spans = complete_events(trace)

    assert spans["slow_sync"]["tid"] != spans["slow_async"]["tid"]
    assert spans["quick_async"]["tid"] != spans["slow_async"]["tid"]  # quick_async ran while slow_async did
    assert {e["tid"] for e in spans.values()} == {1, 2}  # two branches at most at once: two lanes
    names = {(e["name"], e["tid"]): e["args"]["name"] for e in trace["traceEvents"] if e["ph"] == "M"}
    assert names == {("process_name", 0): "concurrent", ("thread_name", 1): "lane 1", ("thread_name", 2): "lane 2"}


async def test_failed_visits_carry_the_error_and_cancelled_ones_end_when_cancelled() -> None:
    events = await events_of(failing(), {"value": 1})

    trace = to_chrome_trace(events)

    assert_trace_event_format(trace)
    spans = complete_events(trace)
    assert spans["broken"]["args"]["status"] == "failed"
    assert spans["broken"]["args"]["error"] == "RuntimeError: boom on 1"
    assert "RuntimeError: boom on 1" in spans["broken"]["args"]["traceback"]
    slow = spans["slow"]
    assert (slow["args"]["status"], slow["args"]["thread"]) == ("cancelled", None)
    assert slow["dur"] < 1_000_000  # ended at the cancel, not after its 5 s sleep
    [ended] = [e for e in trace["traceEvents"] if e["ph"] == "i"]
    assert ended["name"] == "run failed" and "boom on 1" in ended["args"]["error"]
    assert ended["ts"] >= slow["ts"] + slow["dur"]


async def test_warm_ups_are_exported_before_the_visits() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("counter", Counter())
    events = await events_of(pipe, {"value": 1})

    spans = complete_events(to_chrome_trace(events))

    warm_up, visit = spans["counter warm_up"], spans["counter"]
    assert (warm_up["cat"], warm_up["args"]) == ("warm_up", {"component": "counter"})
    assert warm_up["ts"] + warm_up["dur"] <= visit["ts"] + 1e-6
    otlp_names = [span["name"] for span in to_otlp_json(events)["resourceSpans"][0]["scopeSpans"][0]["spans"]]
    assert otlp_names == ["pipeline run", "counter warm_up", "counter"]


async def test_the_events_of_one_run_are_required(concurrent: list[RunEvent]) -> None:
    other = await events_of(waiting(), {"user_msg": "Hello"})
    with pytest.raises(ValueError, match="one run, got 2 run ids"):
        to_chrome_trace(concurrent + other)
    with pytest.raises(ValueError, match="before RunStarted"):
        to_otlp_json(concurrent[1:])


async def test_reused_visits_of_a_fork_are_marked(concurrent: list[RunEvent]) -> None:
    recorded = next(e for e in concurrent if isinstance(e, ComponentFinished) and e.component == "slow_sync")
    fork = await events_of(waiting(), {"user_msg": "Hello"}, reuse_outputs={("slow_sync", 1): recorded.outputs})

    spans = complete_events(to_chrome_trace(fork))
    assert spans["slow_sync"]["args"]["reused"] is True and "reused" not in spans["quick_async"]["args"]
    otlp = otlp_spans(to_otlp_json(fork))
    assert attributes(otlp["slow_sync"])["pipeline.reused"] is True
    assert "pipeline.reused" not in attributes(otlp["quick_async"])


def test_lanes_are_assigned_greedily_by_start() -> None:
    assert assign_lanes([]) == []
    assert assign_lanes([(0, 10), (5, 15), (10, 20), (12, 13), (16, 17)]) == [1, 2, 1, 3, 2]
    assert assign_lanes([(5, 6), (0, 10)]) == [2, 1]  # taken in start order, reported in input order


# -- OTLP ---------------------------------------------------------------------------------------------------------


def otlp_spans(export: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [resource] = export["resourceSpans"]
    [scope] = resource["scopeSpans"]
    return {span["name"]: span for span in scope["spans"]}


def attributes(span: dict[str, Any]) -> dict[str, Any]:
    """OTLP key-values as a dict, checking each holds exactly one typed value."""
    values = {}
    for attribute in span["attributes"]:
        assert set(attribute) == {"key", "value"}
        [(kind, value)] = attribute["value"].items()
        assert kind in {"stringValue", "intValue", "doubleValue", "boolValue"}
        values[attribute["key"]] = int(value) if kind == "intValue" else value
        if kind == "intValue":
            assert isinstance(value, str)  # int64 travels as a decimal string in OTLP/JSON
    return values


async def test_otlp_has_a_root_span_and_one_child_per_visit(concurrent: list[RunEvent]) -> None:
    export = to_otlp_json(concurrent, service_name="checkout-rag")

    assert json.loads(json.dumps(export)) == export
    assert attributes(export["resourceSpans"][0]["resource"]) == {"service.name": "checkout-rag"}
    spans = otlp_spans(export)
    assert set(spans) == {"pipeline run", "slow_sync", "quick_async", "slow_async"}
    root = spans.pop("pipeline run")
    assert "parentSpanId" not in root
    assert re.fullmatch(r"[0-9a-f]{32}", root["traceId"]) and root["traceId"] != "0" * 32
    assert all(re.fullmatch(r"[0-9a-f]{16}", span["spanId"]) for span in (root, *spans.values()))
    assert len({span["spanId"] for span in (root, *spans.values())}) == 4
    assert all(span["traceId"] == root["traceId"] for span in spans.values())
    assert all(span["parentSpanId"] == root["spanId"] for span in spans.values())
    assert all(span["kind"] == 1 and span["status"] == {"code": 0} for span in (root, *spans.values()))
    assert attributes(spans["slow_sync"]) == {
        "pipeline.component": "slow_sync",
        "pipeline.visit": 1,
        "pipeline.visit_id": 2,
        "pipeline.mode": "sync",
        "pipeline.status": "finished",
        "thread.name": "pipedebug-worker_0",
    }
    root_attributes = attributes(root)
    times = {
        key: root_attributes.pop(f"pipeline.{key}") for key in ("duration_ms", "wall_ms", "paused_ms", "warm_up_ms")
    }
    assert root_attributes == {"pipeline.run_id": concurrent[0].run_id, "pipeline.status": "finished"}
    assert times["duration_ms"] == times["wall_ms"] > 0 and times["paused_ms"] == times["warm_up_ms"] == 0
    assert to_otlp_json(concurrent, service_name="checkout-rag") == export  # ids derive from the run


async def test_otlp_times_are_unix_nanoseconds_consistent_with_durations(concurrent: list[RunEvent]) -> None:
    spans = otlp_spans(to_otlp_json(concurrent))
    started = concurrent[0]
    assert isinstance(started, RunStarted)
    finished = {e.component: e for e in concurrent if isinstance(e, ComponentFinished)}

    times = {}
    for name, span in spans.items():
        start, end = span["startTimeUnixNano"], span["endTimeUnixNano"]
        assert isinstance(start, str) and isinstance(end, str) and start.isdigit() and end.isdigit()
        times[name] = (int(start), int(end))
    root_start, root_end = times.pop("pipeline run")
    assert abs(root_start - started.wall_time * 1e9) < 1_000
    for name, (start, end) in times.items():
        assert root_start <= start <= end <= root_end
        assert abs((end - start) - finished[name].duration * 1e9) <= 2
        assert abs((start - root_start) - (finished[name].started_at - started.time) * 1e9) <= 1
    assert times["slow_sync"][1] - times["slow_sync"][0] >= 0.05e9 - TOLERANCE_US * 1_000


async def test_otlp_marks_failed_visits_and_the_failed_run() -> None:
    events = await events_of(failing(), {"value": 1})

    spans = otlp_spans(to_otlp_json(events))

    broken = spans["broken"]
    assert broken["status"] == {"code": 2, "message": "RuntimeError: boom on 1"}
    [exception] = broken["events"]
    assert exception["name"] == "exception" and exception["timeUnixNano"] == broken["endTimeUnixNano"]
    details = attributes(exception)
    assert (details["exception.type"], details["exception.message"]) == ("RuntimeError", "boom on 1")
    assert "Traceback" in details["exception.stacktrace"]
    assert spans["slow"]["status"] == {"code": 0}
    assert attributes(spans["slow"])["pipeline.status"] == "cancelled"
    assert "thread.name" not in attributes(spans["slow"])
    root = spans["pipeline run"]
    assert root["status"]["code"] == 2 and "boom on 1" in root["status"]["message"]
    assert int(spans["slow"]["endTimeUnixNano"]) - int(spans["slow"]["startTimeUnixNano"]) < 1e9


# -- Mermaid ------------------------------------------------------------------------------------------------------


def test_mermaid_from_yaml_text_has_the_nodes_and_edges() -> None:
    text = to_mermaid(waiting().dumps())

    assert text == waiting().to_mermaid()
    assert text.startswith("flowchart TD")
    for node in ("slow_sync", "quick_async", "slow_async"):
        assert re.search(rf'^\s+n\d+_{node}\["{node}<br/>', text, re.MULTILINE)
    assert re.search(r"^\s+n\d+_slow_sync -->.*message → user_msg.*\| n\d+_quick_async$", text, re.MULTILINE)
    assert "pipeline_input" in text and "pipeline_output" in text


async def test_mermaid_annotates_durations_and_statuses(concurrent: list[RunEvent]) -> None:
    text = to_mermaid(waiting(), concurrent)
    finished = {e.component: e for e in concurrent if isinstance(e, ComponentFinished)}

    node = re.search(r'^\s+(n\d+_slow_sync)\["slow_sync<br/><i>WaitingComponent</i><br/>([\d.]+) ms"\]$', text, re.M)
    assert node is not None
    assert float(node.group(2)) == pytest.approx(finished["slow_sync"].duration * 1000, abs=0.06)
    assert "classDef finished" in text
    [classes] = re.findall(r"^\s+class (\S+) finished$", text, re.MULTILINE)
    assert set(classes.split(",")) == {node.group(1), *re.findall(r"(n\d+_(?:quick|slow)_async)\[", text)}

    failed = to_mermaid(failing(), await events_of(failing(), {"value": 1}))
    assert re.search(r"^\s+classDef failed ", failed, re.MULTILINE)
    assert re.search(r"^\s+class n\d+_broken failed$", failed, re.MULTILINE)
    assert re.search(r"^\s+class n\d+_slow cancelled$", failed, re.MULTILINE)


async def test_mermaid_counts_loop_visits() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("entry", LoopEntry())
    pipe.add_component("countdown", CountDown())
    pipe.connect("entry.value", "countdown.value")
    pipe.connect("countdown.again", "entry.value")
    events = await events_of(pipe, {"entry": {"value": 2}})
    assert [e.visit for e in events if isinstance(e, ComponentStarted) and e.component == "countdown"] == [1, 2, 3]

    assert re.search(r'countdown<br/><i>CountDown</i><br/>[\d.]+ ms × 3"\]', to_mermaid(pipe, events))
