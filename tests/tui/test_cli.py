"""`pipedebug run`: outputs and timing table, each error class with its exit code, input coercion, Ctrl-C."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline import AsyncPipeline
from pipeline.components.testing import waiting
from tests.tui.components import Echo, IntText
from tui.capture import LineWriter
from tui.cli import main
from tui.options import parse_inputs

HELPERS = "tests.tui.components"
WAITERS = ("wait_1", "wait_2", "wait_3", "wait_4", "wait_5")
SCRIPT = Path(sys.executable).with_name("pipedebug")


def waiting_yaml(tmp_path: Path, component: str = "WaitingComponent", scale: float = 0.01) -> Path:
    """The sample's five waiters (wait_n sleeps n * scale seconds), with the sample's example inputs."""
    lines = [
        "metadata:",
        "  example_inputs:",
        "  - user_msg: Hello",
        "components:",
    ]
    for index, name in enumerate(WAITERS, start=1):
        lines += [
            f"  {name}:",
            f"    type: pipeline.components.testing.waiting.{component}",
            f"    init_parameters: {{name: {name}, wait_time: {index * scale}}}",
        ]
    lines += [
        "connections:",
        "- sender: wait_1.message",
        "  receiver: wait_2.user_msg",
        "- sender: wait_3.message",
        "  receiver: wait_4.user_msg",
    ]
    path = tmp_path / "waiting.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write(tmp_path: Path, text: str, name: str = "pipeline.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def helpers_yaml(tmp_path: Path, components: dict[str, str], connections: list[tuple[str, str]] = ()) -> Path:
    lines = ["components:"]
    for name, cls in components.items():
        lines += [f"  {name}:", f"    type: {HELPERS}.{cls}"]
    if connections:
        lines.append("connections:")
        for sender, receiver in connections:
            lines += [f"- sender: {sender}", f"  receiver: {receiver}"]
    return write(tmp_path, "\n".join(lines) + "\n")


def timing_rows(out: str) -> dict[str, list[str]]:
    """The timing table's rows by component: [status, mode, thread, start, end, duration].

    A cancelled visit has no thread, so its row has one cell fewer.
    """
    table = out[out.index("Timing (ms since run start)") : out.index("Total wall time")]
    rows = {}
    for line in table.splitlines()[1:]:
        cells = line.split()
        if cells and cells[0] != "component" and not cells[0].startswith("─"):
            rows[cells[0]] = cells[1:]
    return rows


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: ")
    return lines[0]


# -- success --------------------------------------------------------------------------------------------------


def test_run_prints_outputs_and_a_timing_row_per_component(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = waiting_yaml(tmp_path)

    assert main(["run", str(path), "--input", "user_msg=Hi"]) == 0

    out, err = capsys.readouterr()
    assert err == ""
    assert "with inputs {'user_msg': 'Hi'} from --input" in out
    rows = timing_rows(out)
    assert list(rows) == ["wait_1", "wait_3", "wait_5", "wait_2", "wait_4"]  # in start order
    for name in WAITERS:
        assert f"Component {name} is done!" in out  # what components print still shows, line by line
        status, mode, thread, start, end, duration = rows[name]
        assert (status, mode) == ("done", "sync") and thread.startswith("pipedebug-worker")
        assert float(end) - float(start) == pytest.approx(float(duration), abs=0.2)
    assert "'wait_2': {'message': 'Message from wait_2'}" in out
    assert "'wait_4': {'message': 'Message from wait_4'}" in out
    assert "\x1b[" not in out  # not a terminal: no live display, no escape codes


def test_without_input_the_first_example_input_is_used(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["run", str(waiting_yaml(tmp_path))]) == 0
    assert "with inputs {'user_msg': 'Hello'} from metadata.example_inputs" in capsys.readouterr().out


def test_run_without_a_pipeline_runs_the_bundled_sample_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    real_sleep = time.sleep
    monkeypatch.setattr(waiting, "time", SimpleNamespace(sleep=lambda seconds: real_sleep(seconds / 100)))
    monkeypatch.chdir(tmp_path)

    assert main(["run"]) == 0

    out = capsys.readouterr().out
    assert "sample_pipelines" in out and "waiting.yaml" in out
    assert "from metadata.example_inputs" in out
    assert all(name in out for name in WAITERS)


def test_include_outputs_from_and_concurrency(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = waiting_yaml(tmp_path)

    code = main(["run", str(path), "--include-outputs-from", "wait_1,wait_3", "--concurrency", "1"])

    out = capsys.readouterr().out
    assert code == 0
    assert "concurrency 1" in out
    assert "'wait_1': {'message': 'Message from wait_1'}" in out
    assert "'wait_3': {'message': 'Message from wait_3'}" in out
    spans = sorted((float(row[3]), float(row[4])) for row in timing_rows(out).values())
    assert all(previous_end <= start for (_, previous_end), (start, _) in itertools.pairwise(spans))


# -- errors ---------------------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    missing = tmp_path / "nope.yaml"
    assert main(["run", str(missing)]) == 2
    out, err = capsys.readouterr()
    assert f"{missing}: cannot read the file" in one_error_line(err)
    assert out == ""


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, "components:\n  a:\n    type: [unclosed\n")
    assert main(["run", str(path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{path}:" in line and "invalid YAML" in line


def test_unknown_component_type_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = write(tmp_path, "metadata: {}\ncomponents:\n  a:\n    type: pipeline.NoSuchComponent\n")
    assert main(["run", str(path)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert f"{path}:4: at components.a.type" in line and "NoSuchComponent" in line


def test_a_module_not_allowed_hints_at_allow_module(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(tmp_path, {"echo": "Echo"})
    assert main(["run", str(path), "--input", "text=hi"]) == 2
    assert "--allow-module" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--input", "nosuch=1"], "Unknown input 'nosuch'"),
        (["--input", "wait_1.nosuch=1"], "Component 'wait_1' has no input socket 'nosuch'"),
        (["--input", "wait_2.user_msg=x"], "Component 'wait_2' cannot accept multiple inputs to 'user_msg'"),
        (["--input", "no-equals-sign"], "--input expects NAME=VALUE"),
        (["--input", "user_msg=a", "--input", "user_msg=b"], "--input 'user_msg' is given more than once"),
        (["--include-outputs-from", "nope"], "include_outputs_from names unknown component(s): nope"),
    ],
)
def test_invalid_inputs_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture, argv: list[str], message: str) -> None:
    assert main(["run", str(waiting_yaml(tmp_path)), *argv]) == 2
    out, err = capsys.readouterr()
    assert message in one_error_line(err)
    assert "Timing" not in out  # nothing ran


def test_missing_mandatory_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(tmp_path, {"echo": "Echo"})
    assert main(["run", str(path), "--allow-module", HELPERS]) == 2
    assert "Missing mandatory input(s): 'echo.text' (str)" in one_error_line(capsys.readouterr().err)


def test_bad_arguments_exit_2(capsys: pytest.CaptureFixture) -> None:
    assert main(["run", "--concurrency", "0"]) == 2
    assert "--concurrency: must be at least 1" in capsys.readouterr().err
    assert main(["no-such-command"]) == 2


def test_help_exits_0(capsys: pytest.CaptureFixture) -> None:
    assert main(["--help"]) == 0
    assert main(["run", "--help"]) == 0
    assert "--allow-module MODULE" in capsys.readouterr().out


def test_failing_component(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(
        tmp_path,
        {"double": "Doubler", "fail": "Fail", "sleep": "Sleep"},
        [("double.value", "fail.value")],
    )

    code = main(["run", str(path), "--allow-module", HELPERS, "--input", "x=3", "--input", "value=1"])

    out, err = capsys.readouterr()
    assert code == 1
    assert "Traceback of 'fail' (visit 1):" in err
    assert 'raise RuntimeError(f"cannot handle {value}")' in err
    assert err.strip().splitlines()[-1] == (
        "error: Component 'fail' (tests.tui.components.Fail) failed in run: RuntimeError: cannot handle 6"
    )
    assert "Fail got 6" in out
    assert {name: row[0] for name, row in timing_rows(out).items()} == {
        "double": "done",
        "fail": "failed",
        "sleep": "cancelled",
    }
    assert "Partial outputs" in out
    assert "{'double': {'received_type': 'int'}}" in out


def test_a_failing_warm_up_shows_its_traceback(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(tmp_path, {"bad": "BadWarmUp"})

    assert main(["run", str(path), "--allow-module", HELPERS, "--input", "value=1"]) == 1

    out, err = capsys.readouterr()
    assert 'raise ValueError("no model file")' in err
    assert err.strip().splitlines()[-1] == (
        "error: Component 'bad' (tests.tui.components.BadWarmUp) failed in warm_up: ValueError: no model file"
    )
    assert "Did not run: bad" in out


# -- input coercion -------------------------------------------------------------------------------------------


def test_an_int_socket_receives_an_int(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(tmp_path, {"double": "Doubler"})
    assert main(["run", str(path), "--allow-module", HELPERS, "--input", "x=3"]) == 0
    assert "{'double': {'value': 6, 'received_type': 'int'}}" in capsys.readouterr().out


def test_a_str_socket_keeps_the_text(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = helpers_yaml(tmp_path, {"echo": "Echo"})
    assert main(["run", str(path), "--allow-module", HELPERS, "--input", "echo.text=3"]) == 0
    assert "{'echo': {'text': '3'}}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("[1, 2]", "[1, 2]"), ('{"a": true}', "{'a': True}"), ("null", "None"), ("hello", "'hello'")],
)
def test_an_untyped_socket_parses_json_or_keeps_the_text(
    tmp_path: Path, capsys: pytest.CaptureFixture, raw: str, shown: str
) -> None:
    path = helpers_yaml(tmp_path, {"collect": "Collect"})
    assert main(["run", str(path), "--allow-module", HELPERS, "--input", f"value={raw}"]) == 0
    assert f"{{'collect': {{'value': {shown}}}}}" in capsys.readouterr().out


def test_a_flat_input_is_coerced_per_receiving_socket() -> None:
    pipe = AsyncPipeline()
    pipe.add_component("echo", Echo())
    pipe.add_component("number", IntText())
    assert parse_inputs(pipe, ["text=7"]) == {"echo": {"text": "7"}, "number": {"text": 7}}
    assert pipe.run(parse_inputs(pipe, ["text=7"])) == {"echo": {"text": "7"}, "number": {"number": 7}}


# -- live display and output capture --------------------------------------------------------------------------


def test_on_a_terminal_the_live_board_runs_and_prints_stay_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    monkeypatch.setenv("TTY_INTERACTIVE", "1")
    path = waiting_yaml(tmp_path, scale=0.05)

    assert main(["run", str(path)]) == 0

    out = capsys.readouterr().out
    assert "\x1b[" in out  # the board was drawn and redrawn
    assert "state" in out and "running" in out  # the board's header, and a component caught running
    for name in WAITERS:
        assert f"Component {name} starts running..." in out  # printed above the board, whole
    final = out[out.index("Timing (ms since run start)") :]
    assert all(name in final for name in WAITERS)
    assert "Total wall time" in final


def test_concurrent_prints_stay_whole_lines() -> None:
    lines: list[str] = []
    writer = LineWriter(lines.append)

    def chatter(name: str) -> None:
        for index in range(200):
            print(f"{name} line {index}", file=writer)  # print writes text and newline in two calls

    threads = [threading.Thread(target=chatter, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(lines) == 800
    assert all(line.split()[1:2] == ["line"] and len(line.split()) == 3 for line in lines)


# -- the real console script ----------------------------------------------------------------------------------


def test_console_script_runs_a_pipeline(tmp_path: Path) -> None:
    path = waiting_yaml(tmp_path)

    result = subprocess.run([str(SCRIPT), "run", str(path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    rows = timing_rows(result.stdout)
    assert sorted(rows) == sorted(WAITERS)
    assert all(row[0] == "done" for row in rows.values()), result.stdout
    assert "Total wall time" in result.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child process")
def test_ctrl_c_cancels_the_run_and_exits_130(tmp_path: Path) -> None:
    path = waiting_yaml(tmp_path, component="AsyncWaitingComponent", scale=5)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [str(SCRIPT), "run", str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert process.stdout is not None
    started = time.perf_counter()
    while "starts running" not in (line := process.stdout.readline()):
        assert line, "the run ended before any component started"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)

    assert process.returncode == 130, err
    assert time.perf_counter() - started < 5  # async components are cancelled, not awaited
    assert err.strip().splitlines()[-1] == "error: interrupted: the run was cancelled"
    assert "cancelled" in out and "Partial outputs" in out


PYTHON_PIPELINE = """
from pipeline import AsyncPipeline
from pipeline.components.testing import WaitingComponent


def build_pipeline():
    pipe = AsyncPipeline(metadata={"example_inputs": [{"user_msg": "from python"}]})
    pipe.add_component("first", WaitingComponent(name="first", wait_time=0))
    pipe.add_component("second", WaitingComponent(name="second", wait_time=0))
    pipe.connect("first", "second")
    return pipe
"""


def test_runs_a_python_file_or_package_that_builds_a_pipeline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = write(tmp_path, PYTHON_PIPELINE, name="my_pipeline.py")
    assert main(["run", str(module)]) == 0
    out = capsys.readouterr().out
    assert "'user_msg': 'from python'" in out and "Message from second" in out
    package = tmp_path / "my_package"
    package.mkdir()
    (package / "__init__.py").write_text(PYTHON_PIPELINE, encoding="utf-8")
    assert main(["run", str(package)]) == 0
    assert "Message from second" in capsys.readouterr().out


def test_a_python_file_that_fails_names_its_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    module = write(tmp_path, "import os\n\nraise RuntimeError('no pipeline today')\n", name="broken.py")
    assert main(["run", str(module)]) == 2
    assert f"error: {module}:3: RuntimeError: no pipeline today" in capsys.readouterr().err
    empty = write(tmp_path, "x = 1\n", name="empty.py")
    assert main(["run", str(empty)]) == 2
    assert "defines neither build_pipeline()" in capsys.readouterr().err
