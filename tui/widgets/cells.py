"""Rows of layout cells as Textual strips, shared by the panes drawn from a pure layout (graph, timeline)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from tui.layout.dag import Cell


def cells_strip(row: list[Cell], styles: dict[str, Style], widget: Widget, prefix: str) -> Strip:
    """One row of cells as segments, one segment per run of cells sharing a style. A layout style name (`edge`,
    `bar.running`) maps to the widget's component class `<prefix>--<name with dashes>`, looked up once per redraw
    in `styles` (seed it with `{"": widget.rich_style}` for blank cells)."""
    segments: list[Segment] = []
    run: list[str] = []
    style_name = ""
    for char, style in row:
        if style != style_name and run:
            segments.append(Segment("".join(run), _style(style_name, styles, widget, prefix)))
            run = []
        style_name = style
        run.append(char)
    if run:
        segments.append(Segment("".join(run), _style(style_name, styles, widget, prefix)))
    return Strip(segments, len(row))


def _style(name: str, styles: dict[str, Style], widget: Widget, prefix: str) -> Style:
    style = styles.get(name)
    if style is None:
        style = styles[name] = widget.get_component_rich_style(f"{prefix}--" + name.replace(".", "-"))
    return style
