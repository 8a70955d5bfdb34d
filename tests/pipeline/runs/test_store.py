"""The runs folder: where it is, how files are named, listing, finding and deleting runs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentStarted
from pipeline.runs.recording import Parent, read_run
from pipeline.runs.store import RUNS_DIR_ENV, RunStore, StoreError, runs_dir
from tests.pipeline.toy_components import AddOne, Fail, Sleep


def test_the_folder_comes_from_the_argument_then_the_environment_then_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(RUNS_DIR_ENV, raising=False)
    assert runs_dir() == tmp_path / ".pipedebug" / "runs"
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "from-env"))
    assert runs_dir() == tmp_path / "from-env" == RunStore().directory
    assert runs_dir(tmp_path / "given") == tmp_path / "given"


def test_file_names_sort_by_start_time_and_name_pipeline_and_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    earlier = store.path_for("my pipeline/v2", "0123456789abcdef", wall_time=1_700_000_000.25)
    later = store.path_for("a", "fedcba9876543210", wall_time=1_700_000_000.5)
    much_later = store.path_for("a", "fedcba9876543210", wall_time=1_800_000_000.0)
    assert earlier.name == "20231114-221320-250000_my-pipeline-v2_01234567.jsonl"
    assert sorted([much_later, later, earlier]) == [earlier, later, much_later]
    assert store.path_for("///", "ab").name.endswith("_pipeline_ab.jsonl")


async def record_run(
    store: RunStore, pipe: AsyncPipeline, data: dict, *, name: str, cancel: bool = False, **header: object
) -> Path:
    recorder = store.record(pipe.events(data), pipeline_name=name, pipeline=pipe, inputs=data, **header)
    async with recorder:
        async for event in recorder:
            if cancel and isinstance(event, ComponentStarted):
                recorder.cancel()
    return recorder.path


def adder() -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("add", AddOne())
    return pipe


async def test_recorded_runs_are_listed_oldest_first_with_what_they_were(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs" / "nested")  # created on first record
    assert store.runs() == [] and store.files() == []
    ok = await record_run(store, adder(), {"value": 1}, name="adder", label="baseline")
    failing = AsyncPipeline()
    failing.add_component("fail", Fail())
    failed = await record_run(store, failing, {"value": 1}, name="failing", parent=Parent(read_run(ok).run_id, 1))
    sleeper = AsyncPipeline()
    sleeper.add_component("sleep", Sleep(5))
    cancelled = await record_run(store, sleeper, {"value": 1}, name="sleeper", cancel=True)
    interrupted = store.path_for("cut", "deadbeef00")
    interrupted.write_bytes(b"\n".join(ok.read_bytes().split(b"\n")[:3]) + b"\n")  # header and two events

    runs = store.runs()

    assert [run.path for run in runs] == [ok, failed, cancelled, interrupted]
    assert [run.status for run in runs] == ["finished", "failed", "cancelled", "interrupted"]
    assert [run.pipeline_name for run in runs] == ["adder", "failing", "sleeper", "adder"]
    assert [run.events for run in runs] == [len(read_run(run.path).events) for run in runs]
    first = runs[0]
    assert first.run_id == read_run(ok).run_id and first.header is not None and first.header.label == "baseline"
    assert first.duration == pytest.approx(read_run(ok).duration)
    assert abs(first.wall_time - time.time()) < 60
    assert runs[1].parent == Parent(first.run_id, 1)


def test_a_file_without_a_valid_header_is_listed_as_unreadable(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    (tmp_path / "20240101-000000-000000_broken_00000000.jsonl").write_text("not a header\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a run", encoding="utf-8")
    [broken] = store.runs()
    assert broken.status == "unreadable" and broken.header is None and broken.run_id is None
    assert broken.problem is not None and ":1: not a pipedebug run file" in broken.problem


async def test_resolving_runs_by_latest_path_file_name_and_id_prefix(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    with pytest.raises(StoreError, match=f"no recorded runs in {tmp_path}"):
        store.resolve("latest")
    first = await record_run(store, adder(), {"value": 1}, name="adder")
    second = await record_run(store, adder(), {"value": 2}, name="adder")
    first_id, second_id = read_run(first).run_id, read_run(second).run_id

    assert store.resolve("latest") == second
    assert store.resolve(str(first)) == first
    assert store.resolve(first.name) == first
    assert store.resolve(first_id) == first and store.resolve(second_id[:6]) == second
    with pytest.raises(StoreError, match="no run file or run id 'zzz'"):
        store.resolve("zzz")


async def test_resolving_an_ambiguous_prefix_names_the_candidates(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    path = await record_run(store, adder(), {"value": 1}, name="adder")
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    copy = path.with_name("copy.jsonl")
    copy.write_text(json.dumps({**json.loads(header), "run_id": "abc-copy"}) + "\n" + rest, encoding="utf-8")
    path.write_text(json.dumps({**json.loads(header), "run_id": "abc-original"}) + "\n" + rest, encoding="utf-8")
    with pytest.raises(StoreError, match=r"'abc' matches 2 runs .*copy.jsonl.*; give more of the id"):
        store.resolve("abc")
    assert store.resolve("abc-c") == copy


async def test_deleting_a_run(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    first = await record_run(store, adder(), {"value": 1}, name="adder")
    second = await record_run(store, adder(), {"value": 2}, name="adder")
    assert store.delete("latest") == second and not second.exists()
    assert store.delete(read_run(first).run_id[:8]) == first
    assert store.files() == []
    with pytest.raises(StoreError):
        store.delete("latest")
