"""The `pipedebug` command: the full-screen debugger, or one headless sub-command module per verb.

Bare `pipedebug`, or a first argument that is no sub-command (a pipeline file), opens the debugger app.
Sub-commands live in `tui.commands`; adding one means writing its module (with `register(subparsers)`) and
listing it with its help line in `COMMANDS`. Only the module of the command that runs is imported, so a headless
`pipedebug run` or `pipedebug --help` does not pay for the imports of `listen`, `traces` or the app.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from tui.commands import EXIT_INTERRUPTED, EXIT_USAGE, CommandError

if TYPE_CHECKING:
    from tui.config import Config

OPEN_HELP = "open the full-screen debugger (the default when no COMMAND is given)"


def register_open(subparsers: argparse._SubParsersAction) -> None:
    """`pipedebug open`: what bare `pipedebug` and `pipedebug PIPELINE` run."""
    from tui.options import add_allow_module_argument, add_concurrency_argument, add_runs_dir_argument

    parser = subparsers.add_parser(
        "open",
        help=OPEN_HELP,
        description="Open the debugger on a pipeline: its graph, inputs, breakpoints, stepping and logs.",
    )
    parser.add_argument(
        "pipeline",
        nargs="?",
        metavar="PIPELINE",
        help="a pipeline YAML file, or a Python file or package defining build_pipeline() "
        "(default: the bundled hybrid RAG sample, offline)",
    )
    add_allow_module_argument(parser)
    add_concurrency_argument(parser)
    parser.add_argument("--no-record", action="store_true", help="do not record runs (ctrl+s still saves one)")
    from tui.start import add_start_arguments

    add_start_arguments(parser)
    add_runs_dir_argument(parser)
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="keys, theme and breakpoints (default: $XDG_CONFIG_HOME/pipedebug/config.toml, "
        "else ~/.config/pipedebug/config.toml, if there is one)",
    )
    parser.set_defaults(handler=open_app)


def open_app(options: argparse.Namespace) -> int:
    config = app_config(options.config)  # a bad file is reported before anything else
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # the app would wait for keys that never come
        raise CommandError("the debugger needs a terminal; `pipedebug run PIPELINE` runs a pipeline headless")
    from tui.app import PipedebugApp  # Textual loads only for the app, not for the headless commands
    from tui.start import RunStart

    app = PipedebugApp(
        options.pipeline,
        allowed_modules=options.allowed_modules,
        record=not options.no_record,
        runs_dir=options.runs_dir,
        concurrency=options.concurrency,
        start=RunStart.from_options(options),
        config=config,
    )
    app.run()
    return app.return_code or 0


def app_config(path: str | None) -> Config:
    """The config file, checked against the app's bindings and themes before the app starts (imports Textual)."""
    from tui.config import ConfigError, load_config
    from tui.keys import check_config

    try:
        config = load_config(path)
        check_config(config)
    except ConfigError as error:
        raise CommandError(str(error)) from error
    return config


COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("tui.commands.run", "run a pipeline headless and print its outputs and timings"),
    "compare": (
        "tui.commands.compare",
        "time a set of queries run one after another against the same queries run concurrently",
    ),
    "runs": ("tui.commands.runs", "list recorded runs (see `pipedebug run --record`)"),
    "replay": ("tui.commands.replay", "replay a recorded run (see `pipedebug run --record`)"),
    "fork": ("tui.commands.fork", "re-run a recorded run from one component visit, reusing what finished before it"),
    "diff": (
        "tui.commands.diff",
        "compare two recorded runs: documents, scores, prompts, replies and timing per component",
    ),
    "export": (
        "tui.commands.export",
        "export a recorded run as a Chrome trace (Perfetto), OTLP/JSON spans or a Mermaid graph",
    ),
    "traces": ("tui.commands.traces", "open the OpenTelemetry (OTLP) traces of pipeline runs as recorded runs"),
    "listen": ("tui.commands.listen", "receive OTLP/HTTP traces and save each pipeline run in them"),
}
"""Each sub-command after `open`: its module and its line in `pipedebug --help` (the `help` its `register` gives;
a test keeps the two the same)."""
COMMAND_NAMES = frozenset({"open", *COMMANDS})
TOP_LEVEL_OPTIONS = ("-h", "--help", "--version")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole parser for `command` (its module imported and registered); every other sub-command is listed by
    name and help line only, which is all `pipedebug --help` shows."""
    parser = argparse.ArgumentParser(
        prog="pipedebug",
        description="Run and debug asynchronous component pipelines from the terminal. "
        "`pipedebug [PIPELINE]`, without a COMMAND, opens the debugger on PIPELINE (default: the bundled hybrid "
        "RAG sample, offline); `pipedebug open --help` lists its options.",
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command == "open":
        register_open(subparsers)
    else:
        subparsers.add_parser("open", help=OPEN_HELP)
    for name, (module, summary) in COMMANDS.items():
        if name == command:
            importlib.import_module(module).register(subparsers)
        else:
            subparsers.add_parser(name, help=summary)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code instead of exiting, so tests can call it."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or (args[0] not in COMMAND_NAMES and args[0] not in TOP_LEVEL_OPTIONS):
        args = ["open", *args]
    parser = build_parser(args[0])
    try:
        options = parser.parse_args(args)
    except SystemExit as exc:  # --help, --version, or a usage error argparse already reported
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    if options.command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    try:
        return options.handler(options)
    except CommandError as exc:
        _error(str(exc))
        return exc.exit_code
    except KeyboardInterrupt:  # a Ctrl-C outside a run (loading), or where no signal handler could be set
        _error("interrupted")
        return EXIT_INTERRUPTED


def _error(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    from tui.escapes import safe_line  # it imports the engine's secret scrubbing, which `--help` does not need

    print(f"error: {safe_line(' '.join(message.split()))}", file=sys.stderr, flush=True)


class _VersionAction(argparse.Action):
    """`--version`, which reads the installed version only when asked: importlib.metadata is slow to import."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("pipedebug")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
