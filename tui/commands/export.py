"""`pipedebug export RUN --format chrome|otlp|mermaid`: a recorded run for other tools.

Chrome trace-event JSON opens in Perfetto (ui.perfetto.dev) or chrome://tracing; OTLP/JSON goes to any
OpenTelemetry collector; Mermaid draws the pipeline with each component's time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import get_args

from pipeline import DefinitionError
from pipeline.runs.export import ExportFormat, export_text
from tui.commands import EXIT_OK, CommandError
from tui.options import add_allow_module_argument, add_runs_dir_argument, load_recording

FORMATS: tuple[str, ...] = get_args(ExportFormat)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a recorded run as a Chrome trace (Perfetto), OTLP/JSON spans or a Mermaid graph",
        description="Write a recorded run as Chrome trace-event JSON (one lane per concurrent component), "
        "OpenTelemetry OTLP/JSON spans, or the pipeline as a Mermaid flowchart annotated with timings.",
    )
    parser.add_argument("run", metavar="RUN", help="a run file, a run id or its prefix, or 'latest'")
    parser.add_argument("--format", "-f", choices=FORMATS, required=True)
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of to standard output")
    add_allow_module_argument(parser)
    add_runs_dir_argument(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    recorded = load_recording(options.run, options.runs_dir)
    if options.format == "mermaid" and recorded.header.pipeline is None:
        raise CommandError(f"{recorded.path}: the recording holds no pipeline definition to draw")
    name = f"{recorded.header.pipeline_name} {recorded.run_id[:8]}"
    try:
        text = export_text(
            recorded.events,
            options.format,
            name,
            pipeline=recorded.header.pipeline,
            allowed_modules=options.allowed_modules,
        )
    except DefinitionError as exc:
        raise CommandError(f"{recorded.path}: the recorded pipeline cannot be rebuilt: {exc}") from exc
    if options.output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(options.output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{options.output}: cannot write the export: {exc.strerror or exc}") from exc
    print(f"Wrote {options.format} export of run {recorded.run_id[:8]} to {options.output}")
    return EXIT_OK
