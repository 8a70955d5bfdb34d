"""The `pipedebug` command: the full-screen debugger, or one headless sub-command module per verb.

Bare `pipedebug`, or a first argument that is no sub-command (a pipeline file), opens the debugger app.
Sub-commands live in `tui.commands`; adding one (replay, runs, compare, diff, export) means writing its module
and listing its `register` in `COMMANDS`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib import metadata

from tui.commands import EXIT_INTERRUPTED, EXIT_USAGE, CommandError
from tui.commands import compare as compare_command
from tui.commands import diff as diff_command
from tui.commands import export as export_command
from tui.commands import fork as fork_command
from tui.commands import listen as listen_command
from tui.commands import replay as replay_command
from tui.commands import run as run_command
from tui.commands import runs as runs_command
from tui.commands import traces as traces_command
from tui.escapes import safe_line
from tui.config import Config, ConfigError, load_config
from tui.options import add_allow_module_argument, add_concurrency_argument, add_runs_dir_argument


def add_config_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="keys, theme and breakpoints (default: $XDG_CONFIG_HOME/pipedebug/config.toml, "
        "else ~/.config/pipedebug/config.toml, if there is one)",
    )


def app_config(path: str | None) -> Config:
    """The config file, checked against the app's bindings and themes before the app starts (imports Textual)."""
    from tui.keys import check_config

    try:
        config = load_config(path)
        check_config(config)
    except ConfigError as error:
        raise CommandError(str(error)) from error
    return config


def register_open(subparsers: argparse._SubParsersAction) -> None:
    """`pipedebug open`: what bare `pipedebug` and `pipedebug PIPELINE` run."""
    parser = subparsers.add_parser(
        "open",
        help="open the full-screen debugger (the default when no COMMAND is given)",
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
    add_runs_dir_argument(parser)
    add_config_argument(parser)
    parser.set_defaults(handler=open_app)


def open_app(options: argparse.Namespace) -> int:
    config = app_config(options.config)  # a bad file is reported before anything else
    if not (sys.stdin.isatty() and sys.stdout.isatty()):  # the app would wait for keys that never come
        raise CommandError("the debugger needs a terminal; `pipedebug run PIPELINE` runs a pipeline headless")
    from tui.app import PipedebugApp  # Textual loads only for the app, not for the headless commands

    app = PipedebugApp(
        options.pipeline,
        allowed_modules=options.allowed_modules,
        record=not options.no_record,
        runs_dir=options.runs_dir,
        concurrency=options.concurrency,
        config=config,
    )
    app.run()
    return app.return_code or 0


COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    register_open,
    run_command.register,
    compare_command.register,
    runs_command.register,
    replay_command.register,
    fork_command.register,
    diff_command.register,
    export_command.register,
    traces_command.register,
    listen_command.register,
)
TOP_LEVEL_OPTIONS = ("-h", "--help", "--version")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipedebug",
        description="Run and debug asynchronous component pipelines from the terminal. "
        "`pipedebug [PIPELINE]`, without a COMMAND, opens the debugger on PIPELINE (default: the bundled hybrid "
        "RAG sample, offline); `pipedebug open --help` lists its options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code instead of exiting, so tests can call it."""
    args = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not args or (args[0] not in _command_names(parser) and args[0] not in TOP_LEVEL_OPTIONS):
        args = ["open", *args]
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


def _command_names(parser: argparse.ArgumentParser) -> set[str]:
    subparsers = (action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    return {name for action in subparsers for name in action.choices}


def _error(message: str) -> None:
    """One line on stderr, whatever the message holds."""
    print(f"error: {safe_line(' '.join(message.split()))}", file=sys.stderr, flush=True)


def _version() -> str:
    try:
        return metadata.version("pipedebug")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
