"""Load: a recording of 100k events opens without decoding them (`open_run`), seeks at once and replays in bounded
memory; damaged lines are found as `read_run` finds them, or named (file and line) when they are read."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipeline.core.events import (
    ComponentCancelled,
    ComponentFinished,
    ComponentStarted,
    RunCancelled,
    RunEvent,
    RunFinished,
    RunStarted,
)
from pipeline.runs.recording import EventFile, EventList, RecordingError, RunRecorder, open_run, read_run
from pipeline.runs.replay import ReplayRun

EVENTS = 100_000
PAYLOAD = {"text": "some output text " * 4, "n": 3}


def events(visits: int, run_id: str = "r" * 32) -> list[RunEvent]:
    made: list[RunEvent] = [RunStarted(run_id=run_id, time=0.0, wall_time=1.7e9, inputs={}, concurrency_limit=4)]
    for visit_id in range(1, visits + 1):
        start = visit_id * 1e-3
        component = f"c{visit_id % 50}"
        made.append(
            ComponentStarted(
                run_id=run_id, time=start, visit_id=visit_id, component=component, visit=1, inputs={}, mode="async"
            )
        )
        made.append(
            ComponentFinished(
                run_id=run_id,
                time=start + 5e-4,
                visit_id=visit_id,
                component=component,
                visit=1,
                outputs=dict(PAYLOAD),
                started_at=start,
                finished_at=start + 5e-4,
                mode="async",
                thread="MainThread",
            )
        )
    made.append(RunFinished(run_id=run_id, time=(visits + 1) * 1e-3, outputs={"c0": {"n": 3}}))
    return made


def write(path: Path, made: list[RunEvent]) -> Path:
    recorder = RunRecorder(EventList(made), path, pipeline_name="load")
    for event in made:
        recorder.write(event)
    recorder.close()
    return path


@pytest.fixture(scope="module")
def long_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run file of 100,002 events (about 30 MB)."""
    return write(
        tmp_path_factory.mktemp("long") / "run.jsonl",
        [*events((EVENTS - 2) // 2 + 1)[: EVENTS - 1], RunFinished(run_id="r" * 32, time=100.0, outputs={})],
    )


def peak(work: Callable[[], Any]) -> tuple[int, Any]:
    tracemalloc.start()
    try:
        result = work()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def test_opening_100k_events_decodes_none_and_holds_an_index_only(long_run: Path) -> None:
    size = long_run.stat().st_size
    used, recorded = peak(lambda: open_run(long_run))
    events_ = recorded.events
    assert isinstance(events_, EventFile) and len(events_) == EVENTS
    assert used < size / 5, f"opening held {used:,} bytes of a {size:,}-byte file"
    assert recorded.status == "finished" and recorded.problems == []
    assert events_.kind(0) is RunStarted and events_.kind(EVENTS - 1) is RunFinished
    assert events_.time(2) == pytest.approx(1e-3 + 5e-4)
    read = read_run(long_run).events
    for index in (0, 1, 2, EVENTS // 2, EVENTS - 2, EVENTS - 1):
        assert events_[index] == read[index]
    assert events_[-1] == read[-1]
    assert events_[EVENTS // 2 : EVENTS // 2 + 5] == list(read[EVENTS // 2 : EVENTS // 2 + 5])


async def test_seeking_is_immediate_and_replaying_100k_events_stays_in_bounded_memory(long_run: Path) -> None:
    recorded = open_run(long_run)
    replay = ReplayRun(recorded, speed=None)
    used, _ = peak(lambda: replay.seek(EVENTS // 2))
    assert used < 100_000, "a seek decodes nothing"

    async def play() -> int:
        count = 0
        async for _ in replay:
            count += 1
        return count

    tracemalloc.start()
    try:
        count = await play()
        used = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == EVENTS - EVENTS // 2
    assert used < 5_000_000, f"replaying half of the run held {used:,} bytes"


async def test_a_cancel_after_a_seek_reports_the_visits_in_flight_there(long_run: Path) -> None:
    replay = ReplayRun(open_run(long_run), speed=None)
    replay.seek(4)  # RunStarted, c1 started and finished, c2 started
    replay.cancel()
    ending = [event async for event in replay]
    assert [type(event) for event in ending] == [ComponentCancelled, RunCancelled]
    assert ending[0].visit_id == 2


def test_damaged_lines_are_the_problems_read_run_finds(tmp_path: Path) -> None:
    path = write(tmp_path / "run.jsonl", events(20))
    lines = path.read_bytes().split(b"\n")
    lines.insert(5, b"not json at all")
    lines.insert(8, b"")
    lines.insert(9, json.dumps({"event": "NoSuchEvent", "run_id": "x", "time": 1.0}).encode())
    cut = [*lines[:-1], json.dumps({"event": "RunFinished", "run_id": "r", "time": 9.0}).encode(), b'{"event":"Comp']
    path.write_bytes(b"\n".join(cut))
    opened, read = open_run(path), read_run(path)
    assert opened.problems == read.problems
    assert [problem.line for problem in opened.problems][:3] == [6, 9, 10]
    assert opened.problems[-1].reason == "truncated: the file ends in the middle of this line"
    assert list(opened.events) == list(read.events)
    assert opened.status == read.status == "finished"


async def test_a_line_that_looks_like_an_event_and_is_not_is_named_when_read(tmp_path: Path) -> None:
    path = write(tmp_path / "run.jsonl", events(3))
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b'"visit_id":2', b'"visit_id":"two"')
    path.write_bytes(b"\n".join(lines))
    recorded = open_run(path)
    assert len(recorded.events) == 8
    with pytest.raises(RecordingError, match=rf"{path}:5: ComponentStarted.visit_id cannot be str 'two'"):
        recorded.events[3]
    replay = ReplayRun(recorded, speed=None)
    with pytest.raises(RecordingError, match=":5: "):
        async for _ in replay:
            await asyncio.sleep(0)


def test_a_file_cut_shorter_after_opening_is_named(tmp_path: Path) -> None:
    path = write(tmp_path / "run.jsonl", events(200))
    recorded = open_run(path)
    path.write_bytes(path.read_bytes()[:2_000])
    with pytest.raises(RecordingError, match="the file changed since it was opened"):
        recorded.events[300]


def test_a_checked_open_skips_every_damaged_line_as_read_run_does(tmp_path: Path) -> None:
    path = write(tmp_path / "run.jsonl", events(3))
    lines = path.read_bytes().split(b"\n")
    lines[4] = lines[4].replace(b'"visit_id":2', b'"visit_id":"two"')
    path.write_bytes(b"\n".join(lines))
    checked, read = open_run(path, check=True), read_run(path)
    assert checked.problems == read.problems
    assert checked.problems[0].line == 5
    assert list(checked.events) == list(read.events)
