"""Load benchmark (issue 15): what pipedebug costs on huge values, huge pipelines, full runs folders and long
recordings, and whether the debugger still answers a key within 100 ms meanwhile.

Cases (each prints a table; `--only NAME` runs one):

- `outputs`: `pipedebug run` of a component returning a 50 MB string, and of one returning 100k documents
  (wall time and peak RSS of the whole command, in a fresh process);
- `inspector`: the inspector showing those two values in a headless 120x40 app: time of `show()`, the longest
  stall of the event loop (a 10 ms timer's largest gap) and the latency of 30 key presses (Pilot: press, then
  the time until the bound action ran);
- `pipelines`: chains and fan-outs of 1000 trivial components in the debugger: first paint, the run, a
  timeline frame, and key latency while the run goes on;
- `runs`: a runs folder of 500 recordings: listing it cold (no index) and warm (the index), and after 10 files
  were added and 10 deleted behind its back;
- `diff`: a diff of two 50 MB strings and of 100k documents whose scores changed, printed as `pipedebug diff` does;
- `recording`: a recording of 100k events: open (`read_run`, and `open_run`, the indexed lazy reader), seek to
  the middle and to the end, replay to the end; wall time and peak memory (tracemalloc) of each.

Run from the repository root:

    python -m benchmarks.reliability_load [--quick] [--only CASE]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import random
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.core.events import ComponentFinished, ComponentStarted, RunEvent, RunFinished, RunStarted
from pipeline.dataclasses import Document
from pipeline.runs.recording import EventList, RunRecorder

ROOT = Path(__file__).resolve().parents[1]
console = Console()


# -- synthetic recordings --------------------------------------------------------------------------------------


def synthetic_events(run_id: str, components: int, payload: Any) -> Iterator[RunEvent]:
    """A run of `components` visits one after another, each receiving and returning `payload`."""
    yield RunStarted(
        run_id=run_id, time=0.0, wall_time=time.time(), inputs={"c0": {"value": payload}}, concurrency_limit=4
    )
    for index in range(components):
        start = index * 1e-3
        name = f"c{index}"
        yield ComponentStarted(
            run_id=run_id,
            time=start,
            visit_id=index + 1,
            component=name,
            visit=1,
            inputs={"value": payload},
            mode="async",
        )
        yield ComponentFinished(
            run_id=run_id,
            time=start + 5e-4,
            visit_id=index + 1,
            component=name,
            visit=1,
            outputs={"value": payload},
            started_at=start,
            finished_at=start + 5e-4,
            mode="async",
            thread="MainThread",
        )
    yield RunFinished(run_id=run_id, time=components * 1e-3, outputs={f"c{components - 1}": {"value": payload}})


def write_recording(path: Path, run_id: str, components: int, payload: Any, pipeline_name: str = "load") -> Path:
    events = list(synthetic_events(run_id, components, payload))
    definition = "components: {}\nconnections: []\n"
    recorder = RunRecorder(EventList(events), path, pipeline=definition, pipeline_name=pipeline_name)
    for event in events:
        recorder.write(event)
    recorder.close()
    return path


def documents(count: int, words: int = 30) -> list[Document]:
    rng = random.Random(count)
    vocabulary = [f"word{i}" for i in range(2000)]
    return [
        Document(content=" ".join(rng.choices(vocabulary, k=words)), meta={"source": f"doc{i}.txt"}, score=rng.random())
        for i in range(count)
    ]


def best_of(repeat: int, work: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def peak_memory(work: Callable[[], Any]) -> tuple[float, int, Any]:
    """Wall time and the peak of Python allocations (tracemalloc) while `work` runs."""
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    try:
        result = work()
        took = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return took, peak, result


def mb(size: float) -> str:
    return f"{size / 1e6:,.1f} MB"


def kb(size: float) -> str:
    return f"{size / 1e3:,.1f} kB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f} ms" if seconds < 1 else f"{seconds:,.2f} s"


# -- huge outputs: the CLI, the inspector, the diff --------------------------------------------------------------

BIG_CHARS = 50_000_000
MANY_DOCUMENTS = 100_000

OUTPUTS_PIPELINE = """
from pipeline import AsyncPipeline, component
from pipeline.dataclasses import Document


@component
class Big:
    @component.output_types(text=str, documents=list[Document])
    def run(self, chars: int, documents: int) -> dict:
        return {
            "text": "lorem ipsum " * (chars // 12),
            "documents": [Document(content=f"passage {i} about things", meta={"i": i}) for i in range(documents)],
        }


def build_pipeline():
    pipe = AsyncPipeline()
    pipe.add_component("big", Big())
    return pipe
"""


def bench_outputs(quick: bool) -> None:
    """`pipedebug run` in a fresh process, timed with its peak RSS (getrusage)."""
    table = Table(title="pipedebug run of a component returning a huge value (fresh process each)")
    for column in ("output", "wall", "peak RSS", "printed"):
        table.add_column(column, justify="left" if column == "output" else "right")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "big.py"
        source.write_text(OUTPUTS_PIPELINE, encoding="utf-8")
        cases = {
            "a 50 MB string": (BIG_CHARS, 0, []),
            "100k documents": (12, MANY_DOCUMENTS, []),
            "100k documents, --outputs-file": (12, MANY_DOCUMENTS, ["--outputs-file", str(Path(folder) / "out.json")]),
        }
        for name, (chars, count, extra) in cases.items():
            argv = ["run", str(source), "--input", f"chars={chars}", "--input", f"documents={count}", *extra]
            script = (
                "import resource, sys, time\n"
                "from tui.cli import main\n"
                "started = time.perf_counter()\n"
                f"code = main({argv!r})\n"
                "took = time.perf_counter() - started\n"
                "sys.stderr.write(f'{took} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
            )
            done = subprocess.run([sys.executable, "-c", script], capture_output=True, cwd=ROOT, check=True)
            took, rss = done.stderr.decode().split()[-2:]
            table.add_row(name, ms(float(took)), mb(int(rss) * 1024), kb(len(done.stdout)))
    console.print(table)


def bench_inspector(quick: bool) -> None:
    table = Table(title="The inspector showing a huge socket value (headless app, 120x40)")
    for column in ("value", "show()", "longest loop stall", "key latency median / worst"):
        table.add_column(column, justify="left" if column == "value" else "right")
    values = {
        "a 50 MB string": "lorem ipsum " * (BIG_CHARS // 12),
        "100k documents": documents(MANY_DOCUMENTS, words=8),
    }
    for name, value in values.items():
        figures = asyncio.run(_inspector_figures(value, presses=10 if quick else 30))
        table.add_row(name, ms(figures["show"]), ms(figures["stall"]), figures["keys"])
    console.print(table)


async def _inspector_figures(value: Any, presses: int) -> dict[str, Any]:
    from textual.app import App, ComposeResult
    from textual.binding import Binding

    from pipeline.runs.spans import ComponentSpan
    from tui.widgets.inspector import Inspector

    probe = KeyProbe()

    class InspectorApp(App[None]):
        BINDINGS = [Binding("f12", "probe", priority=True)]  # noqa: RUF012

        def compose(self) -> ComposeResult:
            yield Inspector()

        def action_probe(self) -> None:
            probe.answered()

    app = InspectorApp()
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_interval(0.01, probe.tick)
        await pilot.pause(0.2)
        probe.restart()
        span = ComponentSpan(
            component="big",
            visit=1,
            visit_id=1,
            started_at=0.0,
            finished_at=1.0,
            mode="sync",
            thread=None,
            status="finished",
            inputs={},
            outputs={"value": value},
        )
        started = time.perf_counter()
        app.query_one(Inspector).show("big", 1, span, "finished")
        shown = time.perf_counter() - started
        for _ in range(presses):
            probe.send(app)
            await asyncio.sleep(0.05)
        await pilot.pause(0.2)
        return {"show": shown, "stall": max(probe.gaps), "keys": probe.summary().split(";")[0]}


def bench_diff(quick: bool) -> None:
    import io

    from pipeline.runs.diff import diff_value
    from tui.render_diff import render_change

    table = Table(title="A diff of two runs' huge values, printed (pipedebug diff)")
    for column in ("values", "diff", "render and print", "printed"):
        table.add_column(column, justify="left" if column == "values" else "right")
    text = "x" * BIG_CHARS
    old = documents(MANY_DOCUMENTS, words=8)
    new = [Document(content=doc.content, meta=doc.meta, score=(doc.score or 0) / 2) for doc in old]
    for name, (a, b) in {"two 50 MB strings": (text, "y" + text[1:]), "100k documents": (old, new)}.items():
        took, change = best_of(1, lambda a=a, b=b: diff_value(a, b))
        printer = Console(file=io.StringIO(), width=120)
        printed, _ = best_of(1, lambda change=change, printer=printer: printer.print(render_change(change)))
        table.add_row(name, ms(took), ms(printed), kb(len(printer.file.getvalue())))
    console.print(table)


# -- a recording of 100k events ----------------------------------------------------------------------------------


def bench_recording(quick: bool) -> None:
    from pipeline.runs.recording import open_run, read_run
    from pipeline.runs.replay import ReplayRun

    table = Table(title="A recording of 100,002 events: open, seek, replay (time; peak of Python allocations)")
    for column in ("reader", "open", "seek to the middle", "replay all, no pauses"):
        table.add_column(column, justify="left" if column == "reader" else "right")
    with tempfile.TemporaryDirectory() as folder:
        path = write_recording(Path(folder) / "long.jsonl", "a" * 32, 50_000, {"text": "some output " * 6, "n": 3})
        for reader in (read_run, open_run):
            opened, _ = best_of(1 if quick else 3, lambda reader=reader: reader(path))
            _, opened_peak, recorded = peak_memory(lambda reader=reader: reader(path))
            replay = ReplayRun(recorded, speed=None)
            middle = len(recorded.events) // 2
            sought, _ = best_of(1, lambda replay=replay, middle=middle: replay.seek(middle))

            async def play(recorded: Any = recorded) -> int:
                count = 0
                async for _ in ReplayRun(recorded, speed=None):
                    count += 1
                return count

            played, count = best_of(1, lambda play=play: asyncio.run(play()))
            _, played_peak, _ = peak_memory(lambda play=play: asyncio.run(play()))  # traced: slower, not timed
            assert count == len(recorded.events)
            table.add_row(
                f"{reader.__name__} ({mb(path.stat().st_size)})",
                f"{ms(opened)}; {mb(opened_peak)}",
                ms(sought),
                f"{ms(played)}; {mb(played_peak)}",
            )
            del recorded, replay
    console.print(table)


# -- a runs folder of 500 recordings -----------------------------------------------------------------------------


def make_runs_folder(directory: Path, count: int, components: int, payload: Any) -> list[Path]:
    from pipeline.runs.store import RunStore

    store = RunStore(directory)
    directory.mkdir(parents=True, exist_ok=True)
    first = write_recording(directory / "template.jsonl", "0" * 32, components, payload)
    template = first.read_bytes()
    first.unlink()
    paths = []
    for index in range(count):
        run_id = f"{index:08x}" + "0" * 24
        path = store.path_for("load", run_id, wall_time=1.7e9 + index)
        path.write_bytes(template.replace(b"0" * 32, run_id.encode()))
        paths.append(path)
    return paths


def bench_runs(quick: bool) -> None:
    from pipeline.runs.store import RunStore

    count, components = 500, 100
    payload = documents(5)
    table = Table(title=f"A runs folder of {count} recordings ({components} visits of 5 documents each)")
    table.add_column("listing")
    table.add_column("time", justify="right")
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder) / "runs"
        paths = make_runs_folder(directory, count, components, payload)
        size = sum(path.stat().st_size for path in paths)
        store = RunStore(directory)
        index = getattr(store, "index_path", None)

        def cold() -> list[Any]:
            if index is not None and index.exists():
                index.unlink()
            return store.runs()

        took, runs = best_of(1 if quick else 3, cold)
        assert len(runs) == count and all(run.status == "finished" for run in runs)
        table.add_row(f"cold: no index ({mb(size)} in all)", ms(took))
        store.runs()
        took, runs = best_of(3 if quick else 10, store.runs)
        table.add_row("warm: the index is up to date", ms(took))
        for path in paths[:10]:
            path.unlink()
        for index_ in range(10):
            run_id = f"f{index_:07x}" + "0" * 24
            make = store.path_for("load", run_id, wall_time=1.8e9 + index_)
            write_recording(make, run_id, components, payload)
        took, runs = best_of(1, store.runs)
        assert len(runs) == count
        table.add_row("10 files added and 10 deleted behind its back", ms(took))
    console.print(table)


# -- pipelines of 1000 components in the debugger -------------------------------------------------------------

COMPONENTS = 1000


def big_pipeline_source(directory: Path, shape: str) -> Path:
    """A Python file the app opens: a chain of 1000 `AddOne`, or one source fanned out to 1000 and summed."""
    path = directory / f"{shape.replace(' ', '_')}.py"
    body = (
        "    for index in range(1, N):\n"
        "        pipe.add_component(f'c{index}', AddOne())\n"
        "        pipe.connect(f'c{index - 1}.value', f'c{index}.value')\n"
        if shape == "chain"
        else "    pipe.add_component('sink', Sum())\n"
        "    for index in range(1, N):\n"
        "        pipe.add_component(f'c{index}', AddOne())\n"
        "        pipe.connect('c0.value', f'c{index}.value')\n"
        "        pipe.connect(f'c{index}.value', 'sink.values')\n"
    )
    path.write_text(
        "from pipeline import AsyncPipeline\n"
        "from tests.pipeline.toy_components import AddOne, Sum\n\n"
        f"N = {COMPONENTS}\n\n\n"
        "def build_pipeline():\n"
        "    pipe = AsyncPipeline(max_runs_per_component=1)\n"
        "    pipe.add_component('c0', AddOne())\n"
        f"{body}"
        "    pipe.metadata['example_inputs'] = [{'c0': {'value': 1}}]\n"
        "    return pipe\n"
    )
    return path


class KeyProbe:
    """Key latency and event-loop stalls in a running app: a key bound to `probe` stamps when its action ran; a
    10 ms timer records the largest gap between its ticks (a key pressed then waits at most that long)."""

    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.gaps: list[float] = []
        self.stamp = 0.0
        self._last = 0.0
        self._sent: deque[float] = deque()

    def tick(self) -> None:
        now = time.perf_counter()
        if self._last:
            self.gaps.append(now - self._last)
        self._last = now

    def restart(self) -> None:
        self.gaps.clear()
        self.latencies.clear()
        self._last = 0.0

    async def press(self, pilot: Any, key: str = "f12") -> None:
        started = time.perf_counter()
        await pilot.press(key)
        self.latencies.append(self.stamp - started)

    def send(self, app: Any, key: str | None = None) -> None:
        """Post `key` (if any), then the probe key, as a terminal would, without waiting (Pilot's press waits for
        the app to be idle, which a run keeps it from being); `answered` takes the latency when the probe's action
        runs, which is after `key`'s action ran (the app handles keys in order)."""
        from textual import events

        self._sent.append(time.perf_counter())
        if key is not None:
            app.post_message(events.Key(key, None))
        app.post_message(events.Key("f12", None))

    def answered(self) -> None:
        self.stamp = time.perf_counter()
        if self._sent:
            self.latencies.append(self.stamp - self._sent.popleft())

    def summary(self) -> str:
        if not self.latencies:
            return "-"
        ordered = sorted(self.latencies)
        median = ordered[len(ordered) // 2] * 1000
        return f"{median:.0f} / {ordered[-1] * 1000:.0f} ms ({len(ordered)} keys); stall {max(self.gaps) * 1000:.0f} ms"


def probe_app(source: Path, probe: KeyProbe) -> Any:
    from textual.binding import Binding

    import tui.app
    from tui.app import PipedebugApp

    styles = PipedebugApp.CSS_PATH if isinstance(PipedebugApp.CSS_PATH, list) else [PipedebugApp.CSS_PATH]

    class ProbeApp(PipedebugApp):
        BINDINGS = [Binding("f12", "probe", show=False, priority=True)]  # noqa: RUF012
        CSS_PATH = [str(Path(tui.app.__file__).with_name(str(path))) for path in styles if path]  # noqa: RUF012

        def action_probe(self) -> None:
            probe.answered()

    return ProbeApp(source, record=False)


def _session(app: Any) -> Any:
    controller = getattr(app.debugger, "controller", None)
    return getattr(controller, "session", None) if controller is not None else getattr(app.debugger, "session", None)


async def pipeline_in_app(source: Path) -> dict[str, Any]:
    from tui.layout.timeline import TimelineModel

    probe = KeyProbe()
    created = time.perf_counter()
    app = probe_app(source, probe)
    figures: dict[str, Any] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        app.set_interval(0.01, probe.tick)
        while app.warm_up_seconds is None:
            await pilot.pause(0.01)
        await pilot.pause()
        figures["shown"] = time.perf_counter() - created
        await pilot.pause(0.5)
        probe.restart()
        for _ in range(10):
            await probe.press(pilot)
            await pilot.pause(0.02)
        figures["keys idle"] = probe.summary()
        probe.restart()
        running = True

        async def keep_pressing() -> None:
            while running:
                probe.send(app)
                await asyncio.sleep(0.02)

        presser = asyncio.create_task(keep_pressing())
        started = time.perf_counter()
        await pilot.press("r")
        while (session := _session(app)) is None or session.status not in ("finished", "failed", "cancelled"):
            await asyncio.sleep(0.005)
        figures["run"] = time.perf_counter() - started
        running = False
        await presser
        figures["status"] = session.status
        figures["keys during run"] = probe.summary()
        model_started = time.perf_counter()
        model = TimelineModel.from_summary(session.summary)
        figures["timeline model"] = time.perf_counter() - model_started
        frames = []
        for _ in range(20):
            frame_started = time.perf_counter()
            model.render((0.0, 0, model.fit(120), 120, 40))
            frames.append(time.perf_counter() - frame_started)
        figures["timeline frame"] = statistics.median(frames)
        await pilot.press("t")
        await pilot.pause(0.3)
        probe.restart()
        for key in ("right", "right", "down", "down", "plus", "minus", "0") * 2:
            probe.send(app, key)
            await pilot.pause(0.1)
        figures["timeline keys"] = probe.summary()
    return figures


def bench_pipelines(quick: bool) -> None:
    table = Table(title=f"Pipelines of {COMPONENTS} components in the debugger (headless app, 120x40)")
    for column in ("shape", "pipeline shown", "run (r to the end)", "timeline model", "timeline frame"):
        table.add_column(column, justify="right" if column != "shape" else "left")
    keys = Table(title="Key latency (median / worst) and the longest event-loop stall")
    for column in ("shape", "idle", "during the run", "timeline keys after"):
        keys.add_column(column)
    with tempfile.TemporaryDirectory() as folder:
        for shape in ("chain", "fan-out"):
            source = big_pipeline_source(Path(folder), shape)
            figures = asyncio.run(pipeline_in_app(source))
            table.add_row(
                f"{shape} ({figures['status']})",
                ms(figures["shown"]),
                ms(figures["run"]),
                ms(figures["timeline model"]),
                ms(figures["timeline frame"]),
            )
            keys.add_row(shape, figures["keys idle"], figures["keys during run"], figures["timeline keys"])
    console.print(table)
    console.print(keys)


CASES: dict[str, Callable[[bool], None]] = {
    "outputs": bench_outputs,
    "inspector": bench_inspector,
    "diff": bench_diff,
    "pipelines": bench_pipelines,
    "runs": bench_runs,
    "recording": bench_recording,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    parser.add_argument("--only", choices=sorted(CASES), action="append", help="run only this case (repeatable)")
    options = parser.parse_args()
    for name, case in CASES.items():
        if options.only is None or name in options.only:
            case(options.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
