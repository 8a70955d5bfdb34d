"""`pipedebug compare`: the seed's sequential vs concurrent experiment on any pipeline and set of queries.

Runs the queries one after another, then all at once, and prints total times and the speedup, per-component
overlap, each mode's critical path and a lane timeline, all computed from the runs' events.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import yaml
from rich.console import Console
from rich.text import Text

from pipeline import DefinitionError, PipelineValidationError
from pipeline.core.events import EventStream, RunCancelled, RunEvent, RunFailed, RunFinished, RunStarted
from pipeline.core.pipeline import PipelineBase
from pipeline.core.scheduler import PipelineRun
from pipeline.runs.compare import Comparison, Mode, compare_execution
from pipeline.runs.recording import RunRecorder
from pipeline.runs.store import RunStore
from tui.capture import capture_output
from tui.commands import EXIT_OK, EXIT_RUN_FAILED, CommandError
from tui.escapes import SafeConsole, safe_text
from tui.options import (
    DEFAULT_PIPELINE,
    add_allow_module_argument,
    add_concurrency_argument,
    add_runs_dir_argument,
    load_pipeline,
)
from tui.render import ms, status_text
from tui.render_compare import components_table, critical_path_line, timeline, totals_table

LABEL_COLUMNS = 24
"""What a timeline line needs besides its bar: the lane label, the status and the duration."""
ENDINGS: dict[type, str] = {RunFinished: "finished", RunFailed: "failed", RunCancelled: "cancelled"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare",
        help="time a set of queries run one after another against the same queries run concurrently",
        description="Run every query sequentially, then all concurrently (as the seed notebook does), and print "
        "the total times and speedup, per-component overlap, critical paths and a timeline per mode. "
        "Exit codes: 0 done, 1 a query failed, 2 bad file, queries or arguments.",
    )
    parser.add_argument(
        "pipeline",
        nargs="?",
        metavar="PIPELINE",
        help="a pipeline YAML file, or a Python file or package defining build_pipeline() "
        f"(default: the bundled sample_pipelines/{DEFAULT_PIPELINE})",
    )
    parser.add_argument(
        "--queries",
        metavar="FILE",
        help="a JSON or YAML list of input mappings, one per query (default: the pipeline's "
        "metadata.example_inputs); at least 2",
    )
    add_concurrency_argument(parser)
    add_allow_module_argument(parser)
    add_runs_dir_argument(parser)
    parser.add_argument("--no-record", action="store_true", help="do not record the runs")
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    try:
        pipe, path = load_pipeline(options.pipeline, options.allowed_modules)
    except DefinitionError as exc:
        hint = " (pipedebug: add --allow-module MODULE)" if "allowed_modules" in exc.reason else ""
        raise CommandError(f"{exc}{hint}") from exc
    if options.queries is not None:
        queries, source = read_queries(Path(options.queries)), options.queries
    else:
        queries, source = _example_queries(pipe, path), f"{path} metadata.example_inputs"
    if len(queries) < 2:
        raise CommandError(f"{source}: comparing needs at least 2 queries, found {len(queries)}")

    console = SafeConsole(file=sys.stdout)
    console.print(
        Text.assemble(
            ("Comparing ", "bold"),
            (str(path), "bold cyan"),
            f": {len(queries)} queries from {source}, one after another, then all at once "
            f"(concurrency {options.concurrency} per run)",
        ),
        soft_wrap=True,
    )
    stdout, stderr = sys.stdout, sys.stderr
    recorders: list[RunRecorder] = []
    store = RunStore(options.runs_dir)

    def record(mode: Mode, index: int, run: PipelineRun) -> EventStream:
        try:
            recorder = store.record(
                run, pipeline_name=path.stem, pipeline=pipe, inputs=queries[index], label=f"compare {mode} q{index + 1}"
            )
        except OSError as exc:
            raise CommandError(f"{store.directory}: cannot write the recording: {exc.strerror or exc}") from exc
        recorders.append(recorder)
        return recorder

    try:
        with capture_output(_line_printer(stdout), _line_printer(stderr)):
            comparison = asyncio.run(
                compare_execution(
                    pipe,
                    queries,
                    concurrency_limit=options.concurrency,
                    on_event=_progress_printer(console),
                    wrap=None if options.no_record else record,
                )
            )
    except PipelineValidationError as exc:  # a query's inputs do not fit the pipeline; nothing ran
        raise CommandError(f"{source}: {exc}") from exc
    _report(comparison, console)
    if recorders:
        console.print(
            Text.assemble(("Recorded ", "bold"), f"{len(recorders)} runs to ", (str(store.directory), "cyan")),
            soft_wrap=True,
        )
    failed = comparison.failed
    if not failed:
        return EXIT_OK
    err_console = SafeConsole(file=sys.stderr)
    for mode, run in failed:
        err_console.print(Text(f"{mode} query {run.query + 1} {run.status}: {run.error}"), soft_wrap=True)
    raise CommandError(f"{len(failed)} of {2 * len(queries)} runs did not finish", EXIT_RUN_FAILED)


def read_queries(path: Path) -> list[dict[str, Any]]:
    """A JSON or YAML list of input mappings; every problem is reported with the file's name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{path}: cannot read the queries file: {exc}") from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        kind = "JSON" if path.suffix.lower() == ".json" else "YAML"
        raise CommandError(f"{path}: invalid {kind}: {exc}") from exc
    return _input_mappings(data, str(path))


def _example_queries(pipe: PipelineBase, path: Path) -> list[dict[str, Any]]:
    examples = pipe.metadata.get("example_inputs")
    if examples is None:
        raise CommandError(f"{path} has no metadata.example_inputs: pass --queries FILE")
    return _input_mappings(examples, f"{path} metadata.example_inputs")


def _input_mappings(data: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(data, list):
        raise CommandError(f"{source}: expected a list of input mappings, got {type(data).__name__}")
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            raise CommandError(f"{source}: query {index} is a {type(entry).__name__}, not a mapping of inputs")
    return data


def _line_printer(stream: TextIO) -> Callable[[str], None]:
    """Components' prints, whole lines at a time: concurrent runs would otherwise interleave them mid-line."""

    def write(line: str) -> None:
        stream.write(safe_text(line) + "\n")
        stream.flush()

    return write


def _progress_printer(console: Console) -> Callable[[Mode, int, RunEvent], None]:
    """One line as each run ends, with its time, so a long comparison shows how far it got."""
    started: dict[tuple[Mode, int], float] = {}

    def on_event(mode: Mode, query: int, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            started[mode, query] = event.time
        status = ENDINGS.get(type(event))
        if status is not None:
            took = event.time - started.get((mode, query), event.time)
            console.print(Text.assemble(f"  {mode} query {query + 1}: ", status_text(status), f" {ms(took)} ms"))

    return on_event


def _report(comparison: Comparison, console: Console) -> None:
    console.print(totals_table(comparison))
    console.print(components_table(comparison))
    for result in comparison.modes:
        console.print(critical_path_line(result), soft_wrap=True)
    console.print()
    scale = max(result.wall_time for result in comparison.modes)
    width = max(20, console.width - LABEL_COLUMNS)
    for result in comparison.modes:
        console.print(timeline(result, scale, width), soft_wrap=True)
