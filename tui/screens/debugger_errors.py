"""What the main screen's error keys do: go to the run's first error, copy an error with its traceback.

A base of `DebuggerScreen` (its keys, `first_error` and `copy_error`, are in `tui.keys.DEBUGGER`): these actions
need only the session, the inspector and the screen's routing of `VisitSelected` (which selects the component
and pins the visit).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

from pipeline.runs.spans import ComponentSpan
from tui.messages import VisitSelected
from tui.state.session import DebugSession
from tui.widgets.inspector import Inspector


def error_report(span: ComponentSpan) -> str:
    """A failed visit as text to paste into an issue or a chat: which visit, then its traceback."""
    traceback = span.traceback or repr(getattr(span, "error", None))
    return f"{span.component} (visit {span.visit}) failed:\n{traceback.rstrip()}\n"


class DebuggerErrors(Screen[None]):
    """`E` goes to the run's first error; `y` copies the inspected (or else the first) error."""

    if TYPE_CHECKING:  # only declared: `DebuggerScreen` defines them (importing it here would be a circle)

        @property
        def session(self) -> DebugSession | None: ...

        @property
        def _shown_visit(self) -> int | None: ...

    def first_failure(self) -> ComponentSpan | None:
        """The run's first visit that failed (in the order visits started)."""
        session = self.session
        if session is None:
            return None
        return next((span for span in session.summary.spans if span.status == "failed"), None)

    def action_first_error(self) -> None:
        span = self.first_failure()
        if span is None:
            self.notify("No component failed in this run.", timeout=2)
            return
        self.post_message(VisitSelected(span.visit_id, span.component))
        self.call_after_refresh(self.query_one(Inspector).show_error)

    def action_copy_error(self) -> None:
        inspector = self.query_one(Inspector)
        shown = self.session.summary.span(self._shown_visit) if self.session and self._shown_visit else None
        if shown is not None and inspector.error_text is not None:
            text = f"{shown.component} (visit {shown.visit}) failed:\n{inspector.error_text.rstrip()}\n"
        else:
            span = self.first_failure()
            if span is None:
                self.notify("No error to copy: no component failed in this run.", timeout=2)
                return
            text = error_report(span)
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied the error ({len(text.splitlines())} lines) to the clipboard.", timeout=2)
