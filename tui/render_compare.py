"""Rich renderables for `pipedebug compare`: totals, per-component overlap, critical paths and lane timelines.

They only read a `Comparison`, which is built from the runs' events, so a recorded comparison renders exactly
like a live one.
"""

from __future__ import annotations

from rich import box
from rich.table import Table
from rich.text import Text

from pipeline.runs.compare import Comparison, ModeResult, QueryRun
from tui.render import ms, status_text

SHADES = "░▒▓█"
"""A lane cell with 1, 2, 3, or 4 and more of the query's visits running."""
IDLE = "─"


def runs_cell(result: ModeResult) -> Text:
    """How the mode's runs ended, e.g. "3 done" or "2 done, 1 failed"."""
    counts: dict[str, int] = {}
    for run in result.runs:
        counts[run.status] = counts.get(run.status, 0) + 1
    cell = Text()
    for index, (status, count) in enumerate(counts.items()):
        if index:
            cell.append(", ")
        cell.append(f"{count} ")
        cell.append_text(status_text(status))
    return cell


def totals_table(comparison: Comparison) -> Table:
    """Wall time of each mode, the component time it packed, how many visits ran at once, and the speedup."""
    table = Table(box=box.SIMPLE_HEAD, title="Total time", title_justify="left", pad_edge=False)
    table.add_column("mode", style="bold", no_wrap=True)
    for header in ("wall ms", "component ms", "peak running", "mean running"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("runs", no_wrap=True)
    for result in comparison.modes:
        busy = sum(part.busy for part in result.overlap.values())
        table.add_row(
            result.mode,
            ms(result.wall_time),
            ms(busy),
            str(result.profile.peak),
            f"{result.profile.mean:.2f}",
            runs_cell(result),
        )
    table.add_section()
    speedup = comparison.speedup
    table.add_row("speedup", Text("n/a" if speedup is None else f"{speedup:.2f}x", style="bold cyan"))
    if comparison.warm_up >= 0.001:
        table.caption = f"warm-up before both modes took {ms(comparison.warm_up)} ms (not counted)"
        table.caption_justify = "left"
    return table


def components_table(comparison: Comparison) -> Table:
    """Per component and mode: busy time over all queries, and the share of it other visits ran alongside."""
    table = Table(
        box=box.SIMPLE_HEAD,
        title="Per component (overlap: share of busy time with other visits running)",
        title_justify="left",
        pad_edge=False,
    )
    table.add_column("component", style="bold", no_wrap=True)
    for header in ("seq busy ms", "seq overlap", "conc busy ms", "conc overlap", "with other queries"):
        table.add_column(header, justify="right", no_wrap=True)
    sequential, concurrent = comparison.sequential.overlap, comparison.concurrent.overlap
    for name in dict.fromkeys([*sequential, *concurrent]):
        row = [name]
        for part in (sequential.get(name), concurrent.get(name)):
            row += ["", ""] if part is None else [ms(part.busy), f"{part.overlapped_share:.0%}"]
        across = concurrent.get(name)
        row.append("" if across is None else f"{across.other_queries_share:.0%}")
        table.add_row(*row)
    return table


def critical_path_line(result: ModeResult) -> Text:
    """The critical path of the mode's slowest run: which chain of visits its duration came from."""
    run = result.slowest
    line = Text.assemble(
        (f"Critical path, {result.mode}", "bold"),
        f" (slowest run: query {run.query + 1}, {ms(run.duration)} ms): ",
    )
    path = run.critical_path
    if not path.steps:
        line.append("no visit finished", style="dim")
        return line
    for index, step in enumerate(path.steps):
        if index:
            line.append(" → ", style="dim")
        line.append(step.component, style="bold cyan")
        line.append(f" {ms(step.duration)} ms")
    line.append(f"  (busy {ms(path.busy)} + waiting {ms(path.waited)} = {ms(path.total)} ms)", style="dim")
    return line


def timeline(result: ModeResult, scale: float, width: int) -> Text:
    """One lane per query, shaded by how many of its visits run (`░▒▓█`: 1, 2, 3, 4+), `─` while it waits.

    `scale` is the time the full `width` stands for; give both modes the same one so their lengths compare.
    """
    cell = scale / width if scale > 0 else 1.0
    lines = Text()
    lines.append(f"{result.mode.capitalize()} timeline", style="bold")
    legend = f"  (1 char = {cell * 1000:.3g} ms; {SHADES}: 1, 2, 3, 4+ visits running, {IDLE}: waiting)\n"
    lines.append(legend, style="dim")
    for run in result.runs:
        lines.append(f"q{run.query + 1:<3}", style="bold")
        lines.append_text(_lane(result, run, cell, width))
        lines.append(" ")
        lines.append_text(status_text(run.status))
        lines.append(f" {ms(run.duration)} ms\n")
    lines.append(" " * 4 + "0 ms".ljust(width - 8) + f"{ms(scale)} ms".rjust(8), style="dim")
    return lines


def _lane(result: ModeResult, run: QueryRun, cell: float, width: int) -> Text:
    spans = [span for span in result.spans if span.query == run.query]
    busy_style = "green" if run.status == "finished" else "red"
    lane = Text()
    if run.started_at is None or run.ended_at is None:
        return lane.append(" " * width)
    run_start, run_end = run.started_at - result.origin, run.ended_at - result.origin
    for index in range(width):
        start, end = index * cell, (index + 1) * cell
        touching = [span for span in spans if span.started_at < end and span.finished_at > start]
        if touching:
            # Shade by what runs mid-cell, so a visit ending as the next starts does not look like two at once.
            middle = (start + end) / 2
            running = sum(span.started_at <= middle < span.finished_at for span in touching)
            lane.append(SHADES[min(max(running, 1), len(SHADES)) - 1], style=busy_style)
        elif run_start < end and run_end > start:
            lane.append(IDLE, style="dim")
        else:
            lane.append(" ")
    return lane
