"""Capture what components print, warn and log, from any thread, attributed to the visit that produced it.

The engine runs each visit in a context that knows it (`pipeline.current_visit()`): sync components in worker
threads that copied the context, async ones in their own task. Whatever a component prints, warns or logs is
written, issued or emitted in that context, so asking `current_visit()` at that moment names the visit. Lines
from anywhere else (the app, the engine between visits, threads a component started itself) get `None`.

Capturing swaps process-wide hooks (`sys.stdout`, `sys.stderr`, `warnings.showwarning`, a root logging
handler), so one capture should be active at a time; stopping restores what was there. Warnings still pass
through the warning filters: one shown once per location is captured once.

A run started with `capture_logs=True` records its visits' lines itself, as `ComponentLogged` events: what
reaches this capture from such a visit is handed to that run (`pipeline.core.logs.log_here`), and its log
records are left to the run's own handler, so no line is shown twice or lost, whichever hooks came first.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from functools import partial
from types import TracebackType
from typing import NamedTuple, TextIO

from pipeline.core.events import ComponentLogged, RunEvent
from pipeline.core.logs import captured_here, log_here, warning_text
from pipeline.core.progress import current_visit
from pipeline.runs.spans import RunSummary
from tui.capture import capture_output


def log_marks(events: Sequence[RunEvent], summary: RunSummary) -> list[tuple[str, float, str]]:
    """(component, seconds since the run started, level) of each line the run's components logged: where the
    timeline marks them."""
    if summary.origin is None:
        return []
    return [(e.component, summary.relative(e.time), e.level) for e in events if isinstance(e, ComponentLogged)]


class LogLine(NamedTuple):
    """One captured line, or one log record (which may span several lines, e.g. with a traceback)."""

    component: str | None
    """The component whose visit produced it; `None` outside any visit."""
    visit_id: int | None
    level: str
    """`stdout` or `stderr` for prints, `warning` for warnings, the lower-cased level name for log records."""
    text: str


LogSink = Callable[[LogLine], None]
"""Receives every captured line, in the thread that produced it: it must be thread-safe, return quickly, and
never print or log (a print from inside would wait on the capture's own lock)."""


class LogCapture:
    """While active (`with LogCapture(sink):` or `start()`/`stop()`), hands everything components print, warn
    and log to `sink` as `LogLine`s.

    `level` is the lowest logging level captured; the root logger is lowered to it while capturing (it defaults
    to WARNING, which would hide a component's `logger.info`), and restored afterwards.
    """

    def __init__(self, sink: LogSink, *, level: int = logging.INFO) -> None:
        self.sink = sink
        self.level = level
        self._stack: ExitStack | None = None

    @property
    def active(self) -> bool:
        return self._stack is not None

    def start(self) -> None:
        if self._stack is not None:
            raise RuntimeError("This LogCapture is already capturing.")
        with ExitStack() as stack:
            stack.enter_context(capture_output(partial(self.deliver, "stdout"), partial(self.deliver, "stderr")))
            self._install_warnings(stack)
            self._install_logging(stack)
            self._stack = stack.pop_all()

    def stop(self) -> None:
        """Restore the hooks; lines printed without a final newline are delivered now (as outside a visit)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            stack.close()

    def __enter__(self) -> LogCapture:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def deliver(self, level: str, text: str) -> None:
        """Attribute `text` to the visit running in the caller's context and hand it to the sink (or to the run
        that records that visit's lines)."""
        if log_here(level, "", text):
            return
        visit = current_visit()
        if visit is None:
            self.sink(LogLine(None, None, level, text))
        else:
            self.sink(LogLine(visit.component, visit.visit_id, level, text))

    def _install_warnings(self, stack: ExitStack) -> None:
        saved = warnings.showwarning

        def show(
            message: Warning | str,
            category: type[Warning],
            filename: str,
            lineno: int,
            file: TextIO | None = None,
            line: str | None = None,
        ) -> None:
            self.deliver("warning", warning_text(message, category, filename, lineno))

        warnings.showwarning = show
        stack.callback(setattr, warnings, "showwarning", saved)

    def _install_logging(self, stack: ExitStack) -> None:
        root = logging.getLogger()
        handler = _SinkHandler(self, self.level)
        root.addHandler(handler)
        stack.callback(root.removeHandler, handler)
        saved_level = root.level
        if saved_level > self.level:  # NOTSET (0) on the root already lets everything through
            root.setLevel(self.level)
            stack.callback(root.setLevel, saved_level)


class _SinkHandler(logging.Handler):
    """Formats a record as `logger: message` (with any traceback) and delivers it in the logging context."""

    def __init__(self, capture: LogCapture, level: int) -> None:
        super().__init__(level)
        self.capture = capture
        self.setFormatter(logging.Formatter("%(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if captured_here():  # the run's own handler records it
            return
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        self.capture.deliver(record.levelname.lower(), text)
