"""What components print, warn and log during a run, routed to that run as `ComponentLogged` events.

`PipelineRun(capture_logs=True)` (`pipe.events(..., capture_logs=True)`) runs each visit in a context that holds
a sink for its run (a context variable, like `current_visit()`): sync components carry it into their worker
thread, async ones into their task. While at least one such run is active, process-wide hooks are installed
(`sys.stdout`, `sys.stderr`, `warnings.showwarning`, a root logging handler): a line written, a warning issued or
a record emitted in a visit's context goes to its run; anything else passes through to what was there before
(another capture, the terminal), unchanged. Runs share the hooks, so concurrent runs each get their own lines.

Prints are delivered whole lines at a time; a last line a visit leaves without a newline is delivered when the
line is completed, or lost if the run has ended by then. Log records of level INFO and above are captured: the
root logger is lowered to INFO while hooks are installed (it defaults to WARNING) and restored afterwards.
"""

from __future__ import annotations

import io
import logging
import os
import sys
import threading
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from typing import TextIO

LogSink = Callable[[str, str, str], None]
"""`sink(level, logger, text)`: hands one line to a run; thread-safe, quick, never prints or logs."""

CAPTURED_LEVEL = logging.INFO

_sink: ContextVar[LogSink | None] = ContextVar("pipeline_log_sink", default=None)


def set_log_sink(sink: LogSink) -> None:
    """Called by the scheduler in the context a visit will run in."""
    _sink.set(sink)


def captured_here() -> bool:
    """Whether a run captures what the calling context prints and logs (other captures leave it to the run)."""
    return _sink.get() is not None


def log_here(level: str, logger: str, text: str) -> bool:
    """Hand a line to the run whose visit the caller runs in; False (and nothing done) outside such a visit."""
    sink = _sink.get()
    if sink is None:
        return False
    sink(level, logger, text)
    return True


class _RoutingWriter(io.TextIOBase):
    """Stands for `sys.stdout` or `sys.stderr`: lines written in a capturing visit go to its run, whole; other
    writes go to the stream that was there before, as they are."""

    def __init__(self, level: str, below: TextIO) -> None:
        super().__init__()
        self.level = level
        self.below = below
        self._lock = threading.Lock()
        self._partial: dict[int, str] = {}

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.below, "encoding", "utf-8")

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return self.below.isatty()

    def fileno(self) -> int:
        return self.below.fileno()

    def flush(self) -> None:
        self.below.flush()

    def write(self, text: str) -> int:
        sink = _sink.get()
        thread = threading.get_ident()
        if sink is None:
            with self._lock:
                pending = self._partial.pop(thread, "")
            self.below.write(pending + text)
            return len(text)
        with self._lock:
            *lines, rest = (self._partial.pop(thread, "") + text).split("\n")
            if rest:
                self._partial[thread] = rest
        for line in lines:
            sink(self.level, "", line)
        return len(text)

    def drain(self) -> None:
        """Hand on what threads left without a final newline, to the stream below (their visits are over)."""
        with self._lock:
            partial, self._partial = self._partial, {}
        for text in partial.values():
            self.below.write(text)


class _RunHandler(logging.Handler):
    """Takes the records emitted in a capturing visit; other handlers skip those (see `captured_here`)."""

    def __init__(self) -> None:
        super().__init__(CAPTURED_LEVEL)
        self.setFormatter(logging.Formatter("%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        sink = _sink.get()
        if sink is None:
            return
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        sink(record.levelname.lower(), record.name, text)


class _Hooks:
    """The process-wide hooks, installed while at least one capturing run is active."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._writers: tuple[_RoutingWriter, _RoutingWriter] | None = None
        self._showwarning: Callable[..., None] | None = None
        self._show: Callable[..., None] | None = None
        self._handler: _RunHandler | None = None
        self._root_level: int | None = None

    def acquire(self) -> None:
        with self._lock:
            self._users += 1
            if self._users == 1:
                self._install()

    def release(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users == 0:
                self._uninstall()

    def _install(self) -> None:
        writers = _RoutingWriter("stdout", sys.stdout), _RoutingWriter("stderr", sys.stderr)
        sys.stdout, sys.stderr = writers
        self._writers = writers
        saved = self._showwarning = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            if not log_here("warning", "", warning_text(message, category, filename, lineno)):
                saved(message, category, filename, lineno, file, line)

        warnings.showwarning = self._show = show
        root = logging.getLogger()
        self._handler = _RunHandler()
        root.addHandler(self._handler)
        self._root_level = None
        if root.level > CAPTURED_LEVEL:  # NOTSET (0) on the root already lets everything through
            self._root_level = root.level
            root.setLevel(CAPTURED_LEVEL)

    def _uninstall(self) -> None:
        """Restore what each hook replaced, unless someone replaced the hook since (then it stays in their chain
        and passes everything through)."""
        assert self._writers is not None and self._handler is not None
        out, err = self._writers
        if sys.stdout is out:
            sys.stdout = out.below
        if sys.stderr is err:
            sys.stderr = err.below
        out.drain()
        err.drain()
        if self._showwarning is not None and warnings.showwarning is self._show:
            warnings.showwarning = self._showwarning
        root = logging.getLogger()
        root.removeHandler(self._handler)
        if self._root_level is not None and root.level == CAPTURED_LEVEL:
            root.setLevel(self._root_level)
        self._writers = self._handler = self._showwarning = self._show = None


_hooks = _Hooks()


def warning_text(message: Warning | str, category: type[Warning], filename: str, lineno: int) -> str:
    """A warning as one log line: `UserWarning: text (module.py:12)`, the file's name without its folder."""
    return f"{category.__name__}: {message} ({os.path.basename(filename)}:{lineno})"


def acquire_hooks() -> None:
    """A capturing run started: make sure the hooks are installed."""
    _hooks.acquire()


def release_hooks() -> None:
    """A capturing run ended: the last one out restores what the hooks replaced."""
    _hooks.release()
