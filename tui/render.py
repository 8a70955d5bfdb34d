"""Rich renderables for runs: the live state board and the final timing table, built from a `RunSummary`.

They only read a `RunSummary`, so a replayed or recorded run renders exactly like a live one.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich import box
from rich.table import Table
from rich.text import Text

from pipeline.runs import ComponentSpan, RunSummary

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
    """Total wall time, and how much component time it packed (the concurrency actually achieved)."""
    total = summary.duration
    busy = sum(span.duration or 0.0 for span in summary.spans)
    warm_up = max((end for _, end in summary.warm_ups.values()), default=0.0)
    line = Text("Total wall time: ", style="bold")
    line.append(f"{ms(total)} ms", style="bold cyan")
    if total and total > warm_up:
        parallel = busy / (total - warm_up)
        line.append(f"  (component time {ms(busy)} ms, {parallel:.2f}x parallel", style="dim")
        if warm_up:
            line.append(f"; warm-up of {', '.join(summary.warm_ups)} took the first {ms(warm_up)} ms", style="dim")
        line.append(")", style="dim")
    return line


def never_ran(components: Sequence[str], spans: Sequence[ComponentSpan]) -> list[str]:
    started = {span.component for span in spans}
    return [name for name in components if name not in started]
