"""The Haystack bridge's overhead: a haystack-ai pipeline run by pipedebug's engine vs by haystack-ai itself.

A chain of 100 no-op haystack-ai components (each hands its int on), in two variants: async (the components have
`run_async`, awaited on the event loop) and sync (`run` only, sent to worker threads). The same chain runs on
Haystack's own `AsyncPipeline.run_async` and, bridged with `pipeline.bridges.haystack.from_haystack`, on ours, in
the same process. Each timing is one `await pipe.run_async(...)` after a warm-up run whose outputs are checked;
best of N, with the garbage collector run before and off during each timed run (as `timeit` does). Reported: µs
per component for each engine, and bridge / Haystack (target: below 1). A third row runs the same chain built from
pipedebug's own components: the bridge's row minus it is what the adapter costs.

Run from the repository root, with the `haystack` extra installed:

    python -m benchmarks.haystack_bridge [--quick] [--length 100] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")

from haystack import AsyncPipeline as HaystackAsyncPipeline
from haystack import component
from rich.console import Console
from rich.table import Table

if __package__ in (None, ""):  # run as a file: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import pipeline
from pipeline.bridges.haystack import from_haystack

TARGET_RATIO = 1.0
"""The bridge must cost less per component than Haystack's own AsyncPipeline."""


@component
class NoOp:
    """Sync only: hands its value on (runs in a worker thread on either engine)."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@component
class AsyncNoOp:
    """Hands its value on, on the event loop."""

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}

    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        return {"value": value}


@pipeline.component
class NativeNoOp:
    """pipedebug's own sync no-op, for the adapter-free reference row."""

    @pipeline.component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}


@pipeline.component
class NativeAsyncNoOp:
    """pipedebug's own async no-op."""

    @pipeline.component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value}

    @pipeline.component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        return {"value": value}


def native_chain(length: int, component_class: type) -> pipeline.AsyncPipeline:
    pipe = pipeline.AsyncPipeline(max_runs_per_component=1)
    for index in range(length):
        pipe.add_component(f"c{index}", component_class())
        if index:
            pipe.connect(f"c{index - 1}.value", f"c{index}.value")
    return pipe


def haystack_chain(length: int, component_class: type) -> HaystackAsyncPipeline:
    pipe = HaystackAsyncPipeline(max_runs_per_component=1)
    for index in range(length):
        pipe.add_component(f"c{index}", component_class())
        if index:
            pipe.connect(f"c{index - 1}.value", f"c{index}.value")
    return pipe


@dataclass
class Row:
    variant: str
    engine: str
    best_us_per_component: float
    median_us_per_component: float
    runs: int


def time_runs(run: Callable[[], Any], expected: Any, repeats: int, budget_s: float) -> list[float]:
    """Seconds per run: one checked warm-up, then up to `repeats` timed runs within `budget_s`."""
    outputs = asyncio.run(run())
    if outputs != expected:
        raise AssertionError(f"unexpected outputs: {outputs!r} != {expected!r}")
    timings: list[float] = []
    deadline = time.perf_counter() + budget_s

    async def timed() -> float:
        started = time.perf_counter()
        await run()
        return time.perf_counter() - started

    while len(timings) < repeats and (len(timings) < 3 or time.perf_counter() < deadline):
        gc.collect()
        gc.disable()
        try:
            timings.append(asyncio.run(timed()))
        finally:
            gc.enable()
    return timings


def measure(length: int, repeats: int, budget_s: float) -> list[Row]:
    rows = []
    data = {"c0": {"value": 7}}
    expected = {f"c{length - 1}": {"value": 7}}
    variants = (("async", AsyncNoOp, NativeAsyncNoOp), ("sync", NoOp, NativeNoOp))
    for variant, component_class, native_class in variants:
        haystack_pipe = haystack_chain(length, component_class)
        bridged = from_haystack(haystack_chain(length, component_class))
        native = native_chain(length, native_class)
        engines: list[tuple[str, Callable[[], Any]]] = [
            ("haystack-ai", lambda p=haystack_pipe: p.run_async(data)),
            ("pipedebug bridge", lambda p=bridged: p.run_async(data)),
            ("pipedebug native", lambda p=native: p.run_async(data)),
        ]
        for engine, run in engines:
            timings = sorted(time_runs(run, expected, repeats, budget_s))
            rows.append(
                Row(
                    variant,
                    engine,
                    timings[0] / length * 1e6,
                    timings[len(timings) // 2] / length * 1e6,
                    len(timings),
                )
            )
    return rows


def report(rows: list[Row], length: int) -> bool:
    table = Table(title=f"chain of {length} no-op components, run_async: µs per component")
    for column in ("variant", "engine", "best", "median", "runs", "bridge / haystack"):
        table.add_column(column, justify="left" if column in ("variant", "engine") else "right")
    ok = True
    for variant in ("async", "sync"):
        theirs, ours, native = (row for row in rows if row.variant == variant)
        ratio = ours.best_us_per_component / theirs.best_us_per_component
        ok &= ratio < TARGET_RATIO
        for row in (theirs, ours, native):
            ratio_cell = f"{ratio:.2f}" if row is ours else ""
            table.add_row(
                variant,
                row.engine,
                f"{row.best_us_per_component:.1f}",
                f"{row.median_us_per_component:.1f}",
                str(row.runs),
                ratio_cell,
            )
    console = Console()
    console.print(table)
    console.print(
        f"haystack-ai AsyncPipeline vs the same components bridged to pipedebug vs pipedebug's own components; "
        f"Python {platform.python_version()}, {platform.machine()}; target: bridge / haystack < {TARGET_RATIO}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (10) and a 5 s budget per timing")
    parser.add_argument("--length", type=int, default=100, help="components in the chain (default 100)")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    options = parser.parse_args(argv)
    rows = measure(options.length, repeats=10 if options.quick else 30, budget_s=5 if options.quick else 30)
    ok = report(rows, options.length)
    if options.json:
        options.json.write_text(json.dumps([asdict(row) for row in rows], indent=2), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
