"""`pipedebug export RUN --format chrome|otlp|mermaid`: a recorded run for other tools.

Chrome trace-event JSON opens in Perfetto (ui.perfetto.dev) or chrome://tracing; OTLP/JSON goes to any
OpenTelemetry collector; Mermaid draws the pipeline with each component's time.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipeline import DefinitionError
from pipeline.runs.export import to_chrome_trace, to_mermaid, to_otlp_json
from tui.commands import EXIT_OK, CommandError
from tui.options import add_allow_module_argument, add_runs_dir_argument, load_recording

FORMATS = ("chrome", "otlp", "mermaid")


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
    if options.format == "mermaid":
        if recorded.header.pipeline is None:
            raise CommandError(f"{recorded.path}: the recording holds no pipeline definition to draw")
        try:
            text = to_mermaid(recorded.header.pipeline, recorded.events, allowed_modules=options.allowed_modules)
        except DefinitionError as exc:
            raise CommandError(f"{recorded.path}: the recorded pipeline cannot be rebuilt: {exc}") from exc
    else:
        name = f"{recorded.header.pipeline_name} {recorded.run_id[:8]}"
        data = (
            to_chrome_trace(recorded.events, process_name=name)
            if options.format == "chrome"
            else to_otlp_json(recorded.events)
        )
        text = json.dumps(data, indent=1)
    if options.output is None:
        sys.stdout.write(text + "\n")
        return EXIT_OK
    try:
        Path(options.output).write_text(text + "\n", encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{options.output}: cannot write the export: {exc.strerror or exc}") from exc
    print(f"Wrote {options.format} export of run {recorded.run_id[:8]} to {options.output}")
    return EXIT_OK
