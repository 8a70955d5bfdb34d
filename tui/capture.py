"""Whole-line capture of what components print, so concurrent prints never garble each other or the display.

`print()` writes the text and the newline in two calls; two worker threads printing at once can interleave
between them. `LineWriter` buffers per thread and hands on complete lines only, one at a time.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class LineWriter(io.TextIOBase):
    """A text stream that calls `emit(line)` once per complete line, per writing thread."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        super().__init__()
        self._emit = emit
        self._lock = threading.Lock()
        self._partial: dict[int, str] = {}

    encoding = "utf-8"  # shadows io.TextIOBase's read-only property, which says None

    def writable(self) -> bool:
        return True

    def isatty(self) -> bool:
        return False

    def write(self, text: str) -> int:
        thread = threading.get_ident()
        with self._lock:
            *lines, rest = (self._partial.pop(thread, "") + text).split("\n")
            if rest:
                self._partial[thread] = rest
            for line in lines:
                self._emit(line)
        return len(text)

    def drain(self) -> None:
        """Emit what each thread left without a final newline; `flush()` keeps it, as a line may go on."""
        with self._lock:
            partial, self._partial = self._partial, {}
            for line in partial.values():
                self._emit(line)


@contextmanager
def capture_output(out: Callable[[str], None], err: Callable[[str], None]) -> Iterator[None]:
    """Send `sys.stdout` and `sys.stderr` writes, from every thread, line by line to `out` and `err`."""
    writers = LineWriter(out), LineWriter(err)
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = writers
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
        for writer in writers:
            writer.drain()
