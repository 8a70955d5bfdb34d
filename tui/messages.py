"""Messages between the debugger's widgets, screens and workers.

Widgets say what the user picked and never reach into the session themselves; the debugger screen routes these
to the session and the other panes. Workers report what they loaded the same way: `post_message` is safe to call
from a thread worker. Messages name no screen (nor import one): screens import messages, never the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message
from textual.widget import Widget

from pipeline.runs.recording import RecordedRun
from tui.loading import LoadedPipeline, LoadFailure


@dataclass
class ComponentSelected(Message):
    """The user selected a component (graph, breakpoints list): the inspector shows its latest visit."""

    name: str
    widget: Widget | None = None
    """The widget the selection was made in."""

    @property
    def control(self) -> Widget | None:
        """So `@on(ComponentSelected, "#graph")` can tell the senders apart."""
        return self.widget


@dataclass
class VisitSelected(Message):
    """The user picked one visit of a component (an earlier round of a loop, a bar in the timeline)."""

    visit_id: int
    component: str | None = None
    """The visit's component, when the sender knows it: the graph then selects it too."""
    widget: Widget | None = None

    @property
    def control(self) -> Widget | None:
        return self.widget


@dataclass
class TimeSelected(Message):
    """The user picked a moment of the run (a click on the timeline's time axis): a replay seeks there."""

    seconds: float
    """Relative to the run's start, as `RunSummary` times are."""
    widget: Widget | None = None

    @property
    def control(self) -> Widget | None:
        return self.widget


@dataclass
class OpenRun(Message):
    """Open a recorded run in the debugger, as a replay (from the runs browser)."""

    path: Path


@dataclass
class PipelineLoaded(Message):
    """The app's loading worker opened the pipeline."""

    loaded: LoadedPipeline


@dataclass
class RecordingLoaded(Message):
    """A run file was read and its pipeline rebuilt: replay it in the app's base screen (`pipedebug replay RUN`),
    or in a new screen on top (a run opened from the browser)."""

    recorded: RecordedRun
    loaded: LoadedPipeline
    in_base: bool


@dataclass
class LoadFailed(Message):
    """The pipeline or the run file did not open: the error screen says where and why."""

    failure: LoadFailure


@dataclass
class WarmUpFinished(Message):
    """The components' `warm_up()` ran (models loaded, corpus indexed), or one of them raised `error`."""

    seconds: float
    error: BaseException | None
