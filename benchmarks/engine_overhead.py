"""Engine overhead benchmarks: what the scheduler costs per component, per fan-out and around real waits.

Measures, in one process run, with best-of-N timing of `await pipe.run_async(...)` after one warm-up run:

1. chains of 100 and 1000 trivial components (each adds 1 to an int), async (`run_async`) and sync (`run` only):
   µs per component, and the chain1000/chain100 ratio of that cost (target <= 1.3: the cost must not grow with
   the pipeline's size); the async chain of 100 is held to <= 40 µs per component;
2. a 1 -> 200 -> 1 fan-out of trivial async components into a `Variadic[int]` sink: ms per run;
3. a loop of 100 laps through `BranchJoiner` -> add one (sync) -> `ConditionalRouter` (sync; the joiner has a
   `run_async`, Haystack's does not): µs per component visit, held to the sync chain of 100's cost per component;
4. the seed notebook's wait graph (wait_1 -> wait_2, wait_3 -> wait_4, wait_5) with wait_i sleeping 10*i ms,
   sync (worker threads) and async: wall time against the 70 ms critical path (target: within 3 ms).

Run from the repository root:

    python -m benchmarks.engine_overhead [--quick] [--engine pipedebug|haystack] [--json FILE] [--compare FILE]

`--engine haystack` runs the very same component bodies and graph builders on Haystack's `AsyncPipeline`
(Haystack 3 has no `AsyncPipeline`; its `Pipeline.run_async` is used instead). Haystack is not a dependency of
this repository: install it in a separate virtualenv and run this file with that interpreter.
"""

import argparse
import asyncio
import contextlib
import functools
import gc
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

ASYNC_CHAIN_TARGET_US = 40.0
"""Target for the async chain of 100: µs of engine overhead per component."""
CHAIN_RATIO_TARGET = 1.3
"""Target for (per-component cost of a chain of 1000) / (per-component cost of a chain of 100)."""
WAIT_OVERHEAD_TARGET_MS = 3.0
"""Target for wall time minus critical path of the wait graph."""
HAYSTACK_FANOUT_REFERENCE_MS = 14.0
"""Reported time of Haystack 2.31's AsyncPipeline for the 1 -> 200 -> 1 fan-out."""
FANOUT_WIDTH = 200
LOOP_LAPS = 100
WAIT_UNIT_S = 0.010
"""wait_i sleeps i * WAIT_UNIT_S seconds."""
CRITICAL_PATH_MS = (3 + 4) * WAIT_UNIT_S * 1000
"""wait_3 -> wait_4 is the longest branch."""


# -- components, defined once for either engine -------------------------------------------------------------------


@dataclass(frozen=True)
class Components:
    """The benchmark's component classes, decorated by one engine's `component`."""

    AddOne: type
    AsyncAddOne: type
    AsyncSource: type
    AsyncSum: type
    WaitingComponent: type
    AsyncWaitingComponent: type


def make_components(component: Any, variadic: Any) -> Components:
    """Define the components with the given `component` decorator and `Variadic` alias, so the same class bodies
    serve pipedebug and Haystack. (No `from __future__ import annotations` in this module: the annotations must be
    evaluated here, where `variadic` is in scope.)"""

    @component
    class AddOne:
        """Sync only: adds 1 (runs in a worker thread)."""

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value + 1}

    @component
    class AsyncAddOne:
        """Adds 1, on the event loop."""

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value + 1}

        @component.output_types(value=int)
        async def run_async(self, value: int) -> dict[str, int]:
            return {"value": value + 1}

    @component
    class AsyncSource:
        """Passes its input on, to be fanned out."""

        @component.output_types(value=int)
        def run(self, value: int) -> dict[str, int]:
            return {"value": value}

        @component.output_types(value=int)
        async def run_async(self, value: int) -> dict[str, int]:
            return {"value": value}

    @component
    class AsyncSum:
        """Sums whatever its senders delivered."""

        @component.output_types(total=int)
        def run(self, values: variadic[int]) -> dict[str, int]:
            return {"total": sum(values)}

        @component.output_types(total=int)
        async def run_async(self, values: variadic[int]) -> dict[str, int]:
            return {"total": sum(values)}

    # Copies of pipeline/components/testing/waiting.py for engines other than pipedebug (which uses the originals).
    @component
    class WaitingComponent:
        """Sync: `time.sleep(wait_time)` in a worker thread, then a message naming the component."""

        def __init__(self, name: str, wait_time: float = 1) -> None:
            self.name = name
            self.wait_time = wait_time

        @component.output_types(message=str)
        def run(self, user_msg: str) -> dict[str, str]:
            print(f"Component {self.name} starts running...")
            time.sleep(self.wait_time)
            print(f"Component {self.name} is done!")
            return {"message": f"Message from {self.name}"}

    @component
    class AsyncWaitingComponent:
        """Async: `await asyncio.sleep(wait_time)` on the event loop."""

        def __init__(self, name: str, wait_time: float = 1) -> None:
            self.name = name
            self.wait_time = wait_time

        @component.output_types(message=str)
        def run(self, user_msg: str) -> dict[str, str]:
            time.sleep(self.wait_time)
            return {"message": f"Message from {self.name}"}

        @component.output_types(message=str)
        async def run_async(self, user_msg: str) -> dict[str, str]:
            print(f"Component {self.name} starts running...")
            await asyncio.sleep(self.wait_time)
            print(f"Component {self.name} is done!")
            return {"message": f"Message from {self.name}"}

    return Components(AddOne, AsyncAddOne, AsyncSource, AsyncSum, WaitingComponent, AsyncWaitingComponent)


# -- engines ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Engine:
    """One pipeline engine: its pipeline class and the components built with its decorator."""

    name: str
    version: str
    pipeline_class: type
    components: Components
    branch_joiner: type
    conditional_router: type

    @property
    def label(self) -> str:
        return f"{self.name} {self.version} ({self.pipeline_class.__name__}.run_async)"

    def new_pipeline(self, max_runs_per_component: int = 100) -> Any:
        return self.pipeline_class(max_runs_per_component=max_runs_per_component)


def load_pipedebug() -> Engine:
    """pipedebug, with the repository's own waiting components."""
    from importlib.metadata import PackageNotFoundError, version
    from importlib.util import find_spec

    if find_spec("pipeline") is None:  # run as a file with an interpreter that has not installed the repository
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from pipeline import AsyncPipeline, Variadic, component
    from pipeline.components.joiners import BranchJoiner
    from pipeline.components.routers import ConditionalRouter
    from pipeline.components.testing.waiting import AsyncWaitingComponent, WaitingComponent

    try:
        engine_version = version("pipedebug")
    except PackageNotFoundError:
        engine_version = "source"
    base = make_components(component, Variadic)
    components = Components(
        base.AddOne, base.AsyncAddOne, base.AsyncSource, base.AsyncSum, WaitingComponent, AsyncWaitingComponent
    )
    return Engine("pipedebug", engine_version, AsyncPipeline, components, BranchJoiner, ConditionalRouter)


def load_haystack() -> Engine:
    """Haystack's AsyncPipeline (2.x) or Pipeline with `run_async` (3.x); exits with a message if not installed."""
    os.environ.setdefault("HAYSTACK_TELEMETRY_ENABLED", "False")
    try:
        import haystack
        from haystack import component
        from haystack.components.joiners import BranchJoiner
        from haystack.components.routers import ConditionalRouter
        from haystack.core.component.types import Variadic
    except ImportError as exc:
        sys.exit(
            f"--engine haystack needs haystack-ai, which this interpreter ({sys.executable}) cannot import: {exc}.\n"
            "Install it in a separate virtualenv, outside this repository, and run the benchmark with it:\n"
            "  python3 -m venv /tmp/haystack-venv && /tmp/haystack-venv/bin/pip install 'haystack-ai==2.31.*' rich\n"
            "  /tmp/haystack-venv/bin/python -m benchmarks.engine_overhead --engine haystack"
        )
    pipeline_class = getattr(haystack, "AsyncPipeline", None) or haystack.Pipeline
    components = make_components(component, Variadic)
    return Engine("haystack", haystack.__version__, pipeline_class, components, BranchJoiner, ConditionalRouter)


# -- graph builders -----------------------------------------------------------------------------------------------


@dataclass
class Case:
    """A built pipeline, its inputs, and a check of its outputs."""

    pipeline: Any
    data: dict[str, Any]
    check: Callable[[Mapping[str, Any]], bool]


def build_chain(engine: Engine, length: int, use_async: bool) -> Case:
    """add_0 -> add_1 -> ... -> add_{length-1}, each adding 1."""
    cls = engine.components.AsyncAddOne if use_async else engine.components.AddOne
    pipe = engine.new_pipeline()
    for index in range(length):
        pipe.add_component(f"add_{index}", cls())
    for index in range(1, length):
        pipe.connect(f"add_{index - 1}.value", f"add_{index}.value")
    last = f"add_{length - 1}"
    return Case(pipe, {"add_0": {"value": 0}}, lambda out: out == {last: {"value": length}})


def build_fanout(engine: Engine, width: int = FANOUT_WIDTH) -> Case:
    """source -> branch_0..branch_{width-1} (each adding 1) -> sink (a Variadic sum)."""
    parts = engine.components
    pipe = engine.new_pipeline()
    pipe.add_component("source", parts.AsyncSource())
    pipe.add_component("sink", parts.AsyncSum())
    for index in range(width):
        pipe.add_component(f"branch_{index}", parts.AsyncAddOne())
        pipe.connect("source.value", f"branch_{index}.value")
        pipe.connect(f"branch_{index}.value", "sink.values")
    return Case(pipe, {"source": {"value": 1}}, lambda out: out == {"sink": {"total": 2 * width}})


def build_loop(engine: Engine, laps: int = LOOP_LAPS) -> Case:
    """joiner (BranchJoiner) -> add (+1) -> router (ConditionalRouter): back to the joiner until `laps` is reached."""
    routes = [
        {"condition": f"{{{{ value < {laps} }}}}", "output": "{{ value }}", "output_name": "again", "output_type": int},
        {"condition": f"{{{{ value >= {laps} }}}}", "output": "{{ value }}", "output_name": "done", "output_type": int},
    ]
    pipe = engine.new_pipeline(max_runs_per_component=laps + 1)
    pipe.add_component("joiner", engine.branch_joiner(int))
    pipe.add_component("add", engine.components.AddOne())
    pipe.add_component("router", engine.conditional_router(routes))
    pipe.connect("joiner.value", "add.value")
    pipe.connect("add.value", "router.value")
    pipe.connect("router.again", "joiner.value")
    return Case(pipe, {"joiner": {"value": 0}}, lambda out: out == {"router": {"done": laps}})


def build_wait_graph(engine: Engine, use_async: bool) -> Case:
    """The seed notebook's graph: wait_1 -> wait_2, wait_3 -> wait_4, wait_5; wait_i sleeps i * 10 ms."""
    cls = engine.components.AsyncWaitingComponent if use_async else engine.components.WaitingComponent
    pipe = engine.new_pipeline()
    for index in range(1, 6):
        pipe.add_component(f"wait_{index}", cls(name=f"wait_{index}", wait_time=index * WAIT_UNIT_S))
    pipe.connect("wait_1.message", "wait_2.user_msg")
    pipe.connect("wait_3.message", "wait_4.user_msg")
    expected = {name: {"message": f"Message from {name}"} for name in ("wait_2", "wait_4", "wait_5")}
    return Case(pipe, {"user_msg": "Hello"}, lambda out: out == expected)


# -- timing -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """Repetitions per benchmark (best-of-N after one warm-up) and a per-benchmark time budget."""

    chain100: int
    chain1000: int
    fanout: int
    loop: int
    wait: int
    budget_s: float
    min_repeats: int = 3


FULL = Settings(chain100=30, chain1000=10, fanout=30, loop=15, wait=10, budget_s=30.0)
QUICK = Settings(chain100=7, chain1000=3, fanout=7, loop=5, wait=3, budget_s=5.0, min_repeats=2)


async def best_of(run: Callable[[], Awaitable[Any]], repeats: int, settings: Settings) -> list[float]:
    """Seconds per `await run()` for up to `repeats` runs (fewer if the time budget runs out, never fewer than
    `min_repeats`). Garbage is collected before each run and the collector is off during it, as in `timeit`."""
    times: list[float] = []
    deadline = time.perf_counter() + settings.budget_s
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            started = time.perf_counter()
            await run()
            times.append(time.perf_counter() - started)
        finally:
            gc.enable()
        if len(times) >= settings.min_repeats and time.perf_counter() > deadline:
            break
    return times


async def time_case(case: Case, repeats: int, settings: Settings) -> list[float]:
    """One warm-up run whose outputs are checked, then `best_of` timed runs of `run_async`."""
    outputs = await case.pipeline.run_async(case.data)
    if not case.check(outputs):
        raise AssertionError(f"unexpected pipeline outputs: {str(outputs)[:300]}")
    return await best_of(lambda: case.pipeline.run_async(case.data), repeats, settings)


async def chain_without_engine(instance: Any, length: int, use_async: bool) -> int:
    """The chain's floor: `length` sequential calls of one component, each as a task (async) or a hop to a worker
    thread of a fresh 4-thread pool (sync), as the engines run them, with no scheduling in between."""
    value = 0
    if use_async:
        for _ in range(length):
            value = (await asyncio.create_task(instance.run_async(value=value)))["value"]
        return value
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        for _ in range(length):
            value = (await loop.run_in_executor(pool, functools.partial(instance.run, value=value)))["value"]
    finally:
        pool.shutdown(wait=False)
    return value


async def wait_graph_without_engine(use_async: bool) -> None:
    """The wait graph's three branches with plain `asyncio.gather`: the floor any engine can reach.

    Sync sleeps go to a fresh 4-thread pool, as the engines' sync components do."""
    loop = asyncio.get_running_loop()
    pool = None if use_async else ThreadPoolExecutor(max_workers=4)

    async def branch(*indices: int) -> None:
        for index in indices:
            if pool is None:
                await asyncio.sleep(index * WAIT_UNIT_S)
            else:
                await loop.run_in_executor(pool, time.sleep, index * WAIT_UNIT_S)

    try:
        await asyncio.gather(branch(1, 2), branch(3, 4), branch(5))
    finally:
        if pool is not None:
            pool.shutdown(wait=False)


@dataclass
class Result:
    """One row of the results table; times in the row's unit."""

    key: str
    benchmark: str
    metric: str
    best: float
    median: float | None
    runs: int
    target: str = ""
    passed: bool | None = None
    note: str = ""


async def run_benchmarks(engine: Engine, settings: Settings, progress: Callable[[str], None]) -> list[Result]:
    """Run every benchmark on `engine` and return the table rows."""
    results: list[Result] = []
    sync_chain100 = 0.0

    for kind, use_async in (("async", True), ("sync", False)):
        per_component: dict[int, float] = {}
        for length, repeats in ((100, settings.chain100), (1000, settings.chain1000)):
            progress(f"chain of {length} {kind} components")
            built = time.perf_counter()
            case = build_chain(engine, length, use_async)
            built = time.perf_counter() - built
            times = await time_case(case, repeats, settings)
            best, median = min(times) / length * 1e6, statistics.median(times) / length * 1e6
            per_component[length] = best
            target, passed = "", None
            if length == 100 and use_async:
                target, passed = f"≤ {ASYNC_CHAIN_TARGET_US:g}", best <= ASYNC_CHAIN_TARGET_US
            results.append(
                Result(
                    f"chain{length}_{kind}",
                    f"chain {length}, {kind}",
                    "µs/component",
                    best,
                    median,
                    len(times),
                    target,
                    passed,
                    f"{min(times) * 1e3:.1f} ms/run; graph built in {built * 1e3:.0f} ms",
                )
            )
        instance = engine.components.AsyncAddOne() if use_async else engine.components.AddOne()
        await chain_without_engine(instance, 1000, use_async)
        times = await best_of(lambda i=instance, a=use_async: chain_without_engine(i, 1000, a), repeats, settings)
        results.append(
            Result(
                f"chain1000_{kind}_floor",
                f"chain 1000, {kind}, no engine",
                "µs/component",
                min(times) / 1000 * 1e6,
                statistics.median(times) / 1000 * 1e6,
                len(times),
                note="a task per call" if use_async else "a worker-thread hop per call",
            )
        )
        if not use_async:
            sync_chain100 = per_component[100]
        ratio = per_component[1000] / per_component[100]
        results.append(
            Result(
                f"chain_ratio_{kind}",
                f"chain 1000/100, {kind}",
                "ratio",
                ratio,
                None,
                0,
                f"≤ {CHAIN_RATIO_TARGET:g}",
                ratio <= CHAIN_RATIO_TARGET,
                "of best µs/component",
            )
        )

    progress(f"fan-out 1 -> {FANOUT_WIDTH} -> 1")
    times = await time_case(build_fanout(engine), settings.fanout, settings)
    results.append(
        Result(
            "fanout",
            f"fan-out 1->{FANOUT_WIDTH}->1, async",
            "ms/run",
            min(times) * 1e3,
            statistics.median(times) * 1e3,
            len(times),
            f"ref. ~{HAYSTACK_FANOUT_REFERENCE_MS:g}",
            None,
            f"{min(times) / (FANOUT_WIDTH + 2) * 1e6:.1f} µs/component; ref. is Haystack 2.31",
        )
    )

    progress(f"loop of {LOOP_LAPS} laps")
    visits = 3 * LOOP_LAPS
    times = await time_case(build_loop(engine), settings.loop, settings)
    per_visit = min(times) / visits * 1e6
    results.append(
        Result(
            "loop100",
            f"loop {LOOP_LAPS} laps",
            "µs/visit",
            per_visit,
            statistics.median(times) / visits * 1e6,
            len(times),
            f"≤ chain 100 sync ({sync_chain100:.1f})",
            per_visit <= sync_chain100,
            f"BranchJoiner -> add -> ConditionalRouter; {min(times) * 1e3:.1f} ms/run, {visits} visits",
        )
    )

    wait_note = {False: "WaitingComponent, worker threads", True: "AsyncWaitingComponent, event loop"}
    for kind, use_async in (("sync", False), ("async", True)):
        progress(f"wait graph, {kind}")
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            times = await time_case(build_wait_graph(engine, use_async), settings.wait, settings)
        best, median = min(times) * 1e3, statistics.median(times) * 1e3
        key = "wait_async" if use_async else "wait_sync"
        results.append(
            Result(key, f"wait graph, {kind}", "wall ms", best, median, len(times), note=wait_note[use_async])
        )
        overhead = best - CRITICAL_PATH_MS
        await wait_graph_without_engine(use_async)
        floor = min(await best_of(lambda ua=use_async: wait_graph_without_engine(ua), settings.wait, settings))
        results.append(
            Result(
                f"{key}_overhead",
                f"wait graph, {kind}",
                "wall - crit. ms",
                overhead,
                median - CRITICAL_PATH_MS,
                len(times),
                f"≤ {WAIT_OVERHEAD_TARGET_MS:g}",
                abs(overhead) <= WAIT_OVERHEAD_TARGET_MS,
                f"critical path {CRITICAL_PATH_MS:g} ms; no engine: +{floor * 1e3 - CRITICAL_PATH_MS:.3f} ms",
            )
        )
    return results


# -- reporting ----------------------------------------------------------------------------------------------------


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def render(
    results: list[Result], engine: Engine, settings_name: str, compare: dict[str, Any] | None, console: Console
) -> None:
    """Print the results as a rich table, with a column comparing against another run's JSON if given."""
    title = (
        f"Engine overhead: {engine.label}, {settings_name} run, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, concurrency_limit=4"
    )
    table = Table(title=title, title_justify="left")
    table.add_column("benchmark")
    table.add_column("metric")
    table.add_column("best", justify="right")
    table.add_column("median", justify="right")
    table.add_column("n", justify="right")
    table.add_column("target")
    table.add_column("ok")
    other_rows: dict[str, dict[str, Any]] = {}
    if compare is not None:
        other_rows = {row["key"]: row for row in compare["results"]}
        label = f"{compare['engine']} {compare['version']}"
        table.add_column(f"{label}: best", justify="right")
        table.add_column(f"{engine.name} / {compare['engine']}", justify="right")
    table.add_column("note")
    for row in results:
        status = {True: "[green]PASS[/]", False: "[red]FAIL[/]", None: ""}[row.passed]
        cells = [
            row.benchmark,
            row.metric,
            _fmt(row.best),
            _fmt(row.median),
            str(row.runs or ""),
            row.target,
            status,
        ]
        if compare is not None:
            other = other_rows.get(row.key)
            comparable = other is not None and not row.key.endswith(("ratio_async", "ratio_sync", "_overhead"))
            cells.append(_fmt(other["best"]) if other else "-")
            cells.append(f"{row.best / other['best']:.2f}x" if comparable and other["best"] else "-")
        cells.append(row.note)
        table.add_row(*cells)
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the benchmarks on the chosen engine, print the table (and optionally save JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine", choices=("pipedebug", "haystack"), default="pipedebug")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and a shorter time budget")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results to FILE as JSON")
    parser.add_argument(
        "--compare", type=Path, metavar="FILE", help="add columns comparing with the JSON of another run"
    )
    args = parser.parse_args(argv)

    console = Console()
    if not console.is_terminal and "COLUMNS" not in os.environ:
        console.width = 200  # redirected to a file: do not wrap the table at 80 columns
    compare = json.loads(args.compare.read_text(encoding="utf-8")) if args.compare else None
    engine = load_pipedebug() if args.engine == "pipedebug" else load_haystack()
    settings = QUICK if args.quick else FULL
    with console.status("") as status:
        results = asyncio.run(run_benchmarks(engine, settings, lambda text: status.update(f"Timing {text}...")))
    render(results, engine, "quick" if args.quick else "full", compare, console)
    if args.json:
        payload = {
            "engine": engine.name,
            "version": engine.version,
            "python": platform.python_version(),
            "quick": args.quick,
            "results": [asdict(row) for row in results],
        }
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
