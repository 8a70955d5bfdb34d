"""`pipedebug replay`: play a recorded run again, in the debugger app or (`--headless`) in the terminal.

The app drives the same panes as a live run from the recording. Headless, the recording's events go through a
`ReplayRun` into the same `RunSummary`, live board and timing table as a live run, so a replay shows what the
run showed. Nothing is executed and nothing touches the network. The exit
code says whether the replay worked, not how the recorded run ended (the output says that).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

import yaml
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.core.events import RunStarted
from pipeline.runs import RunSummary
from pipeline.runs.codec import RecordedError
from pipeline.runs.recording import RecordedRun
from pipeline.runs.replay import ReplayRun
from pipeline.runs.store import LATEST, RunStore, StoreError
from tui.commands import EXIT_INTERRUPTED, EXIT_OK, CommandError
from tui.commands.run import watch_run
from tui.config import CONFIG_HELP
from tui.escapes import SafeConsole
from tui.options import add_allow_module_argument, add_runs_dir_argument, load_recording
from tui.render import (
    STATUS_STYLES,
    add_outputs_arguments,
    ms,
    never_ran,
    print_outputs,
    spans_table,
    wall_time_line,
)

NEEDS_TERMINAL = "the full-screen replay needs a terminal; add --headless to replay without the app"
BAR = "█"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "replay",
        help="replay a recorded run (see `pipedebug run --record`)",
        description="Replay a recorded run with its original timing (or faster), without running any component, "
        "then print its timing table, a timeline of its visits and its outputs. Exit codes: 0 replayed (however "
        "the recorded run ended), 2 no such run or an unusable file, 130 Ctrl-C.",
    )
    parser.add_argument(
        "run", metavar="RUN", help=f"a run file, a run id or its prefix (see `pipedebug runs`), or '{LATEST}'"
    )
    parser.add_argument(
        "--headless", action="store_true", help="replay as text in the terminal, without the debugger app"
    )
    add_allow_module_argument(parser)
    pace = parser.add_mutually_exclusive_group()
    pace.add_argument(
        "--speed", type=_positive_float, default=1.0, metavar="X", help="play X times as fast as recorded (default: 1)"
    )
    pace.add_argument("--fast", action="store_true", help="no pauses between events")
    add_runs_dir_argument(parser)
    parser.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    add_outputs_arguments(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    speed = None if options.fast else options.speed
    if not options.headless:
        return _open_app(options, speed)
    recorded = load_recording(options.run, options.runs_dir)
    console = SafeConsole(file=sys.stdout)
    console.print(_title(recorded, speed), soft_wrap=True)
    if recorded.problems:
        first = recorded.problems[0]
        console.print(
            Text(
                f"Skipped {len(recorded.problems)} damaged line(s); the first: {recorded.path}:{first.line}: "
                f"{first.reason}",
                style="yellow",
            ),
            soft_wrap=True,
        )
    components = component_names(recorded)
    summary, interrupted = asyncio.run(watch_run(ReplayRun(recorded, speed), components, console))
    _report(recorded, summary, components, console, interrupted, full=options.full, outputs_file=options.outputs_file)
    if interrupted:
        raise CommandError("interrupted: the replay was cancelled", EXIT_INTERRUPTED)
    return EXIT_OK


def _open_app(options: argparse.Namespace, speed: float | None) -> int:
    """The debugger app on the recording: it reads and checks the file itself, and shows what is wrong with it."""
    try:
        path = RunStore(options.runs_dir).resolve(options.run)
    except StoreError as exc:
        raise CommandError(str(exc)) from exc
    from tui.cli import app_config  # imports Textual: only for the app

    config = app_config(options.config)  # a bad file is reported before anything else
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError(NEEDS_TERMINAL)
    from tui.app import PipedebugApp

    app = PipedebugApp(
        replay=path, speed=speed, allowed_modules=options.allowed_modules, runs_dir=options.runs_dir, config=config
    )
    app.run()
    return app.return_code or 0


def component_names(recorded: RecordedRun) -> list[str]:
    """The pipeline's components in definition order, read from the recorded YAML without importing anything;
    from the events when the definition was not recorded."""
    names: list[str] = []
    try:
        definition = yaml.safe_load(recorded.header.pipeline or "")
        components = definition.get("components") if isinstance(definition, dict) else None
        if isinstance(components, dict):
            names = [str(name) for name in components]
    except yaml.YAMLError:
        names = []
    started = recorded.events[0]
    assert isinstance(started, RunStarted)
    seen = {*names}
    for name in [*started.inputs, *(getattr(event, "component", None) for event in recorded.events)]:
        if isinstance(name, str) and name not in seen:
            seen.add(name)
            names.append(name)
    return names


def spans_gantt(summary: RunSummary, width: int) -> Table:
    """A text Gantt chart: one line per visit (and per warm-up), bars placed on a shared time axis."""
    end = summary.wall_duration or max((span.finished_at or span.started_at for span in summary.spans), default=0.0)
    table = Table(box=None, title="Timeline", title_justify="left", show_header=False, pad_edge=False)
    table.add_column("visit", style="bold", no_wrap=True)
    table.add_column("bar", no_wrap=True)
    table.add_column("ms", justify="right", no_wrap=True)
    rows = [(f"{name} (warm-up)", start, stop, "dim") for name, (start, stop) in summary.warm_ups.items()]
    show_visits = any(span.visit > 1 for span in summary.spans)
    for span in summary.spans:
        label = f"{span.component} #{span.visit}" if show_visits else span.component
        stop = span.finished_at if span.finished_at is not None else end
        rows.append((label, span.started_at, stop, STATUS_STYLES.get(span.status, "")))
    bar_width = max(10, width - max((len(label) for label, *_ in rows), default=0) - 12)
    scale = bar_width / end if end > 0 else 0.0
    for label, start, stop, style in rows:
        first = min(int(start * scale), bar_width - 1)
        length = max(1, min(round(stop * scale), bar_width) - first)
        table.add_row(label, Text(" " * first) + Text(BAR * length, style=style), ms(stop - start))
    table.caption = f"0 to {ms(end)} ms"
    table.caption_justify = "left"
    return table


def _report(
    recorded: RecordedRun,
    summary: RunSummary,
    components: Sequence[str],
    console: Console,
    interrupted: bool,
    *,
    full: bool = False,
    outputs_file: str | None = None,
) -> None:
    for span in summary.spans:
        if span.status == "failed" and span.traceback:
            console.print(Text(f"Traceback of '{span.component}' (visit {span.visit}):", style="bold red"))
            console.print(Text(span.traceback.rstrip()), highlight=False, soft_wrap=True)
    console.print(spans_table(summary))
    console.print(wall_time_line(summary))
    console.print(spans_gantt(summary, console.width))
    skipped = never_ran(components, summary.spans)
    if skipped:
        console.print(Text(f"Did not run: {', '.join(skipped)}", style="dim"))
    for name, missing in summary.stranded.items():
        console.print(Text(f"Stranded: '{name}' still waits for {', '.join(missing)}", style="yellow"))
    console.print(Text("Outputs" if summary.status == "finished" else "Partial outputs", style="bold"))
    print_outputs(summary.outputs, console, full=full, outputs_file=outputs_file)
    console.print(_ending(recorded, summary, interrupted), soft_wrap=True)


def _ending(recorded: RecordedRun, summary: RunSummary, interrupted: bool) -> Text:
    if interrupted:
        return Text(f"The replay was cancelled (the recorded run: {recorded.status}).", style="yellow")
    if summary.status == "failed" and summary.error is not None:
        error = summary.error
        if not any(span.status == "failed" for span in summary.spans) and isinstance(error, RecordedError):
            return Text(f"The recorded run failed:\n{error.traceback.rstrip()}", style="red")
        return Text(f"The recorded run failed: {error}", style="red")
    if summary.status == "running":
        return Text(
            f"The recording ends after {len(recorded.events)} events without the run's end: "
            "the run was interrupted (killed, crashed or closed early).",
            style="yellow",
        )
    ending = "finished" if summary.status == "finished" else "was cancelled"
    return Text(f"The recorded run {ending}.", style=STATUS_STYLES.get(summary.status, ""))


def _title(recorded: RecordedRun, speed: float | None) -> Text:
    header = recorded.header
    started = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(header.wall_time))
    pace = "as fast as possible" if speed is None else f"at {speed:g}x speed"
    return Text.assemble(
        ("Replaying ", "bold"),
        (str(recorded.path), "bold cyan"),
        f" (pipeline {header.pipeline_name}, recorded {started}, {len(recorded.events)} events, "
        f"{recorded.status}) {pace}",
    )


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text}")
    return value
