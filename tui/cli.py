"""The `pipedebug` command: parses arguments and dispatches to one sub-command module per verb.

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
from tui.commands import replay as replay_command
from tui.commands import run as run_command
from tui.commands import runs as runs_command

COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    run_command.register,
    compare_command.register,
    runs_command.register,
    replay_command.register,
    fork_command.register,
    diff_command.register,
    export_command.register,
)
DEFAULT_ARGV = ["run"]
"""What bare `pipedebug` does until the full-screen debugger takes it over."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pipedebug", description="Run and debug asynchronous component pipelines from the terminal."
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code instead of exiting, so tests can call it."""
    args = list(sys.argv[1:] if argv is None else argv) or DEFAULT_ARGV
    parser = build_parser()
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
    print(f"error: {' '.join(message.split())}", file=sys.stderr, flush=True)


def _version() -> str:
    try:
        return metadata.version("pipedebug")
    except metadata.PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
