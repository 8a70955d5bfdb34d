"""What watching a run in the debugger costs: a 500-component fan-out, headless and with the app attached.

Run from the repository root: `python -m benchmarks.tui_throughput [--quick]`. The graph is one source feeding
500 components that all feed one `Variadic` sum. `headless` times `await pipe.run_async(data)`; `app` times the
same run started in the debugger (headless Textual at 120x40, not recording) from `start_run` until its run's
task has ended, while the screen redraws at 30 Hz; `overhead` is the difference. Best of N runs each, for
trivial async components (tasks on the loop), trivial sync ones (worker threads), and async ones that each
sleep 2 ms (so the run lasts about 250 ms at the default concurrency of 4). The process exits with 1 if the
app's ratio to headless exceeds the target in any case.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

FAN_OUT = 500
TARGET_RATIO = 1.5


CASES = {
    "async, trivial": "AddOne()",
    "sync, trivial": "Double()",
    "async, 2 ms each": "Sleep(0.002)",
}


def pipeline_source(directory: Path, case: str) -> Path:
    """A Python file the app can open, building the fan-out with the case's component in every place."""
    component = CASES[case]
    path = directory / f"fan_out_{len(list(directory.iterdir()))}.py"
    path.write_text(
        "from pipeline import AsyncPipeline\n"
        "from tests.pipeline.toy_components import AddOne, Double, Sleep, Sum\n\n\n"
        "def build_pipeline():\n"
        "    pipe = AsyncPipeline()\n"
        f"    pipe.add_component('source', {component})\n"
        "    pipe.add_component('sink', Sum())\n"
        f"    for index in range({FAN_OUT}):\n"
        f"        pipe.add_component(f'c{{index}}', {component})\n"
        "        pipe.connect('source.value', f'c{index}.value')\n"
        "        pipe.connect(f'c{index}.value', 'sink.values')\n"
        "    pipe.metadata['example_inputs'] = [{'source': {'value': 1}}]\n"
        "    return pipe\n"
    )
    return path


async def headless(source: Path, repeats: int) -> float:
    from tui.loading import open_pipeline

    pipe = open_pipeline(source).pipe
    data = {"source": {"value": 1}}
    await pipe.run_async(data)  # warm-up run
    return min([await _timed(pipe.run_async(data)) for _ in range(repeats)])


async def with_app(source: Path, repeats: int) -> float:
    from tui.app import PipedebugApp

    app = PipedebugApp(source, record=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.warm_up_seconds is None:
            await pilot.pause(0.01)
        await pilot.pause()
        debugger = app.debugger
        times = []
        for _ in range(repeats + 1):  # the first is a warm-up run
            gc.collect()
            started = time.perf_counter()
            debugger.start_run({"source": {"value": 1}})
            await asyncio.wait(debugger.controller.tasks)  # the run's task, driven by the screen's controller
            times.append(time.perf_counter() - started)
            assert debugger.status == "finished", debugger.status
            await pilot.pause(0.5)  # the app redraws the ended run: start the next one from a quiet screen
        return min(times[1:])


async def _timed(run: object) -> float:
    gc.collect()
    started = time.perf_counter()
    await run  # type: ignore[misc]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 timed runs per case instead of 7")
    options = parser.parse_args()
    repeats = 3 if options.quick else 7
    table = Table(title=f"fan-out 1->{FAN_OUT}->1, best of {repeats} (ms)")
    for column in ("components", "headless", "app", "overhead", "app / headless"):
        table.add_column(column, justify="right" if column != "components" else "left")
    worst = 0.0
    with tempfile.TemporaryDirectory() as directory:
        for case in CASES:
            source = pipeline_source(Path(directory), case)
            alone = asyncio.run(headless(source, repeats))
            attached = asyncio.run(with_app(source, repeats))
            ratio = attached / alone
            worst = max(worst, ratio)
            times = (alone, attached, attached - alone)
            table.add_row(case, *(f"{seconds * 1000:.0f}" for seconds in times), f"{ratio:.2f}x")
    Console().print(table)
    if worst > TARGET_RATIO:
        print(f"the app costs more than {TARGET_RATIO}x the headless run")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
