"""The timeline pane: a Gantt chart of the run (a lane per component, a bar per visit), drawn a screenful at a time.

`tui.layout.timeline` does the drawing into cells; this widget only asks it for the window in view, so a run of
ten thousand visits scrolls and zooms as cheaply as a small one. The time axis stays on the top row and the lane
labels on the left while the bars scroll under them. Until the user zooms, the scale follows the run: it is
refitted on every update so the whole run so far fills the width and running bars visibly grow.
Spans of other services under a visit (a run imported from OpenTelemetry) are thin bars on child rows under
their component; hovering one names it.
Cell styles (`axis`, `bar.running`, ...) map to component classes, so themes and `app.tcss` colour them.
"""

from __future__ import annotations

import math
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui import keys
from tui.keys import ZOOM_STEP
from tui.layout.timeline import (
    CHILD_FULL,
    PAUSED,
    VISIT_MARK,
    WAITING,
    WARM_UP,
    Bar,
    ChildBar,
    TimelineModel,
    VisitKey,
    format_duration,
)
from tui.messages import TimeSelected, VisitSelected
from tui.widgets.cells import cells_strip

MIN_SCALE = 1e-6
"""A microsecond per column: event times are not more precise than that."""
PAN_SHARE = 8
"""Left and right pan by this fraction of the bars' width."""
LEGEND_BLOCK = "█"
DRAG_CELLS = 1
"""A press that moves at least this far before its release is a drag (pans), not a click (selects)."""


class TimelineView(ScrollView, can_focus=True, inherit_bindings=False):
    """Scrollable, zoomable timeline; clicking or stepping to a bar posts `VisitSelected`, clicking the axis
    posts `TimeSelected`. The wheel zooms around the pointer and a drag pans; keys are in `tui.keys.TIMELINE`."""

    DEFAULT_CSS = """
    TimelineView {
        background: $surface;
        border: round $foreground 30%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
        scrollbar-gutter: stable;  /* lanes outgrowing the pane must not change the width the run is fitted to */
    }
    TimelineView:focus {
        border: round $accent;
        border-title-color: $text-accent;
    }
    TimelineView > .timeline--axis { color: $text-muted; }
    TimelineView > .timeline--lane { color: $foreground; }
    TimelineView > .timeline--group { color: $text-primary; background: $primary-muted; text-style: bold; }
    TimelineView > .timeline--bar-finished { color: $primary; }
    TimelineView > .timeline--bar-running { color: $warning; }
    TimelineView > .timeline--bar-failed { color: $error; }
    TimelineView > .timeline--bar-cancelled { color: $text-disabled; }
    TimelineView > .timeline--bar-critical { color: $success; }
    TimelineView > .timeline--bar-selected { color: $foreground; text-style: bold; }
    TimelineView > .timeline--warmup { color: $text-muted; }
    TimelineView > .timeline--paused { color: $secondary 60%; }
    TimelineView > .timeline--waiting { color: $text-muted; }
    TimelineView > .timeline--playhead { color: $accent; text-style: bold; }
    TimelineView > .timeline--bar-queued { color: $warning 60%; }
    TimelineView > .timeline--bar-queued-visit { color: auto 90%; background: $warning 60%; }
    TimelineView > .timeline--bar-held { color: $text-muted; }
    TimelineView > .timeline--bar-held-visit { color: auto 90%; background: $foreground 38%; }
    TimelineView > .timeline--lane-child { color: $text-muted; }
    TimelineView > .timeline--child { color: $secondary; }
    TimelineView > .timeline--child-failed { color: $error; }
    TimelineView > .timeline--child-selected { color: $foreground; text-style: bold; }
    TimelineView > .timeline--bar-finished-visit { color: auto 90%; background: $primary; }
    TimelineView > .timeline--bar-running-visit { color: auto 90%; background: $warning; }
    TimelineView > .timeline--bar-failed-visit { color: auto 90%; background: $error; }
    TimelineView > .timeline--bar-cancelled-visit { color: auto 90%; background: $foreground 38%; }
    TimelineView > .timeline--bar-critical-visit { color: auto 90%; background: $success; }
    TimelineView > .timeline--bar-selected-visit { color: auto 90%; background: $foreground; text-style: bold; }
    """
    # A visit's number (`#2`) is drawn inside its bar: the bar's colour as background, a contrasting text.
    # The critical path is green rather than the accent: in the default theme the accent is the warning colour,
    # which running bars use.

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--axis",
        "timeline--lane",
        "timeline--group",
        "timeline--bar-finished",
        "timeline--bar-running",
        "timeline--bar-failed",
        "timeline--bar-cancelled",
        "timeline--bar-critical",
        "timeline--bar-selected",
        "timeline--warmup",
        "timeline--paused",
        "timeline--waiting",
        "timeline--playhead",
        "timeline--bar-queued",
        "timeline--bar-queued-visit",
        "timeline--bar-held",
        "timeline--bar-held-visit",
        "timeline--lane-child",
        "timeline--child",
        "timeline--child-failed",
        "timeline--child-selected",
        "timeline--bar-finished-visit",
        "timeline--bar-running-visit",
        "timeline--bar-failed-visit",
        "timeline--bar-cancelled-visit",
        "timeline--bar-critical-visit",
        "timeline--bar-selected-visit",
    }

    BINDINGS: ClassVar[list[BindingType]] = keys.TIMELINE

    class Zoomed(Message):
        """The user changed the scale; `scale` is `None` when the timeline fits the run again. A screen showing
        two timelines applies it to the other one with `set_scale`, which posts nothing."""

        def __init__(self, timeline: TimelineView, scale: float | None) -> None:
            super().__init__()
            self.timeline = timeline
            self.scale = scale

        @property
        def control(self) -> TimelineView:
            return self.timeline

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.model = TimelineModel.from_groups([])
        self.now: float | None = None
        """Run-relative seconds that running bars reach; `None` draws them to the model's end."""
        self._pinned: float | None = None
        """Seconds per column chosen by zooming or `set_scale`; `None` follows the run (fits it)."""
        self._scale = self.model.fit(1)
        self._selected: VisitKey | None = None
        self._reveal = False
        """A visit selected elsewhere still has to be scrolled into view (its bar may not exist yet)."""
        self._generation = 0
        """Grows whenever what is drawn changes, so the cached window is redrawn once per change, not per line."""
        self._window: tuple[tuple[int, ...], list[Strip]] | None = None
        self._subtitle = Text()
        self._drag: tuple[float, float, float, float] | None = None
        """Where a press started (screen x, y) and the scroll offset then, while the button is down."""
        self._dragged = False
        """The pointer moved since the press: its release pans, it does not select."""

    # -- what the screens call -------------------------------------------------------------------------------

    def update_model(self, model: TimelineModel, now: float | None = None) -> None:
        """Show `model` (rebuilt from the summary as the run grows), running bars reaching `now`. The zoom and
        pan stay; while following, the scale is refitted. Nothing is redrawn if nothing changed."""
        if model == self.model and now == self.now:
            return
        self.model, self.now = model, now
        self._relayout()
        if self._reveal:
            self.call_after_refresh(self._reveal_selected)
        self._changed()

    def select_visit(self, visit_id: int | None, group: int = 0) -> None:
        """Highlight a visit chosen elsewhere (graph, inspector) and scroll it into view, once: selecting it
        again (screens repeat their selection) leaves the user's panning alone. Posts nothing."""
        key = None if visit_id is None else (group, visit_id)
        if key == self._selected and not self._reveal:
            return
        self._selected, self._reveal = key, key is not None
        if self._reveal:
            self.call_after_refresh(self._reveal_selected)
        self._changed()

    def set_scale(self, seconds_per_column: float | None) -> None:
        """Use a fixed scale (two timelines compared on one), or follow the run again with `None`."""
        if seconds_per_column is not None and seconds_per_column <= 0:
            raise ValueError(f"seconds_per_column must be positive, got {seconds_per_column}")
        if seconds_per_column == self._pinned:
            return
        self._pinned = seconds_per_column
        self._relayout()
        self._changed()

    @property
    def selected_visit(self) -> int | None:
        return None if self._selected is None else self._selected[1]

    @property
    def selected_bar(self) -> Bar | None:
        """The selected visit's bar, if the model holds it (a visit selected elsewhere may not have started)."""
        return None if self._selected is None else self.model.bar(self._selected)

    @property
    def scale(self) -> float:
        """Seconds per column now shown."""
        return self._scale

    @property
    def following(self) -> bool:
        """Whether the scale fits the run (and keeps fitting it as it grows) rather than a zoom."""
        return self._pinned is None

    # -- geometry --------------------------------------------------------------------------------------------

    def _area(self) -> tuple[int, int, int]:
        """(width, height, gutter) of what is drawn: the content without scrollbars."""
        width, height = self.scrollable_content_region.size
        return width, height, self.model.gutter_width(width)

    def _viewport(self) -> tuple[float, int, float, int, int]:
        width, height, _ = self._area()
        scroll_x, scroll_y = self.scroll_offset
        return scroll_x * self._scale, scroll_y, self._scale, width, height

    def _relayout(self) -> None:
        """Recompute the scale (when following) and the scrollable size from the model and `now`."""
        width, _, gutter = self._area()
        self._scale = self._pinned if self._pinned is not None else self.model.fit(width, self.now)
        columns = math.ceil(self.model.extent(self.now) / self._scale - 1e-6)
        self.virtual_size = Size(gutter + max(columns, 0), len(self.model.lanes) + 1)

    def _reveal_selected(self) -> None:
        """Scroll a visit selected elsewhere into view once it has a bar, the pane a size, and the layout has
        settled (a new model can bring a scrollbar, which takes a row)."""
        bar = self.selected_bar if self._reveal else None
        if bar is not None and self.scrollable_content_region.height > 1:
            self._reveal = False
            self._scroll_to_bar(bar)

    def _scroll_to_bar(self, bar: Bar) -> None:
        """The least scrolling that shows the bar's lane, and its start (its end too, if it fits)."""
        width, height, gutter = self._area()
        scroll_x, scroll_y = self.scroll_offset
        rows = max(1, height - 1)  # the axis row does not scroll
        y = scroll_y
        if bar.lane < scroll_y:
            y = bar.lane
        elif bar.lane >= scroll_y + rows:
            y = bar.lane - rows + 1
        area = max(1, width - gutter)
        end = bar.end if bar.end is not None else max(bar.start, self.now or self.model.end)
        first, last = bar.start / self._scale, end / self._scale
        x = float(scroll_x)
        if first < scroll_x or last > scroll_x + area:
            x = max(0.0, min(first - 1, last - area + 1))  # a column of margin; the start shown first
        self.scroll_to(x=x, y=y, animate=False, force=True)

    # -- actions ---------------------------------------------------------------------------------------------

    def action_zoom(self, factor: float) -> None:
        """Zoom around the selected bar if it is in view, else around the middle."""
        self._zoom(factor)

    def _zoom(self, factor: float, pointer: int | None = None) -> None:
        """Zoom keeping the time under `pointer` (a column of the bars' area: the mouse) in place, else the
        selected bar's start if it is in view, else the middle; never further out than the whole run (or the
        shared scale, if that is wider)."""
        width, _, gutter = self._area()
        area = max(1, width - gutter)
        offset = self.scroll_offset.x * self._scale
        anchor = offset + area / 2 * self._scale
        bar = self.selected_bar
        if pointer is not None:
            anchor = offset + max(0, min(pointer, area)) * self._scale
        elif bar is not None and offset <= bar.start <= offset + area * self._scale:
            anchor = bar.start
        column = (anchor - offset) / self._scale
        widest = max(self.model.fit(width, self.now), self._scale)
        scale = min(max(self._scale * factor, MIN_SCALE), widest)
        if scale == self._scale:
            return
        self._pinned = scale
        self._relayout()
        self.scroll_to(x=max(0.0, anchor / scale - column), animate=False, force=True)
        self._changed()
        self.post_message(self.Zoomed(self, scale))

    def action_fit(self) -> None:
        self.set_scale(None)
        self.scroll_to(x=0, animate=False, force=True)
        self.post_message(self.Zoomed(self, None))

    def action_pan(self, direction: int) -> None:
        width, _, gutter = self._area()
        step = max(1, (width - gutter) // PAN_SHARE)
        self.scroll_to(x=self.scroll_offset.x + direction * step, animate=False, force=True)

    def action_step(self, step: int) -> None:
        """Select the previous or next visit in the selected bar's lane (the first in view if none is)."""
        bar = self.selected_bar
        found = self._first_in_view() if bar is None else self.model.next_bar(bar.key, step)
        if found is not None:
            self._pick(found)

    def action_change_lane(self, step: int) -> None:
        """Select the visit nearest in time to the selected one in the next lane up or down that has visits."""
        bar = self.selected_bar
        found = self._first_in_view() if bar is None else self.model.nearest_bar(bar.lane + step, bar.start, step)
        if found is not None:
            self._pick(found)

    def _first_in_view(self) -> Bar | None:
        offset, first, *_ = self._viewport()
        return self.model.nearest_bar(first, offset, 1)

    def _pick(self, bar: Bar) -> None:
        """Select a bar the user chose here: scroll to it and tell the screen."""
        self._selected, self._reveal = bar.key, False
        self._scroll_to_bar(bar)
        self._changed()
        self.post_message(VisitSelected(bar.visit_id, component=self.model.lanes[bar.lane], widget=self))

    # -- mouse -----------------------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if self._dragged:  # the release that ended a drag is no click
            self._dragged = False
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y == 0:
            _, _, gutter = self._area()
            if x >= gutter:
                seconds = max(0.0, (self.scroll_offset.x + x - gutter) * self._scale)
                self.post_message(TimeSelected(seconds, widget=self))
            return
        bar = self.model.bar_at(x, y, self._viewport(), self.now)
        if bar is not None:
            self._pick(bar)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Start a drag: moving the pointer with the button down pans the time and scrolls the lanes."""
        if event.button == 1:
            self._drag = (event.screen_x, event.screen_y, self.scroll_offset.x, self.scroll_offset.y)
            self._dragged = False
            self.capture_mouse()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag is not None:
            self._drag = None
            self.release_mouse()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag is not None:
            self._drag_to(event.screen_x, event.screen_y)
            return
        offset = event.get_content_offset(self)
        tooltip = None
        if offset is not None:
            viewport = self._viewport()
            bar = self.model.bar_at(offset.x, offset.y, viewport, self.now)
            child = None if bar is not None else self.model.child_at(offset.x, offset.y, viewport)
            tooltip = self._describe(bar) if bar is not None else None if child is None else self._describe_child(child)
        if tooltip != self.tooltip:
            self.tooltip = tooltip

    def _drag_to(self, screen_x: float, screen_y: float) -> None:
        """Pan so the time and lane under the pointer at the press follow it."""
        assert self._drag is not None
        start_x, start_y, scroll_x, scroll_y = self._drag
        dx, dy = round(screen_x - start_x), round(screen_y - start_y)
        if not self._dragged and max(abs(dx), abs(dy)) < DRAG_CELLS:
            return
        self._dragged = True
        self.scroll_to(x=max(0, scroll_x - dx), y=max(0, scroll_y - dy), animate=False, force=True)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        """The wheel zooms in around the pointer; with shift (or ctrl) it pans, as in other panes."""
        if not (event.shift or event.ctrl):
            event.prevent_default()
            event.stop()
            self._zoom(1 / ZOOM_STEP, self._pointer_column(event))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        if not (event.shift or event.ctrl):
            event.prevent_default()
            event.stop()
            self._zoom(ZOOM_STEP, self._pointer_column(event))

    def _pointer_column(self, event: events.MouseEvent) -> int | None:
        """The column of the bars' area under the pointer; `None` over the lane labels."""
        offset = event.get_content_offset(self)
        if offset is None:
            return None
        column = offset.x - self._area()[2]
        return column if column >= 0 else None

    def on_resize(self) -> None:
        self._relayout()
        if self._reveal:
            self.call_after_refresh(self._reveal_selected)
        self._changed()

    # -- drawing ---------------------------------------------------------------------------------------------

    def _describe(self, bar: Bar) -> str:
        """`countdown · visit #2 · 3.10 ms`, or `running 1.20 s` for a visit still running."""
        visit = bar.visit or self.model.lane_bars(bar.lane).index(bar) + 1
        name = self.model.lanes[bar.lane]
        if bar.end is None:
            elapsed = max(0.0, (self.now if self.now is not None else self.model.end) - bar.start)
            return f"{name} · visit {VISIT_MARK}{visit} · running {format_duration(elapsed)}"
        status = "" if bar.status == "finished" else f" · {bar.status}"
        return f"{name} · visit {VISIT_MARK}{visit} · {format_duration(bar.end - bar.start)}{status}"

    def _describe_child(self, child: ChildBar) -> str:
        """`POST /v1/chat · 120 ms · in llm visit #1`, and `· error` for a failed call."""
        bar = self.model.bar(child.key)
        visit = f" visit {VISIT_MARK}{bar.visit}" if bar is not None and bar.visit else ""
        failed = " · error" if child.failed else ""
        return f"{child.name} · {format_duration(child.end - child.start)}{failed} · in {child.component}{visit}"

    def _update_subtitle(self) -> None:
        """The selected visit, the scale, and what the critical path's colour means (when there is one)."""
        if not self.is_mounted:  # component styles need the DOM; mounting draws it
            return
        subtitle = Text()
        bar = self.selected_bar
        if bar is not None:
            subtitle.append(self._describe(bar) + " │ ")
        subtitle.append(f"{format_duration(self._scale)}/col")
        legend = (
            (self.model.critical, LEGEND_BLOCK, "timeline--bar-critical", "critical path"),
            (self.model.warm_ups, WARM_UP, "timeline--warmup", "warm-up"),
            (self.model.children, CHILD_FULL, "timeline--child", "calls"),
            (self.model.pauses, PAUSED, "timeline--paused", "paused"),
            (self.model.waits, WAITING, "timeline--waiting", "ready, waiting for a slot"),
        )
        for shown, mark, style, meaning in legend:
            if shown:
                subtitle.append(" · ")
                subtitle.append(mark, self.get_component_rich_style(style, partial=True))
                subtitle.append(f" {meaning}")
        if subtitle != self._subtitle:
            self._subtitle = self.border_subtitle = subtitle

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._changed()

    def render_line(self, y: int) -> Strip:
        strips = self._visible_strips()
        return strips[y] if 0 <= y < len(strips) else Strip.blank(self.size.width, self.rich_style)

    def _changed(self) -> None:
        self._generation += 1
        self._update_subtitle()
        self.refresh()

    def _visible_strips(self) -> list[Strip]:
        """The window in view as strips, drawn once per change of model, selection, scale, scroll or size."""
        width, height, _ = self._area()
        scroll_x, scroll_y = self.scroll_offset
        key = (self._generation, scroll_x, scroll_y, width, height)
        if self._window is not None and self._window[0] == key:
            return self._window[1]
        rows = self.model.render(self._viewport(), self.now, self._selected)
        styles: dict[str, Style] = {"": self.rich_style}
        strips = [cells_strip(row, styles, self, "timeline") for row in rows]
        self._window = (key, strips)
        return strips
