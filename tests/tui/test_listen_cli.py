"""`pipedebug listen`: the receiver from the command line, headless, stopped with Ctrl-C."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.runs.recording import read_run
from tests.pipeline.runs.test_otlp_receiver import split, traced_request
from tui.cli import main

SCRIPT = Path(sys.executable).with_name("pipedebug")
LISTENING = re.compile(r"^Listening for OTLP/HTTP traces on http://127\.0\.0\.1:(\d+)/v1/traces; runs go to (.+)\. ")
RUN_LINE = re.compile(r"^(\S+\.jsonl)  (\S+)  5 components  (\d+\.\d{3}) s$")


def post(port: int, body: bytes) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("POST", "/v1/traces", body=body, headers={"Content-Type": "application/x-protobuf"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def start_listening(tmp_path: Path, *arguments: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [str(SCRIPT), "listen", "--headless", "--runs-dir", str(tmp_path / "runs"), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # a process group of its own, for Ctrl-C as a terminal sends it
    )


def ctrl_c(process: subprocess.Popen[str]) -> None:
    """SIGINT to the whole process group, the receiver's worker processes included, as a terminal does."""
    os.killpg(process.pid, signal.SIGINT)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child process")
def test_headless_prints_a_line_per_run_and_ctrl_c_saves_what_is_buffered(tmp_path: Path) -> None:
    process = start_listening(tmp_path, "--port", "0", "--quiet-period", "0.2")
    assert process.stdout is not None
    try:
        listening = LISTENING.match(process.stdout.readline())
        assert listening, process.stderr.read() if process.stderr else ""
        port = int(listening.group(1))
        assert Path(listening.group(2)) == tmp_path / "runs"
        _, first = traced_request()
        assert post(port, first.SerializeToString()) == 200
        live = RUN_LINE.match(process.stdout.readline().rstrip("\n"))
        assert live, "no line for the saved run"
        # Half of a second trace, then its pipeline run span, then Ctrl-C at once: the run is saved on the way out.
        _, second = traced_request()
        components, run_span = split(second, {"haystack.component.run"})
        assert post(port, b"not protobuf at all") == 400
        assert post(port, components) == 200
        assert post(port, run_span) == 200
        ctrl_c(process)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0, err
    lines = out.splitlines()
    flushed = RUN_LINE.match(lines[0])
    assert flushed and lines[1:] == ["Stopped: 2 run(s) saved."]
    for match in (live, flushed):
        recorded = read_run(match.group(1))
        assert match.group(2) == recorded.header.pipeline_name
        assert recorded.status == "finished"
        assert abs(float(match.group(3)) - (recorded.duration or 0)) < 1e-3
    assert sorted(path.name for path in (tmp_path / "runs").iterdir()) == sorted(
        Path(match.group(1)).name for match in (live, flushed)
    )
    assert err.startswith("warning: 127.0.0.1: 400 ") and len(err.splitlines()) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT delivery to a child process")
def test_listening_on_every_address_warns(tmp_path: Path) -> None:
    process = start_listening(tmp_path, "--host", "0.0.0.0", "--port", "0")
    assert process.stdout is not None and process.stderr is not None
    try:
        assert process.stdout.readline().startswith("Listening for OTLP/HTTP traces on http://0.0.0.0:")
        ctrl_c(process)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()

    assert process.returncode == 0
    assert out == "Stopped: 0 run(s) saved.\n"
    assert err == "warning: listening on 0.0.0.0: any machine that reaches this one can send traces here\n"


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        code = main(["listen", "--headless", "--port", str(port), "--runs-dir", str(tmp_path)])

    assert code == 2
    assert capsys.readouterr().err == f"error: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_the_app_needs_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["listen", "--port", "0", "--runs-dir", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (
        "error: the live runs browser needs a terminal; add --headless to print the runs as they arrive\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "70000"], "argument --port: must be 0 to 65535, got 70000"),
        (["--port", "http"], "argument --port: expected a port number, got 'http'"),
        (["--quiet-period", "0"], "argument --quiet-period: must be above 0, got 0"),
        (["--max-body", "-1"], "argument --max-body: must be above 0, got -1"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture) -> None:
    assert main(["listen", "--headless", *argv]) == 2
    assert capsys.readouterr().err.strip().endswith(message)
