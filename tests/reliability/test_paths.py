"""Run names and paths that try to leave the runs folder: `../`, absolute paths, symlinks planted in the folder.

A run file is always created inside the runs folder whatever the pipeline's name or the run's id (both can come
from a trace received over the network); `runs --delete` deletes only run files of the folder; symlinks in the
folder are read, never followed to write or delete elsewhere, and special files never block a listing.
Opening a run by an explicit path (`pipedebug replay ../x.jsonl`) stays possible: the user typed that path.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from pipeline.runs.store import INDEX_NAME, RunStore
from tests.reliability.conftest import HOSTILE_MODULE, pipedebug, pipeline_yaml


@pytest.mark.parametrize(
    ("name", "run_id"),
    [
        ("../../outside", "0123456789abcdef"),
        ("/etc/passwd", "0123456789abcdef"),
        ("a/../../b", "0123456789abcdef"),
        ("..", ".."),
        ("", ""),
        ("name", "/../../x"),
        ("name", "..\\..\\x"),
        ("name\x00with nul", "ab\x00cd"),
        ("🙂" * 100, "id"),
    ],
)
def test_a_new_run_file_stays_in_the_runs_folder_whatever_its_names(name: str, run_id: str, tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs")
    path = store.path_for(name, run_id)
    assert path.parent == store.directory
    assert path.name.endswith(".jsonl") and "/" not in path.name and "\x00" not in path.name
    assert os.path.normpath(path).startswith(str(store.directory) + os.sep)


def make_run(tmp_path: Path, runs_dir: Path) -> Path:
    path = pipeline_yaml(tmp_path, {"src": "Source"}, [], metadata={"example_inputs": [{"src": {"value": 1}}]})
    result = pipedebug("run", str(path), "--allow-module", HOSTILE_MODULE, "--record")
    assert result.returncode == 0, result.stderr
    return max(runs_dir.glob("*.jsonl"))


@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_runs_delete_refuses_a_file_outside_the_runs_folder(how: str, tmp_path: Path, runs_dir: Path) -> None:
    recorded = make_run(tmp_path, runs_dir)
    outside = tmp_path / "precious.jsonl"
    outside.write_bytes(recorded.read_bytes())  # even a valid run file
    reference = os.path.relpath(outside, runs_dir) if how == "relative" else str(outside)
    result = pipedebug("runs", "--delete", reference, cwd=runs_dir)
    assert result.returncode != 0
    assert outside.exists()
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: ") and "not in the runs folder" in last and str(runs_dir) in last, last


def test_runs_delete_refuses_a_file_that_is_not_a_run(tmp_path: Path, runs_dir: Path) -> None:
    notes = runs_dir / "notes.txt"
    notes.write_text("mine")
    result = pipedebug("runs", "--delete", "notes.txt")
    assert result.returncode != 0 and notes.exists()


def test_a_symlink_in_the_runs_folder_is_listed_and_deleting_it_keeps_its_target(
    tmp_path: Path, runs_dir: Path
) -> None:
    recorded = make_run(tmp_path, runs_dir)
    target = tmp_path / "elsewhere.jsonl"
    target.write_bytes(recorded.read_bytes())
    recorded.unlink()
    link = runs_dir / recorded.name
    link.symlink_to(target)
    listed = pipedebug("runs")
    assert listed.returncode == 0 and "finished" in listed.stdout
    deleted = pipedebug("runs", "--delete", "latest")
    assert deleted.returncode == 0, deleted.stderr
    assert not link.exists() and not link.is_symlink()
    assert target.exists()


def test_special_files_and_loops_in_the_runs_folder_never_block_a_listing(tmp_path: Path, runs_dir: Path) -> None:
    make_run(tmp_path, runs_dir)
    os.mkfifo(runs_dir / "20300101-000000-000000_fifo_00000000.jsonl")  # opening it to read would block forever
    (runs_dir / "20300101-000000-000001_zero_00000000.jsonl").symlink_to("/dev/zero")  # reading it never ends
    loop = runs_dir / "20300101-000000-000002_loop_00000000.jsonl"
    loop.symlink_to(loop)
    (runs_dir / "20300101-000000-000003_dir_00000000.jsonl").mkdir()
    result = pipedebug("runs", timeout=30)
    assert result.returncode == 0, result.stderr
    assert "finished" in result.stdout
    latest = pipedebug("replay", "latest", "--headless", "--fast", timeout=30)
    assert latest.returncode == 0, latest.stderr


def test_a_symlinked_index_is_replaced_not_written_through(tmp_path: Path, runs_dir: Path) -> None:
    make_run(tmp_path, runs_dir)
    victim = tmp_path / "victim.txt"
    victim.write_text("do not overwrite")
    index = runs_dir / INDEX_NAME
    index.unlink(missing_ok=True)
    index.symlink_to(victim)
    assert pipedebug("runs").returncode == 0
    assert victim.read_text() == "do not overwrite"


def test_listing_a_folder_with_a_fifo_from_the_app_thread_does_not_hang(tmp_path: Path) -> None:
    store = RunStore(tmp_path)
    os.mkfifo(tmp_path / "20300101-000000-000000_fifo_00000000.jsonl")
    listed: list[object] = []
    worker = threading.Thread(target=lambda: listed.append(store.runs()), daemon=True)
    worker.start()
    worker.join(timeout=10)
    assert not worker.is_alive() and listed == [[]]
