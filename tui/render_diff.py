"""Rich renderables for a `RunDiff`: run totals, per-component timing, then each visit whose data changed.

Additions are green and removals red, as in any diff; for timing, slower is red and faster green. Only rich
here: `pipedebug diff` prints these renderables and the diff screen (tui/screens/diff.py) shows them.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from pipeline.runs.diff import (
    Change,
    DocumentsDiff,
    MessagesDiff,
    RankedDocument,
    RunDiff,
    TextDiff,
    Timing,
    ValueDiff,
    VisitDiff,
    short_repr,
)
from tui.render import SHOWN_LINES, cut_line, ms, with_more

ADDED, REMOVED, MOVED, HEADER = "green", "red", "yellow", "dim"


def render_diff(diff: RunDiff) -> RenderableType:
    """The whole diff, top to bottom: what differs first, then timing, then each changed visit's sockets."""
    parts: list[RenderableType] = [_heading(diff)]
    if diff.only_in_a:
        parts.append(Text(f"- only in a: {', '.join(diff.only_in_a)}", style=REMOVED))
    if diff.only_in_b:
        parts.append(Text(f"+ only in b: {', '.join(diff.only_in_b)}", style=ADDED))
    parts.append(timing_table(diff))
    if not diff.changed:
        parts.append(Text("No differences besides timing.", style="bold green"))
    parts += [visit_table(visit) for visit in diff.changed_visits]
    return Group(*parts)


def _heading(diff: RunDiff) -> Text:
    text = Text("a ", style="bold")
    text.append(f"{diff.run_a or '?'} ({diff.status_a})", style=REMOVED if diff.status_a != diff.status_b else "")
    text.append("  vs  b ", style="bold")
    text.append(f"{diff.run_b or '?'} ({diff.status_b})", style=ADDED if diff.status_a != diff.status_b else "")
    return text


def timing_table(diff: RunDiff) -> Table:
    """Time per component (summed over its visits) in a and b, the difference and the ratio b/a."""
    table = Table(box=box.SIMPLE_HEAD, title="Timing (ms)", title_justify="left", pad_edge=False)
    table.add_column("component", style="bold", no_wrap=True)
    for header in ("a", "b", "Δ", "b/a"):
        table.add_column(header, justify="right", no_wrap=True)
    for name, timing in diff.components.items():
        visits = [visit for visit in diff.visits if visit.component == name]
        flags = (("a", [visit.reused_a for visit in visits]), ("b", [visit.reused_b for visit in visits]))
        reused = [side for side, reused_visits in flags if any(reused_visits)]
        label = Text(name)
        if reused:
            label.append(f" (reused in {' and '.join(reused)})", style="dim")
        table.add_row(label, *_timing_cells(timing))
    table.add_section()
    table.add_row("run total", *_timing_cells(diff.total), style="bold")  # pipeline time: pauses, warm-ups apart
    for heading, timing in (("paused (not counted)", diff.paused), ("warm-up (not counted)", diff.warm_up)):
        if timing.a or timing.b:
            table.add_row(heading, *_timing_cells(timing), style="dim")
    return table


def _timing_cells(timing: Timing) -> tuple[str, str, Text, str]:
    delta = timing.delta
    style = "" if delta is None or delta == 0 else (REMOVED if delta > 0 else ADDED)
    shown = "" if delta is None else f"{delta * 1000:+.1f}"
    ratio = "" if timing.ratio is None else f"{timing.ratio:.2f}x"
    return ms(timing.a), ms(timing.b), Text(shown, style=style), ratio


def visit_table(visit: VisitDiff) -> Table:
    """One changed visit: its status change in the title, then a row per changed input and output socket."""
    title = f"{visit.component} #{visit.visit}"
    if visit.status_a != visit.status_b:
        title += f"  {visit.status_a or 'did not run'} → {visit.status_b or 'did not run'}"
    table = Table(box=box.SIMPLE_HEAD, title=title, title_justify="left", title_style="bold", pad_edge=False)
    table.add_column("", style="dim", no_wrap=True)
    table.add_column("socket", style="bold", no_wrap=True)
    table.add_column("change", overflow="fold")
    for side, sockets in (("in", visit.inputs), ("out", visit.outputs)):
        for socket in sockets:
            table.add_row(side, socket.socket, render_change(socket.change))
    return table


def render_change(change: Change) -> Text:
    """One socket's change as coloured lines: at most `SHOWN_LINES`, each cut at `SHOWN_CHARS` (the rest counted),
    so two runs' 50 MB replies or 100k documents diff in milliseconds, not seconds."""
    match change:
        case DocumentsDiff():
            return _documents(change)
        case MessagesDiff():
            return _messages(change)
        case TextDiff():
            return _unified(change.lines)
        case ValueDiff():
            return _value(change)


def _documents(change: DocumentsDiff) -> Text:
    lines = [_document_line("+", doc, ADDED) for doc in change.added[:SHOWN_LINES]]
    lines += [_document_line("-", doc, REMOVED) for doc in change.removed[: SHOWN_LINES + 1 - len(lines)]]
    for doc in change.kept if len(lines) <= SHOWN_LINES else ():
        if not doc.changed:
            continue
        line = Text(f"~ {doc.id[:12]} {short_repr(doc.new.content)}", style=MOVED)
        if doc.moved:
            line.append(f"  rank {doc.old_rank} → {doc.new_rank}")
        if doc.old_score != doc.new_score:
            line.append(f"  score {_score(doc.old_score)} → {_score(doc.new_score)}")
            if doc.score_delta is not None:
                line.append(f" ({doc.score_delta:+.4g})", style=ADDED if doc.score_delta > 0 else REMOVED)
        if not doc.same_content:
            line.append("  content changed")
        lines.append(line)
        if len(lines) > SHOWN_LINES:
            break
    total = len(change.added) + len(change.removed) + sum(doc.changed for doc in change.kept)
    return with_more(lines[:SHOWN_LINES], total)


def _document_line(sign: str, ranked: RankedDocument, style: str) -> Text:
    doc = ranked.document
    return Text(f"{sign} #{ranked.rank} {doc.id[:12]} {short_repr(doc.content)} score {_score(doc.score)}", style)


def _score(score: float | None) -> str:
    return "none" if score is None else f"{score:.4g}"


def _messages(change: MessagesDiff) -> Text:
    lines = []
    for message in change.messages:
        old, new = (str(m.role) if m is not None else "absent" for m in (message.a, message.b))
        roles = old if old == new else f"{old} → {new}"
        lines += [Text(f"[{message.index}] {roles}", style="bold"), _unified(message.text_diff)]
    return Text("\n").join(lines)


def _unified(diff_lines: list[str]) -> Text:
    """Unified diff lines coloured: file headers and hunks dim, additions green, removals red."""
    signs = {"+": ADDED, "-": REMOVED}
    lines = [
        Text(cut_line(line), style=HEADER if line.startswith(("---", "+++", "@@")) else signs.get(line[:1], ""))
        for line in diff_lines[:SHOWN_LINES]
    ]
    return with_more(lines, len(diff_lines))


def _value(change: ValueDiff) -> Text:
    text = Text(cut_line(f"- {change.a if change.a is not None else '(absent)'}"), style=REMOVED)
    text.append(cut_line(f"\n+ {change.b if change.b is not None else '(absent)'}"), style=ADDED)
    return text
