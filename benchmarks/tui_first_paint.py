"""How soon the debugger shows something, for the waiting sample and the hybrid RAG sample.

Run from the repository root: `python -m benchmarks.tui_first_paint [--quick]`. Each start is a fresh Python
process (imports are part of what a user waits for), driven headless by Textual's `run_test` at 120x40. It
reports `paint` (from creating the app to the first frame of the debugger screen: the target) and, from the
start of the process: `import` (the app's modules imported), `first frame`, `pipeline shown` (the graph and
inputs of the loaded pipeline drawn) and `warm` (the components' `warm_up()` finished: models loaded, corpus
indexed). Only the first frame is meant to be quick; the rest happen in thread workers behind a progress bar.
The process exits with 1 if `paint` misses its target.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SAMPLES = {
    "waiting": str(Path(__file__).resolve().parents[1] / "sample_pipelines" / "waiting.yaml"),
    "hybrid_rag": None,  # bare `pipedebug`: the bundled hybrid sample
}
TARGET_PAINT = 0.5
"""Seconds from creating the app to its first frame, whatever the pipeline."""
COLUMNS = ("paint", "import", "first frame", "pipeline shown", "warm")


def measure_one(sample: str) -> dict[str, float]:
    """In this process: start the app on `sample` and time its milestones from the process's start."""
    started = _process_start()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from tui.app import PipedebugApp
    from tui.screens.debugger import DebuggerScreen

    imported = time.perf_counter()
    painted: list[float] = []
    display = PipedebugApp._display

    def timed_display(app: PipedebugApp, screen: object, renderable: object) -> None:
        if isinstance(screen, DebuggerScreen) and renderable is not None and not painted:
            painted.append(time.perf_counter())
        display(app, screen, renderable)

    PipedebugApp._display = timed_display  # type: ignore[method-assign]

    async def run() -> dict[str, float]:
        created = time.perf_counter()
        app = PipedebugApp(SAMPLES[sample], record=False)
        async with app.run_test(size=(120, 40)):
            while not painted:
                await asyncio.sleep(0.001)
            while app.debugger.loaded is None:
                await asyncio.sleep(0.001)
            await app.debugger.query_one("#graph").wait_for_refresh()
            shown = time.perf_counter()
            while app.warm_up_seconds is None:
                await asyncio.sleep(0.005)
            warm = time.perf_counter()
        return {
            "paint": painted[0] - created,
            "import": imported - started,
            "first frame": painted[0] - started,
            "pipeline shown": shown - started,
            "warm": warm - started,
        }

    return asyncio.run(run())


def _process_start() -> float:
    """This process's start on the `perf_counter` clock (Linux: from /proc; else now, which omits the
    interpreter's own start-up)."""
    try:
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        uptime = float(Path("/proc/uptime").read_text().split()[0])
    except (OSError, IndexError, ValueError):
        return time.perf_counter()
    age = uptime - ticks / os.sysconf("SC_CLK_TCK")
    return time.perf_counter() - age


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="one start per sample instead of three")
    parser.add_argument("--one", choices=sorted(SAMPLES), help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(measure_one(options.one)))
        return

    from rich.console import Console
    from rich.table import Table

    starts = 1 if options.quick else 3
    table = Table(title=f"pipedebug start-up, headless 120x40, median of {starts} fresh processes (seconds)")
    for column in ("sample", *COLUMNS):
        table.add_column(column, justify="left" if column == "sample" else "right")
    missed = []
    for sample in SAMPLES:
        runs = [_child(sample) for _ in range(starts)]
        medians = {key: statistics.median(run[key] for run in runs) for key in COLUMNS}
        table.add_row(sample, *(f"{medians[key]:.2f}" for key in COLUMNS))
        if medians["paint"] > TARGET_PAINT:
            missed.append(sample)
    Console().print(table)
    if missed:
        print(f"first paint over {TARGET_PAINT} s after creating the app: {', '.join(missed)}")
        sys.exit(1)


def _child(sample: str) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.tui_first_paint", "--one", sample],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
