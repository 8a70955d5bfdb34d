"""`pipedebug run --record`, `pipedebug runs` and `pipedebug replay --headless`, and their errors."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.runs.recording import read_run
from pipeline.runs.store import RUNS_DIR_ENV
from tests.tui.test_cli import HELPERS, SCRIPT, WAITERS, helpers_yaml, one_error_line, timing_rows, waiting_yaml
from tui.cli import main
from tui.commands.replay import NEEDS_TERMINAL


@pytest.fixture(autouse=True)
def no_runs_dir_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(RUNS_DIR_ENV, raising=False)


def recorded_path(out: str) -> Path:
    match = re.search(r"^Recorded to (.+\.jsonl)$", out, flags=re.MULTILINE)
    assert match, out
    return Path(match.group(1))


def record_waiting_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[Path, str]:
    """Run and record the five waiters; return the run file and what `run` printed."""
    runs = tmp_path / "runs"
    assert main(["run", str(waiting_yaml(tmp_path)), "--record", "--runs-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    return recorded_path(out), out


def listing_rows(out: str) -> list[list[str]]:
    lines = out.splitlines()
    start = next(index for index, line in enumerate(lines) if line.split()[:2] == ["id", "pipeline"])
    return [line.split() for line in lines[start + 2 :] if line.strip()]


# -- record, list, replay -------------------------------------------------------------------------------------


def test_run_record_then_runs_lists_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, out = record_waiting_run(tmp_path, capsys)
    assert path.parent == tmp_path / "runs" and path.name.endswith(".jsonl") and "_waiting_" in path.name
    assert out.rstrip().endswith(str(path))  # the path comes last
    recorded = read_run(path)
    assert recorded.status == "finished" and len(recorded.events) == 12

    assert main(["runs", "--runs-dir", str(tmp_path / "runs")]) == 0

    out = capsys.readouterr().out
    assert f"Runs in {tmp_path / 'runs'}" in out
    [row] = listing_rows(out)
    assert row[0] == recorded.run_id[:8] and row[1] == "waiting"
    assert row[4] == "finished" and row[6] == "s" and row[7] == "12"


def test_the_runs_folder_defaults_to_the_environment_then_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pipeline = waiting_yaml(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(pipeline), "--record"]) == 0
    assert recorded_path(capsys.readouterr().out).parent == tmp_path / ".pipedebug" / "runs"
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "elsewhere"))
    assert main(["run", str(pipeline), "--record"]) == 0
    assert recorded_path(capsys.readouterr().out).parent == tmp_path / "elsewhere"
    assert main(["runs"]) == 0
    assert len(listing_rows(capsys.readouterr().out)) == 1


def test_replay_headless_prints_the_same_timing_table_a_timeline_and_the_outputs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, run_out = record_waiting_run(tmp_path, capsys)

    assert main(["replay", "latest", "--headless", "--fast", "--runs-dir", str(tmp_path / "runs")]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert f"Replaying {path}" in out and "(pipeline waiting," in out and "12 events, finished) as fast as" in out
    assert timing_rows(out) == timing_rows(run_out)  # the very same numbers as the live run printed
    timeline = out[out.index("Timeline") : out.index("0 to ")].splitlines()[1:]
    assert [line.split()[0] for line in timeline] == list(timing_rows(run_out))  # one line per visit
    assert all("█" in line for line in timeline)
    assert "'wait_2': {'message': 'Message from wait_2'}" in out
    assert out.rstrip().endswith("The recorded run finished.")
    assert "starts running" not in out  # nothing ran


def test_replay_by_id_prefix_or_path_at_a_speed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    run_id = read_run(path).run_id
    assert main(["replay", run_id[:6], "--headless", "--speed", "50", "--runs-dir", str(tmp_path / "runs")]) == 0
    assert "at 50x speed" in capsys.readouterr().out
    assert main(["replay", str(path), "--headless", "--fast"]) == 0  # a path needs no runs folder
    assert f"Replaying {path}" in capsys.readouterr().out


def test_replaying_a_failed_run_shows_its_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pipeline = helpers_yaml(tmp_path, {"double": "Doubler", "fail": "Fail"}, [("double.value", "fail.value")])
    runs = str(tmp_path / "runs")
    argv = ["run", str(pipeline), "--allow-module", HELPERS, "--input", "x=3", "--record", "--runs-dir", runs]
    assert main(argv) == 1
    out, err = capsys.readouterr()
    assert recorded_path(out).exists() and "cannot handle 6" in err

    assert main(["replay", "latest", "--headless", "--fast", "--runs-dir", runs]) == 0

    out = capsys.readouterr().out
    assert "Traceback of 'fail' (visit 1):" in out and 'raise RuntimeError(f"cannot handle {value}")' in out
    assert {name: row[0] for name, row in timing_rows(out).items()} == {"double": "done", "fail": "failed"}
    assert "Partial outputs" in out
    assert "The recorded run failed: Component 'fail' (tests.tui.components.Fail) failed in run" in out


def test_replaying_a_damaged_interrupted_recording(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    lines = path.read_bytes().split(b"\n")
    path.write_bytes(b"\n".join([*lines[:4], b"garbage", *lines[4:8]]) + b"\n")  # 7 events, one line damaged

    assert main(["replay", str(path), "--headless", "--fast"]) == 0

    out = capsys.readouterr().out
    assert f"Skipped 1 damaged line(s); the first: {path}:5: " in out
    assert "interrupted" in out and "The recording ends after 7 events without the run's end" in out


# -- errors ---------------------------------------------------------------------------------------------------


def test_replay_in_the_app_needs_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text("{}\n")
    assert main(["replay", str(path)]) == 2  # captured output is no terminal
    out, err = capsys.readouterr()
    assert one_error_line(err) == f"error: {NEEDS_TERMINAL}" and out == ""


def test_replay_in_the_app_names_a_missing_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "latest", "--runs-dir", str(tmp_path)]) == 2
    assert one_error_line(capsys.readouterr().err) == f"error: no recorded runs in {tmp_path}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "latest", "--headless"], "no recorded runs in {runs}"),
        (["replay", "nosuchid", "--headless"], "no run file or run id 'nosuchid' in {runs}"),
        (["runs", "--delete", "nosuchid"], "no run file or run id 'nosuchid' in {runs}"),
        (["replay", "{bad}", "--headless"], "{bad}:1: not a pipedebug run file: "),
        (["replay", "{empty}", "--headless"], "{empty}:1: not a pipedebug run file: the file is empty"),
        (["replay", "{header_only}", "--headless"], "{header_only}: the recording holds no events"),
    ],
)
def test_errors_are_one_line_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    runs = tmp_path / "runs"
    runs.mkdir()
    files = {name: tmp_path / f"{name}.jsonl" for name in ("bad", "empty", "header_only")}
    files["bad"].write_text("{oops\n", encoding="utf-8")
    files["empty"].write_text("", encoding="utf-8")
    header = {"format": "pipedebug-run", "version": 1, "run_id": "r", "pipeline_name": "p", "versions": {}}
    files["header_only"].write_text(json.dumps({**header, "wall_time": 1.7e9}) + "\n", encoding="utf-8")
    files["runs"] = runs
    argv = [part.format(**files) for part in argv]

    assert main([*argv, "--runs-dir", str(runs)]) == 2

    out, err = capsys.readouterr()
    assert message.format(**files) in one_error_line(err)
    assert "Timing" not in out


def test_bad_pacing_arguments(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "latest", "--headless", "--speed", "0"]) == 2
    assert "--speed: must be a positive number, got 0" in capsys.readouterr().err
    assert main(["replay", "latest", "--headless", "--speed", "2", "--fast"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_record_into_a_folder_that_cannot_be_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The run goes on unrecorded, and says so (issue 15: a read-only runs folder never stops a run)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    argv = ["run", str(waiting_yaml(tmp_path)), "--record", "--runs-dir", str(blocker / "runs")]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert f"warning: not recording: {blocker / 'runs'}: Not a directory (the run goes on)" in err
    assert "Timing" in out and all(name in out for name in WAITERS)


def test_runs_on_an_empty_folder_and_delete(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = str(tmp_path / "runs")
    assert main(["runs", "--runs-dir", runs]) == 0
    assert f"No recorded runs in {runs}" in capsys.readouterr().out
    path, _ = record_waiting_run(tmp_path, capsys)

    assert main(["runs", "--runs-dir", runs, "--delete", "latest"]) == 0

    assert capsys.readouterr().out.strip() == f"Deleted {path}"
    assert not path.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child process")
def test_ctrl_c_cancels_a_replay_and_exits_130(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    lines = path.read_text(encoding="utf-8").splitlines()
    final = json.loads(lines[-1])
    lines[-1] = json.dumps({**final, "time": final["time"] + 100})  # the run's end comes 100 s later
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    process = subprocess.Popen(
        [str(SCRIPT), "replay", str(path), "--headless"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    assert process.stdout.readline().startswith("Replaying ")
    time.sleep(0.5)  # all but the final event replayed by now
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert err.strip().splitlines()[-1] == "error: interrupted: the replay was cancelled"
    assert {row[0] for row in timing_rows(out).values()} == {"done"}
    assert "Partial outputs" in out and "'wait_2': {'message': 'Message from wait_2'}" in out
    assert "The replay was cancelled (the recorded run: finished)." in out


# -- diff, export, fork ---------------------------------------------------------------------------------------


def test_diff_of_two_recorded_runs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = str(tmp_path / "runs")
    yaml_path = str(waiting_yaml(tmp_path))
    for message in ("Hello", "Hello", "Bye"):
        assert main(["run", yaml_path, "--record", "--runs-dir", runs, "--input", f"user_msg={message}"]) == 0
    first, same, other = (recorded_path(part) for part in capsys.readouterr().out.split("Running ")[1:])
    assert main(["diff", str(first), str(same)]) == 0
    assert "Timing" in capsys.readouterr().out
    assert main(["diff", str(first), str(other)]) == 1
    out = capsys.readouterr().out
    assert "-Hello" in out and "+Bye" in out
    assert main(["diff", str(first), str(tmp_path / "missing.jsonl")]) == 2


@pytest.mark.parametrize(("fmt", "check"), [("chrome", "traceEvents"), ("otlp", "resourceSpans")])
def test_export_json_formats(fmt: str, check: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    target = tmp_path / f"trace.{fmt}.json"
    assert main(["export", str(path), "--format", fmt, "-o", str(target)]) == 0
    data = json.loads(target.read_text(encoding="utf-8"))
    assert check in data
    if fmt == "chrome":
        spans = [event for event in data["traceEvents"] if event["ph"] == "X"]
        assert sorted(span["name"] for span in spans) == sorted(WAITERS)


def test_export_mermaid_to_stdout(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    assert main(["export", str(path), "-f", "mermaid"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("flowchart TD") and "wait_4" in out and " ms" in out


def test_fork_reruns_from_a_visit_and_records_the_parent(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = record_waiting_run(tmp_path, capsys)
    parent = read_run(path)
    wait_4 = next(e for e in parent.events if type(e).__name__ == "ComponentStarted" and e.component == "wait_4")
    runs = str(path.parent)
    assert main(["fork", str(path), str(wait_4.visit_id), "--input", "user_msg=edited", "--runs-dir", runs]) == 0
    child = read_run(recorded_path(capsys.readouterr().out))
    assert child.header.parent is not None and child.header.parent.run_id == parent.run_id
    started = {e.component: e for e in child.events if type(e).__name__ == "ComponentStarted"}
    assert started["wait_4"].inputs == {"user_msg": "edited"} and not started["wait_4"].reused
    assert started["wait_3"].reused  # finished before wait_4 started: not executed again
    assert main(["fork", str(path), "999", "--runs-dir", runs]) == 2
    assert "has no visit 999" in capsys.readouterr().err
