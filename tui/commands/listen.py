"""`pipedebug listen`: an OTLP/HTTP receiver that saves each pipeline run traced elsewhere as a run of the runs folder.

Headless, it prints one line per saved run until Ctrl-C, then saves what is still buffered and exits 0. Otherwise
the app opens on the runs browser, which shows the runs as they arrive. See `pipeline/runs/otlp_receiver.py`.
"""

from __future__ import annotations

import argparse
import ipaddress
import queue
import sys
from collections.abc import Callable

from pipeline.runs.otlp_receiver import (
    DEFAULT_HOST,
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_PORT,
    DEFAULT_QUIET_PERIOD,
    OtlpReceiver,
    ReceiverSettings,
    SavedRun,
)
from tui.commands import EXIT_OK, CommandError
from tui.config import CONFIG_HELP, Config
from tui.options import add_runs_dir_argument

NEEDS_TERMINAL = "the live runs browser needs a terminal; add --headless to print the runs as they arrive"
_MIB = 1024 * 1024


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "listen",
        help="receive OTLP/HTTP traces and save each pipeline run in them",
        description="Start an OTLP/HTTP trace receiver (POST /v1/traces, protobuf or JSON, gzip or not) and save "
        "each pipeline run that arrives (Haystack's OpenTelemetryTracer, our tracing hook, or our OTLP export) as "
        "a run of the runs folder, to replay, diff and compare. Ctrl-C saves what is still buffered and stops.",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"the address to listen on (default: {DEFAULT_HOST}; 0.0.0.0 takes traces from any machine)",
    )
    parser.add_argument(
        "--port", type=_port, default=DEFAULT_PORT, help=f"the port (default: {DEFAULT_PORT}; 0 picks a free one)"
    )
    parser.add_argument(
        "--headless", action="store_true", help="print one line per saved run instead of opening the app"
    )
    parser.add_argument(
        "--max-body",
        type=_positive_float,
        default=DEFAULT_MAX_BODY_BYTES / _MIB,
        metavar="MIB",
        help=f"refuse request bodies over MIB mebibytes, compressed or not (default: {DEFAULT_MAX_BODY_BYTES // _MIB})",
    )
    parser.add_argument(
        "--quiet-period",
        type=_positive_float,
        default=DEFAULT_QUIET_PERIOD,
        metavar="SECONDS",
        help="save a trace once its pipeline run span has arrived and no span of it came for SECONDS "
        f"(default: {DEFAULT_QUIET_PERIOD:g})",
    )
    add_runs_dir_argument(parser)
    parser.add_argument("--config", metavar="PATH", help=CONFIG_HELP)
    parser.set_defaults(handler=execute)


def execute(options: argparse.Namespace) -> int:
    config = None if options.headless else _app_config(options.config)  # a bad file is reported first
    if not options.headless and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise CommandError(NEEDS_TERMINAL)
    settings = ReceiverSettings(
        host=options.host,
        port=options.port,
        max_body_bytes=int(options.max_body * _MIB),
        quiet_period=options.quiet_period,
    )
    saved: queue.Queue[SavedRun] = queue.Queue()
    problems = Problems()
    receiver = OtlpReceiver(settings, options.runs_dir, on_run=saved.put, on_problem=problems)
    if not _is_loopback(options.host):
        _problem(f"listening on {options.host}: any machine that reaches this one can send traces here")
    try:
        receiver.start()
    except OSError as exc:
        raise CommandError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from exc
    if config is not None:
        return open_app(receiver, config, problems)
    try:  # from the first line on: whoever read it may press Ctrl-C
        print(
            f"Listening for OTLP/HTTP traces on {receiver.url}; runs go to {receiver.runs_dir}. Ctrl-C stops.",
            flush=True,
        )
        while True:
            _print_run(saved.get())
    except KeyboardInterrupt:
        pass
    receiver.stop()  # saves what is buffered: those runs are queued too
    while not saved.empty():
        _print_run(saved.get_nowait())
    print(f"Stopped: {receiver.stats.runs_saved} run(s) saved.", flush=True)
    return EXIT_OK


def _app_config(path: str | None) -> Config:
    from tui.cli import app_config  # imports Textual: only for the app

    return app_config(path)


class Problems:
    """Where the receiver's problems (rejected requests, dropped traces) go: a warning line on stderr, or, while
    the app runs, its notifications (Textual owns the terminal then and captures stderr: the line would not show)."""

    def __init__(self) -> None:
        self.to: Callable[[str], None] = _problem

    def __call__(self, message: str) -> None:
        self.to(message)


def open_app(receiver: OtlpReceiver, config: Config | None = None, problems: Problems | None = None) -> int:
    """The app on the runs browser, showing the receiver's runs as they arrive; the receiver stops when it quits."""
    from tui.app import PipedebugApp  # Textual loads only for the app

    try:
        app = PipedebugApp(receiver=receiver, runs_dir=str(receiver.runs_dir), config=config)
        if problems is not None:
            problems.to = app.receiver_problem
        app.run()
    finally:
        if problems is not None:
            problems.to = _problem
        receiver.stop()
    return app.return_code or 0


def _print_run(run: SavedRun) -> None:
    duration = "unfinished" if run.duration is None else f"{run.duration:.3f} s"
    print(f"{run.path}  {run.pipeline_name}  {run.components} components  {duration}", flush=True)
    for warning in run.warnings:
        _problem(f"{run.path.name}: {warning}")


def _problem(message: str) -> None:
    print(f"warning: {' '.join(message.split())}", file=sys.stderr, flush=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: whatever it resolves to is not known to be this machine only
        return False


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be 0 to 65535, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {value:g}")
    return value
