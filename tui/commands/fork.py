"""`pipedebug fork RUN VISIT`: re-run a recorded run live from one component visit (time travel).

Visits that finished before VISIT started reuse their recorded outputs; VISIT (optionally with edited inputs)
and everything after it run again. The new run is recorded with a link to its parent.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from rich.text import Text

from pipeline import DefinitionError
from pipeline.core.events import ComponentStarted
from pipeline.runs.fork import ForkError, fork_run, reused_outputs
from pipeline.runs.store import RunStore
from tui.commands import CommandError
from tui.commands.replay import component_names
from tui.commands.run import report_run, watch_run
from tui.escapes import SafeConsole
from tui.options import add_allow_module_argument, add_runs_dir_argument, coerce, load_recording


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "fork",
        help="re-run a recorded run from one component visit, reusing what finished before it",
        description="Start a live run from a recorded one: visits that finished before VISIT reuse their "
        "recorded outputs, VISIT and the rest execute. `--input socket=value` edits VISIT's inputs. The new run "
        "is recorded with its parent (see `pipedebug runs`).",
    )
    parser.add_argument("run", metavar="RUN", help="a run file, a run id or its prefix, or 'latest'")
    parser.add_argument("visit", metavar="VISIT", type=int, help="the visit id to re-run from (see `replay`)")
    parser.add_argument(
        "--input",
        "-i",
        dest="inputs",
        action="append",
        default=[],
        metavar="SOCKET=VALUE",
        help="replace one of the visit's inputs (str sockets take the text, others JSON); repeatable",
    )
    add_allow_module_argument(parser)
    add_runs_dir_argument(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    recorded = load_recording(options.run, options.runs_dir)
    try:
        target, _ = reused_outputs(recorded, options.visit)
        edits = _edited_inputs(target, options.inputs)
        run, parent = fork_run(recorded, options.visit, inputs=edits, allowed_modules=options.allowed_modules)
    except (ForkError, DefinitionError, ValueError) as exc:
        raise CommandError(str(exc)) from exc
    store = RunStore(options.runs_dir)
    try:
        recorder = store.record(
            run,
            pipeline_name=recorded.header.pipeline_name,
            pipeline=recorded.header.pipeline,
            inputs=recorded.header.inputs,
            label=f"fork of {recorded.run_id[:8]} at visit {options.visit}",
            parent=parent,
        )
    except OSError as exc:
        raise CommandError(f"{store.directory}: cannot write the recording: {exc.strerror or exc}") from exc
    console, err_console = SafeConsole(file=sys.stdout), SafeConsole(file=sys.stderr)
    console.print(
        Text.assemble(
            ("Forking ", "bold"),
            (str(recorded.path), "bold cyan"),
            f" at visit {options.visit} ({target.component} #{target.visit})",
            (f" with inputs {edits!r}" if edits else "", "green"),
        ),
        soft_wrap=True,
    )
    components = component_names(recorded)
    summary, interrupted = asyncio.run(watch_run(recorder, components, console))
    try:
        return report_run(summary, components, interrupted, console, err_console)
    finally:
        console.print(Text.assemble(("Recorded to ", "bold"), (str(recorder.path), "cyan")), soft_wrap=True)


def _edited_inputs(target: ComponentStarted, specs: list[str]) -> dict[str, Any]:
    """`--input socket=value` for the visit: text for sockets that held a string, JSON otherwise."""
    edits: dict[str, Any] = {}
    for spec in specs:
        socket, sep, raw = spec.partition("=")
        if not sep or socket not in target.inputs:
            known = ", ".join(target.inputs) or "none"
            raise ValueError(
                f"--input {spec!r}: expected SOCKET=VALUE with one of {target.component}'s inputs ({known})"
            )
        edits[socket] = coerce(raw, type(target.inputs[socket]))
    return edits
