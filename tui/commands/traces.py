"""`pipedebug traces FILE`: open the OpenTelemetry traces of pipelines that ran elsewhere as recorded runs.

Every pipeline run in an OTLP file (JSON, JSON Lines, or protobuf) is converted (`pipeline.runs.otlp_import`) and
saved to the runs folder, so `runs`, `replay`, `diff`, `compare` and `export` work on it like on any recording.
Then the newest opens in the debugger's replay, or, with `--headless`, each run is replayed as text as
`pipedebug replay --headless --fast` does.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.runs.otlp_import import OtlpError, read_otlp_file, runs_from_otlp, save_imported_run
from tui.commands import EXIT_OK, CommandError
from tui.commands import replay as replay_command
from tui.options import add_allow_module_argument, add_runs_dir_argument


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "traces",
        help="open the OpenTelemetry (OTLP) traces of pipeline runs as recorded runs",
        description="Convert every pipeline run in an OTLP trace file (OTLP/JSON, JSON Lines of requests, or "
        "protobuf; Haystack's span names or pipedebug's own OTLP export) into a recorded run in the runs "
        "folder, then replay the newest in the debugger, or (--headless) print each one as `pipedebug replay "
        "--headless` does. Exit codes: 0 converted, 2 unreadable file or no pipeline run in it.",
    )
    parser.add_argument("file", metavar="FILE", help="an OTLP trace file")
    parser.add_argument(
        "--headless", action="store_true", help="print each run in the terminal, without the debugger app"
    )
    add_allow_module_argument(parser)
    add_runs_dir_argument(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    try:
        runs = runs_from_otlp(read_otlp_file(options.file))
    except OtlpError as exc:
        raise CommandError(str(exc)) from exc
    if not runs:
        raise CommandError(
            f"{options.file}: no pipeline run in these traces (no haystack.pipeline.run, "
            "haystack.async_pipeline.run or pipedebug export span)"
        )
    if not options.headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError("the full-screen replay needs a terminal; add --headless to import and print the runs")
    paths: list[Path] = []
    for run in runs:
        path = save_imported_run(run, options.runs_dir)
        paths.append(path)
        print(f"Imported run {run.run_id[:8]} of trace {run.trace_id} to {path}", flush=True)
        for warning in run.warnings:
            print(f"  note: {warning}", flush=True)
    if not options.headless:
        newest = max(zip(runs, paths, strict=True), key=lambda item: item[0].wall_time)[1]
        return replay_command.execute(_replay_options(options, newest, headless=False))
    for path in paths:
        replay_command.execute(_replay_options(options, path, headless=True))
    return EXIT_OK


def _replay_options(options: argparse.Namespace, path: Path, *, headless: bool) -> argparse.Namespace:
    return argparse.Namespace(
        run=str(path),
        headless=headless,
        fast=headless,
        speed=1.0,
        allowed_modules=options.allowed_modules,
        runs_dir=options.runs_dir,
        full=False,  # outputs shortened as `pipedebug replay` prints them by default
        outputs_file=None,
    )
