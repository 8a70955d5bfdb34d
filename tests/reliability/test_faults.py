"""Components that raise or hang, stopped from the debugger (`x`), from the terminal (Ctrl-C) or by closing the
stream; a recording killed with SIGKILL. Every run ends, with one line naming the component, nothing recorded is
lost, and no task or thread is left behind.

What happens to a sync component that hangs: Python cannot interrupt a thread. A stop waits
`STOP_GRACE_SECONDS` for it, then abandons it: the visit is reported cancelled and the run ends; its worker thread
(a daemon thread) keeps running until the component returns, and what it returns is discarded. It never keeps
the process from exiting. Once it returns, the thread ends (the run's pool was shut down).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from pipeline import AsyncPipeline
from pipeline.core.events import ComponentCancelled, ComponentFinished, RunCancelled
from pipeline.core.scheduler import STOP_GRACE_SECONDS
from pipeline.runs.recording import read_run
from tests.pipeline.test_events import worker_threads
from tests.reliability import components
from tests.reliability.components import HangAsync, HangSync, Slow, Source
from tests.reliability.conftest import HOSTILE_MODULE, ROOT, command_env, pipedebug, pipeline_yaml
from tests.tui.app.conftest import screen_text, wait_for, wait_loaded
from tui.app import PipedebugApp

SIZE = (140, 45)


def pipe_of(**parts: object) -> AsyncPipeline:
    pipe = AsyncPipeline()
    pipe.add_component("src", Source())
    for name, instance in parts.items():
        pipe.add_component(name, instance)
        pipe.connect("src.value", f"{name}.value")
    return pipe


# -- the engine: stop, cancelled generators, leaks ---------------------------------------------------------------


async def test_a_stopped_run_abandons_a_hung_sync_component_after_the_grace_and_leaks_no_task(
    release_hung: None,
) -> None:
    before = set(threading.enumerate())
    pipe = pipe_of(hang=HangSync(seconds=60), fast=Source())
    async with pipe.events({"src": {"value": 1}}) as run:
        events = []
        async for event in run:
            events.append(event)
            if isinstance(event, ComponentFinished) and event.component == "fast":
                stopped = time.perf_counter()
                run.cancel()
    took = time.perf_counter() - stopped
    assert isinstance(events[-1], RunCancelled)
    assert [e.component for e in events if isinstance(e, ComponentCancelled)] == ["hang"]
    assert STOP_GRACE_SECONDS - 0.2 < took < STOP_GRACE_SECONDS + 1.5
    assert asyncio.all_tasks() == {asyncio.current_task()}
    await asyncio.sleep(0.2)  # the idle workers of the shut-down pool end
    (hung,) = [thread for thread in set(threading.enumerate()) - before if thread.name.startswith("pipedebug-")]
    assert hung.daemon  # abandoned, still blocked in the component, but never keeps the process alive
    components.RELEASE.set()
    hung.join(timeout=5)
    assert not hung.is_alive()  # once the component returns, its thread ends: the run's pool is shut down


async def test_a_stopped_run_cancels_a_hung_async_component_at_once() -> None:
    pipe = pipe_of(hang=HangAsync(), fast=Source())
    async with pipe.events({"src": {"value": 1}}) as run:
        async for event in run:
            if isinstance(event, ComponentFinished) and event.component == "fast":
                stopped = time.perf_counter()
                run.cancel()
    assert time.perf_counter() - stopped < 0.5
    assert asyncio.all_tasks() == {asyncio.current_task()}


async def test_closing_a_generator_mid_run_leaves_no_task_and_no_thread() -> None:
    before = set(threading.enumerate())
    pipe = pipe_of(slow=Slow(seconds=0.3), hang=HangAsync(), fast=Source())
    outputs = pipe.run_async_generator({"src": {"value": 1}})
    async for partial in outputs:
        assert partial
        break
    await outputs.aclose()
    assert asyncio.all_tasks() == {asyncio.current_task()}
    deadline = time.monotonic() + 3
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not set(threading.enumerate()) - before, set(threading.enumerate()) - before


async def test_a_failure_while_a_sync_component_hangs_ends_the_run_failed(release_hung: None) -> None:
    pipe = pipe_of(hang=HangSync(seconds=60), boom=components.Raise())
    started = time.perf_counter()
    with pytest.raises(Exception, match="cannot take 1") as info:
        await pipe.run_async({"src": {"value": 1}})
    assert "boom" in str(info.value)
    assert time.perf_counter() - started < STOP_GRACE_SECONDS + 1.5


# -- pipedebug run: Ctrl-C as a signal --------------------------------------------------------------------------


def start_run(path: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui.cli", "run", str(path), "--allow-module", HOSTILE_MODULE, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=command_env(),
    )


def wait_for_line(path: Path, event: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and any(f'"event":"{event}"' in line for line in path.read_text().splitlines()):
            return
        time.sleep(0.05)
    raise AssertionError(f"no {event} in {path} after {timeout} s")


@pytest.mark.parametrize("kind", ["HangSync", "HangAsync"])
def test_ctrl_c_ends_a_hung_run_and_the_process_exits(kind: str, tmp_path: Path, runs_dir: Path) -> None:
    path = pipeline_yaml(tmp_path, {"src": "Source", "hang": kind}, [("src.value", "hang.value")])
    process = start_run(path, "--input", "src.value=1", "--record")
    try:
        recording = None
        deadline = time.monotonic() + 30
        while recording is None and time.monotonic() < deadline:
            recording = next(iter(runs_dir.glob("*.jsonl")), None)
            time.sleep(0.05)
        assert recording is not None
        wait_for_line(recording, "ComponentStarted")
        time.sleep(0.3)  # the hung visit is launched once its ComponentStarted is read
        process.send_signal(signal.SIGINT)
        interrupted = time.perf_counter()
        stdout, stderr = process.communicate(timeout=STOP_GRACE_SECONDS + 10)
    finally:
        if process.poll() is None:
            process.kill()
    took = time.perf_counter() - interrupted
    assert process.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1] == "error: interrupted: the run was cancelled"
    assert "Traceback" not in stderr
    assert "hang" in stdout and "cancelled" in stdout
    assert read_run(recording).status == "cancelled"
    if kind == "HangSync":
        assert "'hang' did not stop within 2 s of the stop; it is abandoned" in stderr
        assert took < STOP_GRACE_SECONDS + 4
    else:
        assert took < 3


# -- kill -9 mid-recording ---------------------------------------------------------------------------------------


def test_kill_9_mid_recording_leaves_a_file_that_replays_what_was_written(tmp_path: Path, runs_dir: Path) -> None:
    path = pipeline_yaml(
        tmp_path,
        {"src": "Source", "first": "Slow", "second": "HangAsync"},
        [("src.value", "first.value"), ("first.value", "second.value")],
        first={"seconds": 0.05},
    )
    process = start_run(path, "--input", "src.value=1", "--record")
    try:
        deadline = time.monotonic() + 30
        while not list(runs_dir.glob("*.jsonl")) and time.monotonic() < deadline:
            time.sleep(0.05)
        (recording,) = runs_dir.glob("*.jsonl")
        wait_for_line(recording, "ComponentStarted")
        deadline = time.monotonic() + 30
        while '"component":"second"' not in recording.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    recorded = read_run(recording)
    assert recorded.status == "interrupted" and not recorded.problems
    finished = [e.component for e in recorded.events if isinstance(e, ComponentFinished)]
    assert finished == ["src", "first"]
    replayed = pipedebug("replay", str(recording), "--headless", "--fast")
    assert replayed.returncode == 0, replayed.stderr
    assert "first" in replayed.stdout and "interrupted" in replayed.stdout.lower()
    listed = pipedebug("runs")
    assert "interrupted" in listed.stdout


# -- the debugger: x on a hung component, a component that raises -------------------------------------------------


def hung_sync_app(tmp_path: Path) -> PipedebugApp:
    """The debugger on src -> hang (HangSync, 60 s): the run to stop or quit during."""
    path = pipeline_yaml(
        tmp_path,
        {"src": "Source", "hang": "HangSync"},
        [("src.value", "hang.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
        hang={"seconds": 60},
    )
    return PipedebugApp(path, allowed_modules=[HOSTILE_MODULE], record=False)


async def run_until_hung(pilot: Pilot, app: PipedebugApp) -> None:
    """Starts the run and waits until the hung component holds a worker thread and shows on screen."""
    await wait_loaded(pilot)
    await pilot.press("r")
    await wait_for(pilot, lambda: bool(worker_threads()) and "hang" in screen_text(app), "the hang to start")
    await pilot.pause(0.3)


async def test_x_stops_a_hung_sync_component_the_loop_never_stalls_and_the_app_exits(
    tmp_path: Path, release_hung: None
) -> None:
    app = hung_sync_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await run_until_hung(pilot, app)
        lags: list[float] = []

        async def measure_lag() -> None:
            while True:
                before = time.perf_counter()
                await asyncio.sleep(0.01)
                lags.append(time.perf_counter() - before - 0.01)

        monitor = asyncio.create_task(measure_lag())
        await pilot.press("x")
        stopped = time.perf_counter()
        await wait_for(pilot, lambda: app.debugger.status == "cancelled", "the run to end cancelled", timeout=10)
        monitor.cancel()
        assert max(lags) < 0.2, f"the event loop stalled {max(lags):.2f} s during the stop"
        assert time.perf_counter() - stopped < STOP_GRACE_SECONDS + 2
        leaving = time.perf_counter()
    assert not app.is_running
    assert time.perf_counter() - leaving < 2  # the exit waits on no thread: the hung one is still blocked


async def test_a_component_that_raises_shows_as_failed_with_its_error(tmp_path: Path) -> None:
    path = pipeline_yaml(
        tmp_path,
        {"src": "Source", "boom": "Raise"},
        [("src.value", "boom.value")],
        metadata={"example_inputs": [{"src": {"value": 1}}]},
    )
    app = PipedebugApp(path, allowed_modules=[HOSTILE_MODULE], record=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_loaded(pilot)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.debugger.status == "failed", "the run to fail")
        await wait_for(pilot, lambda: "ValueError: cannot take 1" in screen_text(app), "the error on screen")
        assert app.is_running


def test_pipedebug_run_reports_a_raising_component_in_one_line(tmp_path: Path, runs_dir: Path) -> None:
    path = pipeline_yaml(tmp_path, {"src": "Source", "boom": "Raise"}, [("src.value", "boom.value")])
    result = pipedebug("run", str(path), "--allow-module", HOSTILE_MODULE, "--input", "src.value=1", "--record")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("error: Component 'boom' (tests.reliability.components.Raise) failed")
    assert "ValueError: cannot take 1" in last
    (recording,) = runs_dir.glob("*.jsonl")
    assert read_run(recording).status == "failed"
    assert json.loads(recording.read_text().splitlines()[-1])["event"] == "RunFailed"
    assert os.path.getsize(recording) > 0


async def test_quitting_the_debugger_during_a_hung_sync_component_exits_promptly(
    tmp_path: Path, release_hung: None
) -> None:
    app = hung_sync_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await run_until_hung(pilot, app)
        quit_at = time.perf_counter()
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, "the app to exit", timeout=STOP_GRACE_SECONDS + 5)
    assert time.perf_counter() - quit_at < STOP_GRACE_SECONDS + 3
    assert all(thread.daemon for thread in worker_threads())  # the hung one, abandoned: it cannot hold the exit
    components.RELEASE.set()
    deadline = time.monotonic() + 3
    while worker_threads() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert not worker_threads()  # once the component returns, its thread ends: the pool was shut down on the quit
