"""`pipedebug diff RUN_A RUN_B`: what changed between two recorded runs, per component, in outputs and timing."""

from __future__ import annotations

import argparse
import sys

from pipeline.runs.diff import diff_runs
from tui.commands import EXIT_OK, EXIT_RUN_FAILED
from tui.escapes import SafeConsole
from tui.options import add_runs_dir_argument, load_recording
from tui.render_diff import render_diff


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="compare two recorded runs: documents, scores, prompts, replies and timing per component",
        description="Compare two recorded runs component by component: documents added, removed and moved, "
        "score changes, text diffs of prompts and replies, and timing. Exit codes, as diff(1): 0 the outputs "
        "are the same, 1 they differ, 2 a run cannot be read.",
    )
    parser.add_argument("run_a", metavar="RUN_A", help="a run file, a run id or its prefix, or 'latest'")
    parser.add_argument("run_b", metavar="RUN_B", help="the run to compare it with")
    add_runs_dir_argument(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    run_a = load_recording(options.run_a, options.runs_dir)
    run_b = load_recording(options.run_b, options.runs_dir)
    diff = diff_runs(run_a.events, run_b.events)
    SafeConsole(file=sys.stdout).print(render_diff(diff))
    return EXIT_RUN_FAILED if diff.changed else EXIT_OK
