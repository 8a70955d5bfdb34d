"""`pipedebug runs`: list the recorded runs in the runs folder, or delete one."""

from __future__ import annotations

import argparse
import sys
import time

from rich import box
from rich.table import Table
from rich.text import Text

from pipeline.runs.store import LATEST, RunInfo, RunStore, StoreError
from tui.commands import EXIT_OK, CommandError
from tui.escapes import SafeConsole
from tui.options import add_runs_dir_argument
from tui.render import STATUS_STYLES

LISTING_STYLES = {**STATUS_STYLES, "interrupted": "yellow", "unreadable": "bold red"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list recorded runs (see `pipedebug run --record`)",
        description="List the runs recorded in the runs folder, oldest first, or delete one.",
    )
    add_runs_dir_argument(parser)
    parser.add_argument(
        "--delete", metavar="RUN", help=f"delete a run: its file, its run id or a prefix of it, or '{LATEST}'"
    )
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    store = RunStore(options.runs_dir)
    console = SafeConsole(file=sys.stdout)
    if options.delete:
        try:
            path = store.delete(options.delete)
        except StoreError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"{exc.filename}: cannot delete the run file: {exc.strerror or exc}") from exc
        console.print(Text.assemble(("Deleted ", "bold"), (str(path), "cyan")), soft_wrap=True)
        return EXIT_OK
    runs = store.runs()
    if not runs:
        console.print(f"No recorded runs in {store.directory} (record one with `pipedebug run --record`).")
        return EXIT_OK
    console.print(Text.assemble(("Runs in ", "bold"), (str(store.directory), "cyan")), soft_wrap=True)
    console.print(runs_table(runs))
    return EXIT_OK


def runs_table(runs: list[RunInfo]) -> Table:
    """One row per run file; files without a valid header show their file name and the reason."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, collapse_padding=True)
    show_labels = any(run.header is not None and run.header.label for run in runs)
    for column in ("id", "pipeline", "started", "status"):
        table.add_column(column, no_wrap=True)
    table.add_column("duration", justify="right", no_wrap=True)
    table.add_column("events", justify="right", no_wrap=True)
    table.add_column("parent", no_wrap=True)
    if show_labels:
        table.add_column("label")
    for run in runs:
        status = Text(run.status, style=LISTING_STYLES.get(run.status, ""))
        if run.header is None:
            table.add_row("?", run.path.name, "", status, "", "", "", *([""] if show_labels else []))
            continue
        header = run.header
        parent = "" if header.parent is None else header.parent.run_id[:8]
        if header.parent is not None and header.parent.visit_id is not None:
            parent += f"#{header.parent.visit_id}"
        table.add_row(
            header.run_id[:8],
            header.pipeline_name,
            time.strftime("%Y-%m-%d %H:%M", time.localtime(header.wall_time)),
            status,
            "" if run.duration is None else f"{run.duration:.2f} s",
            str(run.events),
            parent,
            *([header.label or ""] if show_labels else []),
        )
    return table
