"""`pipedebug run`: run a pipeline headless, with a live board of component states and a timing table.

Everything shown comes from the run's typed events folded into a `RunSummary`, the same view the debugger,
recordings and exports use, so what this command prints is what they will show.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.text import Text

from pipeline import DefinitionError
from pipeline.core.events import EventStream
from pipeline.core.pipeline import PipelineBase
from pipeline.runs import RunSummary
from pipeline.runs.recording import RunRecorder
from pipeline.runs.store import RunStore
from tui.capture import capture_output
from tui.commands import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, CommandError
from tui.escapes import SafeConsole, safe_line, safe_text
from tui.options import (
    add_concurrency_argument,
    add_pipeline_arguments,
    add_runs_dir_argument,
    example_inputs,
    load_pipeline,
    parse_inputs,
)
from tui.render import add_outputs_arguments, never_ran, print_outputs, spans_table, state_board, wall_time_line

REFRESH_SECONDS = 0.1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a pipeline headless and print its outputs and timings",
        description="Run a pipeline, show each component's state live, then print the outputs and a table of "
        "when each component ran. Exit codes: 0 done, 1 a component failed, 2 bad file or inputs, 130 Ctrl-C.",
    )
    add_pipeline_arguments(parser)
    parser.add_argument(
        "--include-outputs-from",
        action="append",
        default=[],
        metavar="COMPONENT",
        help="also report every output of COMPONENT, even those consumed by connections; repeatable, "
        "or comma-separated",
    )
    add_concurrency_argument(parser)
    parser.add_argument(
        "--record",
        action="store_true",
        help="record the run's events to a file in the runs folder (see `pipedebug runs`, `pipedebug replay`)",
    )
    add_runs_dir_argument(parser)
    add_outputs_arguments(parser)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    try:
        pipe, path = load_pipeline(options.pipeline, options.allowed_modules)
    except DefinitionError as exc:
        hint = " (pipedebug: add --allow-module MODULE)" if "allowed_modules" in exc.reason else ""
        raise CommandError(f"{exc}{hint}") from exc
    include = [name.strip() for value in options.include_outputs_from for name in value.split(",") if name.strip()]
    try:
        data, source = _run_inputs(pipe, options.inputs)
        run = pipe.events(data, include_outputs_from=include, concurrency_limit=options.concurrency)
    except ValueError as exc:  # PipelineValidationError is a ValueError
        raise CommandError(str(exc)) from exc
    recorder = _recorder(options.runs_dir, run, pipe, path.stem, data) if options.record else None

    console = SafeConsole(file=sys.stdout)
    err_console = SafeConsole(file=sys.stderr)
    components = [name for layer in pipe.layers() for name in layer]
    console.print(
        Text.assemble(
            ("Running ", "bold"),
            (str(path), "bold cyan"),
            f" ({len(components)} components, concurrency {options.concurrency}) with inputs ",
            (repr(data), "green"),
            (f" from {source}", "dim"),
        ),
        soft_wrap=True,
    )
    summary, interrupted = asyncio.run(watch_run(recorder or run, components, console))
    try:
        return report_run(
            summary, components, interrupted, console, err_console, full=options.full, outputs_file=options.outputs_file
        )
    finally:
        if recorder is not None and recorder.failure is not None:
            err_console.print(Text(f"warning: {recorder.failure} (the run went on)", style="yellow"), soft_wrap=True)
        elif recorder is not None:
            console.print(Text.assemble(("Recorded to ", "bold"), (str(recorder.path), "cyan")), soft_wrap=True)


def _recorder(
    runs_dir: str | None, run: EventStream, pipe: PipelineBase, name: str, data: dict[str, Any]
) -> RunRecorder | None:
    """A recorder in the runs folder; where the folder cannot be written the run goes on unrecorded, said once."""
    store = RunStore(runs_dir)
    try:
        return store.record(run, pipeline_name=name, pipeline=pipe, inputs=data)
    except OSError as exc:
        message = f"warning: not recording: {store.directory}: {exc.strerror or exc} (the run goes on)"
        print(safe_line(message), file=sys.stderr, flush=True)
        return None


def _run_inputs(pipe: PipelineBase, specs: Sequence[str]) -> tuple[dict[str, Any], str]:
    if specs:
        return parse_inputs(pipe, specs), "--input"
    example = example_inputs(pipe)
    if example is not None:
        return example, "metadata.example_inputs"
    return {}, "nowhere (no --input, no metadata.example_inputs)"


class _Board:
    """The live state board (only on an interactive terminal), and where component prints go meanwhile."""

    def __init__(
        self,
        console: Console,
        components: Sequence[str],
        summary: RunSummary,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.console = console
        self.components = components
        self.summary = summary
        self.clock = clock
        """The run's own clock: perf_counter for a live run, the recorded clock for a replay."""
        self.note = ""
        self.live: Live | None = None
        if console.is_interactive:  # a terminal that can redraw; TTY_INTERACTIVE=0 turns it off
            self.live = Live(
                console=console, auto_refresh=False, transient=True, redirect_stdout=False, redirect_stderr=False
            )

    def __enter__(self) -> _Board:
        if self.live is not None:
            self.live.start()
            self.refresh()
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.live is not None:
            self.live.stop()

    def refresh(self) -> None:
        if self.live is None:
            return
        origin = self.summary.origin
        elapsed = self.clock() - origin if origin is not None else 0.0
        self.live.update(state_board(self.components, self.summary, elapsed, self.note), refresh=True)

    def line_printer(self, stream: TextIO, style: str) -> Callable[[str], None]:
        """Where one printed line goes: above the live board, or straight to the original stream."""

        def to_stream(line: str) -> None:
            stream.write(safe_text(line) + "\n")
            stream.flush()

        def above_board(line: str) -> None:
            self.console.print(Text(safe_text(line), style=style), soft_wrap=True)

        return to_stream if self.live is None else above_board


async def watch_run(run: EventStream, components: Sequence[str], console: Console) -> tuple[RunSummary, bool]:
    """Consume the event stream into a summary; Ctrl-C cancels the run, a second Ctrl-C quits at once."""
    summary = RunSummary()
    board = _Board(console, components, summary, getattr(run, "clock", time.perf_counter))
    interrupts = 0

    def on_interrupt() -> None:
        nonlocal interrupts
        interrupts += 1
        if interrupts > 1:
            _quit_now(board, summary)
        run.cancel()
        board.note = "Cancelling: sync components get 2 s to finish, then are abandoned (Ctrl-C again to quit now)"
        board.refresh()

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, on_interrupt)
        handles_sigint = True
    except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals (Windows)
        handles_sigint = False
    stdout, stderr = sys.stdout, sys.stderr
    ticker: asyncio.Task[None] | None = None
    try:
        with board, capture_output(board.line_printer(stdout, ""), board.line_printer(stderr, "red")):
            if board.live is not None:
                ticker = asyncio.create_task(_tick(board))
            async with run:
                async for event in run:
                    summary.apply(event)
    finally:
        if ticker is not None:
            ticker.cancel()
        if handles_sigint:
            loop.remove_signal_handler(signal.SIGINT)
    return summary, interrupts > 0


async def _tick(board: _Board) -> None:
    """Redraw the board on a timer, so running components' times advance between events."""
    while True:
        board.refresh()
        await asyncio.sleep(REFRESH_SECONDS)


def _quit_now(board: _Board, summary: RunSummary) -> None:
    """Second Ctrl-C: sync components run in threads that cannot be interrupted, so leave without them."""
    if board.live is not None:
        board.live.stop()
    running = ", ".join(span.component for span in summary.running) or "none"
    if sys.__stderr__ is not None:  # None only without a console (pythonw)
        sys.__stderr__.write(f"error: interrupted twice; abandoning running components: {running}\n")
    for stream in (sys.__stdout__, sys.__stderr__):
        if stream is not None:
            stream.flush()
    os._exit(EXIT_INTERRUPTED)


def report_run(
    summary: RunSummary,
    components: Sequence[str],
    interrupted: bool,
    console: Console,
    err_console: Console,
    *,
    full: bool = False,
    outputs_file: str | None = None,
) -> int:
    """Print what ran and what came out (large outputs shortened unless `full`; complete in `outputs_file`);
    return the exit code the run's ending maps to."""
    if summary.status == "failed":
        _print_tracebacks(summary, err_console)
    console.print(spans_table(summary))
    console.print(wall_time_line(summary))
    skipped = never_ran(components, summary.spans)
    if skipped:
        console.print(Text(f"Did not run: {', '.join(skipped)}", style="dim"))
    for name, missing in summary.stranded.items():
        console.print(Text(f"Stranded: '{name}' still waits for {', '.join(missing)}", style="yellow"))
    title = "Outputs" if summary.status == "finished" else "Partial outputs"
    console.print(Text(title, style="bold"))
    print_outputs(summary.outputs, console, full=full, outputs_file=outputs_file)
    if summary.status == "finished":
        return EXIT_OK
    if summary.status == "cancelled" or interrupted:
        raise CommandError("interrupted: the run was cancelled", EXIT_INTERRUPTED)
    if summary.error is not None:
        raise CommandError(str(summary.error), EXIT_RUN_FAILED)
    raise CommandError("the run ended without a final event", EXIT_RUN_FAILED)


def _print_tracebacks(summary: RunSummary, err_console: Console) -> None:
    """Each failed visit's traceback; for failures outside a visit (a warm_up), the cause's traceback."""
    failed = [(span, span.traceback) for span in summary.spans if span.status == "failed" and span.traceback]
    for span, trace in failed:
        err_console.print(Text(f"Traceback of '{span.component}' (visit {span.visit}):", style="bold red"))
        err_console.print(Text(trace.rstrip()), highlight=False, soft_wrap=True)
    cause = summary.error.__cause__ if summary.error is not None else None
    if not failed and cause is not None:
        err_console.print(Text("".join(traceback.format_exception(cause)).rstrip()), highlight=False, soft_wrap=True)
