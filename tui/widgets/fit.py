"""Fitting the main screen to small terminals: panes become tabs at 80x24, and below a minimum a plain message.

`ScreenFit` sits on the debugger screen and watches its size and focus. Under `COMPACT_BELOW` (80x24 included)
it gives the screen the `-compact` class and shows itself as a one-line tab strip: the three areas (graph and
breakpoints, inputs and inspector, timeline and logs) are shown one at a time, the one holding the focus, so the
focus keys (`g`, `i`, `t`, `l`) and a click on a tab switch areas and nothing is crushed. Under `MINIMUM` it gives
the screen `-too-small` and fills it with a message naming the size, instead of a broken layout. The styles are
in `app.tcss`; the screen itself composes one more widget and knows nothing of this.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Footer

from tui import keys
from tui.config import Config

COMPACT_BELOW = (100, 32)
"""Width or height under which the panes become tabs (a terminal's usual 80x24 is compact)."""
MINIMUM = (60, 16)
"""Width and height under which the app only says the terminal is too small."""
FOOTER_COMPACT_BELOW = 140
"""Width under which the footer packs its keys closer: at 120 columns a replay's keys, ctrl+q's included, fit."""


@dataclass(frozen=True, slots=True)
class Area:
    name: str
    """The screen class `-area-<name>` shows it."""
    container: str
    """The id of the pane (or panes) it shows."""
    label: str
    short: str
    """The label when the tabs do not fit."""
    key: str
    """The binding id of the key that focuses it (its displayed key goes in front of the label)."""


AREAS = (
    Area("graph", "left", "Graph · Breakpoints", "Graph", "graph"),
    Area("inspector", "right", "Inputs · Inspector", "Insp.", "inputs"),
    Area("timeline", "bottom", "Timeline · Logs", "Time", "timeline"),
)
SEPARATOR = " │ "


def focus_first(widget: Widget) -> None:
    """Focus `widget`, or the first focusable widget in it (a pane is a container: its tabs, fields, tables)."""
    for candidate in [widget, *widget.query("*")]:
        if isinstance(candidate, Widget) and candidate.focusable:
            candidate.focus()
            return


def area_of(node: DOMNode | None) -> Area | None:
    """The area a focused widget is in."""
    while node is not None:
        for area in AREAS:
            if node.id == area.container:
                return area
        node = node.parent
    return None


class ScreenFit(Widget):
    """The tab strip of a compact screen, or the whole of a screen too small to use."""

    DEFAULT_CSS = """
    ScreenFit {
        display: none;
        height: 1;
        background: $panel;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.area = AREAS[0]
        self._fitted: tuple[int, int] | None = None
        self._spans: list[tuple[int, int, Area]] = []
        """Where each tab was drawn (start, end column), for clicks."""

    def on_mount(self) -> None:
        screen = self.screen
        screen.screen_layout_refresh_signal.subscribe(self, self._fit)
        self.watch(screen, "focused", self._follow_focus)
        self._show(self.area)
        self._fit()

    @property
    def too_small(self) -> bool:
        return self.screen.has_class("-too-small")

    def _fit(self, _: object = None) -> None:
        """Set the screen's classes for its size; cheap when the size did not change (most layouts)."""
        size = (self.screen.size.width, self.screen.size.height)
        if size == self._fitted:
            return
        self._fitted = size
        width, height = size
        compact = width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1]
        self.screen.set_class(compact, "-compact")
        self.screen.set_class(width < MINIMUM[0] or height < MINIMUM[1], "-too-small")
        for footer in self.screen.query(Footer):
            footer.compact = width < FOOTER_COMPACT_BELOW  # less space between keys: more of them fit
        self.refresh()

    def _follow_focus(self, focused: Widget | None) -> None:
        area = area_of(focused)
        if area is not None and area != self.area:
            self._show(area)

    def _show(self, area: Area) -> None:
        self.area = area
        for each in AREAS:
            self.screen.set_class(each is area, f"-area-{each.name}")
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        for start, end, area in self._spans:
            if start <= event.x < end:
                self._show(area)
                focus_first(self.screen.query_one(f"#{area.container}"))  # as the area's focus key would
                return

    def render(self) -> Text:
        width, height = self._fitted or (self.size.width, self.size.height)
        if self.too_small:
            self._spans = []
            return Text.assemble(
                ("Terminal too small: ", "bold"),
                f"{width}x{height}",
                f", need at least {MINIMUM[0]}x{MINIMUM[1]}",
                (" (80x24 or more works best). ", "dim"),
                (f"{self._key('quit')} quits.", "dim"),
            )
        text, self._spans = self._tabs(short=False)
        if text.cell_len > self.size.width:
            text, self._spans = self._tabs(short=True)
        return text

    def _key(self, binding_id: str) -> str:
        """The first key of a binding, as the config may have remapped it."""
        config = getattr(self.app, "config", None)
        keymap = config.keys if isinstance(config, Config) else {}
        binding = next(binding for _, binding in keys.all_bindings() if binding.id == binding_id)
        return self.app.get_key_display(binding.with_key(keys.current_keys(binding, keymap).split(",")[0]))

    def _tabs(self, *, short: bool) -> tuple[Text, list[tuple[int, int, Area]]]:
        """The tab strip, the chosen area in reverse, and where each tab is."""
        text, spans = Text(" "), []
        for index, area in enumerate(AREAS):
            if index:
                text.append(SEPARATOR, style="dim")
            start = len(text)
            chosen = area is self.area
            text.append(f" {self._key(area.key)} ", style="bold reverse" if chosen else "bold")
            text.append(f"{area.short if short else area.label} ", style="reverse" if chosen else "")
            spans.append((start, len(text), area))
        return text, spans
