"""The full-screen app's last line of defence against control codes: a Textual line filter.

Whatever a widget renders, a control character still in a drawn segment (an escape sequence a widget did not pass
through `tui.escapes.visible`) is removed before the line reaches the terminal. Control characters take no cells,
so removing them keeps every line's width and the layout intact.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter

from tui.escapes import CONTROL_IN_LINE


class ControlCodeFilter(LineFilter):
    """Drops control characters from every drawn segment, so none reaches the terminal whatever a widget renders.

    Segments that carry Rich control codes (cursor moves Textual itself emits) are left alone: they hold no text.
    """

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        if not any(segment.text and CONTROL_IN_LINE.search(segment.text) for segment in segments):
            return segments
        return [
            Segment(CONTROL_IN_LINE.sub("", segment.text), segment.style, segment.control)
            if segment.control is None and segment.text
            else segment
            for segment in segments
        ]


CONTROL_CODES = ControlCodeFilter()
