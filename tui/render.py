"""Rich renderables for runs: the live state board and the final timing table, built from a `RunSummary`.

They only read a `RunSummary`, so a replayed or recorded run renders exactly like a live one.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import reprlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console, RenderableType
from rich.pretty import Pretty
from rich.table import Table
from rich.text import Text

from pipeline.runs import ComponentSpan, RunSummary
from pipeline.runs.codec import Encoder

STATUS_STYLES = {
    "waiting": "dim",
    "running": "yellow",
    "finished": "green",
    "failed": "bold red",
    "cancelled": "magenta",
}
STATUS_LABELS = {"finished": "done"}


def ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.1f}"


def status_text(status: str) -> Text:
    return Text(STATUS_LABELS.get(status, status), style=STATUS_STYLES.get(status, ""))


def state_board(components: Sequence[str], summary: RunSummary, elapsed: float, note: str = "") -> Table:
    """One row per component with its latest state; running components show their time so far."""
    table = Table(box=box.SIMPLE_HEAD, title=note or None, title_justify="left", caption_justify="left")
    table.add_column("component", style="bold")
    table.add_column("state")
    table.add_column("mode")
    table.add_column("time ms", justify="right")
    table.add_column("visits", justify="right")
    for name in components:
        spans = summary.spans_of(name)
        if not spans:
            table.add_row(name, status_text("waiting"), "", "", "")
            continue
        latest = spans[-1]
        took = latest.duration if latest.duration is not None else elapsed - latest.started_at
        table.add_row(name, status_text(latest.status), latest.mode, ms(took), str(len(spans)))
    table.caption = f"elapsed {ms(elapsed)} ms"
    return table


def spans_table(summary: RunSummary) -> Table:
    """Every visit with its start, end and duration in ms since the run started, its mode and thread.

    The visit column appears only when some component ran more than once, to keep the table within 80 columns.
    """
    table = Table(box=box.SIMPLE_HEAD, title="Timing (ms since run start)", title_justify="left", pad_edge=False)
    show_visits = any(span.visit > 1 for span in summary.spans)
    table.add_column("component", style="bold", no_wrap=True)
    if show_visits:
        table.add_column("visit", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("mode", no_wrap=True)
    table.add_column("thread", overflow="fold")
    for header in ("start", "end", "duration"):
        table.add_column(header, justify="right", no_wrap=True)
    for span in summary.spans:
        visit = [str(span.visit)] if show_visits else []
        table.add_row(
            span.component,
            *visit,
            status_text(span.status),
            span.mode,
            span.thread or "",
            ms(span.started_at),
            ms(span.finished_at),
            ms(span.duration),
        )
    return table


def wall_time_line(summary: RunSummary) -> Text:
    """Total wall time, and how much component time its pipeline time packed (the concurrency actually achieved);
    warm-ups and pauses, which pipeline time leaves out, said apart."""
    total = summary.wall_duration
    pipeline = summary.duration
    busy = sum(span.duration or 0.0 for span in summary.spans)
    warm_up, paused = summary.warm_up_time, summary.paused_time()
    line = Text("Total wall time: ", style="bold")
    line.append(f"{ms(total)} ms", style="bold cyan")
    if pipeline:
        line.append(f"  (component time {ms(busy)} ms, {busy / pipeline:.2f}x parallel", style="dim")
        if warm_up:
            line.append(f"; warm-up of {', '.join(summary.warm_ups)} took {ms(warm_up)} ms", style="dim")
        if paused:
            line.append(f"; paused {ms(paused)} ms", style="dim")
        if warm_up or paused:
            line.append(f"; pipeline time {ms(pipeline)} ms", style="dim")
        line.append(")", style="dim")
    return line


def never_ran(components: Sequence[str], spans: Sequence[ComponentSpan]) -> list[str]:
    started = {span.component for span in spans}
    return [name for name in components if name not in started]


# -- outputs, shortened ------------------------------------------------------------------------------------------

SHOWN_CHARS = 2_000
"""Characters of a string (or bytes) printed before the rest is counted: a 50 MB reply prints in milliseconds."""
SHOWN_ITEMS = 20
"""Items of a list, tuple, set or dict printed before the rest is counted (a retriever's 100k documents)."""
SHOWN_DEPTH = 8
"""Nesting printed; deeper values are shown by a shortened repr."""


@dataclass(slots=True)
class Shortened:
    """What a shortened view of a value left out, for the note under it."""

    chars: int = 0
    items: int = 0

    def __bool__(self) -> bool:
        return bool(self.chars or self.items)

    def describe(self) -> str:
        parts = [f"{self.chars:,} characters"] if self.chars else []
        if self.items:
            parts.append(f"{self.items:,} items")
        return " and ".join(parts)


class _Cut:
    """Stands for a long string, bytes or repr in a shortened view: its head, then how much is left out."""

    __slots__ = ("head", "rest", "unit")

    def __init__(self, head: str, rest: int, unit: str) -> None:
        self.head, self.rest, self.unit = head, rest, unit

    def __repr__(self) -> str:
        return f"{self.head}… (+{self.rest:,} {self.unit})"


class _More:
    """Stands for the items of a container left out of a shortened view."""

    __slots__ = ("count", "noun")

    def __init__(self, count: int, noun: str) -> None:
        self.count, self.noun = count, noun

    def __repr__(self) -> str:
        return f"… {self.count:,} more {self.noun}"


class _Fields:
    """A dataclass with the generated repr, shown through its fields, each shortened (Rich reads
    `__rich_repr__` and prints the class name before the fields)."""

    __slots__ = ("fields",)

    def __init__(self, fields: list[tuple[str, Any]]) -> None:
        self.fields = fields

    def __rich_repr__(self) -> Iterator[tuple[str, Any]]:
        yield from self.fields


@cache
def _fields_class(name: str) -> type[_Fields]:
    return type(name, (_Fields,), {"__slots__": ()})


def shortened(value: Any, left_out: Shortened, depth: int = 0) -> Any:
    """A view of `value` for printing: strings and bytes cut to `SHOWN_CHARS`, containers to `SHOWN_ITEMS`, each
    cut saying how much it left out (also added up in `left_out`). The work done and the text printed follow
    what is shown, never the size of the value."""
    if isinstance(value, str | bytes | bytearray):
        rest = len(value) - SHOWN_CHARS
        if rest <= 0:
            return value
        left_out.chars += rest
        head = value[:SHOWN_CHARS]
        return _Cut(
            repr(head if isinstance(head, str) else bytes(head)), rest, "chars" if isinstance(value, str) else "bytes"
        )
    if value is None or isinstance(value, bool | int | float):
        return value
    if depth >= SHOWN_DEPTH:
        return _short_repr(value, left_out)
    if isinstance(value, Mapping):
        view = {key: shortened(item, left_out, depth + 1) for key, item in islice(value.items(), SHOWN_ITEMS)}
        if len(value) > SHOWN_ITEMS:
            left_out.items += len(value) - SHOWN_ITEMS
            view[_More(len(value) - SHOWN_ITEMS, "keys")] = ...
        return view
    if isinstance(value, list | tuple | set | frozenset):
        items = [shortened(item, left_out, depth + 1) for item in islice(value, SHOWN_ITEMS)]
        if len(value) > SHOWN_ITEMS:
            left_out.items += len(value) - SHOWN_ITEMS
            items.append(_More(len(value) - SHOWN_ITEMS, "items"))
        return tuple(items) if isinstance(value, tuple) else items
    if _has_generated_repr(value):
        fields = [
            (field.name, shortened(getattr(value, field.name), left_out, depth + 1))
            for field in dataclasses.fields(value)
            if field.repr
        ]
        return _fields_class(type(value).__name__)(fields)
    return _short_repr(value, left_out)


def _has_generated_repr(value: Any) -> bool:
    """A dataclass instance whose repr is the one `@dataclass` wrote (which would print every field in full)."""
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        return False
    code = getattr(type(value).__repr__, "__code__", None)
    return code is not None and code.co_filename in (dataclasses.__file__, reprlib.__file__)


def _short_repr(value: Any, left_out: Shortened) -> Any:
    """Any other value by its repr (a class with its own repr, such as `Document`, keeps it), cut if long."""
    text = repr(value)
    rest = len(text) - SHOWN_CHARS
    if rest <= 0:
        return value
    left_out.chars += rest
    return _Cut(text[:SHOWN_CHARS], rest, "chars")


def outputs_view(outputs: Any, *, full: bool = False) -> tuple[RenderableType, Text | None]:
    """The outputs as printed at the end of a run, and the note saying what was left out (None: nothing).

    Shortened unless `full`: Rich's pretty printer takes about 20 s over a 50 MB string and 40 s over 100k
    documents, and nobody reads that in a terminal; `--full` prints it all, `--outputs-file` writes it as JSON.
    """
    if full:
        return Pretty(outputs), None
    left_out = Shortened()
    view = shortened(outputs, left_out)
    if not left_out:
        return Pretty(outputs), None
    note = Text.assemble(
        ("Outputs shortened: ", "yellow"),
        (f"{left_out.describe()} not shown", "yellow"),
        (" (--full prints everything, --outputs-file FILE writes it all as JSON)", "dim"),
    )
    return Pretty(view), note


def write_outputs(outputs: Any, path: str | Path) -> int:
    """Write the outputs, complete, to `path` as JSON (the recordings' encoding: types kept, secrets redacted);
    return the bytes written. Raises OSError."""
    text = json.dumps(Encoder().encode(outputs), ensure_ascii=False, indent=1, allow_nan=False)
    data = text.encode("utf-8", errors="backslashreplace")
    Path(path).write_bytes(data)
    return len(data)


def add_outputs_arguments(parser: argparse.ArgumentParser) -> None:
    """`--full` and `--outputs-file`, for the commands that print a run's outputs at the end."""
    parser.add_argument(
        "--full",
        action="store_true",
        help=f"print the outputs in full (by default strings are cut at {SHOWN_CHARS:,} characters and lists at "
        f"{SHOWN_ITEMS} items, saying how much is left)",
    )
    parser.add_argument(
        "--outputs-file",
        metavar="FILE",
        help="also write the complete outputs to FILE as JSON (values tagged with their types, secrets redacted)",
    )


def print_outputs(outputs: Any, console: Console, *, full: bool = False, outputs_file: str | None = None) -> None:
    """The outputs, shortened unless `full`, with a note on what was left out; written complete to
    `outputs_file` if given (a file that cannot be written is said in one line, the run's report goes on)."""
    view, note = outputs_view(outputs, full=full)
    console.print(view)
    if note is not None:
        console.print(note, soft_wrap=True)
    if outputs_file:
        try:
            size = write_outputs(outputs, outputs_file)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            console.print(Text(f"{outputs_file}: cannot write the outputs: {reason}", style="red"), soft_wrap=True)
        else:
            console.print(Text.assemble(("Outputs written to ", "bold"), (outputs_file, "cyan"), f" ({size:,} bytes)"))


SHOWN_LINES = 200
"""Lines of one socket's diff shown (a unified diff, a documents list) before the rest is counted."""


def cut_line(line: str, limit: int = SHOWN_CHARS) -> str:
    """`line` up to `limit` characters, then how many are left out: Rich takes 20 s to wrap a 50 MB line."""
    return line if len(line) <= limit else f"{line[:limit]}… (+{len(line) - limit:,} chars)"


def with_more(lines: list[Text], total: int) -> Text:
    """`lines` joined, then a line saying how many of `total` were left out, if any."""
    text = Text("\n").join(lines)
    if total > len(lines):
        text.append(f"\n… {total - len(lines):,} more lines not shown", style="dim italic")
    return text
