"""Runs folders that cannot be written (read-only, full) and run files that were damaged (truncated, empty, random
bytes, edited to wrong types): the run goes on and the user is told; every command that reads a damaged file says
which file and line in one line, with no traceback; nothing already recorded is lost.

tests/pipeline/runs/test_recording.py covers how `read_run` skips damaged lines; here each damage goes through
the commands a user types.
"""

from __future__ import annotations

import errno
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline import AsyncPipeline
from pipeline.core.events import RunFinished
from pipeline.runs.recording import read_run
from pipeline.runs.store import RunStore
from tests.reliability.components import Source
from tests.reliability.conftest import HOSTILE_MODULE, ROOT, command_env, pipedebug, pipeline_yaml
from tests.tui.app.conftest import wait_for, wait_loaded
from tui.app import PipedebugApp


def two_step(tmp_path: Path) -> Path:
    return pipeline_yaml(
        tmp_path,
        {"src": "Source", "slow": "Slow"},
        [("src.value", "slow.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
        slow={"seconds": 0.01},
    )


@pytest.fixture
def immutable_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody can write into, root included (`chattr +i`), as a read-only mount would be."""
    folder = tmp_path / "readonly-runs"
    folder.mkdir()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(folder)]).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)


def unwritable_folders(tmp_path: Path, immutable: Path | None) -> list[Path]:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    return [blocker / "runs", *([immutable] if immutable else [])]


# -- runs folders that cannot be written ---------------------------------------------------------------------------


def test_a_read_only_runs_folder_lets_the_cli_run_go_on_and_says_so(tmp_path: Path, immutable_folder: Path) -> None:
    for folder in unwritable_folders(tmp_path, immutable_folder):
        result = pipedebug(
            "run", str(two_step(tmp_path)), "--allow-module", HOSTILE_MODULE, "--record", "--runs-dir", str(folder)
        )
        assert result.returncode == 0, result.stderr
        assert "Total wall time" in result.stdout  # the run went on
        warning = [line for line in result.stderr.splitlines() if "not recording" in line.lower()]
        assert warning and str(folder.parent) in warning[0], result.stderr
        assert "Traceback" not in result.stderr


async def test_a_read_only_runs_folder_lets_the_debugger_run_and_says_so(
    tmp_path: Path, immutable_folder: Path
) -> None:
    app = PipedebugApp(two_step(tmp_path), allowed_modules=[HOSTILE_MODULE], runs_dir=str(immutable_folder))
    notes: list[str] = []
    async with app.run_test(size=(140, 45)) as pilot:
        original = app.notify

        def notify(message: str, **kwargs: Any) -> None:
            notes.append(str(message))
            original(message, **kwargs)

        app.notify = notify  # type: ignore[method-assign]
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish")
    assert any(
        ("Not recording" in note and "Permission denied" in note) or "not permitted" in note for note in notes
    ), notes


def run_with_file_size_limit(path: Path, runs_dir: Path, limit: int) -> subprocess.CompletedProcess[str]:
    """`pipedebug run --record` where no file may grow past `limit` bytes (SIGXFSZ ignored, so a write fails with
    EFBIG as a full disk fails with ENOSPC)."""

    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "tui.cli",
            "run",
            str(path),
            "--allow-module",
            HOSTILE_MODULE,
            "--record",
            "--runs-dir",
            str(runs_dir),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        env=command_env(),
        preexec_fn=limit_files,
    )


def test_a_full_disk_mid_run_stops_the_recording_not_the_run(tmp_path: Path) -> None:
    path = pipeline_yaml(
        tmp_path,
        {"src": "Source", "big": "Big"},
        [("src.value", "big.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
        big={"size": 300_000},
    )
    runs_dir = tmp_path / "runs"
    result = run_with_file_size_limit(path, runs_dir, 64_000)
    assert result.returncode == 0, result.stderr
    assert "Total wall time" in result.stdout
    lines = [line for line in result.stderr.splitlines() if "recording stopped" in line]
    assert lines and "File too large" in lines[0] and str(runs_dir) in lines[0], result.stderr
    assert "Traceback" not in result.stderr
    (recording,) = runs_dir.glob("*.jsonl")
    recorded = read_run(recording)  # what was written before the disk filled up is still there
    assert recorded.status == "interrupted"
    assert [type(event).__name__ for event in recorded.events][:3] == [
        "RunStarted",
        "ComponentStarted",
        "ComponentFinished",
    ]


class FullDisk:
    """A file that accepts `room` more characters, then fails as a full disk does."""

    def __init__(self, file: Any, room: int) -> None:
        self.file, self.room = file, room

    def write(self, text: str) -> int:
        if len(text) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= len(text)
        return self.file.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.file, name)


async def test_enospc_while_recording_ends_the_recording_and_the_run_goes_on(runs_dir: Path) -> None:
    pipe = AsyncPipeline()
    pipe.add_component("a", Source())
    pipe.add_component("b", Source())
    pipe.connect("a.value", "b.value")
    recorder = RunStore().record(pipe.events({"a": {"value": 1}}), pipeline_name="full")
    recorder._file = FullDisk(recorder._file, 600)
    async with recorder:
        events = [event async for event in recorder]
    assert isinstance(events[-1], RunFinished) and events[-1].outputs == {"b": {"value": 1}}
    assert recorder.failure is not None and "No space left on device" in recorder.failure
    assert str(recorder.path) in recorder.failure
    assert read_run(recorder.path).events  # what fit is readable


# -- damaged run files, through every command that reads one -------------------------------------------------------


def good_recording(tmp_path: Path, runs_dir: Path) -> Path:
    result = pipedebug("run", str(two_step(tmp_path)), "--allow-module", HOSTILE_MODULE, "--record")
    assert result.returncode == 0, result.stderr
    (path,) = runs_dir.glob("*.jsonl")
    return path


def damage(path: Path, how: str) -> None:
    lines = path.read_bytes().split(b"\n")
    if how == "empty":
        path.write_bytes(b"")
    elif how == "truncated header":
        path.write_bytes(lines[0][: len(lines[0]) // 2])
    elif how == "random bytes":
        path.write_bytes(random.Random(15).randbytes(4096))
    elif how == "header of wrong types":
        header = json.loads(lines[0])
        header.update(run_id=42, wall_time="yesterday")
        path.write_bytes(b"\n".join([json.dumps(header).encode(), *lines[1:]]))
    elif how == "RunStarted of wrong types":
        started = json.loads(lines[1])
        started.update(time="soon", inputs=[1, 2])
        path.write_bytes(b"\n".join([lines[0], json.dumps(started).encode(), *lines[2:]]))
    elif how == "a directory":
        path.unlink()
        path.mkdir()


@pytest.mark.parametrize(
    ("how", "where"),
    [
        ("empty", ":1: not a pipedebug run file: the file is empty"),
        ("truncated header", ":1: not a pipedebug run file"),
        ("random bytes", ":1: not a pipedebug run file"),
        ("header of wrong types", ":1: not a pipedebug run file: 'run_id' cannot be 42"),
        ("RunStarted of wrong types", ":2: RunStarted.time cannot be str 'soon'"),
    ],
)
@pytest.mark.parametrize("command", ["replay", "export", "diff", "fork"])
def test_a_damaged_run_file_is_named_with_its_line_by_every_command(
    how: str, where: str, command: str, tmp_path: Path, runs_dir: Path
) -> None:
    path = good_recording(tmp_path, runs_dir)
    damage(path, how)
    arguments = {
        "replay": ["replay", str(path), "--headless", "--fast"],
        "export": ["export", str(path), "--format", "chrome", "-o", str(tmp_path / "trace.json")],
        "diff": ["diff", str(path), str(path)],
        "fork": ["fork", str(path), "1", "--allow-module", HOSTILE_MODULE],
    }[command]
    result = pipedebug(*arguments)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and f"{path}{where}" in last, last


def test_the_runs_listing_shows_damaged_files_as_unreadable_beside_good_ones(tmp_path: Path, runs_dir: Path) -> None:
    good = good_recording(tmp_path, runs_dir)
    for index, how in enumerate(("empty", "random bytes", "header of wrong types")):
        copy = runs_dir / f"2000010{index}-000000-000000_damaged_{index}.jsonl"
        shutil.copy(good, copy)
        damage(copy, how)
    result = pipedebug("runs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("unreadab") == 3, result.stdout  # cut to the column's width
    assert "finished" in result.stdout


async def test_a_full_disk_mid_run_in_the_debugger_stops_the_recording_and_says_so(
    tmp_path: Path, runs_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.runs.recording import RunRecorder

    write = RunRecorder._write

    def fill_up(self: RunRecorder, line: dict[str, Any]) -> None:
        if line.get("event") == "ComponentFinished":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(self, line)

    monkeypatch.setattr(RunRecorder, "_write", fill_up)
    app = PipedebugApp(two_step(tmp_path), allowed_modules=[HOSTILE_MODULE])
    async with app.run_test(size=(140, 45)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "finished", "the run to finish despite the disk")
        await wait_for(
            pilot,
            lambda: any("recording stopped: No space left on device" in n.message for n in app._notifications),
            "the user to be told",
        )
    (recording,) = runs_dir.glob("*.jsonl")
    assert [type(event).__name__ for event in read_run(recording).events] == ["RunStarted", "ComponentStarted"]
