"""Recording benchmark: what writing a run file costs while the run goes, and how fast a run file loads back.

Two runs, each recorded with `RunRecorder` and loaded with `read_run`:

- chain: 5,000 trivial async components in a chain (each adds 1 to an int), so 10,002 events;
- documents: 500 components in a chain, each passing on 10 `Document`s with 384-dimensional float32
  embeddings, so 1,002 events that each carry 10 documents (the embeddings are packed as base64 float32).

For each it reports the run without a recorder and with one; how much of the difference is the header's pipeline
definition (`pipeline.dumps()`, paid once per run, in proportion to the number of components) and how much is
paid per event; the load time, a replay at full speed of the loaded events, the time to list the file in a runs
folder, and the file size. Times are the best of N runs (3, or 1 with `--quick`). Run from the repository root:

    python -m benchmarks.recording [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from pipeline import AsyncPipeline, Document, component
from pipeline.runs.recording import RunRecorder, read_run
from pipeline.runs.replay import ReplayRun
from pipeline.runs.store import run_info


@component
class Increment:
    @component.output_types(value=int)
    async def run_async(self, value: int) -> dict[str, int]:
        return {"value": value + 1}

    @component.output_types(value=int)
    def run(self, value: int) -> dict[str, int]:
        return {"value": value + 1}


@component
class PassDocuments:
    @component.output_types(documents=list[Document])
    async def run_async(self, documents: list[Document]) -> dict[str, list[Document]]:
        return {"documents": documents}

    @component.output_types(documents=list[Document])
    def run(self, documents: list[Document]) -> dict[str, list[Document]]:
        return {"documents": documents}


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[], AsyncPipeline]
    data: dict[str, Any]


def chain(factory: Callable[[], Any], length: int, socket: str) -> AsyncPipeline:
    pipe = AsyncPipeline(max_runs_per_component=1)
    for index in range(length):
        pipe.add_component(f"c{index}", factory())
        if index:
            pipe.connect(f"c{index - 1}.{socket}", f"c{index}.{socket}")
    return pipe


def documents(count: int) -> list[Document]:
    vectors = np.random.default_rng(0).standard_normal((count, 384)).astype(np.float32)
    return [
        Document(content=f"passage {index} " * 20, meta={"source": "bench", "index": index}, embedding=vector.tolist())
        for index, vector in enumerate(vectors)
    ]


CASES = (
    Case("chain", lambda: chain(Increment, 5_000, "value"), {"value": 0}),
    Case("documents", lambda: chain(PassDocuments, 500, "documents"), {"documents": documents(10)}),
)


async def consume(stream: Any) -> int:
    count = 0
    async with stream:
        async for _ in stream:
            count += 1
    return count


def best_of(repetitions: int, measure: Callable[[], float]) -> float:
    times = []
    for _ in range(repetitions):
        gc.collect()
        gc.disable()
        try:
            times.append(measure())
        finally:
            gc.enable()
    return min(times)


def timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(case: Case, repetitions: int, folder: Path) -> dict[str, float]:
    pipe = case.build()
    path = folder / f"{case.name}.jsonl"
    events = asyncio.run(consume(pipe.events(case.data)))  # also warms the plan up
    plain = best_of(repetitions, lambda: timed(lambda: asyncio.run(consume(pipe.events(case.data)))))
    definition = best_of(repetitions, lambda: timed(pipe.dumps))
    recorded = best_of(
        repetitions,
        lambda: timed(lambda: asyncio.run(consume(RunRecorder(pipe.events(case.data), path, pipeline=pipe)))),
    )
    load = best_of(repetitions, lambda: timed(lambda: read_run(path)))
    loaded = read_run(path)
    assert loaded.status == "finished" and len(loaded.events) == events and not loaded.problems
    replay = best_of(repetitions, lambda: timed(lambda: asyncio.run(consume(ReplayRun(loaded, speed=None)))))
    listing = best_of(repetitions, lambda: timed(lambda: run_info(path)))
    return {
        "events": events,
        "plain": plain,
        "recorded": recorded,
        "definition": definition,
        "load": load,
        "replay": replay,
        "listing": listing,
        "megabytes": path.stat().st_size / 1e6,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="one repetition instead of the best of three")
    options = parser.parse_args(argv)
    repetitions = 1 if options.quick else 3
    results = {}
    with tempfile.TemporaryDirectory(prefix="pipedebug-bench-") as folder:
        for case in CASES:
            results[case.name] = measure(case, repetitions, Path(folder))
    table = Table(title=f"Recording and loading runs (best of {repetitions})", title_justify="left")
    table.add_column("")
    for name in results:
        table.add_column(name, justify="right")
    rows: list[tuple[str, Callable[[dict[str, float]], str]]] = [
        ("events", lambda r: f"{r['events']:,}"),
        ("run without recording", lambda r: f"{r['plain']:.2f} s"),
        ("run with recording", lambda r: f"{r['recorded']:.2f} s"),
        ("  of which the pipeline definition", lambda r: f"{r['definition']:.2f} s"),
        ("  and per event", lambda r: f"{(r['recorded'] - r['plain'] - r['definition']) / r['events'] * 1e6:.0f} µs"),
        ("load (read_run)", lambda r: f"{r['load']:.2f} s"),
        ("replay, speed=None", lambda r: f"{r['replay'] * 1000:.0f} ms"),
        ("list in a runs folder", lambda r: f"{r['listing'] * 1000:.1f} ms"),
        ("file size", lambda r: f"{r['megabytes']:.1f} MB"),
    ]
    for label, cell in rows:
        table.add_row(label, *(cell(result) for result in results.values()))
    console = Console()
    console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
