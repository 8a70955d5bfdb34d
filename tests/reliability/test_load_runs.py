"""Load: a runs folder of 500 recordings lists from its index, reading each file's header line only, and stays
right when files are added, changed or deleted behind its back or the index is damaged or cannot be written."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable

from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunFinished, RunStarted
from pipeline.runs import store as store_module
from pipeline.runs.recording import EventList, RunRecorder
from pipeline.runs.store import INDEX_NAME, RunStore
from tui.screens.runs import RunsScreen

RUNS = 500


def events(run_id: str, visits: int, payload: object = 1) -> list[RunEvent]:
    made: list[RunEvent] = [RunStarted(run_id=run_id, time=10.0, wall_time=1.7e9, inputs={}, concurrency_limit=4)]
    for visit_id in range(1, visits + 1):
        start = 10.0 + visit_id
        made.append(
            ComponentStarted(
                run_id=run_id, time=start, visit_id=visit_id, component="c", visit=visit_id, inputs={}, mode="sync"
            )
        )
        made.append(
            ComponentFinished(
                run_id=run_id,
                time=start + 0.5,
                visit_id=visit_id,
                component="c",
                visit=visit_id,
                outputs={"value": payload},
                started_at=start,
                finished_at=start + 0.5,
                mode="sync",
                thread="MainThread",
            )
        )
    made.append(RunFinished(run_id=run_id, time=11.0 + visits, outputs={}))
    return made


def record(store: RunStore, number: int, visits: int = 2, *, payload: object = 1, end: bool = True) -> Path:
    run_id = f"{number:08x}" + "ab" * 12
    path = store.path_for("load", run_id, wall_time=1.7e9 + number)
    path.parent.mkdir(parents=True, exist_ok=True)
    made = events(run_id, visits, payload)
    recorder = RunRecorder(EventList(made), path, pipeline_name="load")
    for event in made if end else made[:-1]:
        recorder.write(event)
    recorder.close()
    return path


@pytest.fixture
def scans(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The files whose events a listing read (every other file was listed from its header and the index)."""
    read: list[Path] = []
    scan = store_module._scan_events

    def counting(path: Path) -> tuple[str, float | None, int]:
        read.append(path)
        return scan(path)

    monkeypatch.setattr(store_module, "_scan_events", counting)
    return read


def test_500_runs_are_read_once_then_listed_from_the_index(tmp_path: Path, scans: list[Path]) -> None:
    store = RunStore(tmp_path)
    paths = [record(store, number) for number in range(RUNS)]
    first = store.runs()
    assert [run.path for run in first] == paths
    assert len(scans) == RUNS
    assert (tmp_path / INDEX_NAME).is_file()
    scans.clear()
    again = store.runs()
    assert scans == []
    assert [(run.run_id, run.status, run.duration, run.events) for run in again] == [
        (run.run_id, "finished", 3.0, 6) for run in first
    ]


def test_files_added_changed_and_deleted_behind_its_back(tmp_path: Path, scans: list[Path]) -> None:
    store = RunStore(tmp_path)
    paths = [record(store, number) for number in range(10)]
    unfinished = record(store, 10, end=False)
    assert store.runs()[-1].status == "interrupted"
    scans.clear()
    paths[0].unlink()
    paths[1].unlink()
    added = record(store, 11, visits=5)
    with unfinished.open("a", encoding="utf-8") as file:  # the run that was going on ended meanwhile
        file.write(json.dumps({"event": "RunFinished", "run_id": "x", "time": 20.0, "outputs": {}}) + "\n")
    runs = {run.path: run for run in store.runs()}
    assert sorted(scans) == sorted([added, unfinished])
    assert paths[0] not in runs and paths[1] not in runs
    assert (runs[added].events, runs[added].duration) == (12, 6.0)
    assert (runs[unfinished].status, runs[unfinished].duration, runs[unfinished].events) == ("finished", 10.0, 6)
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    assert sorted(index["files"]) == sorted(path.name for path in runs)


@pytest.mark.parametrize(
    "damage",
    [b"\x00\xff random bytes", b"", b'{"format": "pipedebug-runs-index", "version": 1, "files": []}', b"[1, 2]"],
)
def test_a_damaged_index_is_rebuilt_from_the_files(tmp_path: Path, damage: bytes) -> None:
    store = RunStore(tmp_path)
    paths = [record(store, number) for number in range(3)]
    expected = [(run.path, run.status, run.events) for run in store.runs()]
    (tmp_path / INDEX_NAME).write_bytes(damage)
    assert [(run.path, run.status, run.events) for run in store.runs()] == expected
    assert sorted(json.loads((tmp_path / INDEX_NAME).read_text())["files"]) == [path.name for path in paths]


def test_a_hand_edited_entry_is_read_again(tmp_path: Path, scans: list[Path]) -> None:
    store = RunStore(tmp_path)
    path = record(store, 1)
    store.runs()
    index = json.loads((tmp_path / INDEX_NAME).read_text())
    index["files"][path.name][3] = "exploded"
    (tmp_path / INDEX_NAME).write_text(json.dumps(index))
    scans.clear()
    assert store.runs()[0].status == "finished"
    assert scans == [path]


def test_an_index_that_cannot_be_written_costs_only_reading_the_files(tmp_path: Path, scans: list[Path]) -> None:
    store = RunStore(tmp_path)
    record(store, 1)
    (tmp_path / INDEX_NAME).mkdir()  # neither readable nor replaceable as a file
    assert [run.status for run in store.runs()] == ["finished"]
    assert [run.status for run in store.runs()] == ["finished"]
    assert len(scans) == 2
    assert [path.name for path in tmp_path.iterdir() if path.name != INDEX_NAME] == [store.files()[0].name]


def test_listing_reads_the_header_line_and_not_a_big_file_it_indexed(tmp_path: Path, scans: list[Path]) -> None:
    store = RunStore(tmp_path)
    big = record(store, 1, visits=20, payload="x" * 500_000)
    assert big.stat().st_size > 10_000_000
    store.runs()
    scans.clear()
    run = store.runs()[0]
    assert scans == []
    assert (run.status, run.events, run.pipeline_name) == ("finished", 42, "load")


def test_damaged_run_files_list_as_unreadable_with_their_reason(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    record(store, 1)
    (tmp_path / "20200101-000000-000000_x_00000000.jsonl").write_bytes(b"\x00\x01garbage\n")
    (tmp_path / "20200101-000000-000001_x_00000001.jsonl").write_bytes(b"")
    runs = store.runs()
    assert [run.status for run in runs] == ["unreadable", "unreadable", "finished"]
    assert "not a pipedebug run file" in (runs[0].problem or "")
    assert "the file is empty" in (runs[1].problem or "")


class RunsApp(App[None]):
    def __init__(self, runs_dir: Path) -> None:
        super().__init__()
        self.runs_dir = runs_dir

    def on_mount(self) -> None:
        self.push_screen(RunsScreen(str(self.runs_dir)))


async def browse(runs_dir: Path) -> int:
    """Open the runs browser on `runs_dir`; the number of runs it lists."""
    app = RunsApp(runs_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one(DataTable)
        deadline = time.monotonic() + 30
        while table.loading or table.row_count == 0:
            assert time.monotonic() < deadline, "the listing did not come"
            await pilot.pause(0.02)
        await pilot.press("end")
        return table.row_count


async def test_the_runs_browser_lists_500_runs_and_a_second_look_reads_no_events(
    tmp_path: Path, scans: list[Path]
) -> None:
    store = RunStore(tmp_path)
    for number in range(RUNS):
        record(store, number)
    assert await browse(tmp_path) == RUNS
    assert len(scans) == RUNS
    scans.clear()
    assert await browse(tmp_path) == RUNS
    assert scans == []
