"""Run files: recording real runs, reading them back as the same events, surviving kills and corruption."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, get_args

import numpy as np
import pytest

from pipeline import (
    AsyncPipeline,
    ChatMessage,
    Document,
    PipelineRuntimeError,
    StreamingChunk,
    component,
    report_progress,
)
from pipeline.components.testing import AsyncWaitingComponent
from pipeline.core.events import (
    ComponentFailed,
    ComponentFinished,
    ComponentStarted,
    RunCancelled,
    RunEvent,
    RunFailed,
    RunFinished,
    RunStarted,
)
from pipeline.runs.codec import RecordedError, type_path
from pipeline.runs.recording import (
    FORMAT,
    EventList,
    Parent,
    RecordedRun,
    RecordingError,
    RunRecorder,
    package_versions,
    read_run,
)
from tests.pipeline.toy_components import AddOne, Fail, Sleep

REPO = Path(__file__).resolve().parents[3]


@component
class Retrieve:
    """Sync; reports progress; returns documents with float32 embeddings and numpy scores."""

    def warm_up(self) -> None:
        self.ready = True

    @component.output_types(documents=list[Document])
    def run(self, query: str) -> dict[str, Any]:
        report_progress(1, 2, "half way")
        documents = [
            Document(
                content=f"{query} #{index}",
                meta={"when": datetime.date(2024, 1, index + 1), "span": (index, index + 5)},
                score=np.float32(1 / (index + 1)),
                embedding=np.linspace(0, 1, 24, dtype=np.float32).tolist(),
            )
            for index in range(3)
        ]
        return {"documents": documents}


@component
class Chat:
    """Async; returns chat messages, streamed chunks and an array."""

    @component.output_types(replies=list[ChatMessage], chunks=list[StreamingChunk], logits=np.ndarray)
    async def run_async(self, documents: list[Document]) -> dict[str, Any]:
        return {
            "replies": [ChatMessage.from_assistant(f"{len(documents)} documents", meta={"usage": {"total": 7}})],
            "chunks": [StreamingChunk(f"part {index}") for index in range(2)],
            "logits": np.ones((2, 3), dtype=np.float16),
        }

    @component.output_types(replies=list[ChatMessage], chunks=list[StreamingChunk], logits=np.ndarray)
    def run(self, documents: list[Document]) -> dict[str, Any]:
        raise NotImplementedError


def rag_pipeline() -> AsyncPipeline:
    pipe = AsyncPipeline(metadata={"name": "mini rag"})
    pipe.add_component("retrieve", Retrieve())
    pipe.add_component("chat", Chat())
    pipe.connect("retrieve.documents", "chat.documents")
    return pipe


async def record(stream: Any, path: Path, **header: Any) -> list[RunEvent]:
    async with RunRecorder(stream, path, **header) as recorder:
        return [event async for event in recorder]


def assert_same_events(live: list[RunEvent], loaded: list[RunEvent]) -> None:
    """Field by field, times included; errors by type name, message and what a PipelineRuntimeError carries."""
    assert [type(event) for event in loaded] == [type(event) for event in live]
    for original, copy in zip(live, loaded, strict=True):
        for field in dataclasses.fields(original):
            left, right = getattr(original, field.name), getattr(copy, field.name)
            if isinstance(left, BaseException):
                assert isinstance(right, RecordedError)
                assert (right.type_name, str(right)) == (type_path(type(left)), str(left))
                assert isinstance(right, PipelineRuntimeError) == isinstance(left, PipelineRuntimeError)
                if isinstance(left, PipelineRuntimeError):
                    assert right.component_name == left.component_name
                    assert right.partial_outputs == left.partial_outputs
            else:
                assert_equal_values(left, right)


def assert_equal_values(left: Any, right: Any) -> None:
    """`==`, except that numpy arrays (which do not compare to a bool) compare by dtype and values."""
    assert type(right) is type(left)
    if isinstance(left, dict):
        assert list(right) == list(left)
        for key in left:
            assert_equal_values(left[key], right[key])
    elif isinstance(left, list | tuple):
        assert len(right) == len(left)
        for item, other in zip(left, right, strict=True):
            assert_equal_values(item, other)
    elif isinstance(left, np.ndarray):
        assert np.array_equal(left, right) and left.dtype == right.dtype
    else:
        assert right == left


def event_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[1:]]


# -- recording real runs --------------------------------------------------------------------------------------


async def test_a_recorded_run_loads_back_as_the_same_events(tmp_path: Path) -> None:
    pipe = rag_pipeline()
    path = tmp_path / "run.jsonl"
    data = {"query": "wonders"}

    live = await record(pipe.events(data), path, pipeline=pipe, inputs=data, label="first try", parent=Parent("abc", 3))

    loaded = read_run(path)
    assert loaded.status == "finished" and loaded.problems == []
    assert_same_events(live, loaded.events)
    kinds = {type(event).__name__ for event in live}
    assert {"ComponentWarmedUp", "ComponentProgress", "ComponentFinished", "RunFinished"} <= kinds
    documents = loaded.events[-1].outputs["chat"]["replies"]
    assert documents[0].text == "3 documents"
    header = loaded.header
    assert header.run_id == live[0].run_id == loaded.run_id
    assert header.pipeline_name == "mini rag" and header.label == "first try" and header.parent == Parent("abc", 3)
    assert header.inputs == data
    assert AsyncPipeline.loads(header.pipeline, allowed_modules=[__name__]).to_dict() == pipe.to_dict()
    assert set(header.versions) >= {"python", "pipedebug", "numpy"}
    assert abs(header.wall_time - time.time()) < 60
    assert loaded.duration == pytest.approx(live[-1].time - live[0].time)


async def test_the_file_is_written_as_the_run_goes_and_back_pressure_is_kept(tmp_path: Path) -> None:
    pipe = AsyncPipeline()
    for name in ("a", "b", "c"):
        pipe.add_component(name, AddOne())
    pipe.connect("a", "b")
    pipe.connect("b", "c")
    path = tmp_path / "run.jsonl"
    live = pipe.events({"value": 0})
    async with RunRecorder(live, path, pipeline=pipe) as recorder:
        assert recorder.run_id == live.run_id and recorder.stream is live
        seen = []
        async for event in recorder:
            seen.append(event)
            if isinstance(event, ComponentFinished) and event.component == "a":
                break
        # Paused on a's completion: nothing downstream started, and every event read is already on disk.
        assert live.running == [] and [line["event"] for line in event_lines(path)] == [
            "RunStarted",
            "ComponentStarted",
            "ComponentFinished",
        ]
        live.replace_outputs(seen[-1].visit_id, {"value": 10})
        seen += [event async for event in recorder]
    loaded = read_run(path)
    assert_same_events(seen, loaded.events)
    assert loaded.events[-1].outputs == {"c": {"value": 12}}
    assert "OutputsReplaced" in [type(event).__name__ for event in loaded.events]


async def test_a_failing_run(tmp_path: Path) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("add", AddOne())
    pipe.add_component("fail", Fail())
    pipe.add_component("sleep", Sleep(5))
    pipe.connect("add", "fail")
    path = tmp_path / "run.jsonl"

    live = await record(pipe.events({"add": {"value": 1}, "sleep": {"value": 2}}), path, pipeline=pipe)

    loaded = read_run(path)
    assert loaded.status == "failed"
    assert_same_events(live, loaded.events)
    failed = next(event for event in loaded.events if isinstance(event, ComponentFailed))
    assert failed.error.type_name == "RuntimeError" and str(failed.error) == "boom on 2"
    assert "raise RuntimeError" in failed.error.traceback and failed.traceback == live_traceback(live)
    run_failed = loaded.events[-1]
    assert isinstance(run_failed, RunFailed) and isinstance(run_failed.error, PipelineRuntimeError)
    assert run_failed.error.component_name == "fail"
    assert run_failed.error.component_type_path == "tests.pipeline.toy_components.Fail"
    assert "ComponentCancelled" in [type(event).__name__ for event in loaded.events]


def live_traceback(events: list[RunEvent]) -> str:
    return next(event.traceback for event in events if isinstance(event, ComponentFailed))


async def test_a_cancelled_run(tmp_path: Path) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("sleep", Sleep(5))
    path = tmp_path / "run.jsonl"
    live = []
    async with RunRecorder(pipe.events({"value": 1}), path) as recorder:
        async for event in recorder:
            live.append(event)
            if isinstance(event, ComponentStarted):
                recorder.cancel()
    loaded = read_run(path)
    assert loaded.status == "cancelled"
    assert_same_events(live, loaded.events)
    assert [type(event).__name__ for event in loaded.events][-2:] == ["ComponentCancelled", "RunCancelled"]


async def test_leaving_early_closes_the_run_and_the_file_reads_as_interrupted(tmp_path: Path) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("sleep", Sleep(5))
    path = tmp_path / "run.jsonl"
    started = time.perf_counter()
    async with RunRecorder(pipe.events({"value": 1}), path) as recorder:
        async for event in recorder:
            if isinstance(event, ComponentStarted):
                break
    assert time.perf_counter() - started < 2  # the async sleep was cancelled, not awaited
    loaded = read_run(path)
    assert loaded.status == "interrupted" and loaded.problems == []
    assert [type(event).__name__ for event in loaded.events] == ["RunStarted", "ComponentStarted"]


async def test_a_pipeline_that_cannot_be_serialized_is_recorded_without_its_definition(tmp_path: Path) -> None:
    from pipeline.utils import Secret

    @component
    class WithToken:
        def __init__(self, api_key: Secret) -> None:
            self.api_key = api_key

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value}

    pipe = AsyncPipeline()
    pipe.add_component("token", WithToken(Secret.from_token("sk-do-not-write-me")))
    path = tmp_path / "run.jsonl"
    await record(pipe.events({"value": 1}), path, pipeline=pipe, pipeline_name="tokens")
    loaded = read_run(path)
    assert loaded.header.pipeline is None and loaded.status == "finished"
    assert "sk-do-not-write-me" not in path.read_text(encoding="utf-8")


def test_package_versions_do_not_import_torch() -> None:
    code = (
        "import sys; from pipeline.runs.recording import package_versions; "
        "versions = package_versions(); print('torch' in sys.modules, 'python' in versions)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.stdout.split() == ["False", "True"], result.stderr
    assert package_versions()["python"] == ".".join(map(str, sys.version_info[:3]))


# -- killed runs ----------------------------------------------------------------------------------------------

KILLED_RUN = """
import asyncio, sys
from pipeline import AsyncPipeline
from pipeline.components.testing import AsyncWaitingComponent
from pipeline.runs.recording import RunRecorder

async def main(path):
    pipe = AsyncPipeline()
    pipe.add_component("fast", AsyncWaitingComponent(name="fast", wait_time=0))
    pipe.add_component("slow", AsyncWaitingComponent(name="slow", wait_time=60))
    pipe.connect("fast", "slow")
    async with RunRecorder(pipe.events({"user_msg": "hi"}), path, pipeline=pipe) as run:
        async for event in run:
            if type(event).__name__ == "ComponentStarted" and event.component == "slow":
                print("READY", flush=True)

asyncio.run(main(sys.argv[1]))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("sent", [signal.SIGINT, signal.SIGKILL])
def test_a_run_killed_midway_leaves_a_loadable_interrupted_file(tmp_path: Path, sent: signal.Signals) -> None:
    path = tmp_path / "killed.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(path)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    while (line := process.stdout.readline()).strip() != "READY":
        assert line, f"the run ended early: {process.stderr.read() if process.stderr else ''}"
    process.send_signal(sent)
    process.communicate(timeout=30)
    assert process.returncode != 0

    loaded = read_run(path)
    assert loaded.status == "interrupted" and loaded.problems == []
    assert [(type(event).__name__, getattr(event, "component", None)) for event in loaded.events] == [
        ("RunStarted", None),
        ("ComponentStarted", "fast"),
        ("ComponentFinished", "fast"),
        ("ComponentStarted", "slow"),
    ]
    assert loaded.header.pipeline is not None and "AsyncWaitingComponent" in loaded.header.pipeline


# -- damaged files --------------------------------------------------------------------------------------------


@pytest.fixture
def good_run(tmp_path: Path) -> RecordedRun:
    """A finished run of three components: 8 lines, header included."""
    pipe = AsyncPipeline()
    pipe.add_component("a", AddOne())
    pipe.add_component("b", AsyncWaitingComponent(name="b", wait_time=0))
    pipe.add_component("c", AddOne())
    pipe.connect("a", "c")
    path = tmp_path / "good.jsonl"
    asyncio.run(record(pipe.events({"value": 1, "user_msg": "hi"}), path, pipeline=pipe))
    loaded = read_run(path)
    assert loaded.status == "finished" and len(loaded.events) == 8
    return loaded


def rewrite(path: Path, edit: Any) -> Path:
    """Apply `edit` to the file's lines (bytes, without line ends) and write them back."""
    lines = path.read_bytes().split(b"\n")[:-1]
    damaged = path.with_name("damaged.jsonl")
    damaged.write_bytes(edit(lines))
    return damaged


def joined(lines: list[bytes]) -> bytes:
    return b"\n".join(lines) + b"\n"


def test_a_truncated_last_line(good_run: RecordedRun) -> None:
    path = rewrite(good_run.path, lambda lines: joined(lines)[:-20])
    loaded = read_run(path)
    assert loaded.status == "interrupted"
    assert loaded.events == good_run.events[:-1]
    assert [(p.line, p.reason) for p in loaded.problems] == [(9, "truncated: the file ends in the middle of this line")]


def test_a_last_line_without_its_line_end_is_still_read(good_run: RecordedRun) -> None:
    path = rewrite(good_run.path, lambda lines: joined(lines)[:-1])
    loaded = read_run(path)
    assert loaded.status == "finished" and loaded.problems == []


def test_a_garbage_line_in_the_middle_is_skipped(good_run: RecordedRun) -> None:
    path = rewrite(good_run.path, lambda lines: joined([*lines[:3], b"}{ not json", *lines[3:]]))
    loaded = read_run(path)
    assert loaded.status == "finished" and loaded.events == good_run.events
    assert len(loaded.problems) == 1 and loaded.problems[0].line == 4


def test_invalid_utf8_and_blank_lines_are_reported(good_run: RecordedRun) -> None:
    path = rewrite(good_run.path, lambda lines: joined([*lines[:2], b"\xff\xfe\x00", b"", *lines[2:]]))
    loaded = read_run(path)
    assert loaded.events == good_run.events
    assert [(p.line, p.reason) for p in loaded.problems][1] == (4, "empty line")
    assert loaded.problems[0].line == 3


def test_a_replaced_line_loses_only_its_event(good_run: RecordedRun) -> None:
    def drop_middle(lines: list[bytes]) -> bytes:
        lines[3] = b'{"event": "ComponentFinished"'
        return joined(lines)

    loaded = read_run(rewrite(good_run.path, drop_middle))
    assert loaded.events == good_run.events[:2] + good_run.events[3:]
    assert loaded.status == "finished" and [p.line for p in loaded.problems] == [4]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda line: {**line, "event": "ComponentExploded"}, "unknown event type 'ComponentExploded'"),
        (lambda line: {k: v for k, v in line.items() if k not in ("outputs", "thread")}, "lacks field(s): outputs"),
        (lambda line: {**line, "visit_id": "one"}, "ComponentFinished.visit_id cannot be str"),
        (lambda line: {**line, "outputs": {"$type": "Document", "nope": 1}}, "Document has no field 'nope'"),
    ],
)
def test_event_lines_of_the_wrong_shape(good_run: RecordedRun, change: Any, reason: str) -> None:
    index = next(i for i, event in enumerate(good_run.events) if isinstance(event, ComponentFinished)) + 1

    def edit(lines: list[bytes]) -> bytes:
        lines[index] = json.dumps(change(json.loads(lines[index]))).encode()
        return joined(lines)

    loaded = read_run(rewrite(good_run.path, edit))
    assert len(loaded.problems) == 1 and loaded.problems[0].line == index + 1
    assert reason in loaded.problems[0].reason
    assert len(loaded.events) == 7 and loaded.status == "finished"


def test_events_after_the_final_event_are_reported(good_run: RecordedRun) -> None:
    loaded = read_run(rewrite(good_run.path, lambda lines: joined([*lines, lines[2]])))
    assert loaded.events == good_run.events and loaded.status == "finished"
    assert [(p.line, p.reason) for p in loaded.problems] == [(10, "ComponentStarted after the run's final event")]


def test_a_header_alone_is_a_run_that_never_started(good_run: RecordedRun) -> None:
    loaded = read_run(rewrite(good_run.path, lambda lines: joined(lines[:1])))
    assert loaded.events == [] and loaded.status == "interrupted" and loaded.duration is None


def test_a_lost_first_event_is_reported(good_run: RecordedRun) -> None:
    loaded = read_run(rewrite(good_run.path, lambda lines: joined([lines[0], *lines[2:]])))
    assert loaded.problems[0].line == 2 and "not RunStarted" in loaded.problems[0].reason


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "the file is empty"),
        (b"\n", "the first line is empty"),
        (b"garbage\n", "Expecting value"),
        (b'{"format": "something-else"}\n', 'not a header with "format": "pipedebug-run"'),
        (b'{"format": "pipedebug-run", "version": "1"}\n', "bad format version '1'"),
        (b'{"format": "pipedebug-run", "version": 1, "run_id": 5}\n', "'run_id' cannot be 5"),
        (b'{"format": "pipedebug-run", "version": 1, "run_i', "Unterminated string"),
        (b"[1, 2]\n", "not a header"),
    ],
)
def test_a_bad_header_makes_the_file_unusable(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(RecordingError) as raised:
        read_run(path)
    assert str(raised.value).startswith(f"{path}:1: not a pipedebug run file: ")
    assert reason in str(raised.value)


def test_a_newer_format_is_refused_clearly(good_run: RecordedRun) -> None:
    def newer(lines: list[bytes]) -> bytes:
        header = json.loads(lines[0])
        assert header["format"] == FORMAT
        return joined([json.dumps({**header, "version": 99}).encode(), *lines[1:]])

    with pytest.raises(RecordingError, match=r"damaged.jsonl:1: written by a newer pipedebug \(format version 99"):
        read_run(rewrite(good_run.path, newer))


def test_a_missing_or_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=f"{tmp_path / 'nope.jsonl'}: cannot read the run file: No such file"):
        read_run(tmp_path / "nope.jsonl")
    with pytest.raises(RecordingError, match=f"{tmp_path}: cannot read the run file"):
        read_run(tmp_path)


def fixed_run(path: Path) -> Path:
    """A finished run of three visits with fixed ids, times and values: the same event lines on every machine and
    in every run (a live run's ids, clock and thread names differ each time)."""
    common = {"run_id": "f1xed-run", "mode": "sync"}
    events: list[RunEvent] = [
        RunStarted(run_id="f1xed-run", time=10.0, wall_time=1.7e9, inputs={"a": {"value": 1}}, concurrency_limit=4)
    ]
    outputs: list[dict[str, Any]] = [
        {"value": 2},
        {"documents": [Document(content="alpha", score=0.5, meta={"page": 1})]},
        {"replies": [ChatMessage.from_assistant("hi")], "note": "ünïcode ✓"},
    ]
    for visit_id, (name, values) in enumerate(zip("abc", outputs, strict=True), start=1):
        start, end = 10.0 + visit_id, 10.5 + visit_id
        visit = {"visit_id": visit_id, "component": name, "visit": 1, **common}
        events.append(ComponentStarted(time=start, inputs={"value": visit_id}, **visit))
        events.append(
            ComponentFinished(time=end, outputs=values, started_at=start, finished_at=end, thread="worker", **visit)
        )
    events.append(RunFinished(run_id="f1xed-run", time=15.0, outputs={"c": outputs[2]}))
    asyncio.run(record(EventList(events), path, pipeline_name="fixed", wall_time=1.7e9))
    return path


def test_random_damage_never_raises_past_the_header(tmp_path: Path) -> None:
    """Seeded damage to fixed event lines (only the header's versions depend on the machine): a failure repeats."""
    content = fixed_run(tmp_path / "fixed.jsonl").read_bytes()
    header_end = content.index(b"\n") + 1
    header, body = content[:header_end], content[header_end:]
    rng = random.Random(4)
    for _ in range(300):
        damaged = bytearray(body)
        for _ in range(rng.randint(1, 5)):
            position = rng.randrange(len(damaged))
            match rng.randrange(3):
                case 0:
                    damaged[position] = rng.randrange(256)
                case 1:
                    del damaged[position : position + rng.randint(1, 40)]
                case 2:
                    damaged[position:position] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 10)))
        path = tmp_path / "fuzzed.jsonl"
        path.write_bytes(header + bytes(damaged))
        loaded = read_run(path)
        assert all(isinstance(event, get_args(RunEvent)) for event in loaded.events)
        last = type(loaded.events[-1]) if loaded.events else None
        ending = {RunFinished: "finished", RunFailed: "failed", RunCancelled: "cancelled"}
        assert loaded.status == ending.get(last, "interrupted")
