"""Terminal control codes in a run's strings are shown as text, never sent to the terminal.

A component's output, a print, a log record or an exception message may hold escape sequences: an OSC 52
clipboard write (`\\x1b]52;c;...\\x07`), a clear-screen (`\\x1b[2J`), a title change, a C1 CSI (`\\x9b`). Sent
raw, they would act on the user's terminal, redraw over the debugger or lie about what the run produced.

`visible` rewrites each control character as its Python escape (`\\x1b`), so the sequence reads as the text it
is; it is for strings before they become a renderable. `tui.screen_filter.ControlCodeFilter` is the last line
of defence for the full-screen app. Bidirectional overrides (U+202A-U+202E, U+2066-U+2069) count as control
characters here: they reorder what the screen shows. `SafeConsole` does the same for the headless commands' output
(this module imports no Textual, so they stay quick to start).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType
from rich.segment import Segment

from pipeline.runs.codec import MIN_SUBSTRING_SECRET
from pipeline.runs.secrets import known_secrets, scrub

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Every C0 control but tab and newline, DEL, every C1 control, and the bidirectional overrides."""
CONTROL_IN_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""The same, tab and newline included: a drawn line holds neither."""


def _escape(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` with each control character (tab and newline kept) written as its escape, e.g. `\\x1b`."""
    return _CONTROL.sub(_escape, text)


def visible_line(text: str) -> str:
    """`visible`, with newlines and tabs escaped too: for a one-line message."""
    return CONTROL_IN_LINE.sub(_escape, text)


class SafeConsole(Console):
    """A Rich console for the headless commands: no string it prints carries a control code or a known secret.

    Rich itself emits styles and cursor moves as control segments or from styles, never in a segment's text, so
    making the text visible here reaches exactly what came from a run: outputs, names, messages, tracebacks.
    """

    def render(self, renderable: RenderableType, options: ConsoleOptions | None = None) -> Iterable[Segment]:
        segments = _redact(list(super().render(renderable, options)), known_secrets())
        for segment in segments:
            if segment.control is None and segment.text and _CONTROL.search(segment.text):
                yield Segment(visible(segment.text), segment.style)
            else:
                yield segment


def _redact(segments: list[Segment], secrets: dict[str, str]) -> list[Segment]:
    """Replace each secret value in the text of `segments` by `<redacted:NAME>`, also where highlighting split it
    across segments (Rich styles the digits of `sk-1234...` apart from its letters)."""
    spans: list[tuple[int, int, str]] = []
    text = "".join(segment.text for segment in segments if segment.control is None)
    for value, name in secrets.items():
        if len(value) < MIN_SUBSTRING_SECRET:
            continue
        start = text.find(value)
        while start != -1:
            spans.append((start, start + len(value), f"<redacted:{name}>"))
            start = text.find(value, start + len(value))
    if not spans:
        return segments
    spans.sort()
    redacted: list[Segment] = []
    offset = 0
    for segment in segments:
        if segment.control is not None:
            redacted.append(segment)
            continue
        end = offset + len(segment.text)
        kept = []
        for index, character in enumerate(segment.text, offset):
            span = next((span for span in spans if span[0] <= index < span[1]), None)
            if span is None:
                kept.append(character)
            elif index == span[0]:
                kept.append(span[2])
        redacted.append(Segment("".join(kept), segment.style))
        offset = end
    return redacted


def safe_text(text: str) -> str:
    """`text` as the debugger shows it: known secrets redacted (see `pipeline.runs.secrets`), controls visible."""
    return visible(scrub(text))


def safe_line(text: str) -> str:
    """`safe_text`, on one line (newlines and tabs escaped too)."""
    return visible_line(scrub(text))
