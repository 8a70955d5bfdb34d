"""One module per `pipedebug` sub-command; each exposes `register(subparsers)` and sets `handler`.

Handlers return an exit code, or raise `CommandError` for a failure that deserves one line on stderr.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUN_FAILED = 1
EXIT_USAGE = 2
"""Bad pipeline file, bad inputs or bad arguments: nothing ran."""
EXIT_INTERRUPTED = 130
"""128 + SIGINT, as shells report a Ctrl-C."""


class CommandError(Exception):
    """A failure to report as one line on stderr, with the exit code it maps to."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code
